/* The supervisors' track map: the worker's grid polygon(s) and each patrol's GPS track as a
   polyline, broken where the phone sent nothing for over 5 minutes (those gaps count nothing,
   see fieldwork/patrols/geometry.py); points inside the grid green, outside orange. */
(function () {
  "use strict";
  const node = document.getElementById("track-map");
  const data = JSON.parse(document.getElementById("track-data").textContent);
  const MAX_GAP_MS = 5 * 60 * 1000;
  const layers = [];
  const bounds = L.latLngBounds([]);
  for (const grid of data.grids) {
    const layer = L.geoJSON(grid.geometry, { style: { color: "#c0392b", weight: 2, fillOpacity: 0.08 } })
      .bindTooltip(`${grid.name} · ${grid.code}`);
    layers.push(layer);
    bounds.extend(layer.getBounds());
  }
  for (const patrol of data.patrols) {
    let run = [], last = null;
    const flush = () => { if (run.length > 1) layers.push(L.polyline(run, { color: "#1f5fa8", weight: 3, className: "track-line" })); run = []; };
    for (const p of patrol.points) {
      const t = Date.parse(p.t);
      if (last !== null && t - last > MAX_GAP_MS) flush();
      run.push([p.lat, p.lng]);
      bounds.extend([p.lat, p.lng]);
      layers.push(L.circleMarker([p.lat, p.lng], { radius: 3, weight: 1, color: p.inside ? "#27ae60" : "#e67e22", className: p.inside ? "track-in" : "track-out" })
        .bindTooltip(new Date(t).toLocaleTimeString()));
      last = t;
    }
    flush();
  }
  // Vector layers need the map to have a view before they are added.
  const map = L.map(node, { attributionControl: false });
  if (bounds.isValid()) map.fitBounds(bounds.pad(0.1));
  else map.fitWorld();
  for (const layer of layers) layer.addTo(map);
  node.dataset.ready = "1";
})();
