// graphkit serve: run the shipped example queries (or any query) against this page's SPARQL endpoint.
// Results are text from the library: every cell is written with textContent, never as HTML.
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("gkq-data").textContent);
  var $ = function (id) { return document.getElementById(id); };
  // a pattern of the map (window.graphkit is there once the map has read its data)
  function onMap(slug) { return Boolean(window.graphkit && window.graphkit.has(slug)); }
  var NUMERIC = /#(integer|decimal|double|float|int|long|short|byte|nonNegativeInteger|positiveInteger)$/;
  var byName = new Map(DATA.queries.map(function (q) { return [q.name, q]; }));

  function el(tag, text) { var e = document.createElement(tag); if (text !== undefined) e.textContent = text; return e; }

  // Binding values (a "<...>" value is an IRI, anything else a string): graphkitSparql (query/bind.js),
  // put before this script.
  var withBindings = graphkitSparql.withBindings;

  function status(text, error) { var s = $("gkq-status"); s.textContent = text; s.className = error ? "gkq-error" : ""; }

  function slugOf(term) {
    if (term.type === "uri" && term.value.indexOf(DATA.patternBase) === 0) {
      var rest = term.value.slice(DATA.patternBase.length);
      if (rest.indexOf("/") < 0) { try { rest = decodeURIComponent(rest); } catch (e) { return null; } return onMap(rest) ? rest : null; }
    }
    if (term.type === "literal" && onMap(term.value)) return term.value;
    return null;
  }
  // An IRI under a known prefix shows as prefix:name (the full IRI in the tooltip).
  var PREFIXES = Object.keys(DATA.prefixes).map(function (p) { return [p, DATA.prefixes[p]]; })
    .sort(function (a, b) { return b[1].length - a[1].length; });
  function short(iri) {
    for (var i = 0; i < PREFIXES.length; i++) {
      var ns = PREFIXES[i][1];
      if (iri.indexOf(ns) === 0 && /^[A-Za-z_][\w.-]*$/.test(iri.slice(ns.length))) return PREFIXES[i][0] + ":" + iri.slice(ns.length);
    }
    return iri;
  }
  function cell(term) {
    var td = el("td");
    if (!term) return td;
    var slug = slugOf(term);
    var text = term.type === "uri" ? short(term.value) : term.value;
    if (slug !== null) {
      var a = el("a", text);
      a.href = "#p=" + encodeURIComponent(slug);
      a.title = term.value;
      td.appendChild(a);
    } else {
      td.textContent = text;
      if (term.type === "uri") td.title = term.value;
      if (term.datatype && NUMERIC.test(term.datatype)) td.className = "gkq-num";
    }
    return td;
  }
  function showResults(json, ms) {
    var box = $("gkq-results");
    box.textContent = "";
    if (typeof json.boolean === "boolean") { box.appendChild(el("p", String(json.boolean))); status("yes/no answer in " + ms + " ms"); return; }
    var vars = json.head.vars, rows = json.results.bindings;
    var table = el("table"), head = el("tr");
    vars.forEach(function (v) { head.appendChild(el("th", v)); });
    table.appendChild(el("thead")).appendChild(head);
    var body = table.appendChild(el("tbody"));
    rows.forEach(function (row) {
      var tr = el("tr");
      vars.forEach(function (v) { tr.appendChild(cell(row[v])); });
      body.appendChild(tr);
    });
    box.appendChild(table);
    status(rows.length + (rows.length === 1 ? " row" : " rows") + " in " + ms + " ms");
  }

  function run() {
    var values = {};
    $("gkq-params").querySelectorAll("input[data-name]").forEach(function (input) { values[input.dataset.name] = input.value; });
    var text;
    try { text = DATA.prologue + withBindings($("gkq-text").value, values); } catch (err) { status(err.message, true); return; }
    var started = performance.now();
    status("running…");
    $("gkq-run").disabled = true;
    fetch(DATA.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json, application/n-triples;q=0.9" },
      body: text,
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      return response.text().then(function (body) {
        var ms = Math.round(performance.now() - started);
        if (!response.ok) { $("gkq-results").textContent = ""; status("the query failed: " + body.trim(), true); return; }
        if (type.indexOf("json") >= 0) { showResults(JSON.parse(body), ms); return; }
        var pre = el("pre", body);
        $("gkq-results").textContent = "";
        $("gkq-results").appendChild(pre);
        status((body.match(/\n/g) || []).length + " triples in " + ms + " ms");
      });
    }).catch(function (err) { status("the SPARQL server does not answer (" + err.message + ")", true); })
      .finally(function () { $("gkq-run").disabled = false; });
  }

  function choose(name) {
    var q = byName.get(name);
    if (!q) return;
    $("gkq-text").value = q.text;
    $("gkq-description").textContent = q.description;
    var params = $("gkq-params");
    params.textContent = "";
    q.parameters.forEach(function (p) {
      var label = el("label", p + " ");
      var input = el("input");
      input.dataset.name = p;
      input.id = "gkq-param-" + p;
      input.size = 24;
      input.addEventListener("keydown", function (ev) { if (ev.key === "Enter") run(); });
      label.appendChild(input);
      params.appendChild(label);
    });
  }

  var select = $("gkq-example");
  DATA.queries.forEach(function (q) {
    var option = el("option", q.name);
    option.value = q.name;
    option.title = q.description;
    select.appendChild(option);
  });
  select.addEventListener("change", function () { choose(select.value); });
  $("gkq-run").addEventListener("click", run);
  $("gkq-text").addEventListener("keydown", function (ev) { if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) run(); });
  function toggle(open) {
    $("gkq-panel").hidden = !open;
    $("gkq-toggle").hidden = open;
    $("gkq-toggle").setAttribute("aria-expanded", String(open));
  }
  $("gkq-toggle").addEventListener("click", function () { toggle($("gkq-panel").hidden); });
  $("gkq-close").addEventListener("click", function () { toggle(false); });
  if (DATA.queries.length) choose(DATA.queries[0].name);
  window.gkQuery = { run: run, choose: choose, withBindings: withBindings };
})();
