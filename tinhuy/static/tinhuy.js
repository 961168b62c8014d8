// The few behaviours the pages share, without inline scripts (the Content-Security-Policy
// allows scripts from this site's files only): marked in the HTML by data- attributes.
(function () {
  "use strict";

  // <select data-submit-on-change>: choosing sends its form (the language list).
  document.addEventListener("change", function (event) {
    var field = event.target.closest("[data-submit-on-change]");
    if (field && field.form) field.form.submit();
  });

  // <button data-print>: prints the page.
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
    }
  });

  // <input data-select-on-focus>: its whole text is selected, ready to copy.
  document.addEventListener("focusin", function (event) {
    var field = event.target.closest("[data-select-on-focus]");
    if (field) field.select();
  });

  // <button data-toggle-children="ID" hx-get=…>: the first click loads the children into #ID
  // (htmx), the next one empties it instead of loading again. Caught on the way down, before
  // htmx's own listener on the button.
  document.addEventListener(
    "click",
    function (event) {
      var button = event.target.closest("[data-toggle-children]");
      if (!button) return;
      var box = document.getElementById(button.getAttribute("data-toggle-children"));
      if (box && box.childElementCount) {
        event.stopPropagation();
        event.preventDefault();
        box.replaceChildren();
        button.textContent = "+";
      } else {
        button.textContent = "−";
      }
    },
    true
  );
})();
