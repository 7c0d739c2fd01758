// The submissions browser's map: one dot per record with a place; a click opens the record.
(function () {
  "use strict";
  const node = document.getElementById("submissions-map");
  if (!node || !window.L) return;
  const points = JSON.parse(document.getElementById("submission-points").textContent);
  const map = L.map(node, { zoomControl: true });
  window.gridgovSubmissionsMap = map;
  const dots = points.map((p) => L.circleMarker([p.lat, p.lng], { radius: 6, color: "#c0392b", fillOpacity: 0.7, className: "submission-dot" })
    .on("click", () => { window.location = "/field/submissions/" + p.id; }));
  const group = L.featureGroup(dots).addTo(map);
  if (points.length) map.fitBounds(group.getBounds(), { maxZoom: 17, padding: [20, 20] });
  else map.setView([30.7, 111.29], 12);
  if (window.gridgovBasemap) window.gridgovBasemap(map);
  node.dataset.ready = "1";
})();
