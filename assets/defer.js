/* Charts below the first screen are drawn only when they come into view (see the page's
 * "deferred" boxes): each box names the store to set once it comes into view,
 * and the page's callback then draws the chart. A box carries a token that changes with every
 * render, so a box the browser reuses for a new page is watched again. */
(function () {
  "use strict";
  var MARGIN = "0px";  // drawn as its first line comes into view: never with the first screen
  var io = "IntersectionObserver" in window ? new IntersectionObserver(onView, {rootMargin: MARGIN}) : null;

  function mark(el) {
    var api = window.dash_clientside;
    if (!api || !api.set_props) {  // the renderer is not up yet: try again shortly
      setTimeout(function () { mark(el); }, 50);
      return;
    }
    if (el.__deferDone === el.getAttribute("data-defer-token")) { return; }
    el.__deferDone = el.getAttribute("data-defer-token");
    api.set_props(el.getAttribute("data-seen-store"), {data: true});
  }

  function onView(entries) {
    entries.forEach(function (e) {
      if (e.isIntersecting) { io.unobserve(e.target); mark(e.target); }
    });
  }

  function scan() {
    var boxes = document.querySelectorAll("[data-seen-store]");
    for (var i = 0; i < boxes.length; i++) {
      var el = boxes[i], token = el.getAttribute("data-defer-token");
      if (el.__deferWatched === token) { continue; }
      el.__deferWatched = token;
      if (io) { io.unobserve(el); io.observe(el); } else { mark(el); }
    }
  }

  var pending = false;
  function soon() {  // one scan per animation frame however many nodes changed
    if (pending) { return; }
    pending = true;
    requestAnimationFrame(function () { pending = false; scan(); });
  }
  new MutationObserver(soon).observe(document.documentElement,
    {childList: true, subtree: true, attributes: true, attributeFilter: ["data-defer-token"]});
})();
