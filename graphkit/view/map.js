/* graphkit map: search, focus, details, filters and the view state in the URL hash.
   Every string from the library is written with textContent, never as HTML. */
(function () {
  "use strict";

  function readJSON(id) { return JSON.parse(document.getElementById(id).textContent); }
  function el(tag, props, text) {
    var e = document.createElement(tag);
    if (props) { for (var k in props) { if (Object.prototype.hasOwnProperty.call(props, k)) e.setAttribute(k, props[k]); } }
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  var $ = function (id) { return document.getElementById(id); };

  var NODES = readJSON("gk-nodes");
  var EDGES = readJSON("gk-edges");
  var OPTIONS = readJSON("gk-options");
  var META = readJSON("gk-meta");
  var RELS = META.relations;
  var LEGEND = META.legend;
  var FADED_NODE = { background: "#eceef1", border: "#dde1e6", highlight: { background: "#eceef1", border: "#dde1e6" },
                     hover: { background: "#eceef1", border: "#dde1e6" } };
  var FADED_EDGE = { color: "#e6e9ed", highlight: "#e6e9ed", hover: "#e6e9ed", inherit: false, opacity: 1 };

  var byId = new Map();
  NODES.forEach(function (n) { byId.set(n.id, n); });
  var relByName = new Map();
  RELS.forEach(function (r, i) { relByName.set(r.name, i); });

  // --- vis data --------------------------------------------------------------
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
  function edgeTitle(e) {
    var r = RELS[e.r];
    return byId.get(e.from).label + " — " + r.label + (e.inf ? " (inferred" +
      (e.conf !== undefined ? ", confidence " + e.conf : "") + ")" : "") + " → " + byId.get(e.to).label;
  }
  function tooltip(n) {
    var lines = [n.label];
    if (n.label !== n.id) lines.push(n.id);
    var facts = [];
    if (n.domains.length) facts.push(n.domains.join(", "));
    facts.push(n.deg + (n.deg === 1 ? " relation" : " relations"));
    lines.push(facts.join(" · "));
    return lines.join("\n");  // vis-network shows string titles with innerText
  }
  var visNodes = new vis.DataSet(NODES.map(function (n) {
    return { id: n.id, label: n.label, x: n.x, y: n.y, size: n.size, group: "c" + n.c, title: tooltip(n) };
  }));
  var visEdges = new vis.DataSet(EDGES.map(edgeStyle));

  // --- state -----------------------------------------------------------------
  var state = { p: null, d: 1, off: new Set(), inf: true };
  function edgeVisible(e) { return !state.off.has(RELS[e.r].name) && (state.inf || !e.inf); }
  var edgeView = new vis.DataView(visEdges, { filter: function (item) { return edgeVisible(EDGES[item.id]); } });

  function encodeState(s) {
    var parts = [];
    if (s.p !== null) parts.push("p=" + encodeURIComponent(s.p));
    if (s.p !== null || s.d !== 1) parts.push("d=" + s.d);
    if (s.off.size) parts.push("off=" + Array.from(s.off).sort().map(encodeURIComponent).join(","));
    if (!s.inf) parts.push("inf=0");
    return parts.length ? "#" + parts.join("&") : "";
  }
  function decodeHash(hash, base) {
    var s = { p: base.p, d: base.d, off: new Set(), inf: true };
    var given = false;
    hash.replace(/^#/, "").split("&").forEach(function (part) {
      if (!part) return;
      var eq = part.indexOf("=");
      var key = eq < 0 ? part : part.slice(0, eq);
      var raw = eq < 0 ? "" : part.slice(eq + 1);
      var value;
      try { value = decodeURIComponent(raw); } catch (err) { return; }
      given = true;
      if (key === "p") s.p = value;
      else if (key === "d") { var d = parseInt(value, 10); if (d >= 0 && d <= 3) s.d = d; }
      else if (key === "off") raw.split(",").forEach(function (x) {
        try { var name = decodeURIComponent(x); if (relByName.has(name)) s.off.add(name); } catch (err) { /* ignore */ }
      });
      else if (key === "inf") s.inf = value !== "0";
    });
    if (given && !/(^#|&)p=/.test(hash)) s.p = null;
    return s;
  }

  // --- the network -----------------------------------------------------------
  var container = $("gk-map");
  var network = new vis.Network(container, { nodes: visNodes, edges: edgeView }, OPTIONS);
  network.once("afterDrawing", function () {
    window.gkFirstDraw = performance.now();
    document.body.setAttribute("data-drawn", "1");
  });

  function neighbourhood(start, depth) {
    var adj = new Map();
    EDGES.forEach(function (e) {
      if (!edgeVisible(e)) return;
      if (!adj.has(e.from)) adj.set(e.from, []);
      if (!adj.has(e.to)) adj.set(e.to, []);
      adj.get(e.from).push(e.to);
      adj.get(e.to).push(e.from);
    });
    var seen = new Set([start]);
    var frontier = [start];
    for (var k = 0; k < depth; k++) {
      var next = [];
      frontier.forEach(function (n) {
        (adj.get(n) || []).forEach(function (m) { if (!seen.has(m)) { seen.add(m); next.push(m); } });
      });
      frontier = next;
    }
    return seen;
  }

  var faded = { nodes: new Set(), edges: new Set() };
  function highlight(keep) {
    var nodeUpdates = [];
    var nowFaded = new Set();
    NODES.forEach(function (n) {
      var fade = keep !== null && !keep.has(n.id);
      if (fade) nowFaded.add(n.id);
      if (fade !== faded.nodes.has(n.id)) {
        nodeUpdates.push({ id: n.id, group: fade ? "faded" : "c" + n.c });
      }
    });
    var edgeUpdates = [];
    var edgesFaded = new Set();
    EDGES.forEach(function (e) {
      var fade = keep !== null && !(keep.has(e.from) && keep.has(e.to));
      if (fade) edgesFaded.add(e.id);
      if (fade !== faded.edges.has(e.id)) edgeUpdates.push({ id: e.id, color: fade ? FADED_EDGE : edgeColor(e) });
    });
    faded = { nodes: nowFaded, edges: edgesFaded };
    if (nodeUpdates.length) visNodes.update(nodeUpdates);
    if (edgeUpdates.length) visEdges.update(edgeUpdates);
  }

  // --- the details panel -----------------------------------------------------
  function patternLink(slug) {
    var s = { p: slug, d: state.d, off: state.off, inf: state.inf };
    var a = el("a", { href: encodeState(s) }, byId.get(slug).label);
    a.setAttribute("data-slug", slug);
    return a;
  }
  function relationGroups(slug) {
    var groups = new Map();  // heading -> {rel, neighbours: Map(slug -> true)}
    function add(heading, relIndex, inf, other) {
      if (!groups.has(heading)) groups.set(heading, { r: relIndex, inf: inf, slugs: [] });
      var g = groups.get(heading);
      if (g.slugs.indexOf(other) < 0) g.slugs.push(other);
    }
    EDGES.forEach(function (e) {
      if (e.from !== slug && e.to !== slug) return;
      var r = RELS[e.r];
      var out = e.from === slug;
      var other = out ? e.to : e.from;
      var heading;
      if (!r.directed || out) heading = r.label;
      else if (r.inverse_label) heading = r.inverse_label;
      else heading = "← " + r.label;
      if (e.inf) heading += " (inferred)";
      add(heading, e.r, e.inf, other);
    });
    return groups;
  }
  function showDetails(slug) {
    var n = byId.get(slug);
    $("gk-d-title").textContent = n.label;
    var meta = [n.id];
    if (n.pid) meta.push(n.pid);
    if (n.domains.length) meta.push((n.domains.length > 1 ? "domains: " : "domain: ") + n.domains.join(", "));
    if (n.aliases.length) meta.push("also: " + n.aliases.join("; "));
    $("gk-d-meta").textContent = meta.join(" · ");
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
    var box = $("gk-d-relations");
    box.textContent = "";
    var groups = relationGroups(slug);
    if (!groups.size) box.appendChild(el("p", { "class": "gk-note" }, "No relations."));
    groups.forEach(function (g, heading) {
      var section = el("section", { "class": "gk-group" });
      section.setAttribute("data-relation", RELS[g.r].name);
      var h = el("h3", null, heading + " (" + g.slugs.length + ")");
      section.appendChild(h);
      var ul = el("ul");
      g.slugs.sort(function (a, b) { return byId.get(a).label.localeCompare(byId.get(b).label); })
        .forEach(function (other) { var li = el("li"); li.appendChild(patternLink(other)); ul.appendChild(li); });
      section.appendChild(ul);
      box.appendChild(section);
    });
    $("gk-details").hidden = false;
  }

  // --- applying a state ------------------------------------------------------
  function message(text) {
    var m = $("gk-message");
    m.textContent = text || "";
    m.hidden = !text;
  }
  function render(s, fit) {
    var filtersChanged = s.inf !== state.inf || s.off.size !== state.off.size ||
      Array.from(s.off).some(function (x) { return !state.off.has(x); });
    if (s.p !== null && !byId.has(s.p)) { message("No pattern is called “" + s.p + "”."); s.p = null; }
    else message("");
    state = s;
    if (filtersChanged) edgeView.refresh();
    $("gk-depth").value = String(state.d);
    $("gk-inferred").checked = state.inf;
    document.querySelectorAll("#gk-relations input[data-relation]").forEach(function (box) {
      box.checked = !state.off.has(box.getAttribute("data-relation"));
    });
    var shown = edgeView.length;
    $("gk-edge-count").textContent = String(shown);
    if (state.p === null) {
      highlight(null);
      network.unselectAll();
      $("gk-details").hidden = true;
      if (fit) network.fit({ animation: false, maxZoomLevel: 1 });
      return;
    }
    var keep = neighbourhood(state.p, state.d);
    highlight(keep);
    network.selectNodes([state.p], false);
    showDetails(state.p);
    if (fit) network.fit({ nodes: Array.from(keep), animation: { duration: 300, easingFunction: "easeInOutQuad" }, maxZoomLevel: 1.5 });
  }
  function setState(patch, push) {
    var s = { p: state.p, d: state.d, off: new Set(state.off), inf: state.inf };
    Object.keys(patch).forEach(function (k) { s[k] = patch[k]; });
    var hash = encodeState(s);
    var url = location.pathname + location.search + hash;
    if (push) history.pushState(null, "", url || location.pathname);
    else history.replaceState(null, "", url || location.pathname);
    render(s, "p" in patch || "d" in patch);
  }
  window.addEventListener("hashchange", function () { render(decodeHash(location.hash, { p: null, d: state.d }), true); });

  // --- legend and filters ----------------------------------------------------
  $("gk-facet-title").textContent = "colour: " + META.facet;
  LEGEND.forEach(function (item) {
    var li = el("li");
    var sw = el("span", { "class": "gk-swatch" });
    sw.style.background = item.color;
    li.appendChild(sw);
    li.appendChild(el("span", null, item.value !== null ? item.value : item.label));
    li.appendChild(el("span", { "class": "gk-count" }, item.count));
    $("gk-colors").appendChild(li);
  });
  var SVG = "http://www.w3.org/2000/svg";
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
    if (r.dashes) line.setAttribute("stroke-dasharray", r.dashes.join(" "));
    svg.appendChild(line);
    if (r.directed) {
      var head = document.createElementNS(SVG, "path");
      head.setAttribute("d", "M26 1 L33 5 L26 9 Z");
      head.setAttribute("fill", r.color);
      svg.appendChild(head);
    }
    label.appendChild(svg);
    label.appendChild(el("span", null, r.label));
    label.setAttribute("title", r.name + (r.directed ? " (directed)" : " (symmetric: holds both ways)") +
                       ": " + r.count + " curated" + (r.inferred_count ? ", " + r.inferred_count + " inferred" : ""));
    label.appendChild(el("span", { "class": "gk-count" }, r.count + (r.inferred_count ? "+" + r.inferred_count : "")));
    li.appendChild(label);
    $("gk-relations").appendChild(li);
  });
  $("gk-inferred-count").textContent = String(inferredTotal);
  $("gk-inferred").addEventListener("change", function () { setState({ inf: $("gk-inferred").checked }, false); });
  $("gk-depth").addEventListener("change", function () { setState({ d: parseInt($("gk-depth").value, 10) }, false); });
  $("gk-fit").addEventListener("click", function () { setState({ p: null }, true); });
  $("gk-close").addEventListener("click", function () { setState({ p: null }, true); });
  $("gk-d-relations").addEventListener("click", function (ev) {
    var a = ev.target.closest("a[data-slug]");
    if (!a) return;
    ev.preventDefault();
    setState({ p: a.getAttribute("data-slug") }, true);
  });
  var titled = new Set();  // edge tooltips are made on first hover: thousands up front slow the first draw
  network.on("hoverEdge", function (params) {
    if (titled.has(params.edge)) return;
    titled.add(params.edge);
    visEdges.update({ id: params.edge, title: edgeTitle(EDGES[params.edge]) });
  });
  network.on("click", function (params) {
    if (params.nodes.length) setState({ p: params.nodes[0] }, true);
  });

  // --- search ----------------------------------------------------------------
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
  }
  function choose(slug) {
    list.hidden = true;
    input.value = byId.get(slug).label;
    setState({ p: slug }, true);
  }
  input.addEventListener("input", function () { results = search(input.value); active = results.length ? 0 : -1; showResults(); });
  input.addEventListener("keydown", function (ev) {
    var shown = Math.min(results.length, MAX_RESULTS);
    if (ev.key === "ArrowDown" && shown) { active = (active + 1) % shown; showResults(); ev.preventDefault(); }
    else if (ev.key === "ArrowUp" && shown) { active = (active - 1 + shown) % shown; showResults(); ev.preventDefault(); }
    else if (ev.key === "Enter" && shown) { choose(results[Math.max(active, 0)]); ev.preventDefault(); }
    else if (ev.key === "Escape") { list.hidden = true; }
  });
  input.addEventListener("blur", function () { list.hidden = true; });

  // --- start -----------------------------------------------------------------
  var initial = location.hash ? decodeHash(location.hash, { p: null, d: META.initial.d })
                              : { p: META.initial.p, d: META.initial.d, off: new Set(), inf: true };
  render(initial, true);
  window.graphkit = { network: network, nodes: visNodes, edges: visEdges, edgeView: edgeView, search: search,
                      state: function () { return { p: state.p, d: state.d, off: Array.from(state.off).sort(), inf: state.inf }; },
                      select: function (slug) { setState({ p: slug }, true); } };
})();
