// On the "start an assessment" form, show only the deployments of the chosen model.
// The options are grouped by model name, so the form works without this script too.
(function () {
  "use strict";
  var select = document.querySelector("select[data-follows]");
  if (!select) return;
  var model = document.getElementById(select.dataset.follows);
  if (!model) return;
  function update() {
    var name = model.options[model.selectedIndex] ? model.options[model.selectedIndex].text : "";
    var groups = select.querySelectorAll("optgroup");
    for (var i = 0; i < groups.length; i++) {
      var match = groups[i].label === name;
      groups[i].hidden = !match;
      groups[i].disabled = !match;
      if (!match && select.selectedOptions[0] && select.selectedOptions[0].parentNode === groups[i]) select.value = "";
    }
  }
  model.addEventListener("change", update);
  update();
})();
