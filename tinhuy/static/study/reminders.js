// "Sao chép" buttons of the reminders page: copy a reminder (or the ICS address) to paste into
// Zalo or a calendar app. The Clipboard API needs a secure context (HTTPS or localhost); on a
// plain-HTTP intranet the text is selected and copied the old way instead.
"use strict";

document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy-target]");
  if (!button) {
    return;
  }
  const field = document.getElementById(button.dataset.copyTarget);
  if (!field) {
    return;
  }
  let copied = false;
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(field.value);
      copied = true;
    } catch (error) {
      copied = false;
    }
  }
  if (!copied) {
    field.focus();
    field.select();
    copied = document.execCommand("copy");
  }
  if (copied) {
    const label = button.textContent;
    button.textContent = button.dataset.copiedLabel || label;
    button.disabled = true;
    window.setTimeout(() => {
      button.textContent = label;
      button.disabled = false;
    }, 2000);
  }
});
