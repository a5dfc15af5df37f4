// The finish line's certificate note: asks the server whether the PDF is ready and, when it is, shows
// its link in place of the note, without a reload. The page works without this script: its note links
// to the certificate, which says itself when it is still being prepared.
(function () {
  "use strict";
  var INTERVAL_MS = 3000;
  var MAX_TRIES = 100; // about five minutes; after that, the note's link and /my/ still work

  function watch(holder) {
    var url = holder.getAttribute("data-certificate-status");
    var tries = 0;

    function showLink(href) {
      var paragraph = document.createElement("p");
      var link = document.createElement("a");
      link.className = "button button--primary";
      link.href = href;
      link.textContent = holder.getAttribute("data-ready-label");
      paragraph.appendChild(link);
      holder.replaceChildren(paragraph);
    }

    function ask() {
      tries += 1;
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (status) {
          if (status && status.ready && status.url) {
            showLink(status.url);
          } else if (status && tries < MAX_TRIES) {
            window.setTimeout(ask, INTERVAL_MS);
          }
        })
        .catch(function () {
          if (tries < MAX_TRIES) window.setTimeout(ask, INTERVAL_MS);
        });
    }

    window.setTimeout(ask, INTERVAL_MS);
  }

  function start() {
    var holders = document.querySelectorAll("[data-certificate-status]");
    for (var i = 0; i < holders.length; i += 1) {
      if (!holders[i].querySelector("a.button--primary")) watch(holders[i]);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
