// The presenter page's keyboard: number keys 1-9 run the numbered events, Esc cancels the running one. Each key
// presses the page's own button, so the page works the same without this script.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var button = null;
    if (/^[1-9]$/.test(event.key)) {
      button = document.querySelector('button[data-key="' + event.key + '"]');
    } else if (event.key === "Escape") {
      button = document.querySelector("button[data-presenter-cancel]");
    }
    if (button && !button.disabled) {
      event.preventDefault();
      button.click();
    }
  });
})();
