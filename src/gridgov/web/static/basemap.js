// The background map under every map: tiles when a tile source is configured (own tile server,
// 天地图, any XYZ URL), else the vector base map stored with the city (roads, compounds,
// buildings, names), fetched for the view so it works without internet.
(function () {
  "use strict";
  const styles = {
    lane: { color: "#ffffff", weight: 3, opacity: 1 },
    road: { color: "#f6c96b", weight: 6, opacity: 1 },
    compound: { color: "#b7c9a8", weight: 1, fillColor: "#dfe9d3", fillOpacity: 1 },
    building: { color: "#a39e93", weight: 1, fillColor: "#d9d0c1", fillOpacity: 1 },
  };
  const order = { compound: 0, lane: 1, road: 2, building: 3 };

  function vector(map, config) {
    map.createPane("basemap");
    const pane = map.getPane("basemap");
    pane.style.zIndex = 250; // above tiles (200), under the grids (overlayPane 400)
    pane.style.pointerEvents = "none";
    const renderer = L.canvas({ pane: "basemap", padding: 0.2 });
    const layer = L.layerGroup().addTo(map);
    let wanted = 0;
    function load() {
      const b = map.getBounds(), zoom = Math.round(map.getZoom());
      const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(5)).join(",");
      const ticket = ++wanted;
      fetch("/map/basemap.geojson?bbox=" + bbox + "&zoom=" + zoom, { credentials: "same-origin" })
        .then((r) => (r.ok ? r.json() : null))
        .then((data) => {
          if (!data || ticket !== wanted) return;
          data.features.sort((a, b) => order[a.properties.kind] - order[b.properties.kind]);
          layer.clearLayers();
          L.geoJSON(data, {
            pane: "basemap",
            renderer: renderer,
            interactive: false,
            style: (f) => styles[f.properties.kind],
            onEachFeature: (f, shape) => {
              const name = f.properties.name;
              if (name && f.properties.kind === "compound" && zoom >= 15) {
                shape.bindTooltip(name, { permanent: true, direction: "center", className: "basemap-label" });
              }
            },
          }).addTo(layer);
          map.getContainer().dataset.basemap = String(data.features.length);
        })
        .catch(() => {});
    }
    map.on("moveend", load);
    if (map._loaded) load();
  }

  window.gridgovBasemap = function (map) {
    map.getContainer().style.background = "#f2efe9";
    return fetch("/map/basemap-config.json", { credentials: "same-origin" })
      .then((r) => r.json())
      .then((config) => {
        for (const tile of config.tiles) {
          L.tileLayer(tile.url, { subdomains: tile.subdomains || "abc", attribution: tile.attribution || "", maxZoom: 19 }).addTo(map);
        }
        if (config.vector) vector(map, config);
        return config;
      })
      .catch(() => null);
  };
})();
