// Créneau: shows slots in the visitor's own time zone and keeps the choice in a cookie.
// Everything works without this file; it only saves the visitor from picking a zone.
(function () {
  "use strict";

  var COOKIE = "tz";
  var YEAR = 365 * 24 * 3600;

  function readCookie(name) {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf("=");
      if (parts[i].slice(0, eq) === name) return parts[i].slice(eq + 1).replace(/^"|"$/g, "");
    }
    return "";
  }

  function rememberZone(zone) {
    // Embedded in another site's page, the zone travels in the URLs: no cookie in the frame.
    if (document.body.hasAttribute("data-embed")) return;
    var secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = COOKIE + "=" + zone + "; Path=/; Max-Age=" + YEAR + "; SameSite=Lax" + secure;
  }

  function browserZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      return "";
    }
  }

  function selectZone(select, zone) {
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === zone) {
        select.value = zone;
        return;
      }
    }
    // Not in the list (an alias such as Asia/Calcutta): the server still knows it.
    select.add(new Option(zone, zone, true, true));
  }

  function setUpZoneSelect(select) {
    select.addEventListener("change", function () {
      rememberZone(select.value);
    });
    var asked = new URLSearchParams(location.search).has("tz");
    if (asked || readCookie(COOKIE)) return;
    var zone = browserZone();
    if (!zone || !/^[A-Za-z0-9_+\-\/]+$/.test(zone)) return;
    rememberZone(zone);
    if (zone === select.value) return;
    selectZone(select, zone);
    if (window.htmx) {
      // The form listens for "change" and swaps the slots in place.
      select.dispatchEvent(new Event("change", { bubbles: true }));
    } else {
      select.form.submit();
    }
  }

  function init() {
    var select = document.querySelector("[data-tz-select]");
    if (select) setUpZoneSelect(select);
    // After a new week, month or day arrives, move focus to its heading so screen readers
    // follow; the link that asked names that heading in data-focus.
    document.body.addEventListener("htmx:afterSettle", function (event) {
      if (!event.target || event.target.id !== "slots") return;
      var config = event.detail && event.detail.requestConfig;
      var source = config && config.elt;
      // A zone change keeps focus on the select.
      if (source && source.closest && source.closest("#tz-form")) return;
      var wanted = source && source.getAttribute && source.getAttribute("data-focus");
      var title = (wanted && document.getElementById(wanted)) ||
        document.getElementById("week-title") || document.getElementById("month-title");
      if (title) title.focus({ preventScroll: false });
    });
    // htmx moves through weeks and months without reloading: the language switch must come
    // back to the address shown now, not the one the page was first loaded at.
    var language = document.querySelector(".lang-switch input[name=next]");
    if (language) {
      language.form.addEventListener("submit", function () {
        language.value = location.pathname + location.search;
      });
    }
  }

  // Deferred scripts run before DOMContentLoaded, when htmx has not yet wired the page up;
  // htmx wires it on that event, and listeners run in the order they were added.
  if (document.readyState === "complete") {
    init();
  } else {
    document.addEventListener("DOMContentLoaded", init);
  }
})();
