// The map of a case form or case page (cases/_map.html): the grids when signed in, else the
// city outline; a click or "use my location" sets the lng/lat inputs when picking.
(function () {
  "use strict";
  const node = document.getElementById("case-map");
  if (!node) return;
  const lng = parseFloat(node.dataset.lng), lat = parseFloat(node.dataset.lat);
  const pick = node.dataset.pick === "1";
  const map = L.map(node, { zoomControl: true, zoomSnap: 0.25 });  // the area fills the box
  window.gridgovCaseMap = map; // for tests and the browser console
  let marker = null, city = null;
  const message = document.getElementById("map-message");

  function place(latlng) {
    if (marker) marker.setLatLng(latlng); else marker = L.marker(latlng).addTo(map);
  }
  if (!isNaN(lng) && !isNaN(lat)) { map.setView([lat, lng], 16); place([lat, lng]); }
  else map.setView([30.7, 111.29], 12);
  if (window.gridgovBasemap) window.gridgovBasemap(map);

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin" }).then((r) => (r.ok ? r.json() : null));
  }
  function draw(data, style) {
    if (!data || !data.features.length) return null;
    const layer = L.geoJSON(data, { style: style, interactive: false }).addTo(map);
    if (isNaN(lng) && layer.getBounds().isValid()) map.fitBounds(layer.getBounds());
    return layer;
  }
  let url = "/api/v1/regions.geojson?level=" + encodeURIComponent(node.dataset.level);
  if (node.dataset.parent) url += "&parent=" + encodeURIComponent(node.dataset.parent);
  // Residents may not read the grids: they get the city's outline to place their pin.
  getJSON("/map/city.geojson").then((outline) => {
    city = outline && outline.features.length ? outline.features[0].geometry : null;
    return (node.dataset.signedIn ? getJSON(url) : Promise.resolve(null)).then((grids) => {
      if (grids) draw(grids, { color: "#0b69a3", weight: 1, fillOpacity: 0.05 });
      else draw(outline, { color: "#c0392b", weight: 2, fillOpacity: 0.03 });
      node.dataset.ready = "1";
    });
  });

  // Ray casting over every ring: inside an odd number of rings is inside the city.
  function inside(point, geometry) {
    if (!geometry) return true;
    const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    let odd = false;
    for (const polygon of polygons) for (const ring of polygon) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i], [xj, yj] = ring[j];
        if ((yi > point[1]) !== (yj > point[1]) && point[0] < ((xj - xi) * (point[1] - yi)) / (yj - yi) + xi) odd = !odd;
      }
    }
    return odd;
  }
  function choose(latlng) {
    if (!inside([latlng.lng, latlng.lat], city)) {
      if (message) message.textContent = message.dataset.outside;
      return;
    }
    if (message) message.textContent = "";
    place(latlng);
    document.getElementById("lng").value = latlng.lng.toFixed(6);
    document.getElementById("lat").value = latlng.lat.toFixed(6);
    document.getElementById("lat").dispatchEvent(new Event("change", { bubbles: true }));
  }
  if (!pick) return;
  window.gridgovCasePick = (latlng) => { choose(latlng); map.setView(latlng, Math.max(map.getZoom(), 16)); };
  map.on("click", (e) => choose(e.latlng));
  const locate = document.getElementById("locate-me");
  if (locate) locate.addEventListener("click", () => {
    if (!navigator.geolocation) { message.textContent = message.dataset.noLocation; return; }
    navigator.geolocation.getCurrentPosition(
      (p) => { const here = L.latLng(p.coords.latitude, p.coords.longitude); choose(here); map.setView(here, 16); },
      () => { message.textContent = message.dataset.noLocation; },
      { enableHighAccuracy: true, timeout: 10000 });
  });
})();
