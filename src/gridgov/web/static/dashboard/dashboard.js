// Supervision dashboard: the map coloured by an indicator with drill-down (city → district →
// street → community → grid), facility layers clustered in the browser, open-case heat, the
// grid panel, four ECharts charts; refreshes itself every minute.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("dash-config").textContent);
  const T = config.strings;
  const api = "/api/v1";
  const REFRESH_MS = 60000;
  const CHILD_LEVEL = { 0: "district", 6: "street", 9: "community", 12: "grid" };
  const COLOURS = ["#dbeafe", "#93c5fd", "#3b82f6", "#1d4ed8", "#1e3a8a"];
  const state = { parent: config.root, indicator: "persons", trail: [] };

  function esc(text) {
    return String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }
  async function getJSON(url) {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (response.status === 401) { window.location = "/login?next=/dashboard"; throw new Error("signed out"); }
    if (!response.ok) throw new Error(url + " → " + response.status);
    return response.json();
  }
  const num = (n) => (n === null || n === undefined ? "—" : Number(n).toLocaleString("zh-CN"));
  const pct = (r) => (r === null || r === undefined ? null : Math.round(r * 1000) / 10);

  // ---- map ---------------------------------------------------------------------------------
  const map = L.map("dash-map", { zoomSnap: 0.5, preferCanvas: true, attributionControl: false });
  window.gridgovDashboard = { map, state, facilityLayers: {} }; // for tests and the browser console
  const regionLayer = L.geoJSON(null, { style: () => ({ color: "#9fb3c8", weight: 1, fillOpacity: 0.7 }) }).addTo(map);
  const heatLayer = L.layerGroup().addTo(map);
  const gridCases = L.layerGroup().addTo(map);
  const facilityLayers = window.gridgovDashboard.facilityLayers;

  function colourFor(value, breaks) {
    let i = 0;
    while (i < breaks.length && value > breaks[i]) i += 1;
    return COLOURS[Math.min(i, COLOURS.length - 1)];
  }
  function breaksOf(values) {
    const sorted = values.slice().sort((a, b) => a - b);
    if (!sorted.length) return [];
    return [0.2, 0.4, 0.6, 0.8].map((q) => sorted[Math.floor(q * (sorted.length - 1))]);
  }
  function drawLegend(breaks) {
    const labels = [];
    let low = 0;
    breaks.concat([Infinity]).forEach((b, i) => {
      labels.push("<div><i style='background:" + COLOURS[i] + "'></i>" + num(low) + (b === Infinity ? "+" : " – " + num(b)) + "</div>");
      low = b;
    });
    document.getElementById("legend").innerHTML = "<b>" + esc(T["dash.ind." + state.indicator]) + "</b>" + labels.join("");
  }

  async function drawRegions(fit) {
    const parent = state.parent;
    const level = CHILD_LEVEL[parent.length];
    const query = "level=" + level + (parent ? "&parent=" + parent : "");
    const [shapes, values] = await Promise.all([
      getJSON(api + "/regions.geojson?" + query),
      getJSON(api + "/dashboard/regions?indicator=" + state.indicator + (parent ? "&parent=" + parent : "")),
    ]);
    const byCode = Object.fromEntries(values.items.map((i) => [i.code, i]));
    const features = shapes.features.filter((f) => byCode[f.properties.code]);
    const breaks = breaksOf(values.items.map((i) => i.value));
    regionLayer.clearLayers();
    regionLayer.options.onEachFeature = (feature, shape) => {
      const item = byCode[feature.properties.code];
      shape.setStyle({ fillColor: colourFor(item.value, breaks), color: "#486581", weight: level === "grid" ? 0.6 : 1.2, fillOpacity: 0.72 });
      shape.bindTooltip(esc(item.name) + "：" + num(item.value), { className: "dash-label", sticky: true });
      shape.on("click", (event) => { L.DomEvent.stopPropagation(event); select(item, level); });
    };
    regionLayer.addData({ type: "FeatureCollection", features });
    drawLegend(breaks);
    if (fit && features.length) map.fitBounds(regionLayer.getBounds(), { padding: [10, 10] });
  }

  function select(item, level) {
    if (level === "grid") { showGrid(item.code); return; }
    state.trail.push({ code: item.code, name: item.name });
    state.parent = item.code;
    refreshAll(true);
  }

  function drawCrumbs() {
    const parts = [];
    if (!config.root) parts.push("<a href='#' data-code=''>" + esc(T["dash.city"]) + "</a>");
    state.trail.forEach((c) => parts.push("<a href='#' data-code='" + esc(c.code) + "'>" + esc(c.name) + "</a>"));
    document.getElementById("crumbs").innerHTML = parts.join("<span class='sep'>›</span>");
    const link = document.getElementById("ledger-link");
    link.href = "/ledgers" + (state.parent ? "?region=" + state.parent : "");
  }
  document.getElementById("crumbs").addEventListener("click", (event) => {
    const link = event.target.closest("a[data-code]");
    if (!link) return;
    event.preventDefault();
    const code = link.dataset.code;
    const at = state.trail.findIndex((c) => c.code === code);
    state.trail = at >= 0 ? state.trail.slice(0, at + 1) : [];
    state.parent = code || config.root;
    refreshAll(true);
  });

  async function drawHeat() {
    const body = await getJSON(api + "/dashboard/case-heat" + (state.parent ? "?region=" + state.parent : ""));
    heatLayer.clearLayers();
    for (const [grid, lat, lng, open, overdue] of body.points) {
      if (!open) continue;
      L.circleMarker([lat, lng], {
        radius: Math.min(4 + Math.sqrt(open) * 1.6, 22), stroke: false,
        fillColor: overdue ? "#ef4444" : "#f59e0b", fillOpacity: 0.55, interactive: false,
      }).addTo(heatLayer);
    }
    document.body.dataset.heatPoints = String(heatLayer.getLayers().length);
  }

  async function toggleFacility(kind, on) {
    if (!on) { if (facilityLayers[kind]) map.removeLayer(facilityLayers[kind]); return; }
    if (!facilityLayers[kind]) {
      const body = await getJSON(api + "/dashboard/facilities?kind=" + kind);
      const cluster = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 50 });
      cluster.addLayers(body.points.map(([, lat, lng]) => L.circleMarker([lat, lng], { radius: 4, color: "#22d3ee", weight: 1, fillOpacity: 0.8 })));
      facilityLayers[kind] = cluster;
    }
    facilityLayers[kind].addTo(map);
  }
  document.getElementById("layers").addEventListener("change", (event) => {
    const box = event.target.closest("input[data-layer]");
    if (!box) return;
    const layer = box.dataset.layer;
    if (layer === "case_heat") { if (box.checked) heatLayer.addTo(map); else map.removeLayer(heatLayer); return; }
    toggleFacility(layer, box.checked).catch(showError);
  });

  // ---- the grid panel ------------------------------------------------------------------------
  async function showGrid(code) {
    const panel = document.getElementById("grid-panel");
    panel.hidden = false;
    panel.innerHTML = "<p>" + esc(T["dash.loading"]) + "</p>";
    const g = await getJSON(api + "/dashboard/grids/" + encodeURIComponent(code));
    const p = g.patrol;
    const patrol = p.sessions === 0 ? T["dash.grid.patrol_none"] :
      (p.seconds_inside / 3600).toFixed(1) + " " + T["dash.grid.hours"] +
      (p.running ? "（" + T["dash.grid.patrol_running"] + "）" : "") + " · " +
      (p.duty_met ? T["dash.grid.duty_met"] : T["dash.grid.duty_not_met"]);
    const kinds = Object.fromEntries(config.kinds.map((k) => [k.kind, k.name]));
    const facilities = Object.entries(g.facilities).map(([k, n]) => esc(kinds[k] || k) + " " + n).join("、") || T["dash.grid.none"];
    const cases = g.cases.slice(0, 12).map((c) =>
      "<li class='" + (c.overdue ? "late" : "") + "'><a href='/cases/" + c.id + "'>" + esc(c.number) + "</a> " + esc(c.description) + "</li>").join("");
    const cameras = g.cameras.map((c) => {
      if (!c.stream_url) return "<li>" + esc(c.name) + " <span class='muted'>" + esc(T["dash.grid.no_stream"]) + "</span></li>";
      return "<li>" + esc(c.name) + "<video data-src='" + esc(c.stream_url) + "' controls muted playsinline></video>" +
        "<a href='" + esc(c.stream_url) + "' target='_blank' rel='noopener'>" + esc(T["dash.grid.open_stream"]) + "</a></li>";
    }).join("");
    panel.innerHTML = "<button type='button' class='close' aria-label='close'>×</button>" +
      "<h3 data-field='grid-name'>" + esc(g.name) + "</h3><div class='muted'>" + g.path.map((a) => esc(a.name)).join(" › ") + " · " + esc(g.code) + "</div>" +
      "<dl><dt>" + esc(T["dash.kpi.persons"]) + "</dt><dd data-field='persons'>" + num(g.counts.persons) + "</dd>" +
      "<dt>" + esc(T["dash.kpi.households"]) + "</dt><dd>" + num(g.counts.households) + "</dd>" +
      "<dt>" + esc(T["dash.grid.worker"]) + "</dt><dd data-field='worker'>" + (g.worker ? esc(g.worker.name) + "（" + esc(g.worker.staff_no) + "）" : esc(T["dash.grid.none"])) + "</dd>" +
      "<dt>" + esc(T["dash.grid.patrol"]) + "</dt><dd data-field='patrol'>" + esc(patrol) + "</dd>" +
      "<dt>" + esc(T["dash.grid.cases"]) + "</dt><dd data-field='cases'>" + g.open_cases + " / " + g.overdue_cases + "</dd>" +
      "<dt>" + esc(T["dash.grid.facilities"]) + "</dt><dd>" + facilities + "</dd></dl>" +
      (cases ? "<ul>" + cases + "</ul>" : "") +
      (cameras ? "<b>" + esc(T["dash.grid.cameras"]) + "</b><ul>" + cameras + "</ul>" : "");
    // HLS plays natively where the browser can (Safari, Android); elsewhere the link opens it.
    panel.querySelectorAll("video[data-src]").forEach((video) => {
      if (video.canPlayType("application/vnd.apple.mpegurl")) video.src = video.dataset.src;
      else video.hidden = true;
    });
    panel.querySelector(".close").addEventListener("click", () => { panel.hidden = true; gridCases.clearLayers(); });
    gridCases.clearLayers();
    for (const c of g.cases) {
      if (c.lat === null || c.lng === null) continue;
      L.circleMarker([c.lat, c.lng], { radius: 5, color: c.overdue ? "#ef4444" : "#f59e0b", weight: 2, fillOpacity: 0.9 })
        .bindTooltip(esc(c.number)).addTo(gridCases);
    }
    document.body.dataset.gridShown = g.code;
  }

  // ---- tiles and charts --------------------------------------------------------------------
  const charts = {};
  function chart(id) {
    if (!charts[id]) charts[id] = echarts.init(document.getElementById(id), null, { renderer: "canvas" });
    return charts[id];
  }
  const axisStyle = { axisLabel: { color: "#9fb3c8" }, axisLine: { lineStyle: { color: "#486581" } }, splitLine: { lineStyle: { color: "#243b53" } } };
  const legendStyle = { textStyle: { color: "#d9e2ec" }, top: 0, type: "scroll" };
  const grid = { left: 40, right: 12, top: 28, bottom: 24 };
  // A legend of many entries (the channels) wraps onto as many rows as it needs, in small type,
  // and the plot starts below it: no entry cut short, no pager.
  const LEGEND_FONT = 11, LEGEND_ROW = 16, LEGEND_MARK = 10, LEGEND_GAP = 6;
  let measure = null;
  function legendRows(names, width) {
    measure = measure || document.createElement("canvas").getContext("2d");
    measure.font = LEGEND_FONT + "px sans-serif";
    let rows = 1, x = 0;
    for (const name of names) {
      const w = LEGEND_MARK + 5 + measure.measureText(name).width + LEGEND_GAP;
      if (x > 0 && x + w > width) { rows += 1; x = 0; }
      x += w;
    }
    return rows;
  }
  function wrappedLegend(id, names) {
    const width = document.getElementById(id).clientWidth - 8;
    const rows = legendRows(names, width);
    return {
      legend: { type: "plain", left: 4, right: 4, top: 0, itemWidth: LEGEND_MARK, itemHeight: 8, itemGap: LEGEND_GAP,
        textStyle: { color: "#d9e2ec", fontSize: LEGEND_FONT, fontFamily: "sans-serif" }, padding: 0 },
      grid: { ...grid, top: rows * LEGEND_ROW + 8 },
    };
  }

  function drawOverview(o) {
    const t = o.totals;
    const tiles = [
      ["dash.kpi.grids", t.grids], ["dash.kpi.persons", t.persons], ["dash.kpi.households", t.households],
      ["dash.kpi.special", t.special_groups], ["dash.kpi.open", t.open_cases], ["dash.kpi.overdue", t.overdue_cases, true],
      ["dash.kpi.today", t.reported_today], ["dash.kpi.closed_today", t.closed_today],
    ];
    document.getElementById("kpis").innerHTML = tiles.map(([key, value, alert]) =>
      "<div class='kpi" + (alert && value ? " alert" : "") + "' data-kpi='" + key + "'><b>" + num(value) + "</b><span>" + esc(T[key]) + "</span></div>").join("");
    const days = o.series.days.map((d) => d.slice(5));
    drawChannels(o);
    // Both rates are shares (0–100 %); the tooltip says what each is a share of.
    const hints = { [T["dash.closure_rate"]]: T["dash.closure_rate_hint"], [T["dash.on_time_rate"]]: T["dash.on_time_rate_hint"] };
    chart("chart-trend").setOption({
      grid, legend: legendStyle,
      tooltip: {
        trigger: "axis",
        formatter: (items) => esc(items[0].axisValue) + items.map((i) => "<br>" + i.marker + esc(i.seriesName) + "：" +
          (i.value === null || i.value === undefined ? "—" : i.value + "%") + "<br><small>" + esc(hints[i.seriesName]) + "</small>").join(""),
      },
      xAxis: { type: "category", data: days, ...axisStyle }, yAxis: { type: "value", min: 0, max: 100, ...axisStyle },
      series: [
        { name: T["dash.closure_rate"], type: "line", data: o.series.closure_rate.map(pct) },
        { name: T["dash.on_time_rate"], type: "line", data: o.series.on_time_rate.map(pct) },
      ],
    }, true);
    const overdue = o.overdue_by_department.slice(0, 10).reverse();
    chart("chart-overdue").setOption({
      grid: { ...grid, left: 96 }, legend: legendStyle, tooltip: { trigger: "axis" },
      yAxis: { type: "category", data: overdue.map((d) => d.name), ...axisStyle }, xAxis: { type: "value", ...axisStyle },
      series: [
        { name: T["dash.overdue"], type: "bar", data: overdue.map((d) => d.overdue), itemStyle: { color: "#ef4444" } },
        { name: T["dash.open"], type: "bar", data: overdue.map((d) => d.open), itemStyle: { color: "#3b82f6" } },
      ],
    }, true);
    const at = new Date(o.generated_at);
    document.getElementById("updated").textContent = T["dash.updated"] + " " + at.toLocaleTimeString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false });
  }

  let lastOverview = null;
  function drawChannels(o) {
    lastOverview = o;
    const days = o.series.days.map((d) => d.slice(5));
    const series = Object.entries(o.series.channels).map(([name, data]) => ({ name: config.channels?.[name] || name, type: "bar", stack: "all", data }));
    chart("chart-channels").setOption({
      ...wrappedLegend("chart-channels", series.map((s) => s.name)), tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: days, ...axisStyle }, yAxis: { type: "value", ...axisStyle },
      series,
    }, true);
  }

  // Evaluation scores (客观评价) when the nightly scoring has run; until then the departments'
  // on-time closure rate from the overview.
  function drawRanking(scores, overview) {
    const scored = scores.items.length > 0;
    const items = (scored ? scores.items.map((d) => ({ name: d.name, value: d.total }))
      : overview.ranking.map((d) => ({ name: d.name, value: pct(d.rate) }))).slice(0, 10).reverse();
    document.getElementById("ranking-title").textContent = scored ? T["dash.chart.scores"] : T["dash.chart.ranking"];
    document.body.dataset.rankingKind = scored ? "scores" : "on_time";
    chart("chart-ranking").setOption({
      grid: { ...grid, left: 96 }, tooltip: { trigger: "axis" },
      yAxis: { type: "category", data: items.map((d) => d.name), ...axisStyle },
      xAxis: { type: "value", scale: scored, max: scored ? null : 100, ...axisStyle },
      series: [{ name: scored ? T["dash.score"] : T["dash.on_time_rate"], type: "bar", data: items.map((d) => d.value), itemStyle: { color: "#10b981" } }],
    }, true);
  }

  async function refreshAll(fit) {
    drawCrumbs();
    const region = state.parent ? "?region=" + state.parent : "";
    const [overview, scores] = await Promise.all([
      getJSON(api + "/dashboard/overview" + region),
      getJSON(api + "/dashboard/scores"),
      drawRegions(fit),
      heatLayer && map.hasLayer(heatLayer) ? drawHeat() : Promise.resolve(),
    ]);
    drawOverview(overview);
    drawRanking(scores, overview);
    document.body.dataset.dashReady = String(Number(document.body.dataset.dashReady || 0) + 1);
  }

  function showError(error) {
    document.getElementById("updated").textContent = T["dash.load_error"] + "：" + error.message;
  }

  document.getElementById("indicator").addEventListener("change", (event) => {
    state.indicator = event.target.value;
    drawRegions(false).catch(showError);
  });
  const bigButton = document.getElementById("bigscreen");
  bigButton.addEventListener("click", () => {
    const on = document.body.classList.toggle("bigscreen");
    bigButton.textContent = on ? T["dash.exit_bigscreen"] : T["dash.bigscreen"];
    if (on && document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(() => {});
    if (!on && document.fullscreenElement) document.exitFullscreen().catch(() => {});
    setTimeout(() => { map.invalidateSize(); Object.values(charts).forEach((c) => c.resize()); }, 150);
  });
  window.addEventListener("resize", () => {
    Object.values(charts).forEach((c) => c.resize());
    if (lastOverview) drawChannels(lastOverview); // the legend's rows follow the width
  });

  refreshAll(true).catch(showError);
  setInterval(() => { if (!document.hidden) refreshAll(false).catch(showError); }, REFRESH_MS);
})();
