"""Grid model: the region hierarchy, polygons, point location, overlays and grid workers."""
