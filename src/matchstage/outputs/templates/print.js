// Printing opens every collapsed <details> (the evidence of each candidate) and closes them again after,
// for browsers whose print style sheet cannot reach ::details-content.
(function () {
  var opened = [];
  addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (d) { d.open = true; opened.push(d); });
  });
  addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
})();
