// The stenography test page (速录测试): a countdown, the input log, pastes refused.
// The page never scores: it sends what changed in the text, when (milliseconds since the
// test began), and the pastes, drops and scripted insertions it refused; the server
// rebuilds the text from the log and scores it. An IME's composition is logged once it is
// committed (compositionend), as the text it left. The log goes to the server every few
// seconds and when the page is hidden, so a closed tab keeps what was typed.
(function () {
  "use strict";
  var root = document.getElementById("typing-test");
  if (!root) {
    return;
  }
  var area = document.getElementById("typing-input");
  var clock = document.getElementById("typing-clock");
  var count = document.getElementById("typing-count");
  var notice = document.getElementById("typing-notice");
  var refusedBox = document.getElementById("typing-refused");
  var refusedCount = document.getElementById("typing-refused-count");
  var finishButton = document.getElementById("typing-finish");
  var csrf = root.querySelector('input[name="csrfmiddlewaretoken"]').value;
  var logUrl = root.getAttribute("data-log-url");
  var resultUrl = root.getAttribute("data-result-url");
  var duration = parseInt(root.getAttribute("data-duration-ms"), 10);
  var origin = performance.now() - parseInt(root.getAttribute("data-elapsed-ms"), 10);
  var MAX_CHUNK = 50;
  var SYNC_MS = 5000;

  var events = [];
  var eventsBase = parseInt(root.getAttribute("data-held"), 10) || 0;
  var refused = [];
  var refusedBase = parseInt(root.getAttribute("data-held-refusals"), 10) || 0;
  var refusedTotal = refusedBase;
  var last = area.value;
  var composing = false;
  var finished = false;
  var inFlight = false;

  function elapsed() {
    return Math.max(0, Math.round(performance.now() - origin));
  }

  function visibleChars(text) {
    return text.replace(/\s+/g, "").length;
  }

  function showCount() {
    count.textContent = String(visibleChars(area.value));
  }

  function refuse(kind, chars) {
    refused.push({ t: elapsed(), kind: kind, chars: chars || 0 });
    refusedTotal += 1;
    refusedCount.textContent = String(refusedTotal);
    refusedBox.hidden = false;
    notice.textContent = kind === "insertFromDrop" ? "不允许拖放文本，已记录。" : "不允许粘贴或脚本输入，已记录。";
  }

  // What changed between two texts: where, how many characters went, what came in.
  function delta(before, after) {
    var start = 0;
    var limit = Math.min(before.length, after.length);
    while (start < limit && before.charCodeAt(start) === after.charCodeAt(start)) {
      start += 1;
    }
    var endBefore = before.length;
    var endAfter = after.length;
    while (endBefore > start && endAfter > start &&
           before.charCodeAt(endBefore - 1) === after.charCodeAt(endAfter - 1)) {
      endBefore -= 1;
      endAfter -= 1;
    }
    return { at: start, removed: endBefore - start, inserted: after.slice(start, endAfter) };
  }

  function capture() {
    if (composing || finished) {
      return;
    }
    var value = area.value;
    if (value === last) {
      return;
    }
    var d = delta(last, value);
    if (d.inserted.length > MAX_CHUNK) {
      // Too much at once to have been typed: put the text back and record it.
      area.value = last;
      refuse("oversized", d.inserted.length);
      return;
    }
    events.push([elapsed(), d.at, d.removed, d.inserted]);
    last = value;
    showCount();
  }

  area.addEventListener("paste", function (event) {
    event.preventDefault();
    var text = event.clipboardData ? event.clipboardData.getData("text") : "";
    refuse("insertFromPaste", text.length);
  });
  area.addEventListener("drop", function (event) {
    event.preventDefault();
    var text = event.dataTransfer ? event.dataTransfer.getData("text") : "";
    refuse("insertFromDrop", text.length);
  });
  area.addEventListener("beforeinput", function (event) {
    var kind = event.inputType || "";
    if (!event.isTrusted) {
      event.preventDefault();
      refuse("untrusted", (event.data || "").length);
    } else if (kind === "insertFromPaste" || kind === "insertFromPasteAsQuotation") {
      event.preventDefault();
      refuse("insertFromPaste", (event.data || "").length);
    } else if (kind === "insertFromDrop") {
      event.preventDefault();
      refuse("insertFromDrop", (event.data || "").length);
    }
  });
  area.addEventListener("compositionstart", function () {
    composing = true;
  });
  area.addEventListener("compositionend", function () {
    composing = false;
    capture();
  });
  area.addEventListener("input", function (event) {
    if (!event.isTrusted) {
      area.value = last;
      refuse("untrusted", 0);
      return;
    }
    if (event.isComposing) {
      return;
    }
    capture();
  });

  function batch(final) {
    return JSON.stringify({
      start: eventsBase,
      events: events,
      refused_start: refusedBase,
      refused: refused,
      final: final
    });
  }

  function acknowledge(data) {
    var took = data.held - eventsBase;
    if (took > 0) {
      events.splice(0, took);
      eventsBase = data.held;
    }
    var tookRefused = data.held_refusals - refusedBase;
    if (tookRefused > 0) {
      refused.splice(0, tookRefused);
      refusedBase = data.held_refusals;
    }
  }

  function send(final, keepalive) {
    return fetch(logUrl, {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!keepalive,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: batch(final)
    }).then(function (response) {
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      return response.json();
    }).then(function (data) {
      acknowledge(data);
      return data;
    });
  }

  function sync() {
    if (finished || inFlight || (events.length === 0 && refused.length === 0)) {
      return;
    }
    inFlight = true;
    send(false, false).catch(function () {
      notice.textContent = "网络不稳定，录入内容将稍后保存。";
    }).then(function () {
      inFlight = false;
    });
  }

  function finish(tries) {
    if (finished && tries === 0) {
      return;
    }
    capture();
    finished = true;
    area.readOnly = true;
    finishButton.disabled = true;
    notice.textContent = "正在交卷…";
    send(true, false).then(function (data) {
      window.location.assign(data.result || resultUrl);
    }).catch(function () {
      if (tries < 5) {
        window.setTimeout(function () { finish(tries + 1); }, 1500);
      } else {
        notice.textContent = "交卷未能送达，请检查网络后刷新本页；已保存的录入内容不会丢失。";
      }
    });
  }

  function tick() {
    var left = duration - elapsed();
    if (left <= 0) {
      clock.textContent = "00:00";
      finish(0);
      return;
    }
    var seconds = Math.ceil(left / 1000);
    var m = Math.floor(seconds / 60);
    var s = seconds % 60;
    clock.textContent = (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
    window.setTimeout(tick, 250);
  }

  finishButton.addEventListener("click", function () {
    if (window.confirm("确定交卷吗？交卷后不能继续录入。")) {
      finish(0);
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && !finished && events.length + refused.length) {
      send(false, true).catch(function () {});
    }
  });
  window.addEventListener("pagehide", function () {
    if (!finished && events.length + refused.length) {
      send(false, true).catch(function () {});
    }
  });
  window.setInterval(sync, SYNC_MS);
  showCount();
  area.focus();
  tick();
})();
