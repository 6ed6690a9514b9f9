// Créneau, inside the frame of an embedded booking page (?embed=1): tells the page around it
// how tall the content is, so the frame grows or shrinks to fit instead of scrolling.
// The embed.js snippet on the coach's site listens for this message and checks its origin;
// the height says nothing private, so any parent may receive it.
(function () {
  "use strict";

  if (window.parent === window) return;
  var last = 0;

  function report() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ type: "creneau:height", height: height }, "*");
  }

  function init() {
    report();
    if (window.ResizeObserver) {
      new ResizeObserver(report).observe(document.documentElement);
    }
    window.addEventListener("resize", report);
    // htmx swaps the week or the month in place; ResizeObserver sees most of these, but a
    // swap of equal height followed by a layout change must still be measured.
    document.body.addEventListener("htmx:afterSettle", report);
    document.addEventListener("toggle", report, true);  // the <details> on the form
  }

  window.addEventListener("load", report);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
