// Draws every page's charts and maps from JSON the server put in the page.
// Charts ([data-figure]): Plotly figures made by the result objects' plot(). Maps ([data-map]):
// GeoJSON boundaries drawn as filled outlines on plain axes, so nothing is fetched from outside
// this server. A drawn element gets data-drawn="true" (the browser tests wait for it).
(function () {
  "use strict";
  var CONFIG = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["select2d", "lasso2d"] };

  function readJson(id) {
    return JSON.parse(document.getElementById(id).textContent);
  }

  function drawFigure(element) {
    var figure = readJson(element.dataset.figure);
    Plotly.newPlot(element, figure.data, figure.layout, CONFIG).then(function () {
      element.dataset.drawn = "true";
    });
  }

  function rings(geometry) {
    if (!geometry) { return []; }
    if (geometry.type === "Polygon") { return geometry.coordinates; }
    if (geometry.type === "MultiPolygon") {
      return geometry.coordinates.reduce(function (all, polygon) { return all.concat(polygon); }, []);
    }
    return [];
  }

  function centre(ring) {
    var x = 0, y = 0;
    ring.forEach(function (p) { x += p[0]; y += p[1]; });
    return [x / ring.length, y / ring.length];
  }

  function mapTraces(geojson, block) {
    var byCode = {};
    block.values.forEach(function (v) { byCode[v.code] = v; });
    var classes = {}, order = [], missing = block.missingLabel || "no figure";
    block.legend.concat([{ label: missing, colour: "#ffffff" }]).forEach(function (entry) {
      classes[entry.label] = { type: "scatter", mode: "lines", fill: "toself", name: entry.label,
        x: [], y: [], fillcolor: entry.colour, line: { color: "#555555", width: 0.4 }, hoverinfo: "skip" };
      order.push(entry.label);
    });
    var hover = { type: "scatter", mode: "markers", x: [], y: [], text: [], hoverinfo: "text",
      marker: { size: 8, color: "rgba(0,0,0,0)" }, showlegend: false };
    var outline = { type: "scatter", mode: "lines", x: [], y: [], name: "", showlegend: false,
      hoverinfo: "skip", line: { color: "#000000", width: 2.5 } };
    geojson.features.forEach(function (feature) {
      var value = byCode[feature.id];
      var target = classes[value ? value.label : missing];
      var parts = rings(feature.geometry);
      var largest = parts[0] || [];
      parts.forEach(function (ring) {
        if (ring.length > largest.length) { largest = ring; }
        ring.forEach(function (p) { target.x.push(p[0]); target.y.push(p[1]); });
        target.x.push(null); target.y.push(null);
        if (feature.id === block.highlight) {
          ring.forEach(function (p) { outline.x.push(p[0]); outline.y.push(p[1]); });
          outline.x.push(null); outline.y.push(null);
        }
      });
      if (value && largest.length) {
        var c = centre(largest);
        hover.x.push(c[0]); hover.y.push(c[1]);
        hover.text.push(value.text !== undefined ? value.name + ": " + value.label + " (" + value.text + ")" :
          value.name + ": " + (value.value === null ? "no figure" : value.value.toLocaleString("en-GB")) +
          " (" + value.label + ")");
      }
    });
    var traces = order.map(function (label) { return classes[label]; })
      .filter(function (trace) { return trace.x.length > 0; });
    traces.push(hover);
    if (outline.x.length) { outline.name = "selected area"; outline.showlegend = true; traces.push(outline); }
    return traces;
  }

  function drawMap(element) {
    var block = readJson(element.dataset.map);
    fetch(block.boundaries).then(function (response) {
      if (!response.ok) { throw new Error("boundaries: " + response.status); }
      return response.json();
    }).then(function (geojson) {
      var axis = { visible: false, fixedrange: false };
      var layout = {
        height: 640, margin: { l: 10, r: 10, t: 10, b: 10 }, hovermode: "closest",
        xaxis: axis, yaxis: { visible: false, scaleanchor: "x", scaleratio: 1.65 },
        legend: { title: { text: block.legendTitle || "" }, bgcolor: "rgba(255,255,255,0.85)", x: 0, y: 1 },
        plot_bgcolor: "#ffffff"
      };
      Plotly.newPlot(element, mapTraces(geojson, block), layout, CONFIG);
      element.dataset.drawn = "true";
    }).catch(function (error) {
      element.textContent = "The map could not be drawn (" + error.message + "); the table gives the figures.";
    });
  }

  document.querySelectorAll("[data-figure]").forEach(drawFigure);
  document.querySelectorAll("[data-map]").forEach(drawMap);
})();
