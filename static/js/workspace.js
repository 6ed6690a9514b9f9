// Créneau workspace: a copy button for the feed address. Without this file the address is
// still shown in a read-only field that can be selected and copied by hand.
(function () {
  "use strict";

  function setUp(button) {
    var input = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById("copy-status");
    if (!input || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(function () {
        if (status) status.textContent = button.getAttribute("data-copied");
      }, function () {
        input.select();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll("[data-copy]");
    for (var i = 0; i < buttons.length; i++) setUp(buttons[i]);
  });
})();
