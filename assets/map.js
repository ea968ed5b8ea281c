/* Clientside callbacks for the map (/map).
 *
 * The geometry for each geography is fetched once from /geo/<geography>.geojson (cached by the
 * browser and kept here in memory); the server only sends a compact values payload. `render`
 * joins the two into a plotly choropleth (a `geo` subplot with no base map, so no network tiles).
 */
(function () {
  "use strict";
  var geoCache = {};
  var nameCache = {};
  var codeCache = {};
  var featureCache = {};
  var EXTENT = { uk: { lon: [-8.7, 1.8], lat: [49.85, 60.9] }, icb: { lon: [-6.45, 1.8], lat: [49.85, 55.85] } };

  function getGeo(geography, version) {
    var key = geography + "@" + (version || "");
    if (geoCache[geography] && geoCache[geography].key !== key) { delete geoCache[geography]; }
    if (!geoCache[geography]) {
      geoCache[geography] = fetch("/geo/" + geography + ".geojson?v=" + encodeURIComponent(version || ""))
        .then(function (r) {
          if (!r.ok) { throw new Error("boundaries for " + geography + " could not be loaded (" + r.status + ")"); }
          return r.json();
        })
        .then(function (fc) {
          var names = {}, byId = {};
          (fc.features || []).forEach(function (f) {
            var code = f.id || (f.properties && f.properties.code);
            names[code] = (f.properties && f.properties.name) || code;
            byId[code] = f;
          });
          nameCache[geography] = names;
          featureCache[geography] = byId;
          codeCache[geography] = (fc.features || []).map(function (f) { return f.id || (f.properties && f.properties.code); });
          return fc;
        })
        .catch(function (err) { delete geoCache[geography]; throw err; });
      geoCache[geography].key = key;
    }
    return geoCache[geography];
  }

  /* Plotly's geo subplot asks for a world topojson even when the base map is hidden; there is no
     internet, so give it an empty topology (nothing of it is drawn: geo.visible is false). */
  function stubTopojson() {
    window.PlotlyGeoAssets = window.PlotlyGeoAssets || {};
    var t = window.PlotlyGeoAssets.topojson = window.PlotlyGeoAssets.topojson || {};
    var empty = { type: "Topology", objects: {}, arcs: [] };
    ["world_110m", "world_50m", "europe_110m", "europe_50m"].forEach(function (n) { if (!t[n]) { t[n] = empty; } });
  }

  var formatters = {};
  function fmt(v, d) {
    if (v === null || v === undefined || isNaN(v)) { return ""; }
    // one Intl formatter per precision: toLocaleString builds a new one on every call (slow)
    var f = formatters[d] || (formatters[d] = new Intl.NumberFormat("en-GB", { minimumFractionDigits: d, maximumFractionDigits: d }));
    return f.format(Number(v));
  }

  function withUnit(v, p) {
    var s = fmt(v, p.d);
    if (p.u && p.u.indexOf("%") === 0) { return s + "%"; }
    return p.u ? s + " (" + p.u + ")" : s;
  }

  /* A value for a chart label: "%" units inline, a short unit after it, a long one left to the axis. */
  function shortValue(v, p) {
    var s = fmt(v, p.d);
    if (p.u && p.u.indexOf("%") === 0) { return s + "%"; }
    return p.u && p.u.length <= 6 ? s + " " + p.u : s;
  }

  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  /* "utla|Kent" + the template for utla -> "County-level value (Kent), shared by its districts". */
  function inherited(p, key) {
    if (!key) { return ""; }
    var cut = key.indexOf("|");
    var geo = key.slice(0, cut), name = key.slice(cut + 1);
    var tpl = (p.inht && p.inht[geo]) || "Value of {name}";
    return tpl.replace("{name}", name);
  }

  function rows(p) {
    var names = nameCache[p.g] || {};
    var codes = codeCache[p.g] || [];
    if (codes.length !== p.n) { throw new Error("the boundaries do not match the values; reload the page"); }
    return codes.map(function (code, i) {
      var cls = p.c[i];
      var hasValue = p.v[i] !== null && p.v[i] !== undefined;
      var lo = p.lo ? p.lo[i] : null, hi = p.hi ? p.hi[i] : null;
      var ci = (lo !== null && lo !== undefined && hi !== null && hi !== undefined) ? fmt(lo, p.d) + " to " + fmt(hi, p.d) : "no CI published";
      var label = cls >= 0 && p.legend[cls] ? p.legend[cls].label : "";
      var inh = p.i && p.inh ? inherited(p, p.inh[p.i[i] || 0]) : "";
      var st = p.ni && p.nts ? (p.nts[p.ni[i] || 0] || "") : "";
      return {
        code: code, name: names[code] || code, value: p.v[i], hasValue: hasValue,
        lower: lo, upper: hi, ci: ci, cls: cls, label: label,
        reason: p.reasons[p.r[i] || 0] || "", inherited: inh || "", status: st
      };
    });
  }

  function hoverText(row, p) {
    var t = "<b>" + esc(row.name) + "</b> (" + row.code + ")<br>";
    if (!row.hasValue) {
      return t + "No value: " + esc(row.reason);
    }
    t += esc(p.t) + " " + p.p + ": " + esc(withUnit(row.value, p)) + "<br>95% CI: " + row.ci;
    if (row.label) {
      t += "<br>" + (p.mode === "benchmark" ? "Compared with " + esc(p.bl || "benchmark") + ": " : "Class: ") + esc(row.label);
    }
    if (row.status) { t += "<br>" + esc(p.ntl || "Status") + ": <b>" + esc(row.status) + "</b>"; }
    if (row.inherited) { t += "<br><i>" + esc(row.inherited) + "</i>"; }
    if (p.g === "aq_zone") { t += "<br><i>Zone shape approximate (built from local authorities)</i>"; }
    return t;
  }

  function emptyFigure(text) {
    return {
      data: [],
      layout: {
        xaxis: { visible: false }, yaxis: { visible: false }, height: 200,
        annotations: [{ text: text, showarrow: false, font: { size: 16 } }],
        margin: { l: 0, r: 0, t: 0, b: 0 }
      }
    };
  }

  /* Start loading the boundaries as soon as the page knows its geography, in parallel with the
     values callback, instead of after it (the key matches render's: the fingerprint prefix). */
  function prefetch(geography, version) {
    if (geography) { getGeo(geography, String(version || "").slice(0, 16)).catch(function () {}); }
    return window.dash_clientside.no_update;
  }

  function render(p, version) {
    if (!p || !p.v) { return Promise.resolve(emptyFigure("Choose a measure to draw the map.")); }
    return getGeo(p.g, p.fp || version).then(function (fc) {
      stubTopojson();
      var rs = rows(p);
      var groups = {};
      rs.forEach(function (r) {
        var key = r.hasValue ? r.cls : -1;
        (groups[key] = groups[key] || []).push(r);
      });
      var data = [];
      Object.keys(groups).sort(function (a, b) { return a - b; }).forEach(function (key) {
        var k = Number(key);
        var g = groups[key];
        var colour = k >= 0 && p.legend[k] ? p.legend[k].colour : p.nd.colour;
        data.push({
          // each class trace carries only its own features: Plotly indexes a trace's geojson
          // on every draw, so sharing the whole collection across traces multiplies the work
          type: "choropleth", featureidkey: "id",
          geojson: { type: "FeatureCollection", features: g.map(function (r) { return (featureCache[p.g] || {})[r.code]; })
            .filter(Boolean) },
          locations: g.map(function (r) { return r.code; }),
          z: g.map(function () { return 1; }), zmin: 0, zmax: 1,
          colorscale: [[0, colour], [1, colour]], showscale: false,
          text: g.map(function (r) { return hoverText(r, p); }),
          customdata: g.map(function (r) { return r.code; }),
          hovertemplate: "%{text}<extra></extra>",
          name: k >= 0 && p.legend[k] ? p.legend[k].label : p.nd.label,
          marker: { line: { color: k >= 0 ? "#ffffff" : "#505a5f", width: k >= 0 ? 0.4 : 0.8 } }
        });
      });
      return {
        data: data,
        layout: {
          geo: {
            // fixed extents instead of fitbounds: Plotly would otherwise walk every coordinate
            // of every feature to find the bounds on each draw
            visible: false, projection: { type: "mercator" },
            lonaxis: { range: (EXTENT[p.g] || EXTENT.uk).lon }, lataxis: { range: (EXTENT[p.g] || EXTENT.uk).lat },
            bgcolor: "rgba(0,0,0,0)"
          },
          // the same height as the .map-graph box (CSS: min(70vh, 640px), at least 360px), so the
          // drawing never spills out of its frame
          height: Math.round(Math.max(360, Math.min(window.innerHeight * 0.7, 640))),
          margin: { l: 0, r: 0, t: 0, b: 0 }, autosize: true, dragmode: "pan",
          showlegend: false, uirevision: p.g,
          hoverlabel: { bgcolor: "#ffffff", font: { color: "#0b0c0c" }, align: "left" },
          paper_bgcolor: "rgba(0,0,0,0)"
        }
      };
    }).catch(function (err) {
      return emptyFigure("The map boundaries could not be loaded: " + err.message + ". The table below has every value.");
    });
  }

  function table(p, version) {
    if (!p || !p.v) { return Promise.resolve([]); }
    return getGeo(p.g, p.fp || version).then(function () {
      var rs = rows(p);
      var better = p.hb;  // true when higher is better
      var withV = rs.filter(function (r) { return r.hasValue; });
      withV.sort(function (a, b) { return better ? b.value - a.value : a.value - b.value; });
      var out = withV.map(function (r, i) {
        return {
          rank: i + 1,
          area: p.g === "ltla" || p.g === "utla" ? "[" + r.name + "](/area/" + r.code + ")" : r.name,
          code: r.code, value: fmt(r.value, p.d), ci: r.ci,
          status: r.label || "",
          note: [r.status ? (p.ntl || "Status") + ": " + r.status : "", r.inherited || ""].filter(Boolean).join("; ")
        };
      });
      rs.filter(function (r) { return !r.hasValue; }).forEach(function (r) {
        out.push({
          rank: "", area: p.g === "ltla" || p.g === "utla" ? "[" + r.name + "](/area/" + r.code + ")" : r.name,
          code: r.code, value: "no value", ci: "", status: "No value", note: r.reason
        });
      });
      return out;
    }).catch(function () { return []; });
  }

  var RANK_MAX = 60;  // geographies with at most this many areas get the ranked chart

  /* Ranked dot-and-whisker chart for small geographies (zones, ICBs, regions and nations): the
     value with its 95% CI where published, best at the top (by polarity), a text label with the
     value and the publisher's status (e.g. NO2 compliance). Built from the same payload as the map. */
  function rankChart(p, version) {
    var hidden = { display: "none" };
    if (!p || !p.v || p.n > RANK_MAX) { return Promise.resolve([emptyFigure(""), hidden, ""]); }
    return getGeo(p.g, p.fp || version).then(function () {
      var rs = rows(p);
      var withV = rs.filter(function (r) { return r.hasValue; });
      if (!withV.length) { return [emptyFigure(""), hidden, ""]; }
      var judged = p.pol === "higher_better" || p.pol === "lower_better" || p.hb;
      var highFirst = p.hb || p.pol !== "lower_better";
      withV.sort(function (a, b) { return highFirst ? b.value - a.value : a.value - b.value; });
      var hasCi = function (r) { return r.lower !== null && r.lower !== undefined && r.upper !== null && r.upper !== undefined; };
      var lows = [], highs = [];
      withV.forEach(function (r) {
        lows.push(hasCi(r) ? Math.min(r.lower, r.value) : r.value);
        highs.push(hasCi(r) ? Math.max(r.upper, r.value) : r.value);
      });
      if (p.ref) { lows.push(p.ref.x); highs.push(p.ref.x); }
      if (p.bv !== undefined && p.bv !== null) { lows.push(p.bv); highs.push(p.bv); }
      var xmin = Math.min.apply(null, lows), xmax = Math.max.apply(null, highs);
      var span = (xmax - xmin) || Math.abs(xmax) || 1;
      var names = withV.map(function (r, i) {
        return (i + 1) + ". " + r.name.replace(/ Integrated Care Board$/, " ICB");
      });
      var colours = withV.map(function (r) { return r.cls >= 0 && p.legend[r.cls] ? p.legend[r.cls].colour : "#505a5f"; });
      var err = withV.some(hasCi) ? {
        type: "data", symmetric: false, color: "#505a5f", thickness: 1.5, width: 4,
        array: withV.map(function (r) { return hasCi(r) ? r.upper - r.value : null; }),
        arrayminus: withV.map(function (r) { return hasCi(r) ? r.value - r.lower : null; })
      } : undefined;
      var dots = {
        type: "scatter", mode: "markers", x: withV.map(function (r) { return r.value; }), y: names,
        marker: { size: 11, color: colours, line: { color: "#0b0c0c", width: 1 },
                  symbol: withV.map(function (r) { return r.status && /exceed/i.test(r.status) ? "square" : "circle"; }) },
        text: withV.map(function (r) { return hoverText(r, p); }), hovertemplate: "%{text}<extra></extra>",
        showlegend: false
      };
      if (err) { dots.error_x = err; }
      var labels = {
        type: "scatter", mode: "text", hoverinfo: "skip", showlegend: false, y: names,
        x: withV.map(function (r, i) { return highs[i]; }),
        text: withV.map(function (r) { return "  " + shortValue(r.value, p) + (r.status ? " · " + r.status : "") +
          (p.mode === "benchmark" && r.label ? " · " + r.label.replace(/ than benchmark$/, "").replace(/ to benchmark$/, "") : ""); }),
        textposition: "middle right", textfont: { size: 12, color: "#0b0c0c" }, cliponaxis: false
      };
      var shapes = [], notes = [];
      if (p.ref) {
        shapes.push({ type: "line", xref: "x", yref: "paper", x0: p.ref.x, x1: p.ref.x, y0: 0, y1: 1,
                      line: { color: "#801650", width: 2, dash: "dash" } });
        notes.push({ xref: "x", yref: "paper", x: p.ref.x, y: 1, yanchor: "bottom", showarrow: false,
                     text: esc(p.ref.label), font: { color: "#801650", size: 12 } });
      }
      if (p.bv !== undefined && p.bv !== null) {
        shapes.push({ type: "line", xref: "x", yref: "paper", x0: p.bv, x1: p.bv, y0: 0, y1: 1,
                      line: { color: "#0b0c0c", width: 1.5, dash: "dot" } });
        notes.push({ xref: "x", yref: "paper", x: p.bv, y: 1, yanchor: "bottom", showarrow: false,
                     text: "Benchmark: " + esc(p.bl || "") + " " + fmt(p.bv, p.d), font: { size: 11 } });
      }
      var order = judged ? (p.hb ? "Best (highest) at the top: higher is better for this measure"
                                 : "Best (lowest) at the top: lower is better for this measure")
                         : "Highest at the top (no judgement of better or worse for this measure)";
      var axisTitle = esc(p.t) + ", " + esc(p.p) + (p.u ? " (" + esc(p.u) + ")" : "") +
        (err ? "; dot = value, whisker = 95% CI" : "; no confidence intervals published");
      var fig = {
        data: [dots, labels],
        layout: {
          height: Math.max(220, 24 * withV.length + 110), autosize: true,
          margin: { l: 10, r: 30, t: 36, b: 56 }, plot_bgcolor: "#ffffff", paper_bgcolor: "rgba(0,0,0,0)",
          font: { family: "Arial", size: 12, color: "#0b0c0c" },
          xaxis: { range: [xmin - 0.05 * span, xmax + 0.32 * span], gridcolor: "#e5e5e5", zeroline: false,
                   title: { text: axisTitle, font: { size: 12 } }, fixedrange: true },
          yaxis: { type: "category", autorange: "reversed", automargin: true, fixedrange: true,
                   tickfont: { size: 12 } },
          shapes: shapes, annotations: notes,
          hoverlabel: { bgcolor: "#ffffff", font: { color: "#0b0c0c" }, align: "left" }
        }
      };
      var missing = rs.length - withV.length;
      var extra = "";
      if (p.ref) {
        extra += " Dashed line: " + p.ref.label + ".";
        if (withV.some(function (r) { return r.status && /exceed/i.test(r.status); })) {
          extra += " Squares mark areas exceeding it; circles the rest.";
        }
      }
      if (err) { extra += " Whiskers: 95% confidence intervals (none where not published)."; }
      var caption = order + "." + extra + (missing ? " " + missing + " area" + (missing === 1 ? " has" : "s have") +
        " no value (listed at the end of the ranked table)." : "");
      return [fig, {}, caption];
    }).catch(function () { return [emptyFigure(""), hidden, ""]; });
  }

  /* Keep the address bar in step with the view (replaceState: no page re-render). */
  function syncUrl(metric, period, geography, classes, benchmark) {
    if (window.location.pathname.replace(/\/$/, "") !== "/map") { return window.dash_clientside.no_update; }
    var q = new URLSearchParams();
    if (metric) { q.set("metric", metric); }
    if (period) { q.set("period", period); }
    if (geography) { q.set("geography", geography); }
    if (classes) { q.set("classes", classes); }
    if (classes === "benchmark" && benchmark) { q.set("benchmark", benchmark); }
    var url = "/map?" + q.toString();
    if (window.location.pathname + window.location.search !== url) {
      window.history.replaceState(window.history.state, "", url);
    }
    return window.location.origin + url;
  }

  /* Clicking a local authority opens its profile; other areas show a details panel. */
  function click(clickData, p) {
    if (!clickData || !clickData.points || !clickData.points.length || !p) { return window.dash_clientside.no_update; }
    var code = clickData.points[0].customdata || clickData.points[0].location;
    if (!code) { return window.dash_clientside.no_update; }
    if (p.g === "ltla") {
      window.history.pushState({}, "", "/area/" + code);
      window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
      window.scrollTo(0, 0);
      return window.dash_clientside.no_update;
    }
    return code;
  }

  /* Mission overview: keep ?gap=&period=&metric= in step with its controls. */
  function overviewSyncUrl(gap, period, metric) {
    if (window.location.pathname !== "/") { return window.dash_clientside.no_update; }
    var q = new URLSearchParams();
    if (gap) { q.set("gap", gap); }
    if (period) { q.set("period", period); }
    if (metric) { q.set("metric", metric); }
    var url = "/?" + q.toString();
    if (window.location.pathname + window.location.search !== url) {
      window.history.replaceState(window.history.state, "", url);
    }
    return url;
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    map: { prefetch: prefetch, render: render, table: table, rankChart: rankChart, syncUrl: syncUrl, click: click },
    overview: { syncUrl: overviewSyncUrl }
  });
})();
