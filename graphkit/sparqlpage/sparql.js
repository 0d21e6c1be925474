/* graphkit SPARQL page: a query editor, the shipped queries, results as a table or as Turtle.

   The engine is Oxigraph in a Web Worker (worker.js, started from the page's own text); the
   library's triples and the ontology come in the page, compressed. The question lives in the
   address: #q=<query>&$<name>=<value> for each bound parameter, so a link reproduces it.
   Every string from the library or the address is written with textContent, never as HTML. */
(function () {
  "use strict";
  var META = JSON.parse(document.getElementById("gks-meta").textContent);
  var $ = function (id) { return document.getElementById(id); };
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  var byName = new Map(META.queries.map(function (q) { return [q.name, q]; }));
  var ROW_LIMIT = 1000;  // rows drawn in the table; the downloads hold them all
  // window.gkSparql: the page's state for tests and benchmarks (ready: ms since navigation).
  var hooks = window.gkSparql = { ready: null, failed: null, finished: 0, last: null };

  function count(n) { return n.toLocaleString("en-US"); }
  function megabytes(n) { return (n / 1e6).toFixed(n < 1e7 ? 1 : 0) + " MB"; }
  function seconds(ms) { return ms < 1000 ? Math.round(ms) + " ms" : (ms / 1000).toFixed(1) + " s"; }
  function storeStatus(text, error) { var s = $("gks-store"); s.textContent = text; s.className = error ? "gks-error" : ""; }
  function status(text, error) { var s = $("gks-status"); s.textContent = text; s.className = error ? "gks-error" : ""; }

  // Reading a query's text and binding values: graphkitSparql (query/bind.js), put before this script.
  var firstKeyword = graphkitSparql.firstKeyword, parameters = graphkitSparql.parameters;
  var withBindings = graphkitSparql.withBindings;

  // --- one-line errors --------------------------------------------------------------
  var UPDATES = /^(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH|USING)$/;
  function problem(message, text) {
    var first = String(message).split("\n")[0];
    var at = /^error at (\d+):(\d+): (.*)$/.exec(first);
    if (at) {
      var word = firstKeyword(text);
      if (UPDATES.test(word)) return word + " is refused: this page runs read-only queries (SELECT, ASK, CONSTRUCT, DESCRIBE)";
      var line = Math.max(1, Number(at[1]) - META.prologueLines), column = Number(at[2]);
      var source = (text.split(/\r\n|\r|\n/)[line - 1] || "").slice(Math.max(column - 30, 0), column + 30).trim();
      var expected = at[3].length <= 80 ? " (" + at[3] + ")" : "";
      return "the query is not valid SPARQL at line " + line + ", column " + column +
        (source ? ", near '" + source + "'" : "") + expected;
    }
    if (/^The service /.test(first)) return "SERVICE is refused: a query runs on the library only, never on another endpoint";
    if (/Invalid string length/.test(first)) return "the result is too large for the page to hold (add a LIMIT, or run graphkit query)";
    return "the query failed: " + first;
  }

  // --- the engine ----------------------------------------------------------------------
  var TOO_LARGE = "This library is too large to query in a browser page: its store would not fit in the memory a page " +
    "may use (" + (META.tooLarge ? "over " : "") + megabytes(META.rdfBytes) + " of Turtle). Run graphkit " +
    "serve on the library for a SPARQL endpoint and the map's query panel, or graphkit query.";
  var worker = null, ready = false, slugs = new Set(), waiting = new Map(), nextId = 1, runWhenReady = false;
  function startEngine() {
    ready = false;
    $("gks-run").disabled = true;
    storeStatus("Loading the library (" + megabytes(META.rdfBytes) + " of Turtle)…");
    var source = $("gks-worker").textContent;
    worker = new Worker(URL.createObjectURL(new Blob([source], { type: "text/javascript" })));
    worker.onmessage = function (event) {
      var m = event.data;
      if (m.type === "ready") {
        ready = true;
        slugs = new Set(m.slugs);
        hooks.ready = performance.now();
        hooks.load = m.ms;
        storeStatus(count(m.triples) + " triples, ready in " + seconds(m.ms.total) + ".");
        $("gks-run").disabled = false;
        if (runWhenReady) { runWhenReady = false; run(); }
      } else if (m.type === "failed") {
        hooks.failed = m.message;
        storeStatus(m.tooLarge ? TOO_LARGE : "The library could not be loaded: " + m.message, true);
      } else if (m.type === "answer" && waiting.has(m.id)) {
        var done = waiting.get(m.id);
        waiting.delete(m.id);
        done(m);
      }
    };
    worker.onerror = function (event) {
      hooks.failed = event.message || "the engine stopped";
      storeStatus("The SPARQL engine stopped: " + hooks.failed, true);
    };
    worker.postMessage({ type: "load", oxigraph: $("gks-oxigraph").textContent, wasm: $("gks-wasm").textContent,
                         ontology: $("gks-ontology").textContent, rdf: $("gks-rdf").textContent, format: META.rdfFormat, prefixes: META.prefixes });
  }
  function ask(text) {
    var id = nextId++;
    return new Promise(function (resolve) { waiting.set(id, resolve); worker.postMessage({ type: "query", id: id, text: text }); });
  }
  function stop() {
    worker.terminate();
    waiting.clear();
    running(false);
    status("Stopped. The library is loading again.", true);
    startEngine();
  }

  // --- the form: shipped queries, parameters, the address -----------------------------
  var values = {};  // the parameters' values, by name
  function drawParameters() {
    var box = $("gks-params"), names = parameters($("gks-text").value);
    Object.keys(values).forEach(function (n) { if (values[n] !== "" && names.indexOf(n) < 0) names.push(n); });
    var shown = Array.from(box.querySelectorAll("input")).map(function (i) { return i.dataset.name; });
    if (shown.join("\n") === names.join("\n")) return;
    box.textContent = "";
    names.forEach(function (name) {
      var label = el("label", "?" + name + " ");
      var input = el("input");
      input.id = "gks-param-" + name;
      input.dataset.name = name;
      input.size = 22;
      input.spellcheck = false;
      input.value = values[name] || "";
      input.placeholder = "any (a string, or <IRI>)";
      input.addEventListener("input", function () { values[name] = input.value; });
      input.addEventListener("keydown", function (ev) { if (ev.key === "Enter") run(); });
      label.appendChild(input);
      box.appendChild(label);
    });
  }
  function syncMenu() {
    var text = $("gks-text").value, match = META.queries.find(function (q) { return q.text === text; });
    $("gks-example").value = match ? match.name : "";
    $("gks-description").textContent = match ? match.description : "";
    drawParameters();
  }
  function choose(name) {
    var q = byName.get(name);
    if (!q) return;
    $("gks-text").value = q.text;
    syncMenu();
  }
  function readAddress() {
    var q = null, found = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      var at = part.indexOf("=");
      if (at < 0) return;
      var key, value;
      try { key = decodeURIComponent(part.slice(0, at)); value = decodeURIComponent(part.slice(at + 1)); }
      catch (e) { return; }
      if (key === "q") q = value;
      else if (key.charAt(0) === "$") found[key.slice(1)] = value;
    });
    return q === null ? null : { q: q, values: found };
  }
  function address(text) {
    var hash = "#q=" + encodeURIComponent(text);
    Object.keys(values).sort().forEach(function (n) {
      if (values[n] !== "") hash += "&$" + encodeURIComponent(n) + "=" + encodeURIComponent(values[n]);
    });
    return hash;
  }
  function fromAddress() {
    var asked = readAddress();
    if (asked === null) return false;
    values = asked.values;
    $("gks-text").value = asked.q;
    $("gks-params").textContent = "";
    syncMenu();
    return true;
  }

  // --- results --------------------------------------------------------------------------
  var NUMERIC = /#(integer|decimal|double|float|int|long|short|byte|nonNegativeInteger|positiveInteger)$/;
  var PREFIXES = Object.keys(META.prefixes).map(function (p) { return [p, META.prefixes[p]]; })
    .sort(function (a, b) { return b[1].length - a[1].length; });
  function short(iri) {
    for (var i = 0; i < PREFIXES.length; i++) {
      var ns = PREFIXES[i][1], local = iri.slice(ns.length);
      if (iri.indexOf(ns) === 0 && /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?$/.test(local)) return PREFIXES[i][0] + ":" + local;
    }
    return iri;
  }
  // The pattern a result term names: its IRI, or its slug as a string.
  function slugOf(term) {
    if (term.type === "uri" && term.value.indexOf(META.patternBase) === 0) {
      var rest = term.value.slice(META.patternBase.length);
      if (rest.indexOf("/") >= 0) return null;
      try { rest = decodeURIComponent(rest); } catch (e) { return null; }
      return slugs.has(rest) ? rest : null;
    }
    return term.type === "literal" && slugs.has(term.value) ? term.value : null;
  }
  function cell(term) {
    var td = el("td");
    if (!term) return td;
    var text = term.type === "uri" ? short(term.value) : term.type === "bnode" ? "_:" + term.value : term.value;
    var slug = META.map ? slugOf(term) : null;
    if (slug !== null) {
      var a = el("a", text);
      a.href = META.map + "#p=" + encodeURIComponent(slug);
      a.title = term.value;
      td.appendChild(a);
    } else {
      td.textContent = text;
      if (term.type === "uri") td.title = term.value;
    }
    if (term.datatype && NUMERIC.test(term.datatype)) td.className = "gks-num";
    return td;
  }
  var result = null;  // the last answer: {name, json | turtle}
  function draw(answer, name, ms) {
    var box = $("gks-results");
    box.textContent = "";
    result = { name: name };
    if (answer.kind === "graph") {
      result.turtle = answer.body;
      box.appendChild(el("pre", answer.body, "gks-turtle"));
      status(count(answer.triples) + (answer.triples === 1 ? " triple" : " triples") + " in " + seconds(ms));
      return answer.triples;
    }
    var json = JSON.parse(answer.body);
    result.json = json;
    result.text = answer.body;
    if (typeof json.boolean === "boolean") {
      box.appendChild(el("p", json.boolean ? "yes" : "no", "gks-boolean"));
      status("yes/no answer in " + seconds(ms));
      return 1;
    }
    var vars = json.head.vars, rows = json.results.bindings;
    var table = el("table"), head = el("tr");
    vars.forEach(function (v) { head.appendChild(el("th", v)); });
    table.appendChild(el("thead")).appendChild(head);
    var body = table.appendChild(el("tbody"));
    rows.slice(0, ROW_LIMIT).forEach(function (row) {
      var tr = el("tr");
      vars.forEach(function (v) { tr.appendChild(cell(row[v])); });
      body.appendChild(tr);
    });
    box.appendChild(table);
    status((rows.length > ROW_LIMIT ? count(ROW_LIMIT) + " of " + count(rows.length) + " rows shown (the downloads hold all)"
      : count(rows.length) + (rows.length === 1 ? " row" : " rows")) + " in " + seconds(ms));
    return rows.length;
  }

  // SPARQL 1.1 CSV: plain values, IRIs without brackets (as graphkit query -f csv writes them).
  function csv(json) {
    function field(text) { return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text; }
    if (typeof json.boolean === "boolean") return "ask\r\n" + json.boolean + "\r\n";
    var lines = [json.head.vars.map(field).join(",")];
    json.results.bindings.forEach(function (row) {
      lines.push(json.head.vars.map(function (v) {
        var t = row[v];
        return t ? field(t.type === "bnode" ? "_:" + t.value : t.value) : "";
      }).join(","));
    });
    return lines.join("\r\n") + "\r\n";
  }
  function download(kind) {
    if (result === null) return;
    var data = kind === "csv" ? [csv(result.json), "text/csv"]
      : kind === "json" ? [result.text, "application/sparql-results+json"] : [result.turtle, "text/turtle"];
    var a = el("a");
    a.href = URL.createObjectURL(new Blob([data[0]], { type: data[1] + ";charset=utf-8" }));
    a.download = (result.name || "query") + "." + (kind === "turtle" ? "ttl" : kind);
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 10000);
  }
  function showDownloads(kind) {
    $("gks-csv").hidden = $("gks-json").hidden = kind !== "results";
    $("gks-ttl").hidden = kind !== "graph";
  }

  // --- running ---------------------------------------------------------------------------
  function running(on) {
    $("gks-run").disabled = on || !ready;
    $("gks-stop").hidden = !on;
  }
  function run() {
    if (!ready) { runWhenReady = true; status("The query runs once the library is loaded."); return; }
    var text = $("gks-text").value, bound;
    try { bound = withBindings(text, values); }
    catch (err) { return fail(err.message); }
    history.replaceState(null, "", location.pathname + location.search + address(text));
    var name = $("gks-example").value;
    var started = performance.now();
    status("Running…");
    running(true);
    ask(META.prologue + bound).then(function (answer) {
      running(false);
      if (answer.fatal) {  // the engine cannot go on: it starts again from the page's data
        worker.terminate();
        startEngine();
        return fail("the query stopped the engine (" + answer.message + "); the library is loading again");
      }
      if (!answer.ok) return fail(problem(answer.message, text));
      var rows = draw(answer, name, answer.ms);
      showDownloads(answer.kind);
      finish({ ok: true, kind: answer.kind, rows: rows, ms: answer.ms, elapsed: performance.now() - started });
    });
  }
  function fail(message) {
    $("gks-results").textContent = "";
    result = null;
    showDownloads(null);
    status(message, true);
    finish({ ok: false, message: message });
  }
  function finish(outcome) {
    hooks.last = outcome;
    hooks.finished += 1;
  }

  // --- start ----------------------------------------------------------------------------
  if (typeof Worker === "undefined" || typeof DecompressionStream === "undefined" || typeof WebAssembly === "undefined") {
    storeStatus("This browser cannot run the page: it needs WebAssembly, workers and DecompressionStream (a version from 2023 or later).", true);
    return;
  }
  var select = $("gks-example");
  META.queries.forEach(function (q) {
    var option = el("option", q.name + " · " + q.description);
    option.value = q.name;
    select.appendChild(option);
  });
  select.addEventListener("change", function () { if (select.value) choose(select.value); });
  $("gks-text").addEventListener("input", syncMenu);
  $("gks-text").addEventListener("keydown", function (ev) { if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); run(); } });
  $("gks-run").addEventListener("click", run);
  $("gks-stop").addEventListener("click", stop);
  $("gks-csv").addEventListener("click", function () { download("csv"); });
  $("gks-json").addEventListener("click", function () { download("json"); });
  $("gks-ttl").addEventListener("click", function () { download("turtle"); });
  window.addEventListener("hashchange", function () { if (fromAddress()) run(); });
  showDownloads(null);
  if (!fromAddress()) choose(META.start);
  if (META.tooLarge) {
    hooks.failed = "too large";
    storeStatus(TOO_LARGE, true);
    return;
  }
  startEngine();
  run();
  hooks.run = run;
})();
