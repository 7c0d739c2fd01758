// The submissions browser's map: one dot per record with a place; a click opens the record.
(function () {
  "use strict";
  const node = document.getElementById("submissions-map");
  if (!node || !window.L) return;
  const points = JSON.parse(document.getElementById("submission-points").textContent);
  const map = L.map(node, { zoomControl: true, zoomSnap: 0.25 });  // the area fills the box
  window.gridgovSubmissionsMap = map;
  const dots = points.map((p) => L.circleMarker([p.lat, p.lng], { radius: 6, color: "#c0392b", fillOpacity: 0.7, className: "submission-dot" })
    .on("click", () => { window.location = "/field/submissions/" + p.id; }));
  const group = L.featureGroup(dots).addTo(map);
  if (points.length) map.fitBounds(group.getBounds(), { maxZoom: 17, padding: [20, 20] });
  else map.setView([30.7, 111.29], 12);
  if (window.gridgovBasemap) window.gridgovBasemap(map);
  // The caller's area (its grids; the districts for city-wide roles) under the dots, so the map
  // shows where the records are; with no record the map shows the area itself.
  const area = node.dataset.area;
  if (area !== undefined && document.getElementById("submissions")) {
    const query = area ? "level=grid&parent=" + encodeURIComponent(area) : "level=district";
    fetch("/api/v1/regions.geojson?" + query, { credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : null))
      .then((shapes) => {
        if (!shapes || !shapes.features || !shapes.features.length) return;
        const outline = L.geoJSON(shapes, { style: { color: "#0b69a3", weight: 1.5, fillOpacity: 0.04 }, interactive: false }).addTo(map);
        outline.bringToBack();
        if (!points.length) map.fitBounds(outline.getBounds(), { padding: [10, 10] });
      })
      .finally(() => { node.dataset.ready = "1"; });
    return;
  }
  node.dataset.ready = "1";
})();
