// The admin review page: take the reviewer to the problems after a refused pass, and let the
// keyboard work through the controls (j / k next / previous, a accept, n needs work, e evidence missing).
// "Evidence missing" goes only with "needs work": it is offered once that verdict is chosen.
(function () {
  "use strict";
  var summary = document.getElementById("problems");
  if (summary) summary.focus();

  var rows = Array.prototype.slice.call(document.querySelectorAll("#review-form .control-row"));
  if (!rows.length) return;

  function current() {
    var active = document.activeElement;
    return active && active.closest ? active.closest(".control-row") : null;
  }

  function reveal(row) {
    var details = row.closest("details");
    if (details && !details.open) details.open = true;
  }

  function go(step) {
    var at = rows.indexOf(current());
    var next = rows[Math.min(rows.length - 1, Math.max(0, at === -1 ? 0 : at + step))];
    reveal(next);
    var target = next.querySelector("input[type=radio]:checked") || next.querySelector("input, textarea");
    if (target) target.focus();
    next.scrollIntoView({ block: "center" });
  }

  function missingBox(row) {
    return row.querySelector(".evidence-missing");
  }

  // Shown with "needs work" (or when ticked, so a refused pass still shows what was sent); untick otherwise.
  function syncMissing(row) {
    var box = missingBox(row);
    if (!box) return;
    var needsWork = row.querySelector("input[type=radio][value='needs_work']:checked");
    var tick = box.querySelector("input[type=checkbox]");
    if (!needsWork && tick.checked && row.dataset.touched) tick.checked = false;
    box.hidden = !needsWork && !tick.checked;
  }

  rows.forEach(syncMissing);
  document.addEventListener("change", function (event) {
    var row = event.target.closest && event.target.closest(".control-row");
    if (!row || event.target.type !== "radio") return;
    row.dataset.touched = "1";
    syncMissing(row);
  });

  function choose(value) {
    var row = current();
    var radio = row && row.querySelector("input[type=radio][value='" + value + "']");
    if (radio) { radio.checked = true; radio.focus(); row.dataset.touched = "1"; syncMissing(row); }
  }

  function toggleMissing() {
    var row = current();
    var box = row && missingBox(row);
    if (!box || box.hidden) return;
    var tick = box.querySelector("input[type=checkbox]");
    tick.checked = !tick.checked;
  }

  document.addEventListener("keydown", function (event) {
    var typing = event.target.matches && event.target.matches("textarea, input[type=text], select");
    if (typing || event.altKey || event.ctrlKey || event.metaKey) return;
    var actions = { j: function () { go(1); }, k: function () { go(-1); },
                    a: function () { choose("accepted"); }, n: function () { choose("needs_work"); },
                    e: toggleMissing };
    if (actions[event.key]) { event.preventDefault(); actions[event.key](); }
  });

  // A link from the problem list into a closed area opens it.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href^='#c-']");
    var row = link && document.getElementById(link.getAttribute("href").slice(1));
    if (row) reveal(row);
  });
})();
