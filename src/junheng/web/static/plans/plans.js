/* Draw the charts of a saved plan scenario with Apache ECharts.
 *
 * The numbers come from the scenario's JSON twin (the element #plan-data
 * names it). Each chart specification names a table of the result, the
 * column of the category axis, the columns drawn as bars and how many rows,
 * so a chart shows exactly the numbers of the table below it.
 */
(function () {
  "use strict";

  function label(column, lang) {
    return lang === "zh" ? column.label_zh : column.label_en;
  }

  function findTable(result, name) {
    for (var i = 0; i < result.tables.length; i++) {
      if (result.tables[i].name === name) {
        return result.tables[i];
      }
    }
    return null;
  }

  function findColumn(table, key) {
    for (var i = 0; i < table.columns.length; i++) {
      if (table.columns[i].key === key) {
        return table.columns[i];
      }
    }
    return { key: key, label_zh: key, label_en: key };
  }

  function chartOption(spec, table, lang) {
    var rows = table.rows.slice(0, spec.rows);
    return {
      animation: false,
      title: {
        text: lang === "zh" ? spec.title_zh : spec.title_en,
        textStyle: { fontSize: 14 }
      },
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { top: 40, left: 64, right: 16, bottom: 72 },
      xAxis: {
        type: "category",
        data: rows.map(function (row) { return String(row[spec.x]); }),
        axisLabel: { rotate: rows.length > 8 ? 45 : 0 }
      },
      yAxis: { type: "value" },
      series: spec.series.map(function (key) {
        return {
          name: label(findColumn(table, key), lang),
          type: "bar",
          data: rows.map(function (row) {
            var value = row[key];
            return value === undefined ? null : value;
          })
        };
      })
    };
  }

  function draw(data, lang) {
    var nodes = document.querySelectorAll(".plan-chart[data-chart]");
    Array.prototype.forEach.call(nodes, function (node) {
      var spec = data.charts[Number(node.getAttribute("data-chart"))];
      var table = spec ? findTable(data.result, spec.table) : null;
      if (!table) {
        return;
      }
      var chart = echarts.init(node, null, { renderer: "canvas" });
      chart.setOption(chartOption(spec, table, lang));
      node.setAttribute("data-drawn", "true");
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  function start() {
    var source = document.getElementById("plan-data");
    if (!source || typeof echarts === "undefined") {
      return;
    }
    var lang = source.getAttribute("data-lang") === "en" ? "en" : "zh";
    fetch(source.getAttribute("data-src"), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) { draw(data, lang); })
      .catch(function (error) {
        source.removeAttribute("hidden");
        source.textContent = String(error);
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
