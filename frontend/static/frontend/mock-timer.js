// Counts a mock interview's time down on the page. The server's clock decides: the page renders the seconds
// left (data-seconds-left) and the end (data-ends-at), so a reload or another device shows the same time;
// this only ticks between reloads and reloads the page when the time is up, where the server closes it.
(function () {
  "use strict";
  function start() {
    var clock = document.getElementById("mock-clock");
    if (!clock) { return; }
    var left = parseInt(clock.getAttribute("data-seconds-left"), 10);
    if (isNaN(left)) { return; }
    var end = Date.now() + left * 1000;
    function pad(n) { return n < 10 ? "0" + n : String(n); }
    function tick() {
      var seconds = Math.max(0, Math.round((end - Date.now()) / 1000));
      var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
      clock.textContent = (h ? h + ":" + pad(m) : String(m)) + ":" + pad(s);
      if (seconds <= 0) {
        window.clearInterval(timer);
        window.location.reload();
      }
    }
    var timer = window.setInterval(tick, 1000);
    tick();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
