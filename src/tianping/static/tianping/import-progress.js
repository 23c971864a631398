// While a sheet is checked or written, the form that sent it shows how far the server has got.
// A form opts in with data-progress="<url>"; it sends a random key, and the page polls url?key=.
// A page whose sheet a task is writing marks an element data-task-progress="<url>" with
// data-key; it polls the same way and reloads when the task has ended, to show the result.
(function () {
  "use strict";
  function randomKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var url = form.getAttribute("data-progress");
    if (!url) {
      return;
    }
    var key = randomKey();
    var input = form.querySelector('input[name="progress"]');
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = "progress";
      form.appendChild(input);
    }
    input.value = key;
    var box = form.querySelector(".import-progress");
    if (!box) {
      box = document.createElement("p");
      box.className = "import-progress muted";
      box.setAttribute("aria-live", "polite");
      form.appendChild(box);
    }
    box.textContent = "正在上传…";
    function poll() {
      fetch(url + "?key=" + key, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) { if (data && data.text) { box.textContent = data.text; } })
        .catch(function () {})
        .then(function () { window.setTimeout(poll, 700); });
    }
    window.setTimeout(poll, 700);
  });
  function follow(box) {
    var url = box.getAttribute("data-task-progress");
    var key = box.getAttribute("data-key");
    function poll() {
      var join = url.indexOf("?") < 0 ? "?" : "&";
      fetch(url + join + "key=" + encodeURIComponent(key), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (data && (data.phase === "done" || data.phase === "failed")) {
            window.location.reload();
            return;
          }
          if (data && data.text) { box.textContent = data.text; }
          window.setTimeout(poll, 1000);
        })
        .catch(function () { window.setTimeout(poll, 2000); });
    }
    poll();
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-task-progress]"), follow);
  });
})();
