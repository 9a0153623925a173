// PDF report links (a[data-report-pdf]): the server's worker renders a report in the background, which
// takes a few seconds the first time, so say so. On click this asks `<link>/status` (which also asks
// for the render) until the PDF is ready, with a status next to the link (a second click does
// nothing), then fetches it and saves it under the server's file name. If anything goes wrong the
// reason is shown and the link goes back to being a plain link (it opens a page that says where the
// PDF is, with a refresh link). Without this script, or without fetch and object URLs, the same.
(function () {
  "use strict";
  if (!window.fetch || !window.URL || !URL.createObjectURL || !window.Blob) return;

  var PREPARING = "Preparing your PDF… this can take a few seconds";
  var DOWNLOADED = "Downloaded";
  var POLL_MS = 1500;
  var GIVE_UP_MS = 180000; // then the plain link's page takes over
  var SLOW = "The PDF is taking longer than usual.";
  var statuses = new WeakMap();

  // The live region exists before anything is said in it, so screen readers announce each message.
  function statusFor(link) {
    var status = statuses.get(link);
    if (status) return status;
    status = document.createElement("span");
    status.className = "report-download-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    // After a group of compact buttons or a menu (it closes on click), and at the end of a row of
    // actions, so no button moves under the pointer while the message is shown.
    var group = link.closest(".report-buttons-compact, .dropdown");
    if (group) group.after(status);
    else if (link.parentElement.classList.contains("report-actions")) link.parentElement.append(status);
    else link.after(status);
    statuses.set(link, status);
    return status;
  }

  function say(link, message, isError) {
    var status = statusFor(link);
    status.textContent = message;
    status.classList.toggle("is-error", Boolean(isError));
  }

  function setBusy(link, busy) {
    link.classList.toggle("disabled", busy);
    if (busy) {
      link.setAttribute("aria-disabled", "true");
      link.dataset.reportPdfBusy = "1";
    } else {
      link.removeAttribute("aria-disabled");
      delete link.dataset.reportPdfBusy;
    }
  }

  // Content-Disposition as Django writes it: filename="…" (ASCII) or filename*=utf-8''… (encoded).
  function filenameFrom(header, fallback) {
    if (!header) return fallback;
    var encoded = /filename\*\s*=\s*[^']*'[^']*'([^;]+)/i.exec(header);
    if (encoded) {
      try {
        return decodeURIComponent(encoded[1].trim());
      } catch (error) {
        // A malformed encoding: fall through to the plain name.
      }
    }
    var plain = /filename\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(header) || /filename\s*=\s*([^;]+)/i.exec(header);
    return plain ? plain[1].replace(/\\(.)/g, "$1").trim() : fallback;
  }

  function reasonFor(response) {
    if (!response.ok) {
      return "The PDF could not be prepared: the server answered " + response.status + (response.statusText ? " " + response.statusText : "") + ".";
    }
    // A redirect or a web page: most often the login page, after the session ran out.
    return "The PDF could not be downloaded: the site sent a page instead (you may need to log in again).";
  }

  function save(blob, filename) {
    var url = URL.createObjectURL(blob);
    var anchor = document.createElement("a");
    anchor.href = url;
    anchor.download = filename;
    anchor.hidden = true;
    document.body.appendChild(anchor);
    anchor.click();
    anchor.remove();
    // Revoked later, not at once: the browser may still be reading it to save the file.
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }

  // A failure whose message is meant for the user as it is.
  function told(message) {
    var error = new Error(message);
    error.told = true;
    return error;
  }

  function whenReady(link, started) {
    return fetch(link.href + "/status", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        var isJson = /application\/json/i.test(response.headers.get("Content-Type") || "");
        if (!response.ok || response.redirected || !isJson) throw told(reasonFor(response));
        return response.json();
      })
      .then(function (status) {
        if (status.state === "ready") return;
        if (status.state !== "pending") throw told(status.message || "The PDF could not be prepared.");
        if (Date.now() - started > GIVE_UP_MS) throw told(SLOW);
        // The server says when a first attempt failed and it is trying again.
        say(link, status.message && /attempt/.test(status.message) ? status.message : PREPARING);
        return new Promise(function (resolve) { setTimeout(resolve, POLL_MS); }).then(function () {
          return whenReady(link, started);
        });
      });
  }

  function download(link) {
    setBusy(link, true);
    say(link, PREPARING);
    var fallbackName = link.pathname.split("/").pop() || "report.pdf";
    whenReady(link, Date.now())
      .then(function () {
        return fetch(link.href, { credentials: "same-origin", headers: { Accept: "application/pdf" } });
      })
      .then(function (response) {
        var isPdf = /application\/pdf/i.test(response.headers.get("Content-Type") || "");
        if (!response.ok || response.redirected || !isPdf) throw told(reasonFor(response));
        var filename = filenameFrom(response.headers.get("Content-Disposition"), fallbackName);
        return response.blob().then(function (blob) { save(blob, filename); });
      })
      .then(function () {
        setBusy(link, false);
        say(link, DOWNLOADED);
      })
      .catch(function (error) {
        setBusy(link, false);
        var reason = error && error.told ? error.message : "The PDF could not be downloaded: the connection failed.";
        say(link, reason + " Select the link again to open it directly.", true);
        link.dataset.reportPdfPlain = "1"; // from now on the browser follows the link itself
      });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-report-pdf]");
    if (!link || link.dataset.reportPdfPlain) return;
    // Let the browser handle new tabs, windows and "save link as".
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    if (link.dataset.reportPdfBusy) return; // a double click downloads once
    download(link);
  });

  // Create the status regions up front (empty), so the first message is announced too.
  document.querySelectorAll("a[data-report-pdf]").forEach(statusFor);
})();
