// Strategy design pages: move focus to the error summary of a rejected questionnaire so that
// keyboard and screen-reader users hear what to correct.
(function () {
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
