/* Clientside callbacks for the map (/map).
 *
 * The geometry for each geography is fetched once from /geo/<geography>.geojson (cached by the
 * browser and kept here in memory); the server only sends a compact values payload. `render`
 * joins the two into a plotly choropleth (a `geo` subplot with no base map, so no network tiles):
 * a new figure when the geography changes, a restyle of the one figure when only values change.
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

  /* One row per area of a payload, built once and shared by the map, the card, the table and
     the ranked chart (they all run on the same payload after a change). */
  var rowsMemo = { key: null, rs: null, paint: null };
  function memoKey(p) { return p.k + "@" + p.fp; }

  function rows(p) {
    if (rowsMemo.key === memoKey(p)) { return rowsMemo.rs; }
    var names = nameCache[p.g] || {};
    var codes = codeCache[p.g] || [];
    if (codes.length !== p.n) { throw new Error("the boundaries do not match the values; reload the page"); }
    var rs = codes.map(function (code, i) {
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
    rowsMemo = { key: memoKey(p), rs: rs, paint: null };
    return rs;
  }

  /* Resolves after the browser has painted the next frame: work that is not the map itself
     (table, card, ranked chart) waits for it, so a change repaints the map first. */
  function afterPaint() {
    return new Promise(function (resolve) {
      window.requestAnimationFrame(function () { setTimeout(resolve, 0); });
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

  function graphDiv() { return document.querySelector("#map-graph .js-plotly-plot"); }

  /* The colours of one payload as a single trace's arrays: z is the legend entry per area (0 = no
     value, k = legend entry k - 1) on a stepped colour scale, so a change of values is a restyle
     of z, the scale, the hover text and the outlines, never a new figure. */
  function paint(p, rs) {
    if (rowsMemo.key === memoKey(p) && rowsMemo.paint) { return rowsMemo.paint; }
    var colours = [p.nd.colour].concat(p.legend.map(function (e) { return e.colour; }));
    var n = colours.length, scale = [];
    colours.forEach(function (c, j) { scale.push([j / n, c], [(j + 1) / n, c]); });
    if (n === 1) { scale = [[0, colours[0]], [1, colours[0]]]; }
    var out = {
      z: rs.map(function (r) { return r.hasValue && r.cls >= 0 ? r.cls + 1 : 0; }),
      zmin: -0.5, zmax: n - 0.5, colorscale: scale, colours: colours,
      text: rs.map(function (r) { return hoverText(r, p); }),
      line: rs.map(function (r) { return r.hasValue ? "#ffffff" : "#505a5f"; }),
      width: rs.map(function (r) { return r.hasValue ? 0.4 : 0.8; })
    };
    if (rowsMemo.key === memoKey(p)) { rowsMemo.paint = out; }
    return out;
  }

  /* Where to write an area's name: the centre of its largest ring (shoelace centroid). */
  var labelPoints = {};
  function labelPoint(f) {
    var key = f.id || (f.properties && f.properties.code);
    if (labelPoints[key]) { return labelPoints[key]; }
    var g = f.geometry || {}, polys = g.type === "Polygon" ? [g.coordinates] : (g.type === "MultiPolygon" ? g.coordinates : []);
    var best = null, bestArea = -1;
    polys.forEach(function (poly) {
      var ring = poly[0] || [], a = 0, cx = 0, cy = 0;
      for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        var cross = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
        a += cross; cx += (ring[j][0] + ring[i][0]) * cross; cy += (ring[j][1] + ring[i][1]) * cross;
      }
      if (Math.abs(a) > bestArea && a !== 0) { bestArea = Math.abs(a); best = [cx / (3 * a), cy / (3 * a)]; }
      else if (!best && ring.length) { best = ring[0]; }
    });
    labelPoints[key] = best;
    return best;
  }

  /* The selected area: a black and yellow outline (two traces) and its name written on the map,
     so it is marked by shape and words, not by colour alone. Empty traces when none. */
  function highlight(p, code) {
    var f = code ? (featureCache[p.g] || {})[code] : null;
    var pt = f ? labelPoint(f) : null;
    return {
      geojson: { type: "FeatureCollection", features: f ? [f] : [] },
      locations: f ? [code] : [], z: f ? [0] : [],
      lon: pt ? [pt[0]] : [], lat: pt ? [pt[1]] : [],
      text: pt ? [(nameCache[p.g] || {})[code] || code] : []
    };
  }

  function outlineTrace(h, colour, width) {
    return {
      type: "choropleth", featureidkey: "id", geojson: h.geojson, locations: h.locations, z: h.z,
      zmin: 0, zmax: 1, colorscale: [[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], showscale: false,
      hoverinfo: "skip", marker: { line: { color: colour, width: width } }, name: "selected area"
    };
  }

  function figure(p, fc, pt, h) {
    return {
      data: [{
        // one trace for every area: Plotly indexes the collection once, and a change of values
        // restyles this trace's arrays
        type: "choropleth", featureidkey: "id", geojson: fc, locations: codeCache[p.g].slice(),
        z: pt.z, zmin: pt.zmin, zmax: pt.zmax, colorscale: pt.colorscale, showscale: false,
        text: pt.text, hovertemplate: "%{text}<extra></extra>", name: "areas",
        marker: { line: { color: pt.line, width: pt.width } }
      }, outlineTrace(h, "#0b0c0c", 5), outlineTrace(h, "#ffdd00", 2.5), {
        type: "scattergeo", mode: "markers+text", lon: h.lon, lat: h.lat, text: h.text, hoverinfo: "skip",
        textposition: "top center", name: "selected area name",
        textfont: { size: 14, color: "#0b0c0c", weight: "bold",
                    shadow: "1px 1px 1px #fff, -1px -1px 1px #fff, 1px -1px 1px #fff, -1px 1px 1px #fff" },
        marker: { size: 9, color: "#0b0c0c", line: { color: "#ffdd00", width: 2 } }
      }],
      layout: {
        geo: {
          // fixed extents instead of fitbounds: Plotly would otherwise walk every coordinate
          // of every feature to find the bounds on each draw
          visible: false, projection: { type: "mercator" },
          lonaxis: { range: (EXTENT[p.g] || EXTENT.uk).lon }, lataxis: { range: (EXTENT[p.g] || EXTENT.uk).lat },
          bgcolor: "rgba(0,0,0,0)"
        },
        // the same height as the .map-graph box (CSS), so the drawing never spills out of its frame
        height: mapHeight(),
        margin: { l: 0, r: 0, t: 0, b: 0 }, autosize: true, dragmode: "pan",
        showlegend: false, uirevision: p.g, meta: { mapGeo: p.g, fp: p.fp },
        hoverlabel: { bgcolor: "#ffffff", font: { color: "#0b0c0c" }, align: "left" },
        paper_bgcolor: "rgba(0,0,0,0)"
      }
    };
  }

  function mapHeight() {
    var narrow = window.innerWidth <= 640;
    return Math.round(narrow ? Math.max(300, Math.min(window.innerHeight * 0.55, 520))
                             : Math.max(360, Math.min(window.innerHeight * 0.7, 640)));
  }

  /* Recolour the drawn areas in place. Plotly.restyle of z would recompute every area's polygons
     and bounds (its "calc" step, over 100 ms for the local authorities) although only colours and
     hover texts change; so the new arrays are written where Plotly keeps them (the figure, its
     full data and calc data, which hover, clicks and any later redraw read) and the fills and
     outlines set on the drawn paths. Returns false when the figure is not as expected; the
     caller then restyles through Plotly. */
  function recolour(gd, pt) {
    var full = gd._fullData && gd._fullData[0], cd = gd.calcdata && gd.calcdata[0];
    var layer = gd.querySelector(".choroplethlayer .trace.choropleth");
    if (!full || full.type !== "choropleth" || !cd || cd.length !== pt.z.length || !layer) { return false; }
    var paths = layer.querySelectorAll("path.choroplethlocation");
    if (!paths.length || !paths[0].__data__ || paths[0].__data__.index === undefined) { return false; }
    var colours = pt.colours;
    [gd.data[0], full].forEach(function (t) {
      t.z = pt.z; t.text = pt.text; t.zmin = pt.zmin; t.zmax = pt.zmax; t.colorscale = pt.colorscale;
      t.marker = t.marker || {}; t.marker.line = t.marker.line || {};
      t.marker.line.color = pt.line; t.marker.line.width = pt.width;
    });
    for (var i = 0; i < cd.length; i++) { cd[i].z = pt.z[i]; cd[i].mlc = pt.line[i]; cd[i].mlw = pt.width[i]; }
    for (var k = 0; k < paths.length; k++) {
      var d = paths[k].__data__, idx = d.index;
      paths[k].setAttribute("fill", colours[pt.z[idx]] || colours[0]);
      paths[k].style.stroke = pt.line[idx];
      paths[k].style.strokeWidth = pt.width[idx] + "px";
    }
    return true;
  }

  function render(p, code, version) {
    if (!p || !p.v) { return Promise.resolve(emptyFigure("Choose a measure to draw the map.")); }
    return getGeo(p.g, p.fp || version).then(function (fc) {
      stubTopojson();
      var gd = graphDiv();
      var meta = gd && gd.layout && gd.layout.meta;
      var h = highlight(p, code);
      if (gd && gd.data && gd.data.length === 4 && meta && meta.mapGeo === p.g && meta.fp === p.fp) {
        // same geography, same boundaries: recolour and re-mark in place
        var upd = {}, idx = [];
        if (gd.__mapKey !== p.k) {
          var pt = paint(p, rows(p));
          if (!recolour(gd, pt)) {
            upd = { z: [pt.z], zmin: [pt.zmin], zmax: [pt.zmax], colorscale: [pt.colorscale], text: [pt.text],
                    "marker.line.color": [pt.line], "marker.line.width": [pt.width] };
            idx = [0];
          }
        }
        var marked = (gd.data[1].locations || [])[0] || null;  // the area the outline is drawn round now
        if (marked !== (code || null)) {
          var pad = idx.length ? [undefined] : [];
          ["z", "zmin", "zmax", "colorscale", "text", "marker.line.color", "marker.line.width"].forEach(function (k) {
            if (upd[k]) { upd[k] = upd[k].concat([undefined, undefined, undefined]); }
          });
          upd.geojson = pad.concat([h.geojson, h.geojson, undefined]);
          upd.locations = pad.concat([h.locations, h.locations, undefined]);
          upd.z = (upd.z ? [upd.z[0]] : pad).concat([h.z, h.z, undefined]);
          upd.lon = pad.concat([undefined, undefined, h.lon]);
          upd.lat = pad.concat([undefined, undefined, h.lat]);
          upd.text = (upd.text ? [upd.text[0]] : pad).concat([undefined, undefined, h.text]);
          idx = idx.concat([1, 2, 3]);
        }
        gd.__mapKey = p.k;
        if (!idx.length) { return window.dash_clientside.no_update; }
        return Plotly.restyle(gd, upd, idx).then(function () { return window.dash_clientside.no_update; });
      }
      var fig = figure(p, fc, paint(p, rows(p)), h);
      if (gd) { gd.__mapKey = p.k; }
      return fig;
    }).catch(function (err) {
      return emptyFigure("The map boundaries could not be loaded: " + err.message + ". The table below has every value.");
    });
  }

  /* The selected area's card, from the same payload as the hover text: value, CI, class, why
     there is no value, whose value it shares, and a link to its profile. */
  function el(type, props, children) {
    var pr = Object.assign({}, props || {});
    if (children !== undefined) { pr.children = Array.isArray(children) ? children.filter(function (c) { return c !== null && c !== undefined && c !== ""; }) : children; }
    return { type: type, namespace: "dash_html_components", props: pr };
  }

  function details(code, p) {
    var hidden = { display: "none" }, shown = {};
    if (!code) { return [null, shown, hidden]; }
    if (!p || !p.v) { return [window.dash_clientside.no_update, hidden, shown]; }
    return getGeo(p.g, p.fp).then(afterPaint).then(function () {
      var r = null;
      rows(p).forEach(function (x) { if (x.code === code) { r = x; } });
      if (!r) {
        return [el("P", {}, "The selected area (" + code + ") is not one of the areas on this map. Choose its " +
          "geography to see it, or clear the selection."), hidden, shown];
      }
      var card = [
        el("H3", { className: "map-details__title" }, r.name),
        el("P", { className: "map-details__meta" }, r.code + (p.gk ? " \u00b7 " + p.gk : "")),
        r.hasValue ? el("P", {}, [el("Strong", {}, p.t + ", " + p.p + ": "), withUnit(r.value, p)])
                   : el("P", {}, [el("Strong", {}, p.t + ", " + p.p + ": "), "no value (" + r.reason + ")."]),
        r.hasValue ? el("P", {}, "95% CI: " + r.ci) : null,
        r.label ? el("P", {}, (p.mode === "benchmark" ? "Compared with " + (p.bl || "the benchmark") + ": " : "Class: ") + r.label) : null,
        r.status ? el("P", {}, (p.ntl || "Status") + ": " + r.status) : null,
        r.inherited ? el("P", { className: "hint" }, r.inherited) : null,
        el("P", { className: "map-details__link" }, {
          type: "Link", namespace: "dash_core_components",
          props: { href: "/area/" + r.code, children: "Open the profile of " + r.name }
        })
      ];
      return [el("Div", { className: "card map-details__card" }, card), hidden, shown];
    }).catch(function () { return [null, shown, shown]; });
  }

  function tableRows(p) {
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
  }

  function table(p, version) {
    if (!p || !p.v) { return Promise.resolve([]); }
    if (!document.getElementById("map-table")) { return window.dash_clientside.no_update; }  // not mounted yet
    return getGeo(p.g, p.fp || version).then(afterPaint).then(function () { return tableRows(p); })
      .catch(function () { return []; });
  }

  /* The ranked table (a DataTable, described by the page in `spec`) is put on the page once the
     map is drawn, with its rows; later changes only send it new rows (table above), so a sort or
     filter the user set stays. */
  function mountTable(p, shown, spec, version) {
    if (!shown || document.getElementById("map-table") || !spec) { return window.dash_clientside.no_update; }
    if (!p || !p.v) { return window.dash_clientside.no_update; }
    return getGeo(p.g, p.fp || version).then(afterPaint).then(function () {
      var t = JSON.parse(JSON.stringify(spec));
      t.props.data = tableRows(p);
      return t;
    }).catch(function () { return window.dash_clientside.no_update; });
  }

  var RANK_MAX = 60;  // geographies with at most this many areas get the ranked chart

  /* Ranked dot-and-whisker chart for small geographies (zones, ICBs, regions and nations): the
     value with its 95% CI where published, best at the top (by polarity), a text label with the
     value and the publisher's status (e.g. NO2 compliance). Built from the same payload as the map. */
  /* The chart is mounted only when there is something to rank (the layout holds its spec, not the
     chart): a hidden plotly chart would still be laid out on every first load of the map. Returning
     the same spec again updates the mounted chart in place (same component, new figure). */
  var rankShown = false;  // the layout starts with no chart
  function rankChart(p, spec, version) {
    var hidden = { display: "none" }, nu = window.dash_clientside.no_update;
    if (!p || !p.v || p.n > RANK_MAX) {
      // nothing to draw: leave the (hidden, empty) box alone on every change
      if (!rankShown) { return [nu, nu, nu]; }
      rankShown = false;
      return Promise.resolve([[], hidden, ""]);
    }
    rankShown = true;
    return getGeo(p.g, p.fp || version).then(afterPaint).then(function () {
      var rs = rows(p);
      var withV = rs.filter(function (r) { return r.hasValue; });
      if (!withV.length) { return [[], hidden, ""]; }
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
      var graph = JSON.parse(JSON.stringify(spec));
      graph.props.figure = fig;
      return [graph, {}, caption];
    }).catch(function () { return [[], hidden, ""]; });
  }

  /* Keep the address bar in step with the view (replaceState: no page re-render). Chromium
     spends tens of milliseconds on each replaceState, so it waits until the map is painted. */
  function syncUrl(metric, period, geography, classes, benchmark, area) {
    if (window.location.pathname.replace(/\/$/, "") !== "/map") { return window.dash_clientside.no_update; }
    var q = new URLSearchParams();
    if (metric) { q.set("metric", metric); }
    if (period) { q.set("period", period); }
    if (geography) { q.set("geography", geography); }
    if (classes) { q.set("classes", classes); }
    if (classes === "benchmark" && benchmark) { q.set("benchmark", benchmark); }
    if (area) { q.set("area", area); }
    var url = "/map?" + q.toString();
    return afterPaint().then(function () {
      if (window.location.pathname.replace(/\/$/, "") === "/map" &&
          window.location.pathname + window.location.search !== url) {
        window.history.replaceState(window.history.state, "", url);
      }
      return window.location.origin + url;
    });
  }

  /* Selecting (clicking or tapping) an area marks it and shows its card; it never navigates
     away: the card has the link to the profile. The clear button removes the selection. */
  function select(clickData, nClear) {
    var ctx = window.dash_clientside.callback_context || {};
    var fired = (ctx.triggered || []).map(function (t) { return t.prop_id; });
    if (fired.indexOf("map-clear.n_clicks") >= 0) { return null; }
    if (!clickData || !clickData.points || !clickData.points.length) { return window.dash_clientside.no_update; }
    var pt = clickData.points[0];
    var code = pt.location || (pt.curveNumber === 0 ? pt.customdata : null);
    return code || window.dash_clientside.no_update;
  }

  /* A real button: copy with the Clipboard API, or select the link for Ctrl+C where it is not
     allowed (a page served over plain http). */
  var copies = 0;
  function copy(n, url) {
    if (!n) { return window.dash_clientside.no_update; }
    copies += 1;
    var done = "Link copied" + (copies > 1 ? " again" : "") + ".";
    var input = document.getElementById("map-share-url");
    function fallback() {
      var ok = false;
      if (input) { input.focus(); input.select(); }
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      return ok ? done : "The link is selected: press Ctrl+C (Cmd+C on a Mac) to copy it.";
    }
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(url || (input && input.value) || "").then(function () { return done; }, fallback);
    }
    return fallback();
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
    map: { prefetch: prefetch, render: render, details: details, table: table, mountTable: mountTable,
           rankChart: rankChart,
           syncUrl: syncUrl, select: select, copy: copy },
    overview: { syncUrl: overviewSyncUrl }
  });
})();
