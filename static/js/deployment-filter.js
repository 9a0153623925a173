// On the "start an assessment" form, show only the deployments of the chosen model, and choosing a
// deployment first picks its model. Options are grouped by model name (the optgroup label equals the
// model option's text), so the form works without this script too.
(function () {
  "use strict";
  var select = document.querySelector("select[data-follows]");
  if (!select) return;
  var model = document.getElementById(select.dataset.follows);
  if (!model) return;
  function modelName() {
    return model.value && model.options[model.selectedIndex] ? model.options[model.selectedIndex].text : "";
  }
  function update() {
    var name = modelName();
    var groups = select.querySelectorAll("optgroup");
    for (var i = 0; i < groups.length; i++) {
      var match = !name || groups[i].label === name;
      groups[i].hidden = !match;
      groups[i].disabled = !match;
      if (!match && select.selectedOptions[0] && select.selectedOptions[0].parentNode === groups[i]) select.value = "";
    }
  }
  select.addEventListener("change", function () {
    var option = select.selectedOptions[0];
    if (!option || option.parentNode.tagName !== "OPTGROUP" || modelName()) return;
    for (var i = 0; i < model.options.length; i++) {
      if (model.options[i].text === option.parentNode.label) { model.selectedIndex = i; break; }
    }
    update();
  });
  model.addEventListener("change", update);
  update();
})();
