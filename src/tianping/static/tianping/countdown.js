// The time left on a timed quiz attempt, counted down in the page. The server keeps the
// deadline: this only shows it; a late submission is refused there whatever this says.
(function () {
  "use strict";
  function start() {
    var box = document.querySelector("[data-deadline]");
    if (!box) return;
    var deadline = Date.parse(box.getAttribute("data-deadline"));
    var text = box.querySelector(".countdown-text");
    if (isNaN(deadline) || !text) return;
    function pad(n) { return n < 10 ? "0" + n : String(n); }
    function tick() {
      var left = Math.floor((deadline - Date.now()) / 1000);
      if (left <= 0) {
        text.textContent = "答题时间已到，请立即交卷";
        box.classList.add("countdown-over");
        return;
      }
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      text.textContent = "剩余时间 " + (h ? h + ":" : "") + pad(m) + ":" + pad(s);
      if (left <= 60) box.classList.add("countdown-soon");
      window.setTimeout(tick, 1000);
    }
    tick();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
