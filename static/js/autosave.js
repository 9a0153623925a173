// Autosave for the area page: every change to a control is saved at once, one request per control,
// and each control shows "Saving…", "Saved" or "Not saved — retry" with the reason. What was typed is
// never lost: it stays in the fields, is kept in localStorage until the server confirms it, and
// Retry sends it again. Without this script the page's "Save and continue" saves everything.
(function () {
  "use strict";
  var form = document.getElementById("area-form");
  if (!form || form.dataset.autosave !== "on") return;

  var DEBOUNCE_MS = 700;

  function csrfToken() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : input ? input.value : "";
  }

  function Control(section) {
    this.section = section;
    this.prefix = section.dataset.prefix;
    this.url = section.dataset.url;
    this.storageKey = "autosave:" + location.pathname + ":" + section.dataset.control;
    this.state = section.querySelector(".save-state");
    this.retry = section.querySelector(".retry");
    this.version = section.querySelector("[data-version]");
    this.inFlight = false;
    this.pending = false;
    this.failed = false;
    this.timer = null;
    var self = this;
    section.addEventListener("change", function () { self.schedule(0); });
    section.addEventListener("input", function (e) {
      if (e.target.tagName === "TEXTAREA") self.schedule(DEBOUNCE_MS);
    });
    this.retry.addEventListener("click", function () { self.schedule(0); });
    section.addEventListener("change", function (e) {
      if (e.target.type === "radio") self.claimChanged();
    });
    // Required only once the user leaves the box empty, never before they could type.
    this.field("justification").addEventListener("blur", function () { self.justificationLeft(); });
    this.keptJustification = "";
    this.toggleJustification();
    this.restore();
  }

  // "Does not apply to us": open the justification box and put the cursor in it; the answer saves
  // once a reason is typed. Any other answer: the server keeps no justification, so neither does
  // the page (what is shown is what is stored), but the text comes back if N/A is chosen again.
  Control.prototype.claimChanged = function () {
    var box = this.field("justification");
    if (this.values().claim === "not_applicable") {
      if (!box.value && this.keptJustification) box.value = this.keptJustification;
      this.toggleJustification();
      if (!box.value.trim()) box.focus();
    } else {
      if (box.value) this.keptJustification = box.value;
      box.value = "";
      this.toggleJustification();
    }
  };

  Control.prototype.needsJustification = function () {
    var v = this.values();
    return v.claim === "not_applicable" && !v.justification.trim();
  };

  Control.prototype.justificationLeft = function () {
    var self = this;
    // Leaving the box for another answer of this control is not leaving it empty.
    setTimeout(function () {
      if (!self.needsJustification()) return;
      self.showErrors({ justification: ["Explain why this control does not apply to you."] });
      self.show("pending", "Not saved yet — explain why it does not apply, then it saves.");
    }, 150);
  };

  Control.prototype.field = function (name) {
    return this.section.querySelector("[name='" + this.prefix + "-" + name + "']");
  };

  Control.prototype.values = function () {
    var checked = this.section.querySelector("input[type=radio]:checked");
    return {
      claim: checked ? checked.value : "",
      notes: this.field("notes").value,
      justification: this.field("justification").value,
      version: this.version.value
    };
  };

  Control.prototype.toggleJustification = function () {
    var box = this.section.querySelector(".justification");
    var v = this.values();
    box.hidden = v.claim !== "not_applicable";
  };

  // A previous visit left unsaved input behind (lost connection, closed tab): put it back.
  Control.prototype.restore = function () {
    var saved;
    try { saved = JSON.parse(localStorage.getItem(this.storageKey) || "null"); } catch (e) { saved = null; }
    if (!saved) return;
    var now = this.values();
    if (saved.claim === now.claim && saved.notes === now.notes && saved.justification === now.justification) {
      localStorage.removeItem(this.storageKey);
      return;
    }
    var radio = this.section.querySelector("input[type=radio][value='" + saved.claim + "']");
    if (radio) radio.checked = true;
    this.field("notes").value = saved.notes;
    this.field("justification").value = saved.justification;
    this.toggleJustification();
    this.show("failed", "Not saved — your earlier unsaved input was restored. Retry to save it.");
  };

  // From the first keystroke or click on, the page never claims "Saved" for input not yet sent.
  Control.prototype.schedule = function (delay) {
    var self = this;
    if (this.state.textContent !== "Saving…") this.show("saving", "Saving…");
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.save(); }, delay);
  };

  Control.prototype.show = function (kind, text) {
    this.state.className = "save-state " + kind;
    this.state.textContent = text;
    this.retry.hidden = kind !== "failed";
    this.failed = kind === "failed";
  };

  Control.prototype.showErrors = function (errors) {
    var boxes = this.section.querySelectorAll("[data-error-for]");
    for (var i = 0; i < boxes.length; i++) {
      var name = boxes[i].getAttribute("data-error-for");
      var messages = (errors && errors[name]) || [];
      boxes[i].textContent = messages.join(" ");
      var inputs = this.section.querySelectorAll("[name='" + this.prefix + "-" + name + "']");
      for (var j = 0; j < inputs.length; j++) {
        inputs[j].classList.toggle("is-invalid", messages.length > 0);
        if (messages.length) inputs[j].setAttribute("aria-invalid", "true");
        else inputs[j].removeAttribute("aria-invalid");
      }
    }
    var conflict = this.section.querySelector(".conflict");
    if (conflict && !(errors && errors.__all__)) conflict.remove();
  };

  Control.prototype.save = function () {
    if (this.inFlight) { this.pending = true; return; }
    var v = this.values();
    if (!v.claim && !v.notes && !v.justification) { this.show("", ""); return; }
    try { localStorage.setItem(this.storageKey, JSON.stringify(v)); } catch (e) { /* storage full or disabled */ }
    if (!v.claim) {
      // Notes alone can't be stored yet; say so calmly instead of sending a request that must fail.
      this.show("pending", "Choose an answer above to save your notes.");
      return;
    }
    if (this.needsJustification()) {
      // Waiting for the reason the user is about to type: not an error yet.
      this.showErrors(null);
      this.show("pending", "Say why it does not apply to you; it saves as you type.");
      return;
    }
    this.inFlight = true;
    if (this.state.textContent !== "Saving…") this.show("saving", "Saving…");
    var body = new FormData();
    Object.keys(v).forEach(function (k) { body.append(k, v[k]); });
    var self = this;
    fetch(this.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) {
        var reason = response.status === 403
          ? "your session or security token has expired. Reload the page in another tab or log in again, then retry."
          : "the server had a problem (" + response.status + ").";
        return { ok: false, message: "Not saved — " + reason };
      }
      return response.json();
    }).then(function (data) {
      self.inFlight = false;
      if (data.ok) {
        self.version.value = data.version;
        // The server renders what the answer means against the model's owner (shown once answered).
        var reveal = self.section.querySelector(".reveal");
        if (reveal && typeof data.reveal === "string") reveal.innerHTML = data.reveal;
        self.showErrors(null);
        var current = self.values();
        if (current.claim === v.claim && current.notes === v.notes && current.justification === v.justification) {
          localStorage.removeItem(self.storageKey);
        }
        self.show("saved", "Saved");
      } else {
        if (data.conflict && data.current) {
          // Next save overwrites on purpose: the user has now seen the other version.
          self.version.value = data.current.version;
        }
        self.showErrors(data.errors);
        var text = data.message || "Not saved.";
        self.show("failed", text.indexOf("Not saved") === 0 ? text : "Not saved — " + text);
      }
      if (self.pending) { self.pending = false; self.save(); }
    }).catch(function () {
      self.inFlight = false;
      self.pending = false;
      self.show("failed", "Not saved — the server could not be reached. Check your connection, then retry.");
    });
  };

  // Skip logic: a control with a condition is shown only while the control it names (when that one is
  // on this page and shown) has one of the listed answers. Repeated until stable, for chains.
  function applyConditions() {
    var dependents = form.querySelectorAll("section[data-condition-control]");
    for (var round = 0; round < dependents.length + 1; round++) {
      var changed = false;
      for (var i = 0; i < dependents.length; i++) {
        var section = dependents[i];
        var premise = form.querySelector("section[data-control='" + section.dataset.conditionControl + "']");
        if (!premise) continue;  // in another area: the server decided when it rendered the page
        var checked = premise.querySelector("input[type=radio]:checked");
        var show = !premise.hidden && !!checked && section.dataset.conditionAnswers.split(" ").indexOf(checked.value) !== -1;
        if (section.hidden === show) { section.hidden = !show; changed = true; }
      }
      if (!changed) break;
    }
  }

  var controls = [];
  var sections = form.querySelectorAll("section[data-url]");
  for (var i = 0; i < sections.length; i++) controls.push(new Control(sections[i]));
  form.addEventListener("change", applyConditions);

  var submitting = false;
  window.addEventListener("beforeunload", function (event) {
    if (submitting) return;  // the page save sends everything; don't warn about leaving
    var unsaved = controls.some(function (c) { return c.failed || c.inFlight || c.pending || c.needsJustification(); });
    if (unsaved) { event.preventDefault(); event.returnValue = ""; }
  });
  form.addEventListener("submit", function () { submitting = true; });
})();
