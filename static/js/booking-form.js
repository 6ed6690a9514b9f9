// Créneau: the booking form's button shows progress and cannot send the form twice.
// Without this file the form still works, and the server answers a repeated identical
// booking with the first one's confirmation.
(function () {
  "use strict";

  function guard(form) {
    var button = form.querySelector("button[type=submit]");
    if (!button) return;
    var idle = button.textContent;
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("aria-busy") === "true") {
        event.preventDefault();
        return;
      }
      form.setAttribute("aria-busy", "true");
      button.setAttribute("aria-busy", "true");
      button.textContent = button.getAttribute("data-busy-label") || idle;
      // The submission goes ahead: a disabled submitter only loses its own name and value,
      // and this one has none.
      button.disabled = true;
    });
    // Coming back with the browser's Back button restores the page as it was left.
    window.addEventListener("pageshow", function (event) {
      if (!event.persisted) return;
      form.removeAttribute("aria-busy");
      button.removeAttribute("aria-busy");
      button.disabled = false;
      button.textContent = idle;
    });
  }

  function init() {
    var forms = document.querySelectorAll("form[data-submit-once]");
    for (var i = 0; i < forms.length; i++) guard(forms[i]);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
