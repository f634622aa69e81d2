// Organizer pages, progressive enhancement only: every page works without this file.
// It talks to nothing but our own origin (relative URLs), which the pages' CSP enforces.
(function () {
  "use strict";

  // Copy buttons stay hidden until there is a clipboard to copy to.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.value).then(function () {
        button.textContent = button.getAttribute("data-done") || "Copied";
      });
    });
  });

  // Live preview: as the organizer types, the draft is rendered by the server (the real form
  // markup) and shown in the preview frames. Latest answer wins.
  var form = document.querySelector("form[data-preview-url]");
  if (!form) return;
  var url = form.getAttribute("data-preview-url");
  if (!url || url.charAt(0) !== "/" || url.charAt(1) === "/") return;
  var frames = document.querySelectorAll("iframe[data-preview-lang]");
  var timer = 0;
  var latest = 0;

  function refresh() {
    var request = ++latest;
    frames.forEach(function (frame) {
      var data = new URLSearchParams(new FormData(form));
      data.set("previewLang", frame.getAttribute("data-preview-lang"));
      fetch(url, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) { if (html !== null && request === latest) frame.srcdoc = html; })
        .catch(function () { /* the Preview button still works */ });
    });
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
})();
