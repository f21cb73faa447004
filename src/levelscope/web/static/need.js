// Draws the need pages' charts (Plotly figures from the result objects' plot()) and maps
// (GeoJSON boundaries from this server drawn as filled outlines on plain axes).
(function () {
  "use strict";
  var CONFIG = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["select2d", "lasso2d"] };

  function readJson(id) {
    return JSON.parse(document.getElementById(id).textContent);
  }

  function rings(geometry) {
    if (!geometry) { return []; }
    if (geometry.type === "Polygon") { return geometry.coordinates; }
    if (geometry.type === "MultiPolygon") {
      return geometry.coordinates.reduce(function (all, polygon) { return all.concat(polygon); }, []);
    }
    return [];
  }

  function mapTraces(geojson, block) {
    var byCode = {}, classes = {}, order = [];
    block.values.forEach(function (v) { byCode[v.code] = v; });
    block.legend.concat([{ label: "not in the index", colour: "#ffffff" }]).forEach(function (entry) {
      classes[entry.label] = { type: "scatter", mode: "lines", fill: "toself", name: entry.label, x: [], y: [],
        fillcolor: entry.colour, line: { color: "#555555", width: 0.4 }, hoverinfo: "skip" };
      order.push(entry.label);
    });
    var hover = { type: "scatter", mode: "markers", x: [], y: [], text: [], hoverinfo: "text",
      marker: { size: 8, color: "rgba(0,0,0,0)" }, showlegend: false };
    geojson.features.forEach(function (feature) {
      var value = byCode[feature.id];
      var target = classes[value ? value.label : "not in the index"];
      var largest = [];
      rings(feature.geometry).forEach(function (ring) {
        if (ring.length > largest.length) { largest = ring; }
        ring.forEach(function (p) { target.x.push(p[0]); target.y.push(p[1]); });
        target.x.push(null); target.y.push(null);
      });
      if (value && largest.length) {
        var x = 0, y = 0;
        largest.forEach(function (p) { x += p[0]; y += p[1]; });
        hover.x.push(x / largest.length); hover.y.push(y / largest.length);
        hover.text.push(value.name + ": " + value.label + " (" + value.text + ")");
      }
    });
    var traces = order.map(function (label) { return classes[label]; })
      .filter(function (trace) { return trace.x.length > 0; });
    traces.push(hover);
    return traces;
  }

  function drawMap(element) {
    var block = readJson(element.dataset.map);
    fetch(block.boundaries).then(function (response) {
      if (!response.ok) { throw new Error("boundaries: " + response.status); }
      return response.json();
    }).then(function (geojson) {
      var layout = { height: 640, margin: { l: 10, r: 10, t: 10, b: 10 }, hovermode: "closest",
        xaxis: { visible: false }, yaxis: { visible: false, scaleanchor: "x", scaleratio: 1.65 },
        legend: { title: { text: block.legendTitle }, bgcolor: "rgba(255,255,255,0.85)", x: 0, y: 1 },
        plot_bgcolor: "#ffffff" };
      Plotly.newPlot(element, mapTraces(geojson, block), layout, CONFIG);
      element.dataset.drawn = "true";
    }).catch(function (error) {
      element.textContent = "The map could not be drawn (" + error.message + "); the table gives the figures.";
    });
  }

  document.querySelectorAll("[data-figure]").forEach(function (element) {
    var figure = readJson(element.dataset.figure);
    Plotly.newPlot(element, figure.data, figure.layout, CONFIG).then(function () {
      element.dataset.drawn = "true";
    });
  });
  document.querySelectorAll("[data-map]").forEach(drawMap);
})();
