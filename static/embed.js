// Créneau booking widget for a coach's own website. Paste where the widget should appear:
//   <script src="https://SITE/static/embed.js" data-coach="SLUG" data-type="TYPE" async></script>
// It puts the coach's booking page (…/SLUG/TYPE/?embed=1) in a frame right after this tag and
// keeps the frame as tall as its content, from the height the frame's page reports.
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || !script.src) return;
  var origin = new URL(script.src).origin;
  var slug = /^[-a-zA-Z0-9_]+$/;
  var coach = script.getAttribute("data-coach") || "";
  var type = script.getAttribute("data-type") || "";
  if (!slug.test(coach) || !slug.test(type)) return;

  var frame = document.createElement("iframe");
  frame.src = origin + "/" + coach + "/" + type + "/?embed=1";
  frame.title = script.getAttribute("data-title") || "Réservation · Booking";
  frame.width = "100%";
  frame.height = "640";  // until the page inside says how tall it is
  frame.className = "creneau-embed";
  frame.style.border = "0";
  frame.style.display = "block";
  frame.style.maxWidth = "100%";
  script.parentNode.insertBefore(frame, script.nextSibling);

  window.addEventListener("message", function (event) {
    // Only our own pages, and only this frame's (several widgets may share one page).
    if (event.origin !== origin || event.source !== frame.contentWindow) return;
    var data = event.data;
    if (!data || data.type !== "creneau:height") return;
    var height = Number(data.height);
    if (!isFinite(height) || height <= 0) return;
    frame.height = String(Math.min(Math.ceil(height), 20000));
  });
})();
