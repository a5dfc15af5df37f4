// Quick exit: leave for a neutral site with location.replace, so this page is not left in the
// back history. Triggered by the button, by Esc, or by Shift pressed three times within 2 seconds.
(function () {
  "use strict";
  var SHIFT_PRESSES = 3;
  var SHIFT_WINDOW_MS = 2000;
  var shiftTimes = [];

  function target() {
    var holder = document.querySelector("[data-quick-exit-target]");
    return holder ? holder.getAttribute("data-quick-exit-target") : null;
  }

  function leave() {
    var url = target();
    if (!url) return;
    document.documentElement.classList.add("is-exiting");
    window.location.replace(url);
  }

  function isEditable(element) {
    if (!element) return false;
    var tag = element.tagName;
    return element.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-quick-exit]");
    if (!button) return;
    event.preventDefault();
    leave();
  });

  document.addEventListener("keydown", function (event) {
    // Esc in a form field closes its suggestions first; Shift three times works everywhere.
    if (event.key === "Escape" && !isEditable(event.target)) {
      leave();
      return;
    }
    if (event.key !== "Shift" || event.repeat) return;
    var now = Date.now();
    shiftTimes = shiftTimes.filter(function (time) { return now - time < SHIFT_WINDOW_MS; });
    shiftTimes.push(now);
    if (shiftTimes.length >= SHIFT_PRESSES) leave();
  });
})();
