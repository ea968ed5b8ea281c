/* Maturity self-assessment pages.
 *
 * 1. Saves that the server refuses with HTTP 429 (too many saves in a short time) are sent
 *    again after the Retry-After delay, so no rating is left unsaved; a short notice says so.
 *    Only callbacks made from /maturity pages are retried; every other request is untouched.
 * 2. "Copy link" buttons (class mm-copy, link in data-copy) copy their link to the clipboard and
 *    say so in the status element named by data-status. They are ordinary buttons, so Tab
 *    reaches them and Enter or Space presses them.
 */
(function () {
  "use strict";
  var CALLBACK = "/_dash-update-component";
  var MAX_WAIT_S = 60;
  var waiting = 0;

  function onMaturityPage() {
    return window.location.pathname.indexOf("/maturity") === 0;
  }

  function notice(text) {
    var el = document.getElementById("mm-throttle-notice");
    if (!el) {
      el = document.createElement("p");
      el.id = "mm-throttle-notice";
      el.className = "mm-throttle";
      el.setAttribute("role", "status");
      el.setAttribute("aria-live", "polite");
      document.body.appendChild(el);
    }
    el.textContent = text;
    el.hidden = !text;
  }

  if (window.fetch && !window.fetch.mmRetry) {
    var original = window.fetch;
    var wrapped = function (input, init) {
      var url = typeof input === "string" ? input : (input && input.url) || "";
      if (url.indexOf(CALLBACK) === -1 || !onMaturityPage()) {
        return original.apply(this, arguments);
      }
      var self = this;
      var args = arguments;
      var path = window.location.pathname;
      function attempt(retried) {
        return original.apply(self, args).then(function (resp) {
          if (resp.status !== 429 || window.location.pathname !== path) {
            if (retried) {
              waiting -= 1;
              if (waiting <= 0) { waiting = 0; notice(""); }
            }
            return resp;
          }
          var wait = parseFloat(resp.headers.get("Retry-After"));
          wait = Math.min(MAX_WAIT_S, Math.max(1, isNaN(wait) ? 5 : wait));
          if (!retried) { waiting += 1; }
          notice("Saving is paused for about " + Math.ceil(wait) + " seconds because many changes arrived " +
                 "at once. Your answers are kept on this page and will be saved automatically.");
          return new Promise(function (resolve) {
            // a little jitter, so a room full of participants does not retry in the same instant
            window.setTimeout(resolve, wait * 1000 * (1 + Math.random() * 0.25));
          }).then(function () { return attempt(true); });
        });
      }
      return attempt(false);
    };
    wrapped.mmRetry = true;
    window.fetch = wrapped;
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      if (ok) { resolve(); } else { reject(new Error("copy refused")); }
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target && event.target.closest ? event.target.closest("button.mm-copy") : null;
    if (!button) { return; }
    var text = button.getAttribute("data-copy") || "";
    var status = document.getElementById(button.getAttribute("data-status") || "");
    copyText(text).then(function () {
      if (status) { status.textContent = "Link copied."; }
    }, function () {
      if (status) { status.textContent = "Could not copy automatically: select the link and copy it."; }
    });
  });
})();
