// Evidence under each control of the area page: files dropped on the control or chosen in its file
// input upload one per request with a progress bar each, links and "Remove" / "Still current" post
// in the background, and the server's JSON reply replaces the control's list. The "Add evidence"
// panel is on the page once, in a <template>: a card's "Add evidence" link copies it into the card
// and creates the control's two forms (outside the page's form, which the panel's inputs join by
// their `form` attribute). Without this script the link asks for the page with that panel open
// (`?add=<id>`), its forms post normally and the page comes back with a message.
(function () {
  "use strict";
  var blocks = document.querySelectorAll("[data-evidence]");
  var template = document.getElementById("evidence-add-template");
  if (!blocks.length || !template) return;
  var placeholder = template.dataset.placeholder;

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function csrfInput() {
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "csrfmiddlewaretoken";
    input.value = csrfToken();
    return input;
  }

  // The control's upload (`evf-`) and link (`evk-`) forms: rendered by the server for a panel opened
  // without the script, else made here on first use (opening the panel, or a drop on a folded card).
  function formsOf(block) {
    var cid = block.dataset.evidence;
    var container = document.getElementById("evidence-forms");
    var forms = {};
    [["file", "evf-"], ["link", "evk-"]].forEach(function (pair) {
      var form = document.getElementById(pair[1] + cid);
      if (!form) {
        form = document.createElement("form");
        form.id = pair[1] + cid;
        form.method = "post";
        form.action = template.dataset.action.split(placeholder).join(cid);
        if (pair[0] === "file") form.enctype = "multipart/form-data";
        form.hidden = true;
        form.appendChild(csrfInput());
        container.appendChild(form);
      }
      if (!form.dataset.bound) {
        form.dataset.bound = "1";
        form.addEventListener("submit", pair[0] === "file" ? onUpload(block, form) : onLink(block, form));
      }
      forms[pair[0]] = form;
    });
    return forms;
  }

  // The template's panel in place of the card's link, the control id put into its attributes only
  // (ids, labels' `for`, `form`), never parsed as HTML.
  function openPanel(block, link) {
    var cid = block.dataset.evidence;
    var panel = template.content.cloneNode(true);
    Array.prototype.forEach.call(panel.querySelectorAll("*"), function (element) {
      Array.prototype.forEach.call(element.attributes, function (attribute) {
        if (attribute.value.indexOf(placeholder) !== -1) attribute.value = attribute.value.split(placeholder).join(cid);
      });
    });
    formsOf(block);
    link.replaceWith(panel);
    document.getElementById("evi-" + cid).focus();
  }

  // Progress bars go in the panel; a drop on a card whose panel is not open gets a place of its own.
  function progressBox(block) {
    var box = block.querySelector(".evidence-add [data-evidence-progress]") || block.querySelector("[data-evidence-progress]");
    if (!box) {
      box = document.createElement("div");
      box.className = "evidence-progress";
      box.setAttribute("data-evidence-progress", "");
      block.querySelector("[data-evidence-messages]").after(box);
    }
    return box;
  }

  function say(block, text, ok) {
    var box = block.querySelector("[data-evidence-messages]");
    var line = document.createElement("div");
    line.className = "alert py-1 px-2 small mb-2 " + (ok ? "alert-success" : "alert-danger");
    line.setAttribute("role", ok ? "status" : "alert");
    line.textContent = text;
    box.appendChild(line);
    if (ok) setTimeout(function () { line.remove(); }, 6000);
  }

  function replaceList(block, body) {
    if (body && typeof body.html === "string") block.querySelector("[data-evidence-list]").innerHTML = body.html;
  }

  function parse(text) {
    try { return JSON.parse(text); } catch (e) { return null; }
  }

  function upload(block, form, file, description) {
    var row = document.createElement("div");
    row.className = "evidence-upload small mb-1";
    var label = document.createElement("span");
    label.className = "evidence-upload-name";
    label.textContent = file.name;
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", "Uploading " + file.name);
    row.appendChild(label);
    row.appendChild(bar);
    progressBox(block).appendChild(row);

    var data = new FormData();
    data.append("description", description);
    data.append("files", file, file.name);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRFToken", csrfToken());
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
    });
    return new Promise(function (resolve) {
      xhr.addEventListener("load", function () {
        var body = parse(xhr.responseText);
        replaceList(block, body);
        say(block, body && body.message ? body.message : "Not added — the server answered " + xhr.status + ".",
          xhr.status < 300 && body && body.ok);
        row.remove();
        resolve();
      });
      xhr.addEventListener("error", function () {
        say(block, "“" + file.name + "” was not added: the connection failed. Try again.", false);
        row.remove();
        resolve();
      });
      xhr.send(data);
    });
  }

  // One after another: the server counts the files per control, so parallel uploads could race the limit message.
  function uploadAll(block, form, files, description) {
    var chain = Promise.resolve();
    Array.prototype.forEach.call(files, function (file) {
      chain = chain.then(function () { return upload(block, form, file, description); });
    });
    return chain;
  }

  function post(block, url) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() },
    }).then(function (response) {
      return response.text().then(function (text) {
        var reply = parse(text);
        replaceList(block, reply);
        say(block, reply && reply.message ? reply.message : "Not changed — the server answered " + response.status + ".",
          response.ok && reply && reply.ok);
      });
    }).catch(function () {
      say(block, "Not changed: the connection failed. Try again.", false);
    });
  }

  function onUpload(block, form) {
    return function (e) {
      e.preventDefault();
      var cid = block.dataset.evidence;
      var input = document.getElementById("evi-" + cid);
      var description = document.getElementById("evd-" + cid);
      if (!input.files.length) { say(block, "Choose one or more files to add.", false); return; }
      var files = Array.prototype.slice.call(input.files);
      input.value = "";
      uploadAll(block, form, files, description.value).then(function () { description.value = ""; });
    };
  }

  function onLink(block, form) {
    return function (e) {
      e.preventDefault();
      var cid = block.dataset.evidence;
      var url = document.getElementById("evu-" + cid);
      var text = document.getElementById("evkd-" + cid);
      var data = new FormData();
      data.append("url", url.value);
      data.append("description", text.value);
      fetch(form.action, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() },
      }).then(function (response) {
        return response.text().then(function (t) {
          var reply = parse(t);
          replaceList(block, reply);
          var ok = response.ok && reply && reply.ok;
          say(block, reply && reply.message ? reply.message : "Not added — the server answered " + response.status + ".", ok);
          if (ok) { url.value = ""; text.value = ""; }
        });
      }).catch(function () { say(block, "The link was not added: the connection failed. Try again.", false); });
    };
  }

  Array.prototype.forEach.call(blocks, function (block) {
    var cid = block.dataset.evidence;
    // The answer's autosave listens on the whole card: evidence inputs are not part of the answer.
    ["change", "input"].forEach(function (type) {
      block.addEventListener(type, function (e) { e.stopPropagation(); });
    });
    if (document.getElementById("evf-" + cid)) formsOf(block);  // a panel the server rendered open
    // The whole evidence area takes drops, its panel open or not.
    var hint = block.querySelector(".evidence-drop-hint");
    if (hint) hint.hidden = false;
    ["dragenter", "dragover"].forEach(function (type) {
      block.addEventListener(type, function (e) { e.preventDefault(); block.classList.add("is-dragover"); });
    });
    ["dragleave", "drop"].forEach(function (type) {
      block.addEventListener(type, function () { block.classList.remove("is-dragover"); });
    });
    block.addEventListener("drop", function (e) {
      e.preventDefault();
      if (!e.dataTransfer || !e.dataTransfer.files.length) return;
      var description = document.getElementById("evd-" + cid);
      uploadAll(block, formsOf(block).file, e.dataTransfer.files, description ? description.value : "");
    });
    block.addEventListener("click", function (e) {
      // "Add evidence" (a click or Enter on the link); a click meant for a new tab or window keeps the link's page.
      var link = e.target.closest("[data-evidence-add]");
      if (link) {
        if (e.button || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        openPanel(block, link);
        return;
      }
      // Remove and "Still current" are buttons of one shared form; each names its own address.
      var button = e.target.closest("[data-evidence-action]");
      if (!button) return;
      e.preventDefault();
      button.disabled = true;
      post(block, button.getAttribute("formaction"));
    });
  });
})();
