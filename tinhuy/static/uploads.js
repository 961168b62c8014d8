// Upload progress in the page, without inline scripts (the Content-Security-Policy allows
// scripts from this site's files only).
//
// A form marked data-upload-progress is sent by htmx (hx-post, hx-encoding="multipart/form-data",
// hx-select/hx-target "main"), which reports the upload as htmx:xhr:* events: a <progress> under
// the form fills as the file goes up, then says the server is checking it. The form's data-
// attributes carry the translated sentences (%(percent)s, %(sent)s, %(total)s, %(status)s are
// filled in here). The page the server answers (errors 400/413 included) replaces <main>.
(function () {
  "use strict";
  // htmx runs the scripts of the content it swaps in: this file may come again with a new page.
  if (window.tinhuyUploads) return;
  window.tinhuyUploads = true;

  var lang = document.documentElement.lang || "vi";

  // The form that sent the request: the event's element (htmx:xhr:*), or the request's element
  // (htmx:beforeSwap is told on the swap's target, <main>).
  function uploadForm(event) {
    var detail = event.detail || {};
    var candidates = [detail.requestConfig && detail.requestConfig.elt, event.target];
    for (var i = 0; i < candidates.length; i++) {
      var element = candidates[i];
      var form = element && element.closest ? element.closest("form[data-upload-progress]") : null;
      if (form) return form;
    }
    return null;
  }

  function fill(template, values) {
    return (template || "").replace(/%\((\w+)\)s/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : whole;
    });
  }

  function megabytes(bytes) {
    return (bytes / 1e6).toLocaleString(lang, {
      minimumFractionDigits: 1,
      maximumFractionDigits: 1,
    });
  }

  // The status box under the form: a <progress> and a sentence for screen readers too.
  function statusBox(form) {
    var box = form.querySelector("[data-upload-status]");
    if (!box) {
      box = document.createElement("div");
      box.className = "mt-3";
      box.setAttribute("data-upload-status", "");
      var bar = document.createElement("progress");
      bar.className = "w-100";
      bar.max = 100;
      bar.value = 0;
      var text = document.createElement("div");
      text.className = "small text-body-secondary mt-1";
      text.setAttribute("role", "status");
      text.setAttribute("aria-live", "polite");
      box.append(bar, text);
      form.append(box);
    }
    return { box: box, bar: box.querySelector("progress"), text: box.querySelector("[role=status]") };
  }

  function show(form, percent, sentence) {
    var status = statusBox(form);
    status.box.hidden = false;
    if (percent === null) {
      status.bar.removeAttribute("value"); // indeterminate: the server is at work
    } else {
      status.bar.value = percent;
    }
    status.text.textContent = sentence;
  }

  // A request starts: the bar at 0. Both the upload and the download of the answer report
  // loadstart/progress/loadend; the first loadend ends the upload, what follows is the answer.
  document.addEventListener("htmx:xhr:loadstart", function (event) {
    var form = uploadForm(event);
    if (!form || form.tinhuyUpload) return;
    form.tinhuyUpload = { sent: false };
    show(form, 0, fill(form.dataset.uploadProgress, { percent: "0%", sent: megabytes(0), total: "…" }));
  });

  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = uploadForm(event);
    var detail = event.detail;
    if (!form || !form.tinhuyUpload || form.tinhuyUpload.sent || !detail.lengthComputable) return;
    var percent = detail.total ? Math.floor((detail.loaded * 100) / detail.total) : 100;
    show(
      form,
      percent,
      fill(form.dataset.uploadProgress, {
        percent: percent + "%",
        sent: megabytes(detail.loaded),
        total: megabytes(detail.total),
      })
    );
  });

  document.addEventListener("htmx:xhr:loadend", function (event) {
    var form = uploadForm(event);
    if (!form || !form.tinhuyUpload || form.tinhuyUpload.sent) return;
    form.tinhuyUpload.sent = true;
    show(form, 100, form.dataset.uploadSent || "");
  });

  // The checks' answers are pages too (400: rows with errors, 413: file too large): show them.
  // An answer that is not one of our pages (a proxy's error) leaves the form where it was.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = uploadForm(event);
    if (!form) return;
    var xhr = event.detail.xhr;
    var isPage = /<main[\s>]/.test(xhr.responseText || "");
    if (isPage) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    } else {
      event.detail.shouldSwap = false;
      failed(event);
    }
  });

  // No answer (the connection dropped) or no page in it: say so, and the form can be sent again.
  function failed(event) {
    var form = uploadForm(event);
    if (!form) return;
    var xhr = event.detail.xhr;
    form.tinhuyUpload = null;
    show(form, 0, fill(form.dataset.uploadFailed, { status: xhr && xhr.status ? xhr.status : "—" }));
  }
  document.addEventListener("htmx:sendError", failed);
})();
