// Evidence under each control of the area page: files dropped on the control or chosen in its file
// input upload one per request with a progress bar each, links and "Remove" / "Still current" post
// in the background, and the server's JSON reply replaces the control's list. Without this script
// the same forms post normally and the page comes back with a message.
(function () {
  "use strict";
  var blocks = document.querySelectorAll("[data-evidence]");
  if (!blocks.length) return;

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
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
    block.querySelector("[data-evidence-progress]").appendChild(row);

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

  Array.prototype.forEach.call(blocks, function (block) {
    var cid = block.dataset.evidence;
    var fileForm = document.getElementById("evf-" + cid);
    var linkForm = document.getElementById("evk-" + cid);
    var input = document.getElementById("evi-" + cid);
    var description = document.getElementById("evd-" + cid);
    var drop = fileForm ? block : null;  // the whole evidence area takes drops, open or folded
    // The answer's autosave listens on the whole card: evidence inputs are not part of the answer.
    ["change", "input"].forEach(function (type) {
      block.addEventListener(type, function (e) { e.stopPropagation(); });
    });
    if (fileForm) {
      fileForm.addEventListener("submit", function (e) {
        e.preventDefault();
        if (!input.files.length) { say(block, "Choose one or more files to add.", false); return; }
        var files = Array.prototype.slice.call(input.files);
        input.value = "";
        uploadAll(block, fileForm, files, description.value).then(function () { description.value = ""; });
      });
    }
    if (linkForm) {
      linkForm.addEventListener("submit", function (e) {
        e.preventDefault();
        var url = document.getElementById("evu-" + cid);
        var text = document.getElementById("evkd-" + cid);
        var data = new FormData();
        data.append("url", url.value);
        data.append("description", text.value);
        fetch(linkForm.action, {
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
      });
    }
    if (drop) {
      var hint = block.querySelector(".evidence-drop-hint");
      if (hint) hint.hidden = false;
      ["dragenter", "dragover"].forEach(function (type) {
        drop.addEventListener(type, function (e) { e.preventDefault(); drop.classList.add("is-dragover"); });
      });
      ["dragleave", "drop"].forEach(function (type) {
        drop.addEventListener(type, function () { drop.classList.remove("is-dragover"); });
      });
      drop.addEventListener("drop", function (e) {
        e.preventDefault();
        if (e.dataTransfer && e.dataTransfer.files.length) uploadAll(block, fileForm, e.dataTransfer.files, description.value);
      });
    }
    // Remove and "Still current" are buttons of one shared form; each names its own address.
    block.addEventListener("click", function (e) {
      var button = e.target.closest("[data-evidence-action]");
      if (!button) return;
      e.preventDefault();
      button.disabled = true;
      post(block, button.getAttribute("formaction"));
    });
  });
})();
