/* The study dashboard's two charts, drawn with Chart.js from the data the page carries in
 * <script type="application/json"> elements (Django's json_script):
 * - #coverage-data: coverage (%) of each child unit, one dataset per level; a click on a bar
 *   opens that unit's dashboard;
 * - #timeline-data: per level, the cumulative number of units whose conference was held, by
 *   date, plotted as a share of the units expected at that level, with the level's deadline
 *   drawn as a dashed vertical line.
 * Printed, both charts are redrawn to the paper's width (and back to the screen's afterwards).
 */
(function () {
  "use strict";

  if (typeof Chart === "undefined") {
    return;
  }
  var DAY_MS = 86400000;
  var COLOURS = ["#b02a37", "#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997"];
  var locale = document.documentElement.lang || "vi";
  var percent = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  var integer = new Intl.NumberFormat(locale);

  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.animation = false;

  function readJson(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function dayNumber(iso) {
    var parts = iso.split("-").map(Number);
    return Date.UTC(parts[0], parts[1] - 1, parts[2]) / DAY_MS;
  }

  function two(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function dayLabel(day) {
    var date = new Date(Math.round(day) * DAY_MS);
    return two(date.getUTCDate()) + "/" + two(date.getUTCMonth() + 1) + "/" + date.getUTCFullYear();
  }

  // The words of a text in lines of at most `width` characters (a longer word on its own line);
  // the text itself when it fits on one line.
  function wrapWords(text, width) {
    var lines = [];
    text.split(" ").forEach(function (word) {
      var last = lines.length - 1;
      if (last >= 0 && lines[last].length + 1 + word.length <= width) {
        lines[last] += " " + word;
      } else {
        lines.push(word);
      }
    });
    return lines.length > 1 ? lines : text;
  }

  function coverageChart(data) {
    var canvas = document.getElementById("coverage-chart");
    if (!data || !canvas) {
      return null;
    }
    // Horizontal bars: one band per child unit, tall enough for every level's bar and for its
    // name, which a narrow screen (a phone) wraps onto several lines instead of cutting it.
    var box = document.getElementById("coverage-box");
    var names = data.labels.map(function (label) {
      return wrapWords(label, box.clientWidth < 576 ? 22 : 60);
    });
    var band = 8 + 7 * data.datasets.length;
    var height = names.reduce(function (sum, name) {
      return sum + Math.max(band, 16 * (Array.isArray(name) ? name.length : 1) + 4);
    }, 0);
    box.style.height = Math.max(220, height + 70) + "px";
    return new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (dataset, index) {
          return {
            label: dataset.label,
            data: dataset.data,
            backgroundColor: COLOURS[index % COLOURS.length],
            barPercentage: 0.9,
            categoryPercentage: 0.85,
            // A unit at 0 % (an overdue one, nothing held) gets a visible stub rather than no
            // bar at all, which would read as "no data". Unknown rates (null) stay empty.
            minBarLength: 4
          };
        })
      },
      options: {
        indexAxis: "y",
        maintainAspectRatio: false,
        scales: {
          x: { min: 0, max: 100, title: { display: true, text: data.axis }, ticks: { callback: function (v) { return v + "%"; } } },
          y: { ticks: { autoSkip: false, callback: function (value, index) { return names[index]; } } }
        },
        plugins: {
          legend: { position: "top" },
          tooltip: {
            callbacks: {
              label: function (item) {
                return item.dataset.label + ": " + (item.raw === null ? "—" : percent.format(item.raw) + "%");
              }
            }
          }
        },
        onClick: function (event, elements) {
          if (elements.length) {
            window.location.href = data.urls[elements[0].index];
          }
        },
        onHover: function (event, elements) {
          event.native.target.style.cursor = elements.length ? "pointer" : "default";
        }
      }
    });
  }

  function timelineChart(data) {
    var canvas = document.getElementById("timeline-chart");
    if (!data || !canvas) {
      return null;
    }
    document.getElementById("timeline-box").style.height = "320px";
    var asOf = dayNumber(data.as_of);
    var first = Infinity;
    var last = -Infinity;
    data.levels.forEach(function (level) {
      first = Math.min(first, dayNumber(level.start));
      last = Math.max(last, dayNumber(level.deadline));
      level.points.forEach(function (point) {
        last = Math.max(last, dayNumber(point[0]));
      });
    });
    // Show the campaign, not the years after it: stop a little after the last deadline or
    // conference, or at the as-of date if that comes first.
    var end = Math.min(asOf, last + 10);
    var datasets = [];
    data.levels.forEach(function (level, index) {
      var colour = COLOURS[index % COLOURS.length];
      var expected = level.expected || 1;
      var share = function (count) { return (100 * count) / expected; };
      var points = [{ x: dayNumber(level.start), y: 0, count: 0 }];
      level.points.forEach(function (point) {
        points.push({ x: dayNumber(point[0]), y: share(point[1]), count: point[1] });
      });
      var final = points[points.length - 1];
      if (end > final.x) {
        points.push({ x: end, y: final.y, count: final.count });
      }
      datasets.push({
        label: level.label,
        data: points,
        borderColor: colour,
        backgroundColor: colour,
        stepped: true,
        pointRadius: 0,
        borderWidth: 2,
        expected: level.expected
      });
      var deadline = dayNumber(level.deadline);
      datasets.push({
        label: data.text.deadline + " " + level.label.toLowerCase() + " (" + dayLabel(deadline) + ")",
        data: [{ x: deadline, y: 0 }, { x: deadline, y: 100 }],
        borderColor: colour,
        borderDash: [6, 4],
        borderWidth: 1.5,
        pointRadius: 0,
        isDeadline: true
      });
    });
    return new Chart(canvas, {
      type: "line",
      data: { datasets: datasets },
      options: {
        maintainAspectRatio: false,
        parsing: false,
        interaction: { mode: "nearest", intersect: false },
        scales: {
          x: {
            type: "linear",
            min: first - 3,
            max: Math.max(end, last) + 3,
            ticks: { callback: dayLabel, maxRotation: 0, autoSkipPadding: 16, includeBounds: false }
          },
          y: {
            min: 0,
            max: 100,
            title: { display: true, text: data.text.axis },
            ticks: { callback: function (v) { return v + "%"; } }
          }
        },
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 18, font: { size: 11 } } },
          tooltip: {
            filter: function (item) { return !item.dataset.isDeadline; },
            callbacks: {
              title: function (items) { return items.length ? dayLabel(items[0].raw.x) : ""; },
              label: function (item) {
                var raw = item.raw;
                return item.dataset.label + ": " + integer.format(raw.count) + "/" +
                  integer.format(item.dataset.expected) + " " + data.text.units +
                  " (" + percent.format(raw.y) + "%)";
              }
            }
          }
        }
      }
    });
  }

  var charts = [coverageChart(readJson("coverage-data")), timelineChart(readJson("timeline-data"))];
  // The print layout is not applied yet when "beforeprint" fires, so the charts are drawn at an
  // explicit size: the width of an A4 sheet's content (about 680 px inside the card, at 96 px per
  // inch, 10 mm margins), their height unchanged. Afterwards they follow their boxes again.
  var PRINT_WIDTH = 680;
  window.addEventListener("beforeprint", function () {
    charts.forEach(function (chart) {
      if (chart) {
        chart.resize(Math.min(PRINT_WIDTH, chart.canvas.parentNode.clientWidth), chart.canvas.parentNode.clientHeight);
      }
    });
  });
  window.addEventListener("afterprint", function () {
    charts.forEach(function (chart) {
      if (chart) {
        chart.resize();
      }
    });
  });
})();
