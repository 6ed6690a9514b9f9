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

  // Keys that move through a closed select's options: Chromium fires "change" at each one,
  // so the choice is only sent on Enter, on leaving the list, or on a pointer choice.
  var BROWSING_KEYS = /^(Arrow(Up|Down|Left|Right)|Page(Up|Down)|Home|End|.)$/;

  function selectZone(select, zone) {
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === zone) {
        var option = select.options[i];
        // The detected zone comes first in the list.
        select.insertBefore(option, select.firstChild);
        select.value = zone;
        return;
      }
    }
    // Not in the list (a legacy name such as Asia/Calcutta): the server maps it, and the
    // list follows the zone it answers with (syncSelect).
    var added = new Option(zone, zone, true, true);
    added.setAttribute("data-temporary", "");
    select.insertBefore(added, select.firstChild);
    select.value = zone;
  }

  function syncSelect(select, zone) {
    var temporary = select.querySelectorAll("option[data-temporary]");
    for (var i = 0; i < temporary.length; i++) temporary[i].remove();
    for (var j = 0; j < select.options.length; j++) {
      if (select.options[j].value === zone) {
        // A detected legacy name was shown first: its canonical zone takes its place.
        if (temporary.length) select.insertBefore(select.options[j], select.firstChild);
        select.value = zone;
        return;
      }
    }
  }

  function choose(select) {
    rememberZone(select.value);
    select.removeAttribute("data-pending");
    if (select.form.requestSubmit) select.form.requestSubmit();
    else select.form.submit();
  }

  function setUpChoosing(select) {
    var browsing = false;
    select.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        if (select.hasAttribute("data-pending")) {
          event.preventDefault();
          choose(select);
        }
        browsing = false;
        return;
      }
      browsing = !event.altKey && !event.ctrlKey && !event.metaKey &&
        BROWSING_KEYS.test(event.key) && event.key !== " ";
    });
    select.addEventListener("pointerdown", function () { browsing = false; });
    select.addEventListener("change", function () {
      if (browsing) select.setAttribute("data-pending", "");
      else choose(select);
    });
    select.addEventListener("blur", function () {
      if (select.hasAttribute("data-pending")) choose(select);
    });
  }

  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function setUpFilter(select) {
    var box = document.querySelector("[data-tz-filter]");
    var input = document.getElementById("tz-filter");
    var count = document.getElementById("tz-filter-count");
    if (!box || !input || !count) return;
    box.hidden = false;
    var first = null;
    input.addEventListener("input", function () {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      first = null;
      var options = select.querySelectorAll("option");
      for (var i = 0; i < options.length; i++) {
        var haystack = options[i].getAttribute("data-search") || fold(options[i].value);
        var match = words.every(function (word) { return haystack.indexOf(word) !== -1; });
        options[i].hidden = !match;
        if (match) {
          shown += 1;
          if (!first) first = options[i];
        }
      }
      // The list shows the first match, ready for Enter or "Show times"; nothing loads yet.
      var current = select.options[select.selectedIndex];
      if (first && current && current.hidden) select.value = first.value;
      var groups = select.querySelectorAll("optgroup");
      for (var j = 0; j < groups.length; j++) {
        groups[j].hidden = !groups[j].querySelector("option:not([hidden])");
      }
      if (!words.length) count.textContent = "";
      else if (!shown) count.textContent = input.getAttribute("data-none");
      else if (shown === 1) count.textContent = input.getAttribute("data-one");
      else count.textContent = input.getAttribute("data-many").replace("%(count)s", shown);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        select.focus();
      } else if (event.key === "Enter") {
        // Enter in a text field would send the form as it stands: send the first match.
        event.preventDefault();
        if (first && input.value.trim()) {
          select.value = first.value;
          choose(select);
        }
      }
    });
  }

  function setUpZoneSelect(select) {
    setUpChoosing(select);
    setUpFilter(select);
    document.body.addEventListener("htmx:afterSettle", function (event) {
      if (event.target && event.target.id === "slots") {
        syncSelect(select, event.target.getAttribute("data-zone"));
      }
    });
    var asked = new URLSearchParams(location.search).has("tz");
    if (asked || readCookie(COOKIE)) return;
    var zone = browserZone();
    if (!zone || !/^[A-Za-z0-9_+\-\/]+$/.test(zone)) return;
    rememberZone(zone);
    if (zone === select.value) return;
    selectZone(select, zone);
    choose(select);
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
      // A zone change keeps focus where it was (the select or the search field).
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
