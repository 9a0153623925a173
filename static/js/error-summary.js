// The error summary at the top of a form: focused when the page loads (screen readers read it first),
// and its links move to the field with the field's label or legend in view, as GOV.UK's does. A link
// to a group of radios focuses the chosen radio, or the first one shown.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  if (document.activeElement !== summary) summary.focus();
  function visible(element) { return element.offsetParent !== null; }
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var target = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    var input = target;
    if (target.tagName === "FIELDSET") {
      var radios = Array.prototype.filter.call(target.querySelectorAll("input"), visible);
      input = radios.filter(function (r) { return r.checked; })[0] || radios[0] || target;
    }
    var heading = target.tagName === "FIELDSET" ? target.querySelector("legend") : document.querySelector("label[for='" + target.id + "']");
    event.preventDefault();
    (heading || target).scrollIntoView();
    input.focus({ preventScroll: true });
  });
})();
