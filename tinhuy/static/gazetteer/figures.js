/* Indicator page: one Chart.js line chart per place, from the data the page carries in
 * <script id="gz-indicator-data" type="application/json"> (Django's json_script):
 *   {years: [2019, …], series: [{place, values: [number|null], labels: ["1.234,5"|null],
 *    sample: [bool]}]}
 * A chart is drawn when its canvas scrolls into view, so an old phone does not draw them all
 * at once. Sample figures are drawn as hollow points and say so in the tooltip. The table
 * above the charts holds every figure: without JavaScript nothing is lost.
 */
(function () {
  "use strict";

  if (typeof Chart === "undefined") {
    return;
  }
  var element = document.getElementById("gz-indicator-data");
  if (!element) {
    return;
  }
  var data = JSON.parse(element.textContent);
  var COLOUR = "#8b1a1a";
  var SAMPLE = "số liệu minh họa";
  // Vietnamese grouping whatever the browser's language: 1.234,5.
  var number = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 4 });

  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.animation = false;

  function draw(canvas) {
    var series = data.series[Number(canvas.getAttribute("data-series"))];
    if (!series || canvas.getAttribute("data-drawn")) {
      return;
    }
    canvas.setAttribute("data-drawn", "1");
    new Chart(canvas, {
      type: "line",
      data: {
        labels: data.years.map(String),
        datasets: [{
          label: series.place,
          data: series.values,
          borderColor: COLOUR,
          backgroundColor: COLOUR,
          spanGaps: true,
          pointRadius: 3,
          pointStyle: series.sample.map(function (s) { return s ? "rectRot" : "circle"; }),
          pointBackgroundColor: series.sample.map(function (s) { return s ? "#fff" : COLOUR; })
        }]
      },
      options: {
        maintainAspectRatio: false,
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: function (context) {
                var i = context.dataIndex;
                var text = series.labels[i] || number.format(context.parsed.y);
                return series.sample[i] ? text + " (" + SAMPLE + ")" : text;
              }
            }
          }
        },
        scales: {
          y: { ticks: { callback: function (value) { return number.format(value); } } }
        }
      }
    });
  }

  var canvases = Array.prototype.slice.call(document.querySelectorAll("canvas[data-series]"));
  if (!("IntersectionObserver" in window)) {
    canvases.forEach(draw);
    return;
  }
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) {
        observer.unobserve(entry.target);
        draw(entry.target);
      }
    });
  }, { rootMargin: "200px" });
  canvases.forEach(function (canvas) { observer.observe(canvas); });
})();
