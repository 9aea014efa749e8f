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
    draw(income, {
      grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: inc.years },
      yAxis: { type: "value", name: income.dataset.unit },
      series: [{ type: "line", data: inc.per_capita, label: { show: true }, itemStyle: { color: "#b5322a" } }]
    });
  }
})();
