/* Times in the browser's time zone. The server writes every stored time as <time datetime="...Z"> with the UTC
   time as its text, so the page reads without script; this shows the local time instead and keeps UTC in the
   tooltip. Run on load and after every htmx swap. */
(function () {
  "use strict";

  function pad(number) { return (number < 10 ? "0" : "") + number; }

  function zoneName(date) {
    try {
      var parts = new Intl.DateTimeFormat(undefined, { timeZoneName: "short" }).formatToParts(date);
      for (var i = 0; i < parts.length; i++) if (parts[i].type === "timeZoneName") return parts[i].value;
    } catch (err) { /* no Intl: the offset below */ }
    var offset = -date.getTimezoneOffset();
    return "UTC" + (offset < 0 ? "-" : "+") + pad(Math.floor(Math.abs(offset) / 60)) + ":" + pad(Math.abs(offset) % 60);
  }

  function localize(root) {
    var times = (root || document).querySelectorAll("time[datetime]");
    Array.prototype.forEach.call(times, function (element) {
      var stamp = element.getAttribute("datetime");
      if (element.getAttribute("data-local") === stamp) return;
      var date = new Date(stamp);
      if (isNaN(date.getTime())) return;
      var utc = stamp.slice(0, 19).replace("T", " ") + " UTC";
      element.textContent = date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + " " +
        pad(date.getHours()) + ":" + pad(date.getMinutes()) + ":" + pad(date.getSeconds()) + " " + zoneName(date);
      element.title = utc;
      element.setAttribute("data-local", stamp);
    });
  }

  localize(document);
  document.addEventListener("htmx:afterSettle", function () { localize(document); });
  document.addEventListener("lambda-console:times", function () { localize(document); });
})();
