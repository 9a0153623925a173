// Audit package downloads. The worker builds the zip in the background, which takes a while the first time.
// - Links a[data-audit-package] (the results page): on click, ask `<link>/status` (which also asks for the
//   build) until the package is ready, saying so next to the link, then let the browser download it
//   itself (a zip can be large: it is never read into the page).
// - The "being prepared" page ([data-package-wait]): the same check from the start, the message kept
//   up to date; on a failure the page is loaded again, which shows the reason and "Try again".
// Without this script both are plain links to a page that says where the package is.
(function () {
  "use strict";
  if (!window.fetch) return;

  var POLL_MS = 2000;
  var GIVE_UP_MS = 600000; // then the plain link's page takes over
  var PREPARING = "Preparing your audit package… this can take a minute";
  var STARTED = "Your audit package is ready: the download has started.";

  function status(url) {
    return fetch(url + "/status", { credentials: "same-origin", headers: { Accept: "application/json" } }).then(
      function (response) {
        var isJson = /application\/json/i.test(response.headers.get("Content-Type") || "");
        if (!response.ok || response.redirected || !isJson) {
          throw new Error("The server answered " + response.status + "; you may need to log in again.");
        }
        return response.json();
      }
    );
  }

  // Calls say(message) while pending; resolves when ready, rejects with the server's reason otherwise.
  function whenReady(url, say, started) {
    return status(url).then(function (answer) {
      if (answer.state === "ready") return;
      if (answer.state !== "pending") {
        var error = new Error(answer.message || "The audit package could not be prepared.");
        error.state = answer.state;
        throw error;
      }
      if (Date.now() - started > GIVE_UP_MS) throw new Error("The audit package is taking longer than usual.");
      say(answer.message);
      return new Promise(function (resolve) { setTimeout(resolve, POLL_MS); }).then(function () {
        return whenReady(url, say, started);
      });
    });
  }

  function statusFor(link) {
    var region = link.parentElement.querySelector(".report-download-status[data-for-package]");
    if (region) return region;
    region = document.createElement("span");
    region.className = "report-download-status";
    region.dataset.forPackage = "1";
    region.setAttribute("role", "status");
    region.setAttribute("aria-live", "polite");
    link.parentElement.append(region);
    return region;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-audit-package]");
    if (!link || link.dataset.packagePlain) return;
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    if (link.dataset.packageBusy) return; // a double click asks once
    var region = statusFor(link);
    link.dataset.packageBusy = "1";
    link.setAttribute("aria-disabled", "true");
    link.classList.add("disabled");
    region.classList.remove("is-error");
    region.textContent = PREPARING;
    var done = function () {
      delete link.dataset.packageBusy;
      link.removeAttribute("aria-disabled");
      link.classList.remove("disabled");
    };
    // The server's words only when a first attempt failed and it is trying again.
    var sayPending = function (message) {
      region.textContent = message && /attempt/.test(message) ? message : PREPARING;
    };
    whenReady(link.href, sayPending, Date.now())
      .then(function () {
        done();
        region.textContent = STARTED;
        window.location.assign(link.href);
      })
      .catch(function (error) {
        done();
        region.classList.add("is-error");
        region.textContent = error.message + " Select the link again to open its page.";
        link.dataset.packagePlain = "1"; // from now on the browser follows the link itself
      });
  });

  document.querySelectorAll("a[data-audit-package]").forEach(statusFor);

  var waiting = document.querySelector("[data-package-wait]");
  if (waiting) {
    var url = waiting.getAttribute("data-package-wait");
    whenReady(url, function (message) { if (message) waiting.textContent = message; }, Date.now())
      .then(function () {
        waiting.textContent = STARTED;
        window.location.assign(url);
      })
      .catch(function (error) {
        // A failed build: the page itself says why and offers "Try again". Anything else is said here.
        if (error.state === "failed") window.location.reload();
        else waiting.textContent = error.message + " Use “Check again and download” to try once more.";
      });
  }
})();
