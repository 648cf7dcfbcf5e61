// The QR sign-in page: asks the portal whether the app has confirmed the ticket, until it has or it expired.
// A file, not an inline script: the portal's CSP runs no inline script. What it needs comes in data-* attributes.
(function () {
  "use strict";
  var state = document.getElementById("qr-state");
  if (!state) { return; }
  var statusUrl = state.dataset.statusUrl;
  var next = state.dataset.next || "/";
  if (!/^\/(?![\/\\])/.test(next)) { next = "/"; }  // a path on this site only (the portal checked it too)

  function poll() {
    fetch(statusUrl, {credentials: "same-origin", cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.status === "confirmed") { window.location.assign(next); return; }
        if (s.status === "expired") { state.textContent = state.dataset.expired; return; }
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
