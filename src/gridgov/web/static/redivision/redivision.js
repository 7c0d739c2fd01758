// Grid re-division maps: drift colouring, and a proposal beside today's division.
(function () {
  "use strict";
  var PALETTE = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02",
    "#a6761d", "#1f78b4", "#b2df8a", "#fb9a99", "#cab2d6", "#ffff99"];

  function baseMap(id) {
    var map = L.map(id, { zoomControl: true, attributionControl: false });
    if (window.gridgovBasemap) { window.gridgovBasemap(map); }
    return map;
  }

  // Green inside the range; blue below, red above, darker the further out.
  function driftColour(deviation) {
    if (!deviation) { return "#4caf50"; }
    var strength = Math.min(1, Math.abs(deviation));
    var light = Math.round(80 - 45 * strength);
    return deviation < 0 ? "hsl(215, 80%, " + light + "%)" : "hsl(0, 80%, " + light + "%)";
  }

  function drawDrift(element) {
    var map = baseMap(element.id);
    fetch(element.dataset.geojson, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var layer = L.geoJSON(data, {
          style: function (f) {
            return { color: "#333", weight: 1, fillColor: driftColour(f.properties.deviation), fillOpacity: 0.6 };
          },
          onEachFeature: function (f, l) {
            l.bindTooltip(f.properties.name + " · " + f.properties.households);
          }
        }).addTo(map);
        element.dataset.features = String(data.features.length);
        if (data.features.length) { map.fitBounds(layer.getBounds()); }
      });
  }

  function slotColour(slot) { return PALETTE[slot % PALETTE.length]; }

  function drawProposal(element) {
    var today = baseMap("map-today");
    var proposed = baseMap("map-proposed");
    fetch(element.dataset.geojson, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var units = data.features.filter(function (f) { return f.properties.kind === "unit"; });
        var slots = data.features.filter(function (f) { return f.properties.kind === "slot"; });
        var grids = {};
        units.forEach(function (f) { if (!(f.properties.grid in grids)) { grids[f.properties.grid] = Object.keys(grids).length; } });
        function tip(f, l) { l.bindTooltip(f.properties.key + " · " + f.properties.households); }
        var left = L.geoJSON({ type: "FeatureCollection", features: units }, {
          style: function (f) { return { color: "#fff", weight: 0.5, fillColor: slotColour(grids[f.properties.grid]), fillOpacity: 0.6 }; },
          onEachFeature: tip
        }).addTo(today);
        L.geoJSON({ type: "FeatureCollection", features: units }, {
          style: function (f) {
            var moved = grids[f.properties.grid] !== f.properties.slot;
            return { color: moved ? "#000" : "#fff", weight: moved ? 1.5 : 0.5, fillColor: slotColour(f.properties.slot), fillOpacity: 0.6 };
          },
          onEachFeature: tip
        }).addTo(proposed);
        L.geoJSON({ type: "FeatureCollection", features: slots }, {
          style: function () { return { color: "#222", weight: 2.5, fill: false }; }
        }).addTo(proposed);
        element.dataset.units = String(units.length);
        element.dataset.slots = String(slots.length);
        if (units.length) {
          today.fitBounds(left.getBounds());
          proposed.fitBounds(left.getBounds());
        }
      });
  }

  var drift = document.getElementById("drift-map");
  if (drift) { drawDrift(drift); }
  var proposal = document.getElementById("proposal-maps");
  if (proposal) { drawProposal(proposal); }
})();
