// Sankey of the moves between household states in the period (ECharts): status before → status after.
(function () {
  var el = document.getElementById("flow-sankey");
  var dataEl = document.getElementById("sankey-data");
  if (!el || !dataEl || !window.echarts) return;
  var data = JSON.parse(dataEl.textContent);
  if (!data.links.length) return;
  var chart = echarts.init(el, null, { renderer: "svg" });
  chart.setOption({
    tooltip: { trigger: "item", formatter: function (p) {
      if (p.dataType === "edge") {
        return p.data.source + " " + p.data.target + "<br>" + el.dataset.households + ": " + p.data.value +
          "<br>" + el.dataset.persons + ": " + p.data.persons;
      }
      return p.name + ": " + p.value;
    } },
    series: [{ type: "sankey", data: data.nodes, links: data.links, nodeAlign: "justify", left: 8, right: 96,
               emphasis: { focus: "adjacency" }, lineStyle: { color: "gradient", curveness: 0.5, opacity: 0.4 },
               label: { fontSize: 12 } }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
