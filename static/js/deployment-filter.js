// On the "start an assessment" form, show only the deployment cards of the chosen model; choosing a
// deployment before a model picks its model. Without this script every model's cards show, grouped
// by model, so the form works without it too.
(function () {
  "use strict";
  var cards = document.querySelector("[data-deployment-cards]");
  if (!cards) return;
  var model = document.getElementById(cards.dataset.follows);
  var groups = cards.querySelectorAll("[data-model]");
  if (!model || groups.length < 2) return;
  function update() {
    for (var i = 0; i < groups.length; i++) {
      var match = !model.value || groups[i].dataset.model === model.value;
      groups[i].hidden = !match;
      if (match) continue;
      // A deployment of another model must not be posted with this one.
      var checked = groups[i].querySelector("input:checked");
      if (checked) checked.checked = false;
    }
  }
  cards.addEventListener("change", function (event) {
    if (event.target.name !== "deployment" || model.value) return;
    model.value = event.target.closest("[data-model]").dataset.model;
    update();
  });
  model.addEventListener("change", update);
  update();
})();
