// Strategy design pages: draw the radar chart from the figure embedded in the page, and move
// focus to the error summary of a rejected questionnaire so keyboard and screen-reader users
// hear what to correct.
(function () {
  document.querySelectorAll("[data-figure]").forEach(function (box) {
    var figure = JSON.parse(document.getElementById(box.dataset.figure).textContent);
    // Okabe–Ito blue for the profile.
    (figure.data || []).forEach(function (trace) {
      trace.line = trace.line || {};
      trace.line.color = trace.line.color || "#0072b2";
    });
    Plotly.newPlot(box, figure.data, figure.layout, { responsive: true, displaylogo: false });
  });
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
