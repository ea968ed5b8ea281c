/* Point dcc.Graph at the vendored plotly.js "geo" partial bundle (choropleth + scatter, 1.4 MB)
 * instead of the 4.8 MB full bundle; see assets/vendor/README.md. dcc.Graph loads plotly.js
 * from window._dashPlotlyJSURL on first use, and the Dash renderer sets that URL when it
 * starts, so the property is fixed here (this file runs before the renderer) and the download
 * is started at once with a preload hint so it overlaps the layout requests. */
(function () {
  "use strict";
  var BUNDLE = "vendor/plotly-geo-4.1.1.min.js";
  var me = document.currentScript && document.currentScript.src;
  var url = me ? me.replace(/plotly_bundle\.js(\?.*)?$/, BUNDLE) : "/assets/" + BUNDLE;
  if (!window.Plotly) {
    Object.defineProperty(window, "_dashPlotlyJSURL", {
      configurable: true,
      get: function () { return url; },
      set: function () { /* keep the partial bundle */ }
    });
    var link = document.createElement("link");
    link.rel = "preload";
    link.as = "script";
    link.href = url;
    document.head.appendChild(link);
  }
})();
