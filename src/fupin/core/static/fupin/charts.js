// Charts of fupin pages, drawn with Apache ECharts from data the page embeds with json_script.
(function () {
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function draw(el, option) {
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }
  var byRegion = document.getElementById("by-region");
  var rows = data("chart-data");
  if (byRegion && Array.isArray(rows) && rows.length) {
    byRegion.style.height = Math.max(220, rows.length * 26) + "px";
    var chart = draw(byRegion, {
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value" },
      yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r.name; }) },
      series: [{ type: "bar", data: rows.map(function (r) { return r.households; }), itemStyle: { color: "#b5322a" } }]
    });
    chart.on("click", function (p) { window.location.href = "/regions/" + rows[p.dataIndex].code + "/"; });
  }
  var income = document.getElementById("income-chart");
  var inc = data("income-data");
  if (income && inc && inc.years.length) {
    // Household income by component (stacked bars, left axis) and net income per person with the
    // poverty line of each year (lines, right axis).
    var colours = ["#b5322a", "#e08a3c", "#5b8def", "#4caf7a", "#9a6fb0"];
    var series = (inc.groups || []).map(function (g, i) {
      return { name: g.name, type: "bar", stack: "income", data: g.values, itemStyle: { color: colours[i % colours.length] } };
    });
    series.push({ name: inc.per_capita_label, type: "line", yAxisIndex: 1, data: inc.per_capita,
                  label: { show: true, formatter: function (p) { return Math.round(p.value).toLocaleString(); } },
                  itemStyle: { color: "#1f2328" }, lineStyle: { width: 2 } });
    if (inc.line) {
      series.push({ name: inc.line_label, type: "line", yAxisIndex: 1, data: inc.line, symbol: "none",
                    itemStyle: { color: "#888" }, lineStyle: { type: "dashed" } });
    }
    draw(income, {
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0, type: "scroll" },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: inc.years },
      yAxis: [{ type: "value", name: inc.unit || income.dataset.unit }, { type: "value", splitLine: { show: false } }],
      series: series
    });
  }
})();
