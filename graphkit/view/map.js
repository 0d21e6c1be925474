/* graphkit map: one page shell (search, legend, filters, details, the view state in the URL hash)
   over one of two drawings: sigma.js (WebGL, the whole library) or vis-network (focused pages).
   Every string from the library is written with textContent or drawn as a canvas label, never
   parsed as HTML. */
(async function () {
  "use strict";

  function readJSON(id) { return JSON.parse(document.getElementById(id).textContent); }
  // The patterns and relations come as JSON compressed with zlib, in base64
  // (graphkit.view.page.data_block). Once read, the block's text is let go.
  async function readDataBlock(id) {
    var block = document.getElementById(id), text = atob(block.textContent), bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    block.textContent = "";
    var json = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Response(json).json();
  }
  function el(tag, props, text) {
    var e = document.createElement(tag);
    if (props) { for (var k in props) { if (Object.prototype.hasOwnProperty.call(props, k)) e.setAttribute(k, props[k]); } }
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  var $ = function (id) { return document.getElementById(id); };

  // The data comes packed as columns (graphkit.view.page.pack_nodes and pack_edges): one list
  // per field. A null label is the slug's words, capitalised; url 1 is made from the url
  // template; a facet's values are indexes into its list of values. An edge's source is the step
  // from the one before, and so is its target when the source is the same; "i" marks inferred
  // edges, and "c" and "w" mark which edges have a confidence or weight, listed in turn.
  // The relations stay columns in the page too (typed arrays; see EDGES).
  function slugWords(slug) {
    return slug.split("-").map(function (w) { return w.charAt(0).toUpperCase() + w.slice(1); }).join(" ");
  }
  function unpackNodes(p) {
    var template = p.url_template, facets = Object.keys(p.fv), external = new Set(p.ext || []);
    return p.id.map(function (slug, i) {
      var fv = {};
      facets.forEach(function (facet) {
        var of = p.fv[facet].of[i], values = p.fv[facet].values;
        if (of !== null) fv[facet] = (Array.isArray(of) ? of : [of]).map(function (k) { return values[k]; });
      });
      var url = p.url[i];
      var n = { id: slug, label: p.label[i] !== null ? p.label[i] : slugWords(slug), x: p.x[i], y: p.y[i], size: p.size[i],
                c: p.c[i], deg: p.deg[i], pid: p.pid[i], aliases: p.aliases[String(i)] || [], summary: p.summary[i],
                domains: fv.domain || [], url: url === 1 ? template[0] + slug + template[1] : url, fv: fv };
      if (p.level && p.level[i] !== null) n.level = p.level[i];
      if (p.rank && p.rank[i] !== null) n.rank = p.rank[i];
      if (external.has(i)) n.ext = 1;  // a target outside the library, no pattern
      return n;
    });
  }
  function unpackEdges(p) {
    var ONE = 49;  // "1"
    var n = p.t.length, source = 0, target = 0, c = 0, w = 0;
    var E = { length: n, f: new Int32Array(n), t: new Int32Array(n), r: new Uint16Array(n), inf: new Uint8Array(n),
              conf: new Float64Array(n), w: new Float64Array(n) };
    for (var k = 0; k < n; k++) {
      source += p.f[k];
      target = k > 0 && p.f[k] === 0 ? target + p.t[k] : p.t[k];
      E.f[k] = source;
      E.t[k] = target;
      E.r[k] = p.r[k];
      E.inf[k] = p.i.charCodeAt(k) === ONE ? 1 : 0;
      E.conf[k] = p.c.has.charCodeAt(k) === ONE ? p.c.v[c++] : NaN;
      E.w[k] = p.w.has.charCodeAt(k) === ONE ? p.w.v[w++] : NaN;
    }
    return E;
  }
  if (typeof DecompressionStream === "undefined") {
    message("This browser cannot open the map: it needs a version from 2023 or later.");
    return;
  }
  var blocks = await Promise.all([readDataBlock("gk-nodes"), readDataBlock("gk-edges")]);
  var NODES = unpackNodes(blocks[0]);
  // EDGES: one entry a relation, in the page's order: f and t (the indexes of its patterns), r
  // (its relation's index in RELS), inf (1 when machine-inferred), conf and w (NaN when it has
  // none). Typed arrays: a big library has hundreds of thousands of relations.
  var EDGES = unpackEdges(blocks[1]);
  blocks = null;  // the packed columns are not needed again
  var OPTIONS = readJSON("gk-options");
  var META = readJSON("gk-meta");
  var RELS = META.relations;
  var LEGENDS = META.legends;
  var SIGMA = META.renderer === "sigma";
  // Half the relations of a big library are machine-inferred: the WebGL overview starts without them.
  var DEFAULT_INF = !SIGMA;
  // A neighbourhood lights at most this many patterns (the strongest first) and names this many.
  var HIGHLIGHT_LIMIT = 150;
  var LABEL_LIMIT = 40;
  var FADED_COLOR = "#e4e7eb";

  var byId = new Map();
  NODES.forEach(function (n, i) { n.index = i; byId.set(n.id, n); });
  var relByName = new Map();
  RELS.forEach(function (r, i) { relByName.set(r.name, i); });

  // --- state and what it shows -------------------------------------------------
  // p: chosen slug; d: depth; off: hidden relations; inf: inferred shown; color: colour facet;
  // q: the other end of a path from p;
  // f: facet -> the one value shown; cam: [x, y, ratio] of the WebGL camera; all: a focused
  // page shows all its patterns, not only the META.limit strongest.
  function blankState() {
    return { p: null, q: null, d: 1, off: new Set(), inf: DEFAULT_INF, color: META.facet, f: {}, cam: null, all: false };
  }
  var state = blankState();

  function nodeShown(n) {
    if (META.limit && !state.all && n.rank >= META.limit) return false;
    for (var facet in state.f) {
      if ((n.fv[facet] || []).indexOf(state.f[facet]) < 0) return false;
    }
    return true;
  }
  function edgeShown(k) {
    return !state.off.has(RELS[EDGES.r[k]].name) && (state.inf || !EDGES.inf[k]) &&
      nodeShown(NODES[EDGES.f[k]]) && nodeShown(NODES[EDGES.t[k]]);
  }
  // One relation as a record, for the few that the panel, a path or a focused page handles.
  function edgeRecord(k) {
    var e = { id: k, f: EDGES.f[k], t: EDGES.t[k], from: NODES[EDGES.f[k]].id, to: NODES[EDGES.t[k]].id,
              r: EDGES.r[k], inf: EDGES.inf[k] === 1 };
    if (!isNaN(EDGES.conf[k])) e.conf = EDGES.conf[k];
    if (!isNaN(EDGES.w[k])) e.w = EDGES.w[k];
    return e;
  }
  function countShownEdges() {
    var count = 0;
    for (var k = 0; k < EDGES.length; k++) { if (edgeShown(k)) count++; }
    return count;
  }
  // The legend item (and colour) of a pattern for a colour facet: its first value's.
  function legendOf(facet) { return LEGENDS[facet] || META.legend; }
  function legendIndex(facet) {
    var index = new Map();
    var other = -1, none = -1, ext = -1;
    legendOf(facet).forEach(function (item, i) {
      if (item.value !== null) index.set(item.value, i);
      else if (item.label === "none") none = i;
      else if (item.label === "external") ext = i;
      else other = i;
    });
    return function (n) {
      if (n.ext) return ext;
      var values = n.fv[facet] || [];
      if (!values.length) return none;
      return index.has(values[0]) ? index.get(values[0]) : other;
    };
  }
  function colorFn(facet) {
    var index = legendIndex(facet), legend = legendOf(facet);
    return function (n) { var i = index(n); return i < 0 ? FADED_COLOR : legend[i].color; };
  }
  function colorOf(n, facet) { return colorFn(facet)(n); }
  function rgba(hex, alpha) {
    var v = parseInt(hex.slice(1), 16);
    return "rgba(" + (v >> 16 & 255) + "," + (v >> 8 & 255) + "," + (v & 255) + "," + alpha + ")";
  }

  function encodeState(s) {
    var parts = [];
    if (s.p !== null) parts.push("p=" + encodeURIComponent(s.p));
    if (s.p !== null && s.q !== null) parts.push("q=" + encodeURIComponent(s.q));
    if (s.p !== null || s.d !== 1) parts.push("d=" + s.d);
    if (s.off.size) parts.push("off=" + Array.from(s.off).sort().map(encodeURIComponent).join(","));
    if (s.inf !== DEFAULT_INF) parts.push("inf=" + (s.inf ? "1" : "0"));
    if (s.color !== META.facet) parts.push("color=" + encodeURIComponent(s.color));
    Object.keys(s.f).sort().forEach(function (facet) {
      parts.push("f." + encodeURIComponent(facet) + "=" + encodeURIComponent(s.f[facet]));
    });
    if (s.all) parts.push("all=1");
    if (s.cam) parts.push("cam=" + s.cam.map(function (x) { return x.toFixed(4); }).join(","));
    return parts.length ? "#" + parts.join("&") : "";
  }
  function decodeHash(hash, base) {
    var s = blankState();
    s.p = base.p; s.d = base.d;
    var given = false;
    hash.replace(/^#/, "").split("&").forEach(function (part) {
      if (!part) return;
      var eq = part.indexOf("=");
      var key = eq < 0 ? part : part.slice(0, eq);
      var raw = eq < 0 ? "" : part.slice(eq + 1);
      var value;
      try { value = decodeURIComponent(raw); key = decodeURIComponent(key); } catch (err) { return; }
      given = true;
      if (key === "p") s.p = value;
      else if (key === "q") s.q = value;
      else if (key === "d") { var d = parseInt(value, 10); if (d >= 0 && d <= 3) s.d = d; }
      else if (key === "off") raw.split(",").forEach(function (x) {
        try { var name = decodeURIComponent(x); if (relByName.has(name)) s.off.add(name); } catch (err) { /* ignore */ }
      });
      else if (key === "inf") s.inf = value !== "0";
      else if (key === "all") s.all = value === "1";
      else if (key === "color") { if (SIGMA && LEGENDS[value]) s.color = value; }
      else if (key.slice(0, 2) === "f." && META.filters.indexOf(key.slice(2)) >= 0) s.f[key.slice(2)] = value;
      else if (key === "cam") {
        var cam = value.split(",").map(Number);
        if (cam.length === 3 && cam.every(isFinite) && cam[2] > 0) s.cam = cam;
      }
    });
    if (given && !/(^#|&)p=/.test(hash)) s.p = null;
    return s;
  }

  // --- neighbourhoods, bounded -------------------------------------------------
  // The strength of a link: curated above inferred; curated by weight, inferred by confidence.
  function strength(k) {
    var conf = EDGES.conf[k], w = EDGES.w[k];
    if (EDGES.inf[k]) return isNaN(conf) ? 0.5 : Math.min(Math.max(conf, 0), 1);
    return 2 + (w > 0 ? w : 0);
  }
  // The shown relations of each pattern, either way: those of pattern i are
  // adjacency.edges[adjacency.start[i] .. adjacency.start[i + 1]). Rebuilt when the filters change.
  var adjacency = null;
  function buildAdjacency() {
    var start = new Int32Array(NODES.length + 1), shown = [];
    for (var k = 0; k < EDGES.length; k++) {
      if (!edgeShown(k)) continue;
      shown.push(k);
      start[EDGES.f[k] + 1]++;
      if (EDGES.t[k] !== EDGES.f[k]) start[EDGES.t[k] + 1]++;
    }
    for (var i = 0; i < NODES.length; i++) start[i + 1] += start[i];
    var edges = new Int32Array(start[NODES.length]), next = start.slice(0, NODES.length);
    shown.forEach(function (k) {
      edges[next[EDGES.f[k]]++] = k;
      if (EDGES.t[k] !== EDGES.f[k]) edges[next[EDGES.t[k]]++] = k;
    });
    return { start: start, edges: edges };
  }
  // visit(other slug, edge index) for each shown relation of a pattern, in the page's order
  function eachLink(slug, visit) {
    if (adjacency === null) adjacency = buildAdjacency();
    var i = byId.get(slug).index;
    for (var at = adjacency.start[i]; at < adjacency.start[i + 1]; at++) {
      var k = adjacency.edges[at];
      visit(NODES[EDGES.f[k] === i ? EDGES.t[k] : EDGES.f[k]].id, k);
    }
  }
  // Patterns within `depth` steps, nearest and strongest first: {order: [slug...], total}.
  // A hub reaches half a dense library in two steps; the map lights the first
  // HIGHLIGHT_LIMIT and says how many there are.
  function neighbourhood(start, depth) {
    var info = new Map([[start, { depth: 0, strength: Infinity }]]);
    var frontier = [start];
    for (var step = 1; step <= depth; step++) {
      var next = [];
      frontier.forEach(function (n) {
        eachLink(n, function (other, k) {
          var s = strength(k);
          var seen = info.get(other);
          if (!seen) { info.set(other, { depth: step, strength: s }); next.push(other); }
          else if (seen.depth === step && s > seen.strength) seen.strength = s;
        });
      });
      frontier = next;
    }
    var order = Array.from(info.keys());
    order.sort(function (a, b) {
      var x = info.get(a), y = info.get(b);
      return x.depth - y.depth || y.strength - x.strength || byId.get(b).deg - byId.get(a).deg ||
        (a < b ? -1 : a > b ? 1 : 0);
    });
    return { order: order, total: order.length };
  }

  // The shortest paths between two patterns over the relations shown (steps either way), as
  // `graphkit path` finds them: lists of slugs in sorted order, at most PATH_LIMIT of them.
  var PATH_LIMIT = 5;
  function shortestPaths(from, to) {
    var parents = new Map([[from, []]]);
    var frontier = [from];
    while (frontier.length && !parents.has(to)) {
      var next = [], level = new Map();
      frontier.forEach(function (n) {
        eachLink(n, function (other) {
          if (parents.has(other)) return;
          if (!level.has(other)) { level.set(other, []); next.push(other); }
          if (level.get(other).indexOf(n) < 0) level.get(other).push(n);
        });
      });
      level.forEach(function (list, n) { parents.set(n, list); });
      frontier = next;
    }
    if (!parents.has(to)) return [];
    var paths = [], cap = PATH_LIMIT * 20;
    (function walk(n, tail) {
      if (paths.length >= cap) return;
      if (n === from) { paths.push([from].concat(tail)); return; }
      parents.get(n).forEach(function (m) { walk(m, [n].concat(tail)); });
    })(to, []);
    paths.sort(function (a, b) {
      for (var i = 0; i < a.length; i++) { if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1; }
      return 0;
    });
    return paths.slice(0, PATH_LIMIT);
  }
  // The shown edges between two patterns, those from u to v first (`graphkit path` names those).
  function between(u, v) {
    var forward = [], backward = [];
    eachLink(u, function (other, k) {
      if (other !== v) return;
      var e = edgeRecord(k);
      (e.from === u ? forward : backward).push(e);
    });
    return { forward: forward, backward: backward };
  }
  // A path as `graphkit path` prints it: a --enables-> b <-requires-- c
  function pathText(path) {
    var parts = [path[0]];
    for (var i = 1; i < path.length; i++) {
      var e = between(path[i - 1], path[i]);
      var names = Array.from(new Set((e.forward.length ? e.forward : e.backward).map(function (x) {
        return RELS[x.r].name;
      }))).sort().join("|");
      parts.push(e.forward.length ? "--" + names + "->" : "<-" + names + "--", path[i]);
    }
    return parts.join(" ");
  }

  // A pattern's tooltip: its title, slug, domains and number of relations, one per line.
  function tooltip(n) {
    var lines = [n.label];
    if (n.label !== n.id) lines.push(n.id);
    var facts = [];
    if (n.ext) facts.push("outside the library");
    if (n.domains.length) facts.push(n.domains.join(", "));
    facts.push(n.deg + (n.deg === 1 ? " relation" : " relations"));
    lines.push(facts.join(" · "));
    return lines.join("\n");  // vis-network shows string titles with innerText; sigma's tip is textContent
  }

  // --- drawing: vis-network ----------------------------------------------------
  function visView(container, onFirstDraw) {
    var LEGEND = META.legend;
    var FADED_NODE = { background: "#eceef1", border: "#dde1e6", highlight: { background: "#eceef1", border: "#dde1e6" },
                       hover: { background: "#eceef1", border: "#dde1e6" } };
    var FADED_EDGE = { color: "#e6e9ed", highlight: "#e6e9ed", hover: "#e6e9ed", inherit: false, opacity: 1 };
    // vis-network parses every option of every item, and that dominates the first draw of a big
    // map: nodes take their colour from a group, and edges carry only what differs from the
    // style of the most common relation, which becomes the default.
    OPTIONS.groups = { faded: { color: FADED_NODE, font: { color: "#b8bec6" } } };
    LEGEND.forEach(function (item, i) {
      OPTIONS.groups["c" + i] = { color: { background: item.color, border: "#ffffff",
        highlight: { background: item.color, border: "#1f2328" }, hover: { background: item.color, border: "#1f2328" } } };
    });
    var BASE = 0;
    RELS.forEach(function (r, i) { if (r.count + r.inferred_count > RELS[BASE].count + RELS[BASE].inferred_count) BASE = i; });
    OPTIONS.edges.color = { color: RELS[BASE].color, highlight: RELS[BASE].color, hover: RELS[BASE].color, inherit: false };
    OPTIONS.edges.dashes = RELS[BASE].dashes || false;
    OPTIONS.edges.arrows.to.enabled = RELS[BASE].directed;
    function edgeStyle(e) {
      var r = RELS[e.r];
      var item = { id: e.id, from: e.from, to: e.to };
      if (e.r !== BASE) {
        item.color = { color: r.color, highlight: r.color, hover: r.color, inherit: false };
        if (r.dashes || RELS[BASE].dashes) item.dashes = r.dashes || false;
        if (r.directed !== RELS[BASE].directed) item.arrows = { to: { enabled: r.directed } };
      }
      if (e.inf) {
        item.dashes = META.inferred_dashes;
        item.color = { color: r.color, highlight: r.color, hover: r.color, inherit: false, opacity: 0.7 };
      }
      return item;
    }
    function edgeColor(e) {
      var c = RELS[e.r].color;
      return { color: c, highlight: c, hover: c, inherit: false, opacity: e.inf ? 0.7 : 1 };
    }
    // On a big map the first frame shows the whole library, where labels are far below the size
    // vis-network draws; they are added right after that frame, which makes it come sooner.
    var LATE_LABELS = NODES.length > 1000;
    var visNodes = new vis.DataSet(NODES.map(function (n) {
      var item = { id: n.id, size: n.size, group: "c" + n.c, title: tooltip(n) };
      if (META.hierarchy) item.level = n.level;  // vis-network lays the tree out by level
      else { item.x = n.x; item.y = n.y; }
      if (!LATE_LABELS) item.label = n.label;
      return item;
    }));
    var records = [];  // a focused page has a few hundred relations
    for (var k = 0; k < EDGES.length; k++) records.push(edgeRecord(k));
    var visEdges = new vis.DataSet(records.map(edgeStyle));
    var nodeView = new vis.DataView(visNodes, { filter: function (item) { return nodeShown(byId.get(item.id)); } });
    var edgeView = new vis.DataView(visEdges, { filter: function (item) { return edgeShown(item.id); } });

    // vis-network builds a label module for every edge, even one without a label, and works out
    // its fonts from the whole option pile each time: the costliest step of building a map of
    // 17,000 edges. Our edges have no labels and no fonts of their own, so every one of them gets
    // the same result: it is worked out once (on the first such edge) and copied. The class is
    // reached through a probe network; if vis-network's internals ever differ, nothing is patched.
    (function shareEdgeFonts() {
      try {
        var probe = new vis.Network(document.createElement("div"),
          { nodes: [{ id: 1 }, { id: 2 }], edges: [{ id: 1, from: 1, to: 2 }] }, { physics: false });
        var module = probe.body.edges[1].labelModule;
        probe.destroy();
        var Label = module && module.isEdgeLabel === true && module.constructor;
        if (!Label || typeof Label.prototype.update !== "function" || Label.prototype.update.gkShared) return;
        var update = Label.prototype.update;
        var shared = null;
        var shortcut = function (options, pile) {
          if (!this.isEdgeLabel || options.label !== undefined || !pile || !pile[0] || pile[0].font !== undefined ||
              pile[0].chosen !== undefined) {
            return update.call(this, options, pile);
          }
          if (shared === null) {
            update.call(this, options, pile);
            shared = { fontOptions: Object.assign({}, this.fontOptions), baseSize: this.baseSize };
            return undefined;
          }
          this.elementOptions = options;
          this.fontOptions = Object.assign({}, shared.fontOptions);
          this.baseSize = shared.baseSize;
          return undefined;
        };
        shortcut.gkShared = true;
        Label.prototype.update = shortcut;
      } catch (err) { /* an unexpected vis-network: keep its own code path */ }
    })();

    var network = new vis.Network(container, { nodes: nodeView, edges: edgeView }, OPTIONS);
    network.once("afterDrawing", function () {
      window.gkFirstDraw = performance.now();
      if (LATE_LABELS) {
        setTimeout(function () {
          visNodes.update(NODES.map(function (n) { return { id: n.id, label: n.label }; }));
          onFirstDraw();
        }, 0);
      } else {
        onFirstDraw();
      }
    });

    // Fading: nodes change group through the DataSet; edges, tens of thousands on a big map,
    // get their colour set on vis-network's drawn edge objects (a DataSet update re-parses every
    // option of every edge: close to a second for 17,000), then one redraw. An edge the filters
    // bring back is made afresh from the DataSet, so the filters reset the record of faded edges.
    var faded = { nodes: new Set(), edges: new Set() };
    function highlight(keep, edgesReset) {
      var nodeUpdates = [];
      var nowFaded = new Set();
      NODES.forEach(function (n) {
        var fade = keep !== null && !keep.has(n.id);
        if (fade) nowFaded.add(n.id);
        if (fade !== faded.nodes.has(n.id)) nodeUpdates.push({ id: n.id, group: fade ? "faded" : "c" + n.c });
      });
      var drawn = network.body.edges;
      var before = edgesReset ? new Set() : faded.edges;
      var edgesFaded = new Set();
      var changed = 0;
      records.forEach(function (e) {
        var fade = keep !== null && !(keep.has(e.from) && keep.has(e.to));
        if (fade) edgesFaded.add(e.id);
        var edge = drawn[e.id];
        if (edge && fade !== before.has(e.id)) {
          edge.options.color = fade ? FADED_EDGE : edgeColor(e);
          changed++;
        }
      });
      faded = { nodes: nowFaded, edges: edgesFaded };
      if (nodeUpdates.length) visNodes.update(nodeUpdates);
      if (changed) network.redraw();
    }

    var titled = new Set();  // edge tooltips are made on first hover: thousands up front slow the first draw
    network.on("hoverEdge", function (params) {
      if (titled.has(params.edge)) return;
      titled.add(params.edge);
      var e = records[params.edge], r = RELS[e.r];
      visEdges.update({ id: params.edge, title: byId.get(e.from).label + " — " + r.label + (e.inf ? " (inferred" +
        (e.conf !== undefined ? ", confidence " + e.conf : "") + ")" : "") + " → " + byId.get(e.to).label });
    });

    return {
      hooks: { network: network, nodes: visNodes, edges: visEdges, edgeView: edgeView, nodeView: nodeView },
      colors: false,
      filtersChanged: function () { nodeView.refresh(); edgeView.refresh(); },
      show: function (chosen, keep, labelled, filtersChanged) {
        highlight(keep, filtersChanged);
        if (chosen === null) {
          // unselectAll redraws at once: only when something is selected (not before the first frame)
          if (network.getSelectedNodes().length || network.getSelectedEdges().length) network.unselectAll();
        } else {
          network.selectNodes([chosen], false);
        }
      },
      fit: function (keep) {
        if (keep === null) network.fit({ animation: false, maxZoomLevel: 1 });
        else network.fit({ nodes: Array.from(keep), animation: { duration: 300, easingFunction: "easeInOutQuad" }, maxZoomLevel: 1.2 });
      },
      camera: function () { return null; },
      setCamera: function () { /* vis pages fit their focus instead */ },
      onClick: function (callback) {
        network.on("click", function (params) {
          if (params.nodes.length) callback(params.nodes[0], Boolean(params.event && params.event.srcEvent && params.event.srcEvent.shiftKey));
          else if (!params.edges.length) callback(null);
        });
      },
      onCamera: function () { /* no camera state on vis pages */ },
      canvases: function () { return Array.from(container.querySelectorAll("canvas")); },
      recolor: function () { /* vis pages keep the colour facet they were made with */ },
    };
  }

  // --- drawing: sigma.js (WebGL) -----------------------------------------------
  // The overview's links: a WebGL program this small, drawing 1-pixel lines from one buffer
  // (each vertex: x, y as floats, then its colour as 4 bytes). Drawn on sigma's edge layer.
  var LINK_VERTEX = 12;  // bytes
  function linkLayer(gl) {
    var VERTEX = "attribute vec2 a_position; attribute vec4 a_color; uniform mat3 u_matrix; varying vec4 v_color;\n" +
      "void main() { gl_Position = vec4((u_matrix * vec3(a_position, 1.0)).xy, 0.0, 1.0); v_color = a_color; }";
    var FRAGMENT = "precision mediump float; varying vec4 v_color;\n" +
      "void main() { gl_FragColor = vec4(v_color.rgb * v_color.a, v_color.a); }";  // premultiplied, as sigma blends
    function shader(type, source) {
      var s = gl.createShader(type);
      gl.shaderSource(s, source);
      gl.compileShader(s);
      if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error("graphkit links: " + gl.getShaderInfoLog(s));
      return s;
    }
    var program = gl.createProgram();
    gl.attachShader(program, shader(gl.VERTEX_SHADER, VERTEX));
    gl.attachShader(program, shader(gl.FRAGMENT_SHADER, FRAGMENT));
    gl.linkProgram(program);
    var position = gl.getAttribLocation(program, "a_position"), color = gl.getAttribLocation(program, "a_color");
    var matrix = gl.getUniformLocation(program, "u_matrix");
    var buffer = gl.createBuffer(), count = 0;
    return {
      count: function () { return count; },
      set: function (data, links) {
        gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
        gl.bufferData(gl.ARRAY_BUFFER, data, gl.STATIC_DRAW);
        count = links;
      },
      // `m`: a 3x3 matrix (by columns) from the vertices' coordinates to clip space
      draw: function (m) {
        if (!count) return;
        if (gl.bindVertexArray) gl.bindVertexArray(null);  // the context's own attribute state, not a program's
        gl.useProgram(program);
        gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
        gl.enableVertexAttribArray(position);
        gl.vertexAttribPointer(position, 2, gl.FLOAT, false, LINK_VERTEX, 0);
        gl.enableVertexAttribArray(color);
        gl.vertexAttribPointer(color, 4, gl.UNSIGNED_BYTE, true, LINK_VERTEX, 8);
        gl.uniformMatrix3fv(matrix, false, new Float32Array(m));
        gl.viewport(0, 0, gl.drawingBufferWidth, gl.drawingBufferHeight);
        gl.enable(gl.BLEND);
        gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
        gl.drawArrays(gl.LINES, 0, 2 * count);
        gl.disableVertexAttribArray(position);
        gl.disableVertexAttribArray(color);
      },
    };
  }

  function sigmaView(container, onFirstDraw) {
    var graph = new graphology.MultiDirectedGraph();
    var color = colorFn(state.color);
    // vis-network sizes are pixel radii for a 1:1 zoom; sigma draws a whole library in one screen
    var SIZE = 0.35;
    NODES.forEach(function (n) {
      // y grows downwards in the layout (as on a canvas) and upwards in sigma
      graph.addNode(n.id, { x: n.x, y: -n.y, size: n.size * SIZE, label: n.label, color: color(n) });
    });
    // Sigma's graph holds the patterns only. The map's links are drawn by linkLayer (below) from
    // one buffer on sigma's edge layer: as graph edges, each would cost sigma a record, index
    // entries and a re-index on every filter change (at 350,000 links, gigabytes and seconds).
    var view = { keep: null, labelled: new Set(), chosen: null, lit: [] };
    // With more links than this, they step aside while the map moves, and come back when it
    // rests: drawn in software (no GPU) they would make every frame of a zoom slow.
    var LINKS_WHILE_MOVING = 10000;
    // Labels sigma would draw this frame; placeLabels draws them, forced ones (the chosen
    // neighbourhood) first, then the biggest, skipping any that would cover one already drawn.
    var offered = [], named = [], regions = [];
    var LABEL_FONT = "12px system-ui, sans-serif";
    var REGION_FONT = "bold 15px system-ui, sans-serif";
    // Zoomed out, a facet value whose patterns sit together is named over its region: one
    // whose patterns lie within REGION_SPREAD (of the whole map) of their centre, and make at
    // least half the patterns there. A name over patterns scattered across the map, or mixed
    // with many others, would point at nothing.
    var REGION_RATIO = 0.5, REGION_SPREAD = 0.12, REGION_MIN = 5;
    var regionCache = null;  // the regions in graph coordinates, until the filters or colours change
    function regionLabels() {
      if (view.keep !== null || renderer.getCamera().getState().ratio < REGION_RATIO) return [];
      if (regionCache === null) regionCache = findRegions();
      return regionCache.map(function (r) {
        var at = renderer.framedGraphToViewport({ x: r.x, y: r.y });
        return { value: r.value, x: at.x, y: at.y, n: r.n };
      });
    }
    function findRegions() {
      var legend = legendOf(state.color), index = legendIndex(state.color), sums = new Map(), points = [];
      NODES.forEach(function (n) {
        if (!nodeShown(n)) return;
        var d = renderer.getNodeDisplayData(n.id);
        if (!d) return;
        var i = index(n);
        points.push([d.x, d.y, i]);
        if (i < 0 || legend[i].value === null) return;
        var g = sums.get(i) || { x: 0, y: 0, xx: 0, yy: 0, n: 0 };
        g.x += d.x; g.y += d.y; g.xx += d.x * d.x; g.yy += d.y * d.y; g.n += 1;
        sums.set(i, g);
      });
      var out = [];
      sums.forEach(function (g, i) {
        if (g.n < REGION_MIN) return;
        var mx = g.x / g.n, my = g.y / g.n;
        var spread = Math.sqrt(Math.max(0, g.xx / g.n - mx * mx + g.yy / g.n - my * my));
        if (spread > REGION_SPREAD) return;
        var near = 0, own = 0, r2 = spread * spread;
        points.forEach(function (p) {
          if ((p[0] - mx) * (p[0] - mx) + (p[1] - my) * (p[1] - my) <= r2) { near++; if (p[2] === i) own++; }
        });
        if (own * 2 < near) return;
        out.push({ value: legend[i].value, x: mx, y: my, n: g.n });
      });
      out.sort(function (a, b) { return b.n - a.n || (a.value < b.value ? -1 : 1); });
      return out;
    }
    function placeLabels() {
      var context = renderer.getCanvases().labels.getContext("2d");
      offered.sort(function (a, b) {
        return (b.forceLabel ? 1 : 0) - (a.forceLabel ? 1 : 0) || b.size - a.size || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
      });
      context.lineWidth = 3;
      context.lineJoin = "round";
      context.strokeStyle = "#ffffff";
      context.fillStyle = "#1f2328";
      var boxes = [];
      named = [];
      regions = [];
      function free(box) {
        for (var i = 0; i < boxes.length; i++) {
          var b = boxes[i];
          if (box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3]) return false;
        }
        return true;
      }
      context.font = REGION_FONT;
      regionLabels().forEach(function (r) {
        var width = context.measureText(r.value).width;
        var box = [r.x - width / 2 - 4, r.y - 11, r.x + width / 2 + 4, r.y + 11];
        if (!free(box)) return;
        boxes.push(box);
        regions.push(r.value);
        context.strokeText(r.value, r.x - width / 2, r.y + 5);
        context.fillStyle = "#57606a";
        context.fillText(r.value, r.x - width / 2, r.y + 5);
        context.fillStyle = "#1f2328";
      });
      context.font = LABEL_FONT;
      offered.forEach(function (d) {
        if (view.keep !== null && !view.keep.has(d.key)) return;  // faded: unnamed
        var left = d.x + d.size + 3, width = context.measureText(d.label).width;
        var box = [left - 2, d.y - 9, left + width + 2, d.y + 9];
        if (!free(box)) return;
        boxes.push(box);
        named.push(d.key);
        context.strokeText(d.label, left, d.y + 4);
        context.fillText(d.label, left, d.y + 4);
      });
      offered = [];
    }
    var renderer = new Sigma(graph, container, {
      // Nodes are drawn as points, without instancing: software WebGL (a machine without a
      // GPU) draws instanced programs several times slower. (Links: linkLayer, above.)
      defaultNodeType: "point",
      nodeProgramClasses: { point: Sigma.rendering.NodePointProgram },
      // highlighted nodes (the chosen neighbourhood) are drawn again above the faded map, without
      // sigma's label boxes: the label grid names them
      defaultDrawNodeHover: function () { /* no box */ },
      // sigma draws again when a move ends: the links come back (see drawLinks)
      hideEdgesOnMove: true,
      labelFont: "system-ui, sans-serif",
      labelSize: 12,
      labelColor: { color: "#1f2328" },
      // The label grid offers the biggest (most connected) names of each cell, more as the
      // reader zooms in; placeLabels draws them without letting two overlap.
      labelDensity: 1,
      labelGridCellSize: 120,
      labelRenderedSizeThreshold: 4,
      defaultDrawNodeLabel: function (context, data) { if (data.label) offered.push(data); },
      minCameraRatio: 0.005,
      maxCameraRatio: 4,
      // A choice changes only the nodes it lights (they are highlighted: sigma draws them again,
      // in full colour, on its layer above the map, which the page fades), so choosing costs
      // little even with tens of thousands of patterns.
      nodeReducer: function (node, data) {
        if (!nodeShown(byId.get(node))) { data.hidden = true; return data; }
        if (view.keep !== null && view.keep.has(node)) {
          data.highlighted = true;
          if (view.labelled.has(node)) data.forceLabel = true;
          if (node === view.chosen) data.size = data.size * 1.5;
        }
        return data;
      },
    });
    // The lit links, drawn on sigma's edge-label layer (below the nodes, above the map's links):
    // a few hundred lines with arrowheads, thicker than the map's.
    function drawLitEdges() {
      var context = renderer.getCanvases().edgeLabels.getContext("2d"), size = renderer.getDimensions();
      context.clearRect(0, 0, size.width, size.height);
      if (view.keep === null) return;
      var ratio = renderer.getCamera().getState().ratio;
      view.lit.forEach(function (e) {
        var a = renderer.getNodeDisplayData(e.from), b = renderer.getNodeDisplayData(e.to);
        if (!a || !b) return;
        var p = renderer.framedGraphToViewport(a), q = renderer.framedGraphToViewport(b);
        var r = RELS[e.r], dx = q.x - p.x, dy = q.y - p.y, length = Math.sqrt(dx * dx + dy * dy);
        if (length < 1) return;
        context.strokeStyle = context.fillStyle = e.inf ? rgba(r.color, 0.6) : r.color;
        context.lineWidth = e.inf ? 1.5 : 2.5;
        var end = r.directed ? Math.max(0, length - renderer.scaleSize(b.size, ratio) - 1) : length;
        var ux = dx / length, uy = dy / length;
        context.beginPath();
        context.moveTo(p.x, p.y);
        context.lineTo(p.x + ux * end, p.y + uy * end);
        context.stroke();
        if (r.directed) {  // an arrowhead touching the target's edge
          var tx = p.x + ux * end, ty = p.y + uy * end, head = 9, wing = 4.5;
          context.beginPath();
          context.moveTo(tx, ty);
          context.lineTo(tx - ux * head - uy * wing, ty - uy * head + ux * wing);
          context.lineTo(tx - ux * head + uy * wing, ty - uy * head - ux * wing);
          context.closePath();
          context.fill();
        }
      });
    }
    // The map's links, from one buffer: each link's two ends at their patterns' places (sigma's
    // framed coordinates, fixed once the graph is indexed), in its relation's colour.
    var camera = renderer.getCamera();
    var places = new Float32Array(NODES.length * 2);
    NODES.forEach(function (n, i) {
      var d = renderer.getNodeDisplayData(n.id);
      places[2 * i] = d.x;
      places[2 * i + 1] = d.y;
    });
    var edgeCanvas = renderer.getCanvases().edges;
    var links = linkLayer(edgeCanvas.getContext("webgl2") || edgeCanvas.getContext("webgl"));
    var RGB = RELS.map(function (r) { var v = parseInt(r.color.slice(1), 16); return [v >> 16 & 255, v >> 8 & 255, v & 255]; });
    function syncLinks() {
      var shown = countShownEdges();
      var buffer = new ArrayBuffer(shown * 2 * LINK_VERTEX), xy = new Float32Array(buffer), rgba = new Uint8Array(buffer);
      for (var k = 0, v = 0; k < EDGES.length; k++) {
        if (!edgeShown(k)) continue;
        var c = RGB[EDGES.r[k]], alpha = EDGES.inf[k] ? 128 : 255;  // inferred: half transparent
        for (var end = 0; end < 2; end++, v++) {
          var node = end ? EDGES.t[k] : EDGES.f[k], at = v * LINK_VERTEX;
          xy[at / 4] = places[2 * node];
          xy[at / 4 + 1] = places[2 * node + 1];
          rgba[at + 8] = c[0]; rgba[at + 9] = c[1]; rgba[at + 10] = c[2]; rgba[at + 11] = alpha;
        }
      }
      links.set(buffer, shown);
    }
    syncLinks();
    // Drawn after sigma's frame (which clears the layer): not while a pattern is chosen (the lit
    // links are drawn apart), nor, on a big map, while it moves (sigma draws again when it rests).
    function drawLinks() {
      if (view.keep !== null) return;
      var captor = renderer.getMouseCaptor();
      var moving = camera.isAnimated() || captor.isMoving || captor.draggedEvents || captor.currentWheelDirection;
      if (moving && links.count() > LINKS_WHILE_MOVING) return;
      // sigma's framed coordinates -> the canvas's clip space, from three points sigma places
      var size = renderer.getDimensions(), w = size.width, h = size.height;
      var o = renderer.framedGraphToViewport({ x: 0, y: 0 });
      var a = renderer.framedGraphToViewport({ x: 1, y: 0 }), b = renderer.framedGraphToViewport({ x: 0, y: 1 });
      links.draw([2 * (a.x - o.x) / w, -2 * (a.y - o.y) / h, 0,
                  2 * (b.x - o.x) / w, -2 * (b.y - o.y) / h, 0,
                  2 * o.x / w - 1, 1 - 2 * o.y / h, 1]);
    }
    renderer.on("afterRender", function () { drawLinks(); drawLitEdges(); placeLabels(); });
    var tip = $("gk-tip");
    renderer.on("enterNode", function (ev) {
      tip.textContent = tooltip(byId.get(ev.node));
      var d = renderer.framedGraphToViewport(renderer.getNodeDisplayData(ev.node));
      tip.style.left = Math.min(d.x + 12, container.clientWidth - 200) + "px";
      tip.style.top = (d.y + 12) + "px";
      tip.hidden = false;
    });
    renderer.on("leaveNode", function () { tip.hidden = true; });
    drawLinks();  // the constructor's own frame (drawn before these handlers were there)
    placeLabels();
    requestAnimationFrame(function () {  // the constructor drew; this is the frame that shows it
      window.gkFirstDraw = performance.now();
      onFirstDraw();
    });
    // The shown links between lit patterns (or, on a path, the path's own links).
    function litEdges(keep, only) {
      var out = [], seen = new Set();
      keep.forEach(function (slug) {
        eachLink(slug, function (other, k) {
          if (!keep.has(other) || seen.has(k) || (only !== null && !only.has(k))) return;
          seen.add(k);
          out.push(edgeRecord(k));
        });
      });
      return out.sort(function (a, b) { return a.id - b.id; });
    }
    // The part of the map (in its pixels) that the details panel leaves in sight.
    function freeArea(size) {
      var panel = $("gk-details"), free = { x: 0, y: 0, width: size.width, height: size.height };
      if (panel.hidden) return free;
      var p = panel.getBoundingClientRect(), m = container.getBoundingClientRect();
      if (p.top - m.top > 40 && p.top < m.bottom - 1) free.height = p.top - m.top;  // a bottom sheet
      else if (p.left - m.left > 40 && p.left < m.right - 1) free.width = p.left - m.left;  // a side panel
      return free;
    }
    var facetFilters = JSON.stringify(state.f);
    return {
      hooks: { sigma: renderer, graph: graph, view: view, links: links.count, named: function () { return named.slice(); },
               litEdges: function () { return view.lit.map(function (e) { return [e.from, e.to, RELS[e.r].name]; }); },
               regions: function () { return regions.slice(); } },
      colors: true,
      filtersChanged: function () { /* show() follows, and brings the graph's edges in line */ },
      show: function (chosen, keep, labelled, filtersChanged, edges) {
        var before = view.keep;
        view.chosen = chosen; view.keep = keep; view.labelled = labelled;
        view.lit = keep === null ? [] : litEdges(keep, edges || null);
        container.classList.toggle("gk-chosen", keep !== null);  // the map fades under the lit patterns
        if (filtersChanged) { regionCache = null; syncLinks(); }
        var shownKey = JSON.stringify(state.f);
        if (shownKey !== facetFilters) { facetFilters = shownKey; renderer.refresh(); return; }  // patterns shown or hidden
        // only the patterns lit before or now change: sigma updates them in place
        var changed = new Set(before || []);
        (keep || []).forEach(function (slug) { changed.add(slug); });
        renderer.refresh({ partialGraph: { nodes: Array.from(changed) }, skipIndexation: true });
      },
      fit: function (keep) {
        if (keep === null) {
          var c = camera.getState();
          if (c.x !== 0.5 || c.y !== 0.5 || c.ratio !== 1) camera.animate({ x: 0.5, y: 0.5, ratio: 1, angle: 0 }, { duration: 300 });
          return;
        }
        var xs = [], ys = [];
        keep.forEach(function (slug) {
          var d = renderer.getNodeDisplayData(slug);
          if (d) { xs.push(d.x); ys.push(d.y); }
        });
        if (!xs.length) return;
        var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
        var y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
        var ratio = Math.min(1, Math.max(0.04, 1.3 * Math.max(x1 - x0, y1 - y0)));
        var target = { x: (x0 + x1) / 2, y: (y0 + y1) / 2, ratio: ratio, angle: 0 };
        // The panel floats over the map (on the right, or at the bottom on a phone): frame the
        // part of the map it leaves free.
        var size = renderer.getDimensions(), free = freeArea(size);
        if (free.width < size.width - 1 || free.height < size.height - 1) {
          // sigma fits the graph to the smaller side; the free part's smaller side may be shorter
          target.ratio = Math.min(1, ratio * Math.min(size.width, size.height) / Math.min(free.width, free.height));
          var centre = renderer.viewportToFramedGraph({ x: size.width / 2, y: size.height / 2 }, { cameraState: target });
          var middle = renderer.viewportToFramedGraph({ x: free.x + free.width / 2, y: free.y + free.height / 2 }, { cameraState: target });
          target.x += centre.x - middle.x;
          target.y += centre.y - middle.y;
        }
        camera.animate(target, { duration: 300 });
      },
      camera: function () { var c = camera.getState(); return [c.x, c.y, c.ratio]; },
      setCamera: function (cam) { camera.setState({ x: cam[0], y: cam[1], ratio: cam[2], angle: 0 }); },
      onClick: function (callback) {
        renderer.on("clickNode", function (ev) { callback(ev.node, Boolean(ev.event && ev.event.original && ev.event.original.shiftKey)); });
        renderer.on("clickStage", function () { callback(null); });
      },
      onCamera: function (callback) { camera.on("updated", callback); },
      canvases: function () {
        renderer.refresh({ skipIndexation: true });  // draws now: WebGL canvases are read in this task
        var all = renderer.getCanvases();
        return Object.keys(all).map(function (k) { return all[k]; });
      },
      recolor: function (facet) {
        regionCache = null;
        var color = colorFn(facet);
        graph.updateEachNodeAttributes(function (node, attr) {
          attr.color = color(byId.get(node));
          return attr;
        }, { attributes: ["color"] });
      },
    };
  }

  // --- the details panel -------------------------------------------------------
  var GROUP_OPEN = 12;  // a longer group shows its strongest 12 and folds the rest, counted
  function patternLink(slug) {
    var s = Object.assign({}, state, { p: slug, cam: null });
    var a = el("a", { href: encodeState(s) }, byId.get(slug).label);
    a.setAttribute("data-slug", slug);
    return a;
  }
  // The relations of a pattern that the filters show, grouped by relation as seen from it:
  // curated groups before inferred ones, each group strongest first.
  function relationGroups(slug) {
    var groups = new Map();
    eachLink(slug, function (other, k) {
      var e = edgeRecord(k), r = RELS[e.r];
      var out = e.from === slug;
      var heading;
      if (!r.directed || out) heading = r.label;
      else if (r.inverse_label) heading = r.inverse_label;
      else heading = "← " + r.label;
      if (e.inf) heading += " (inferred)";
      if (!groups.has(heading)) groups.set(heading, { heading: heading, r: e.r, inf: e.inf, best: new Map() });
      var best = groups.get(heading).best;
      if (!best.has(other) || strength(k) > best.get(other)) best.set(other, strength(k));
    });
    var list = Array.from(groups.values());
    list.sort(function (a, b) { return (a.inf ? 1 : 0) - (b.inf ? 1 : 0) || a.r - b.r || (a.heading < b.heading ? -1 : 1); });
    list.forEach(function (g) {
      g.slugs = Array.from(g.best.keys()).sort(function (a, b) {
        return g.best.get(b) - g.best.get(a) || byId.get(b).deg - byId.get(a).deg ||
          byId.get(a).label.localeCompare(byId.get(b).label);
      });
    });
    return list;
  }
  function showDetails(slug, hood) {
    var n = byId.get(slug);
    $("gk-d-path").hidden = true;
    $("gk-d-title").textContent = n.label;
    var meta = [n.id];
    if (n.pid) meta.push(n.pid);
    if (n.domains.length) meta.push((n.domains.length > 1 ? "domains: " : "domain: ") + n.domains.join(", "));
    if (n.aliases.length) meta.push("also: " + n.aliases.join("; "));
    $("gk-d-meta").textContent = meta.join(" · ");
    var limit = $("gk-d-limit");
    limit.hidden = hood.total <= HIGHLIGHT_LIMIT;
    limit.textContent = limit.hidden ? "" : "The map lights the " + HIGHLIGHT_LIMIT + " nearest and strongest of the " +
      (hood.total - 1) + " patterns within " + state.d + (state.d === 1 ? " step." : " steps.");
    $("gk-d-summary").textContent = n.summary || "";
    var url = $("gk-d-url");
    url.textContent = "";
    if (n.url && /^https?:\/\//i.test(n.url)) {
      var a = el("a", { rel: "noopener noreferrer", target: "_blank" }, "Open the pattern's page");
      a.href = n.url;
      url.appendChild(a);
    } else if (n.url) {
      url.textContent = "page: " + n.url;
    }
    if (META.ask) {  // a map of a site: its SPARQL page answers questions about the pattern
      if (url.firstChild) url.appendChild(document.createTextNode(" · "));
      var ask = el("a", { id: "gk-d-ask" }, "Ask about this pattern (SPARQL)");
      ask.href = META.ask + encodeURIComponent(n.id);
      url.appendChild(ask);
    }
    var box = $("gk-d-relations");
    box.textContent = "";
    var groups = relationGroups(slug);
    if (!groups.length) box.appendChild(el("p", { "class": "gk-note" }, "No relations shown."));
    groups.forEach(function (g) {
      var section = el("section", { "class": "gk-group" });
      section.setAttribute("data-relation", RELS[g.r].name);
      section.appendChild(el("h3", null, g.heading + " (" + g.slugs.length + ")"));
      function items(slugs) {
        var ul = el("ul");
        slugs.forEach(function (other) { var li = el("li"); li.appendChild(patternLink(other)); ul.appendChild(li); });
        return ul;
      }
      section.appendChild(items(g.slugs.slice(0, GROUP_OPEN)));
      if (g.slugs.length > GROUP_OPEN) {  // the strongest stay in sight, the rest one press away
        var more = el("details", { "class": "gk-more" });
        more.appendChild(el("summary", null, (g.slugs.length - GROUP_OPEN) + " more"));
        var rest = g.slugs.slice(GROUP_OPEN);
        // a hub folds thousands: their links are made when the reader opens the fold
        more.addEventListener("toggle", function fill() {
          more.removeEventListener("toggle", fill);
          more.appendChild(items(rest));
        });
        section.appendChild(more);
      }
      box.appendChild(section);
    });
    $("gk-details").hidden = false;
  }

  // --- applying a state --------------------------------------------------------
  function message(text) {
    var m = $("gk-message");
    m.textContent = text || "";
    m.hidden = !text;
  }
  function sameFilters(a, b) {
    var fa = JSON.stringify(Object.keys(a.f).sort().map(function (k) { return [k, a.f[k]]; }));
    var fb = JSON.stringify(Object.keys(b.f).sort().map(function (k) { return [k, b.f[k]]; }));
    return a.inf === b.inf && a.all === b.all && a.off.size === b.off.size && fa === fb &&
      Array.from(a.off).every(function (x) { return b.off.has(x); });
  }
  var view = null;
  var current = { keep: null, labelled: new Set() };
  function render(s, fit) {
    var filtersChanged = !sameFilters(s, state);
    var colorChanged = s.color !== state.color;
    if (s.p !== null && !byId.has(s.p)) { message("No pattern is called “" + s.p + "”."); s.p = null; }
    else message("");
    state = s;
    if (filtersChanged) { adjacency = null; view.filtersChanged(); }
    if (colorChanged) { view.recolor(state.color); drawLegend(); }
    syncControls();
    if (META.limit) {
      $("gk-all").hidden = false;
      $("gk-all").textContent = state.all ? "Strongest " + META.limit : "Show all " + NODES.length;
      $("gk-all").setAttribute("aria-pressed", state.all ? "true" : "false");
    }
    var shownEdges = countShownEdges(), shownNodes = 0;
    NODES.forEach(function (n) { if (nodeShown(n)) shownNodes++; });
    $("gk-edge-count").textContent = String(shownEdges);
    $("gk-node-count").textContent = String(shownNodes);
    if (state.p === null) {
      current = { keep: null, labelled: new Set() };
      view.show(null, null, current.labelled, filtersChanged);
      $("gk-details").hidden = true;
      if (state.cam) view.setCamera(state.cam);
      else if (fit) view.fit(null);
      return;
    }
    if (state.q !== null && byId.has(state.q) && state.q !== state.p) {
      showPaths(state.p, state.q, fit, filtersChanged);
      return;
    }
    var hood = neighbourhood(state.p, state.d);
    var keep = new Set(hood.order.slice(0, HIGHLIGHT_LIMIT));
    var labelled = new Set(hood.order.slice(0, LABEL_LIMIT + 1));
    current = { keep: keep, labelled: labelled, total: hood.total };
    view.show(state.p, keep, labelled, filtersChanged);
    showDetails(state.p, hood);
    if (state.cam) view.setCamera(state.cam);
    else if (fit) view.fit(keep);
  }
  function showPaths(from, to, fit, filtersChanged) {
    var paths = shortestPaths(from, to);
    var keep = new Set([from, to]), edges = new Set();
    paths.forEach(function (path) {
      path.forEach(function (slug, i) {
        keep.add(slug);
        if (i) { var e = between(path[i - 1], slug); e.forward.concat(e.backward).forEach(function (x) { edges.add(x.id); }); }
      });
    });
    current = { keep: keep, labelled: keep, total: keep.size, paths: paths.map(pathText) };
    view.show(from, keep, keep, filtersChanged, edges);
    showDetails(from, { total: 0 });
    var box = $("gk-d-path");
    box.textContent = "";
    box.appendChild(el("h3", null, paths.length ? "shortest path" + (paths.length > 1 ? "s" : "") + " to " +
      byId.get(to).label + " (" + (paths.length ? paths[0].length - 1 : 0) + (paths.length && paths[0].length === 2 ? " step)" : " steps)")
      : "no path to " + byId.get(to).label + " over the relations shown"));
    var ol = el("ol");
    current.paths.forEach(function (text) { ol.appendChild(el("li", null, text)); });
    box.appendChild(ol);
    box.hidden = false;
    if (state.cam) view.setCamera(state.cam);
    else if (fit) view.fit(keep);
  }
  function setState(patch, push) {
    var s = Object.assign({}, state, { off: new Set(state.off), f: Object.assign({}, state.f) });
    Object.keys(patch).forEach(function (k) { s[k] = patch[k]; });
    var moves = "p" in patch || "d" in patch || "q" in patch;
    if ("p" in patch && !("q" in patch)) s.q = null;  // a new choice starts without a path
    if (moves && !("cam" in patch)) s.cam = null;  // a new focus frames itself; the camera follows
    var hash = encodeState(s);
    var url = location.pathname + location.search + hash;
    if (push) history.pushState(null, "", url || location.pathname);
    else history.replaceState(null, "", url || location.pathname);
    render(s, moves);
  }
  window.addEventListener("hashchange", function () { render(decodeHash(location.hash, { p: null, d: state.d }), true); });

  // --- legend and filters ------------------------------------------------------
  function syncControls() {
    $("gk-depth").value = String(state.d);
    $("gk-inferred").checked = state.inf;
    document.querySelectorAll("#gk-relations input[data-relation]").forEach(function (box) {
      box.checked = !state.off.has(box.getAttribute("data-relation"));
    });
    document.querySelectorAll("#gk-filters select[data-facet]").forEach(function (select) {
      select.value = state.f[select.getAttribute("data-facet")] || "";
    });
    document.querySelectorAll("#gk-colors li[data-value]").forEach(function (li) {
      li.setAttribute("aria-pressed", state.f[state.color] === li.getAttribute("data-value") ? "true" : "false");
    });
    var colorBy = $("gk-color-by");
    if (colorBy) colorBy.value = state.color;
  }
  function drawLegend() {
    $("gk-facet-title").textContent = "colour: " + state.color;
    var ul = $("gk-colors");
    ul.textContent = "";
    var canFilter = META.filters.indexOf(state.color) >= 0;
    legendOf(state.color).forEach(function (item) {
      var li = el("li");
      var sw = el("span", { "class": "gk-swatch" });
      sw.style.background = item.color;
      li.appendChild(sw);
      li.appendChild(el("span", { "class": "gk-name" }, item.value !== null ? item.value : item.label));
      li.appendChild(el("span", { "class": "gk-count" }, item.count));
      if (item.value !== null && canFilter) {
        // a swatch shows only its value's patterns; a second press shows all again
        li.setAttribute("data-value", item.value);
        li.setAttribute("role", "button");
        li.setAttribute("tabindex", "0");
        li.title = "show only " + state.color + " “" + item.value + "”";
        var toggle = function () {
          var f = Object.assign({}, state.f);
          if (f[state.color] === item.value) delete f[state.color]; else f[state.color] = item.value;
          setState({ f: f }, false);
        };
        li.addEventListener("click", toggle);
        li.addEventListener("keydown", function (ev) { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); toggle(); } });
      }
      ul.appendChild(li);
    });
    syncControls();
  }
  function buildFilters() {
    var box = $("gk-filters");
    if (!META.filters.length) { $("gk-filter-box").hidden = true; return; }
    META.filters.forEach(function (facet) {
      var label = el("label", { "class": "gk-row gk-filter" });
      label.appendChild(el("span", { "class": "gk-name" }, facet));
      var select = el("select", { "data-facet": facet, "aria-label": "show only one " + facet });
      select.appendChild(el("option", { value: "" }, "all"));
      var values = new Map();
      NODES.forEach(function (n) { (n.fv[facet] || []).forEach(function (v) { values.set(v, (values.get(v) || 0) + 1); }); });
      Array.from(values.keys()).sort(function (a, b) { return values.get(b) - values.get(a) || (a < b ? -1 : 1); })
        .forEach(function (v) {
          var option = el("option", null, v + " (" + values.get(v) + ")");
          option.value = v;
          select.appendChild(option);
        });
      select.addEventListener("change", function () {
        var f = Object.assign({}, state.f);
        if (select.value) f[facet] = select.value; else delete f[facet];
        setState({ f: f }, false);
      });
      label.appendChild(select);
      box.appendChild(label);
    });
  }
  var SVG = "http://www.w3.org/2000/svg";
  function buildRelations() {
    var inferredTotal = 0;
    RELS.forEach(function (r) {
      inferredTotal += r.inferred_count;
      if (!r.count && !r.inferred_count) return;
      var li = el("li");
      var label = el("label", { "class": "gk-row" });
      var box = el("input", { type: "checkbox", "data-relation": r.name });
      box.checked = true;
      box.addEventListener("change", function () {
        var off = new Set(state.off);
        if (box.checked) off.delete(r.name); else off.add(r.name);
        setState({ off: off }, false);
      });
      label.appendChild(box);
      var svg = document.createElementNS(SVG, "svg");
      svg.setAttribute("width", "34"); svg.setAttribute("height", "10"); svg.setAttribute("aria-hidden", "true");
      var line = document.createElementNS(SVG, "line");
      [["x1", "1"], ["y1", "5"], ["x2", r.directed ? "27" : "33"], ["y2", "5"], ["stroke", r.color], ["stroke-width", "2"]]
        .forEach(function (kv) { line.setAttribute(kv[0], kv[1]); });
      if (r.dashes && !SIGMA) line.setAttribute("stroke-dasharray", r.dashes.join(" "));
      svg.appendChild(line);
      if (r.directed) {
        var head = document.createElementNS(SVG, "path");
        head.setAttribute("d", "M26 1 L33 5 L26 9 Z");
        head.setAttribute("fill", r.color);
        svg.appendChild(head);
      }
      label.appendChild(svg);
      label.appendChild(el("span", { "class": "gk-name" }, r.label));
      label.setAttribute("title", r.name + (r.directed ? " (directed)" : " (symmetric: holds both ways)") +
                         ": " + r.count + " curated" + (r.inferred_count ? ", " + r.inferred_count + " inferred" : ""));
      label.appendChild(el("span", { "class": "gk-count" },
        r.inferred_count ? (r.count ? r.count + " + " : "") + r.inferred_count + " inf." : r.count));
      li.appendChild(label);
      $("gk-relations").appendChild(li);
    });
    $("gk-inferred-count").textContent = String(inferredTotal);
    if (!inferredTotal) $("gk-inferred").closest("label").hidden = true;
  }
  function buildColorBy() {
    var facets = Object.keys(LEGENDS);
    if (!SIGMA || facets.length < 2) return;
    var select = el("select", { id: "gk-color-by", "aria-label": "colour by" });
    facets.forEach(function (facet) { var o = el("option", null, facet); o.value = facet; select.appendChild(o); });
    select.addEventListener("change", function () { setState({ color: select.value }, false); });
    var label = el("label", { "class": "gk-note" }, "colour by ");
    label.appendChild(select);
    $("gk-colors").parentNode.insertBefore(label, $("gk-colors"));
  }

  // --- export ------------------------------------------------------------------
  // The view as a PNG: the drawing's canvases, stacked on white, in the page's pixels.
  function exportPNG() {
    var canvases = view.canvases();
    var first = canvases[0];
    var out = document.createElement("canvas");
    out.width = first.width; out.height = first.height;
    var ctx = out.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, out.width, out.height);
    canvases.forEach(function (c) {  // as the page shows them: a faded layer stays faded
      ctx.globalAlpha = parseFloat(getComputedStyle(c).opacity);
      ctx.drawImage(c, 0, 0, out.width, out.height);
    });
    ctx.globalAlpha = 1;
    return out.toDataURL("image/png");
  }
  $("gk-export").addEventListener("click", function () {
    var a = el("a", { download: (META.title || "map").replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-|-$/g, "") + ".png" });
    a.href = exportPNG();
    document.body.appendChild(a);
    a.click();
    a.remove();
  });

  // --- search ------------------------------------------------------------------
  var INDEX = NODES.map(function (n) {
    return { id: n.id, title: n.label.toLowerCase(),
             other: [n.id].concat(n.aliases, n.pid ? [n.pid] : []).map(function (x) { return x.toLowerCase(); }) };
  });
  var MAX_RESULTS = 30;
  var input = $("gk-search");
  var list = $("gk-results");
  var results = [];
  var active = -1;
  function score(entry, q) {
    if (entry.title === q || entry.other.indexOf(q) >= 0) return 0;
    if (entry.title.startsWith(q)) return 1;
    var at = entry.title.indexOf(q);
    if (at > 0 && /[^\p{L}\p{N}]/u.test(entry.title.charAt(at - 1))) return 2;
    if (at >= 0) return 3;
    for (var i = 0; i < entry.other.length; i++) { if (entry.other[i].indexOf(q) >= 0) return 4; }
    return -1;
  }
  function search(text) {
    var q = text.trim().toLowerCase();
    if (!q) return [];
    var hits = [];
    INDEX.forEach(function (entry) { var s = score(entry, q); if (s >= 0) hits.push([s, entry]); });
    hits.sort(function (a, b) { return a[0] - b[0] || (a[1].title < b[1].title ? -1 : a[1].title > b[1].title ? 1 : 0) ||
      (a[1].id < b[1].id ? -1 : 1); });
    return hits.map(function (h) { return h[1].id; });
  }
  function hideResults() {
    list.hidden = true;
    $("gk-search-box").setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }
  function showResults() {
    list.textContent = "";
    results.slice(0, MAX_RESULTS).forEach(function (slug, i) {
      var n = byId.get(slug);
      var li = el("li", { role: "option", id: "gk-result-" + i, "aria-selected": i === active ? "true" : "false" });
      li.setAttribute("data-slug", slug);
      li.appendChild(el("span", null, n.label));
      if (n.label !== slug) li.appendChild(el("span", { "class": "gk-slug" }, slug));
      li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(slug); });
      list.appendChild(li);
    });
    if (results.length > MAX_RESULTS) list.appendChild(el("li", { "class": "gk-more" }, (results.length - MAX_RESULTS) + " more: type more letters"));
    if (input.value.trim() && !results.length) list.appendChild(el("li", { "class": "gk-more" }, "No pattern matches."));
    list.hidden = !list.firstChild;
    $("gk-search-box").setAttribute("aria-expanded", list.hidden ? "false" : "true");
    if (!list.hidden && active >= 0) input.setAttribute("aria-activedescendant", "gk-result-" + active);
    else input.removeAttribute("aria-activedescendant");
  }
  var pathMode = false;  // the next pattern chosen is the other end of a path from the chosen one
  function choose(slug) {
    hideResults();
    input.value = byId.get(slug).label;
    if (pathMode && state.p !== null) setState({ q: slug }, true);
    else setState({ p: slug }, true);
    setPathMode(false);
  }
  function setPathMode(on) {
    pathMode = on;
    $("gk-path-to").setAttribute("aria-pressed", on ? "true" : "false");
    if (on) { input.value = ""; input.placeholder = "Path to: find the other pattern"; input.focus(); }
    else input.placeholder = "Find a pattern: title, slug, alias or id";
  }
  $("gk-path-to").addEventListener("click", function () { setPathMode(!pathMode); });
  input.addEventListener("input", function () { results = search(input.value); active = results.length ? 0 : -1; showResults(); });
  input.addEventListener("keydown", function (ev) {
    var shown = Math.min(results.length, MAX_RESULTS);
    if (ev.key === "ArrowDown" && shown) { active = (active + 1) % shown; showResults(); ev.preventDefault(); }
    else if (ev.key === "ArrowUp" && shown) { active = (active - 1 + shown) % shown; showResults(); ev.preventDefault(); }
    else if (ev.key === "Enter" && shown) { choose(results[Math.max(active, 0)]); ev.preventDefault(); }
    else if (ev.key === "Escape" && !list.hidden) { hideResults(); ev.stopPropagation(); }
  });
  input.addEventListener("blur", hideResults);

  // --- start -------------------------------------------------------------------
  var container = $("gk-map");
  view = (SIGMA ? sigmaView : visView)(container, function () { document.body.setAttribute("data-drawn", "1"); });
  buildColorBy();
  buildFilters();
  buildRelations();
  drawLegend();

  $("gk-inferred").addEventListener("change", function () { setState({ inf: $("gk-inferred").checked }, false); });
  $("gk-depth").addEventListener("change", function () { setState({ d: parseInt($("gk-depth").value, 10) }, false); });
  $("gk-fit").addEventListener("click", function () { setState({ p: null }, true); });
  $("gk-all").addEventListener("click", function () { setState({ all: !state.all }, false); });
  $("gk-close").addEventListener("click", function () { setState({ p: null }, true); });
  $("gk-d-relations").addEventListener("click", function (ev) {
    var a = ev.target.closest("a[data-slug]");
    if (!a) return;
    ev.preventDefault();
    setState({ p: a.getAttribute("data-slug") }, true);
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Escape") return;
    if (document.body.classList.contains("gk-legend-open")) toggleLegend(false);
    else if (state.p !== null) setState({ p: null }, true);
  });
  function toggleLegend(open) {
    document.body.classList.toggle("gk-legend-open", open);
    $("gk-legend-toggle").setAttribute("aria-expanded", open ? "true" : "false");
  }
  $("gk-legend-toggle").addEventListener("click", function () {
    toggleLegend(!document.body.classList.contains("gk-legend-open"));
  });
  view.onClick(function (slug, shift) {
    if (slug !== null && (shift || pathMode) && state.p !== null && slug !== state.p) { setState({ q: slug }, true); setPathMode(false); }
    else if (slug !== null) setState({ p: slug }, true);
    else if (state.p !== null) setState({ p: null }, true);
  });
  // The camera goes into the address a moment after it stops, so a link shows the same view.
  var cameraTimer = null;
  view.onCamera(function () {
    clearTimeout(cameraTimer);
    cameraTimer = setTimeout(function () {
      var cam = view.camera();
      // the whole map is the page's own first view: no need to name it in the address
      var whole = Math.abs(cam[0] - 0.5) < 1e-4 && Math.abs(cam[1] - 0.5) < 1e-4 && Math.abs(cam[2] - 1) < 1e-4;
      state.cam = whole ? null : cam;
      history.replaceState(null, "", location.pathname + location.search + encodeState(state));
    }, 250);
  });

  var initial;
  if (location.hash) initial = decodeHash(location.hash, { p: null, d: META.initial.d });
  else { initial = blankState(); initial.p = META.initial.p; initial.d = META.initial.d; }
  var firstCam = initial.cam;
  render(initial, true);
  if (firstCam) view.setCamera(firstCam);
  window.graphkit = Object.assign({
    search: search,
    exportPNG: exportPNG,
    colorOf: function (slug, facet) { return colorOf(byId.get(slug), facet || state.color); },
    paths: function () { return current.paths || []; },
    highlightedSlugs: function () { return current.keep === null ? null : Array.from(current.keep).sort(); },
    labelledSlugs: function () { return Array.from(current.labelled).sort(); },
    shownEdges: countShownEdges,
    shownNodes: function () { return NODES.filter(nodeShown).map(function (n) { return n.id; }); },
    state: function () {
      var s = { p: state.p, d: state.d, off: Array.from(state.off).sort(), inf: state.inf };
      if (SIGMA) { s.color = state.color; s.f = Object.assign({}, state.f); }
      if (state.q !== null) s.q = state.q;
      return s;
    },
    select: function (slug) { setState({ p: slug }, true); },
    has: function (slug) { return byId.has(slug); },
  }, view.hooks);
})();
