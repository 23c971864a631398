/* The dashboard's charts: ECharts over the JSON the page carries in #chart-data. */
(function () {
  "use strict";

  function draw() {
    var source = document.getElementById("chart-data");
    if (!source || typeof echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var rows = data[el.dataset.chart] || [];
      if (el.dataset.type === "pie") {
        rows = rows.filter(function (r) { return r.value > 0; });
      }
      var chart = echarts.init(el, null, { renderer: "svg" });
      var option = el.dataset.type === "pie"
        ? { tooltip: { trigger: "item", formatter: "{b}：{c}人（{d}%）" },
            series: [{ type: "pie", radius: ["35%", "65%"], data: rows, label: { formatter: "{b}\n{c}人" } }] }
        : { tooltip: { trigger: "axis" }, grid: { left: 40, right: 10, top: 28, bottom: 40 },
            xAxis: { type: "category", data: rows.map(function (r) { return r.name; }),
                     axisLabel: { interval: 0, rotate: rows.length > 4 ? 30 : 0 } },
            yAxis: { type: "value", minInterval: 1 },
            series: [{ type: "bar", data: rows.map(function (r) { return r.value; }),
                       label: { show: true, position: "top" }, itemStyle: { color: "#b3261e" } }] };
      chart.setOption(option);
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
