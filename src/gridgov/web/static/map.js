// City map: boundaries of every level from /api/v1/regions.geojson, details on click.
(function () {
  "use strict";
  const T = JSON.parse(document.getElementById("map-strings").textContent);
  const api = "/api/v1";
  const map = L.map("map", { zoomSnap: 0.5, preferCanvas: true });
  window.gridgovMap = map; // for tests and the browser console
  const panel = document.getElementById("region-panel");
  const body = document.getElementById("region-body");

  const styles = {
    // Outlines only, not clickable: a click inside reaches the grid below (ancestors are
    // links in the panel).
    district: { color: "#102a43", weight: 3, fill: false, interactive: false },
    street: { color: "#334e68", weight: 2, fill: false, dashArray: "6 4", interactive: false },
    community: { color: "#0b69a3", weight: 1.5, fill: false, interactive: false },
    grid: { color: "#829ab1", weight: 0.8, fillColor: "#9fb3c8", fillOpacity: 0.08 },
    overlay: { color: "#c05621", weight: 2, fillColor: "#f6ad55", fillOpacity: 0.12 },
  };
  const layers = {};
  const control = L.control.layers(null, null, { collapsed: false, position: "bottomright" }).addTo(map);

  function esc(text) {
    return String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  async function getJSON(url) {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (response.status === 401) { window.location = "/login?next=/"; throw new Error("signed out"); }
    if (!response.ok) throw new Error(url + " → " + response.status);
    return response.json();
  }

  function showRegion(code) {
    panel.hidden = false;
    body.innerHTML = "<p class='muted'>" + esc(T["map.loading"]) + "</p>";
    getJSON(api + "/regions/" + encodeURIComponent(code)).then((r) => {
      const c = r.counts;
      const worker = r.worker ? esc(r.worker.name) + " (" + esc(r.worker.staff_no) + ")" : esc(T["map.none"]);
      const workerLabel = r.layer === "base" ? T["map.worker"] : T["map.inspector"];
      const path = r.ancestors
        .map((a) => "<a href='#' data-code='" + esc(a.code) + "'>" + esc(a.name) + "</a>")
        .join(" › ");
      let html = "<h3 style='margin:.2rem 1.5rem .2rem 0'>" + esc(r.name) + "</h3>" +
        (path ? "<div class='muted'>" + path + "</div>" : "") +
        "<dl>" +
        "<dt>" + esc(T["map.code"]) + "</dt><dd data-field='code'>" + esc(r.code) + "</dd>" +
        "<dt>" + esc(T["map.level"]) + "</dt><dd>" + esc(T["level." + r.level]) + "</dd>" +
        "<dt>" + esc(T["map.grids"]) + "</dt><dd>" + c.grids + "</dd>" +
        "<dt>" + esc(T["map.households"]) + "</dt><dd data-field='households'>" + (c.households ?? "—") + "</dd>" +
        "<dt>" + esc(T["map.persons"]) + "</dt><dd data-field='persons'>" + (c.persons ?? "—") + "</dd>" +
        "<dt>" + esc(T["map.facilities"]) + "</dt><dd data-field='facilities'>" + c.facilities + "</dd>";
      if (r.level === "grid" || r.layer !== "base") {
        html += "<dt>" + esc(workerLabel) + "</dt><dd data-field='worker'>" + worker + "</dd>";
      }
      if (r.covered_by.length) {
        html += "<dt>" + esc(T["map.covered_by"]) + "</dt><dd>" + r.covered_by.map((o) => esc(o.name)).join("、") + "</dd>";
      }
      if (r.covers.length) {
        html += "<dt>" + esc(T["map.covers"]) + "</dt><dd>" + r.covers.length + "</dd>";
      }
      body.innerHTML = html + "</dl>";
      if (r.level === "grid" && r.layer === "base") gridPanel(r.code);
    }).catch((error) => { body.innerHTML = "<p class='error'>" + esc(error.message) + "</p>"; });
  }

  // A grid's working picture for those who may read the dashboard: facilities per kind, open
  // and overdue cases, today's patrol, links to its cases and residents.
  function gridPanel(code) {
    fetch(api + "/dashboard/grids/" + encodeURIComponent(code), { credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : null))
      .then((g) => {
        if (!g || !body.querySelector("[data-field='code']") || body.querySelector("[data-field='code']").textContent !== code) return;
        const q = encodeURIComponent(code);
        const kinds = Object.entries(g.facilities || {}).sort((a, b) => b[1] - a[1])
          .map(([kind, n]) => "<li data-kind='" + esc(kind) + "'>" + esc(T["kind." + kind] || kind) + " " + n + "</li>").join("");
        const panel = document.createElement("div");
        panel.id = "grid-panel";
        panel.innerHTML = "<ul class='kinds'>" + kinds + "</ul><dl>" +
          "<dt>" + esc(T["panel.open"]) + "</dt><dd><a data-field='open' href='/cases?grid=" + q + "'>" + g.open_cases + "</a></dd>" +
          "<dt>" + esc(T["panel.overdue"]) + "</dt><dd><a data-field='overdue' href='/cases?grid=" + q + "&overdue=true'>" + g.overdue_cases + "</a></dd>" +
          "<dt>" + esc(T["panel.patrol"]) + "</dt><dd>" + Math.floor(g.patrol.seconds_inside / 60) + "</dd>" +
          "<dt>" + esc(T["panel.people"]) + "</dt><dd><a data-field='people' href='/people?region=" + q + "'>" + g.counts.persons + "</a></dd></dl>";
        body.append(panel);
      })
      .catch(() => {});
  }

  // Search: grids, communities, streets and districts by name or code (already loaded), then
  // addresses of the house register (for those who may read it).
  const search = document.getElementById("map-search");
  const results = document.getElementById("map-search-results");
  function found(label, go) {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button"; button.className = "link"; button.textContent = label;
    button.addEventListener("click", () => { results.replaceChildren(); go(); });
    li.append(button);
    results.append(li);
  }
  if (search) search.addEventListener("submit", (event) => {
    event.preventDefault();
    const q = search.q.value.trim();
    results.replaceChildren();
    if (!q) return;
    for (const level of ["grid", "community", "street", "district"]) {
      if (!layers[level]) continue;
      layers[level].eachLayer((shape) => {
        const p = shape.feature.properties;
        if (results.childElementCount < 8 && (p.name.includes(q) || p.code.startsWith(q))) {
          found(p.name + " · " + p.code, () => { map.fitBounds(shape.getBounds()); highlight(shape); showRegion(p.code); });
        }
      });
    }
    fetch(api + "/houses?limit=5&q=" + encodeURIComponent(q), { credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : { items: [] }))
      .then((page) => {
        for (const h of page.items || []) {
          if (h.lat == null || h.lng == null) continue;
          found(h.address, () => { map.setView([h.lat, h.lng], 17); L.circleMarker([h.lat, h.lng], { radius: 7, color: "#d64545" }).addTo(map); });
        }
        if (!results.childElementCount) results.innerHTML = "<li class='muted'>" + esc(T["panel.nothing"]) + "</li>";
      });
  });

  let selected = null;
  function highlight(shape) {
    if (selected) selected.setStyle(selected.defaultStyle);
    selected = shape;
    shape.defaultStyle = { color: shape.options.color, weight: shape.options.weight, fillOpacity: shape.options.fillOpacity };
    shape.setStyle({ color: "#d64545", weight: 3, fillOpacity: 0.25 });
  }

  function addLevel(level, label, layer) {
    const url = api + "/regions.geojson?" + (layer ? "layer=" + layer : "level=" + level);
    return getJSON(url).then((collection) => {
      const geo = L.geoJSON(collection, {
        style: styles[layer ? "overlay" : level],
        onEachFeature: (feature, shape) => {
          shape.on("click", (event) => {
            L.DomEvent.stopPropagation(event);
            highlight(shape);
            showRegion(feature.properties.code);
          });
          if (level === "district") {
            shape.bindTooltip(feature.properties.name, { permanent: true, direction: "center", className: "region-label" });
          }
        },
      });
      layers[level] = geo;
      control.addOverlay(geo, label);
      return geo;
    });
  }

  // Ancestors in the panel open their own details.
  body.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-code]");
    if (link) { event.preventDefault(); showRegion(link.dataset.code); }
  });

  Promise.all([
    addLevel("district", T["map.district"]),
    addLevel("street", T["map.street"]),
    addLevel("community", T["map.community"]),
    addLevel("grid", T["map.grid"]),
    addLevel("commerce", T["map.commerce"], "commerce"),
  ]).then(([districts]) => {
    // Grids (filled, clickable) underneath; the outlines of higher levels drawn on top.
    for (const level of ["grid", "community", "street", "district"]) layers[level].addTo(map);
    map.fitBounds(districts.getBounds());
    if (window.gridgovBasemap) window.gridgovBasemap(map);
    document.body.dataset.mapReady = "1";
  }).catch((error) => { body.innerHTML = "<p class='error'>" + esc(error.message) + "</p>"; panel.hidden = false; });
})();
