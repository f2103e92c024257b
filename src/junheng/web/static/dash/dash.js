/* Draw the charts and the map of a dashboard page with Apache ECharts.
 *
 * Every number comes from the page's JSON twin (the element #dash-data names
 * it), and each chart specification there says which table, rows and columns
 * to show, so the charts show exactly the numbers of the tables on the page.
 */
(function () {
  "use strict";

  var COLORS = { pass: "#1e7b34", fail: "#b42318", incomplete: "#9a6700" };
  var VERDICTS = {
    zh: { pass: "达标", fail: "未达标", incomplete: "数据不全" },
    en: { pass: "pass", fail: "fail", incomplete: "incomplete" }
  };
  var LIMIT = { zh: "限值", en: "limit" };
  // Verdicts as numbers, so a piecewise visual map can colour them.
  var VERDICT_CODES = { fail: 0, incomplete: 1, pass: 2 };

  function columnLabel(table, key, lang) {
    for (var i = 0; i < table.columns.length; i++) {
      if (table.columns[i].key === key) {
        return table.columns[i][lang];
      }
    }
    return key;
  }

  function rowsOf(table, filter) {
    return table.rows.filter(function (row) {
      return Object.keys(filter).every(function (key) {
        return row[key] === filter[key];
      });
    });
  }

  function chartOption(spec, table, lang) {
    var rows = rowsOf(table, spec.filter);
    var categories = rows.map(function (row) { return String(row[spec.x]); });
    var series = spec.series.map(function (key, index) {
      var item = {
        name: columnLabel(table, key, lang),
        type: spec.kind === "lines" ? "line" : "bar",
        data: rows.map(function (row) { return row[key]; })
      };
      if (index === 0 && spec.limit !== null && spec.limit !== undefined) {
        item.markLine = {
          symbol: "none",
          silent: true,
          lineStyle: { color: COLORS.fail, type: "dashed" },
          label: { formatter: LIMIT[lang] + " " + spec.limit },
          data: [{ yAxis: spec.limit }]
        };
      }
      return item;
    });
    return {
      animation: false,
      title: { text: spec.title[lang], textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { top: 40, left: 56, right: 16, bottom: 56 },
      xAxis: { type: "category", data: categories },
      yAxis: {
        type: "value",
        // Keep the limit line inside the plot even when every bar is below it.
        max: function (extent) {
          return spec.limit ? Math.max(extent.max, spec.limit * 1.1) : null;
        }
      },
      series: series
    };
  }

  function drawCharts(data, lang) {
    var nodes = document.querySelectorAll(".dash-chart[data-chart]");
    Array.prototype.forEach.call(nodes, function (node) {
      var spec = data.charts[Number(node.getAttribute("data-chart"))];
      var table = data.tables[spec.table];
      if (!spec || !table) {
        return;
      }
      var chart = echarts.init(node, null, { renderer: "canvas" });
      chart.setOption(chartOption(spec, table, lang));
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  function mapOption(data, lang, geoName) {
    var spec = data.map;
    var areas = spec.areas.map(function (area) {
      var value = spec.metric === "verdict"
        ? VERDICT_CODES[area.verdict]
        : area.pass_share;
      return {
        name: area.code,
        value: value === undefined ? null : value,
        label: area.name,
        verdict: area.verdict
      };
    });
    var visualMap;
    if (spec.metric === "verdict") {
      visualMap = {
        type: "piecewise",
        pieces: ["pass", "fail", "incomplete"].map(function (verdict) {
          return {
            value: VERDICT_CODES[verdict],
            label: VERDICTS[lang][verdict],
            color: COLORS[verdict]
          };
        }),
        left: 8,
        bottom: 8
      };
    } else {
      visualMap = {
        type: "continuous",
        min: 0,
        max: 100,
        text: ["100%", "0%"],
        inRange: { color: ["#fde0dc", "#1e7b34"] },
        calculable: false,
        left: 8,
        bottom: 8
      };
    }
    return {
      animation: false,
      tooltip: {
        trigger: "item",
        formatter: function (item) {
          var area = item.data;
          if (!area) {
            return item.name;
          }
          var shown = spec.metric === "verdict"
            ? (VERDICTS[lang][area.verdict] || "—")
            : (area.value === null ? "—" : area.value + "%");
          return area.label + " (" + area.name + "): " + shown;
        }
      },
      visualMap: visualMap,
      series: [{
        type: "map",
        map: geoName,
        nameProperty: "code",
        roam: true,
        data: areas,
        emphasis: { label: { show: false } },
        itemStyle: { areaColor: "#e4e7eb", borderColor: "#52606d", borderWidth: 0.5 }
      }]
    };
  }

  function drawMap(data, lang) {
    var node = document.getElementById("dash-map");
    if (!node || !data.map || !data.map.geo) {
      return;
    }
    fetch(data.map.geo, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (geo) {
        var prefix = data.map.prefix;
        var wanted = {};
        data.map.areas.forEach(function (area) { wanted[area.code] = true; });
        // A city map draws the counties of that city only; a county map its outline.
        geo.features = geo.features.filter(function (feature) {
          var code = feature.properties.code;
          return prefix === "" || code.indexOf(prefix.slice(0, 2)) === 0 && (
            data.level === "province" || wanted[code] || code.indexOf(prefix) === 0);
        });
        var geoName = "dash-" + data.level + "-" + prefix;
        echarts.registerMap(geoName, geo);
        var chart = echarts.init(node, null, { renderer: "canvas" });
        chart.setOption(mapOption(data, lang, geoName));
        node.setAttribute("data-drawn", "true");
        window.addEventListener("resize", function () { chart.resize(); });
      });
  }

  function start() {
    var source = document.getElementById("dash-data");
    if (!source || typeof echarts === "undefined") {
      return;
    }
    var lang = source.getAttribute("data-lang") === "en" ? "en" : "zh";
    fetch(source.getAttribute("data-src"), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        drawCharts(data, lang);
        drawMap(data, lang);
        document.body.setAttribute("data-dash-ready", "true");
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
