/* graphkit SPARQL page, the engine: a Web Worker that holds Oxigraph (WebAssembly) and the library's store.

   The page starts it from its own text (a blob), so the page's tab stays responsive while the
   store loads and a query runs, and "Stop" can end a query that runs too long. Messages:
     in:  {type: "load", oxigraph, wasm, ontology, rdf, format, prefixes}   (base64 texts of the page's data blocks)
          {type: "query", id, text}
     out: {type: "ready", triples, slugs, ms}  or  {type: "failed", message, tooLarge}
          {type: "answer", id, ok, kind: "results" | "graph", body, ms}  or  {..., ok: false, message, fatal}
   The worker only ever calls Store.query: Oxigraph's query parser reads the text, so an update or
   LOAD is never run (Oxigraph refuses it as "not a query"). Every query runs on the store's
   default graph alone, whatever FROM clause it has, and Oxigraph's WebAssembly build makes no
   SERVICE requests. */
"use strict";
var ox = null, store = null, prefixes = {};

function bytesOf(base64) {
  var text = atob(base64), bytes = new Uint8Array(text.length);
  for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
// A data block: zlib-compressed bytes in base64 (graphkit.sparqlpage.packed).
function inflate(base64) {
  var stream = new Blob([bytesOf(base64)]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Response(stream).arrayBuffer().then(function (buffer) { return new Uint8Array(buffer); });
}

// The query runs on the library's triples only: FROM and FROM NAMED cannot choose another graph.
function dataset() { return { default_graph: ox.defaultGraph(), named_graphs: [] }; }

async function load(message) {
  var started = performance.now();
  prefixes = message.prefixes;
  // Oxigraph's glue code is an ES module: imported from its own text, as no file is fetched.
  var glue = URL.createObjectURL(new Blob([bytesOf(message.oxigraph)], { type: "text/javascript" }));
  ox = await import(glue);
  URL.revokeObjectURL(glue);
  ox.initSync({ module: await inflate(message.wasm) });
  var compiled = performance.now();
  var ontology = await inflate(message.ontology), rdf = await inflate(message.rdf);
  var inflated = performance.now();
  store = new ox.Store();
  // Two documents, as graphkit query loads them: the ontology, then the library.
  store.load(ontology, { format: message.format, no_transaction: true });
  store.load(rdf, { format: message.format, no_transaction: true });
  ontology = rdf = null;
  var loaded = performance.now();
  var slugs = store.query("SELECT ?slug WHERE { ?p a <https://w3id.org/graphkit/ontology#Pattern> ; " +
    "<https://w3id.org/graphkit/ontology#slug> ?slug }").map(function (row) { return row.get("slug").value; });
  return {
    type: "ready", triples: store.size, slugs: slugs,
    ms: { engine: compiled - started, inflate: inflated - compiled, load: loaded - inflated, total: performance.now() - started },
  };
}

// Oxigraph says this when a CONSTRUCT or DESCRIBE is asked for SPARQL JSON results: its triples
// are asked for again, as terms.
var GRAPH_RESULT = /not supported RDF format/i;

function answer(text) {
  var started = performance.now();
  var options = dataset();
  options.results_format = "application/sparql-results+json";
  try {
    var json = store.query(text, options);
    return { ok: true, kind: "results", body: json, ms: performance.now() - started };
  } catch (err) {
    if (err instanceof WebAssembly.RuntimeError) throw err;
    if (!GRAPH_RESULT.test(String(err && err.message))) return { ok: false, message: String(err && err.message || err) };
  }
  var quads = store.query(text, dataset());
  return { ok: true, kind: "graph", body: turtle(quads), triples: quads.length, ms: performance.now() - started };
}

// --- Turtle of a graph result: sorted, IRIs under the page's prefixes shortened where no escape is needed
var PLAIN_LOCAL = /^(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?)?$/;
var XSD_STRING = "http://www.w3.org/2001/XMLSchema#string";
function quoted(text) {
  return '"' + text.replace(/[\\"\n\r]/g, function (c) { return { "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r" }[c]; }) + '"';
}
function turtle(quads) {
  var used = new Set();  // the prefixes the text uses: only those are declared
  function iri(value) {
    var best = null;
    Object.keys(prefixes).forEach(function (name) {
      var ns = prefixes[name];
      if (value.indexOf(ns) === 0 && PLAIN_LOCAL.test(value.slice(ns.length)) &&
          (best === null || ns.length > prefixes[best].length)) best = name;
    });
    if (best === null) return "<" + value + ">";
    used.add(best);
    return best + ":" + value.slice(prefixes[best].length);
  }
  function term(t) {
    if (t.termType === "NamedNode") return iri(t.value);
    if (t.termType === "BlankNode") return "_:" + t.value;
    if (t.termType === "Literal") {
      if (t.language) return quoted(t.value) + "@" + t.language + (t.direction ? "--" + t.direction : "");
      return quoted(t.value) + (t.datatype.value === XSD_STRING ? "" : "^^" + iri(t.datatype.value));
    }
    return t.toString();  // a triple term (RDF 1.2)
  }
  function compare(a, b) { return a < b ? -1 : a > b ? 1 : 0; }
  var rows = quads.map(function (q) { return [term(q.subject), term(q.predicate), term(q.object)]; });
  rows.sort(function (a, b) { return compare(a[0], b[0]) || compare(a[1], b[1]) || compare(a[2], b[2]); });
  var lines = [], last = null;
  rows.forEach(function (r) {
    if (last !== null && last[0] === r[0] && last[1] === r[1] && last[2] === r[2]) return;  // DESCRIBE may repeat one
    if (last !== null && last[0] === r[0]) {
      lines[lines.length - 1] += last[1] === r[1] ? " ," : " ;";
      lines.push(last[1] === r[1] ? "\t\t" + r[2] : "\t" + r[1] + " " + r[2]);
    } else {
      if (last !== null) lines[lines.length - 1] += " .";
      lines.push(r.join(" "));
    }
    last = r;
  });
  if (last !== null) lines[lines.length - 1] += " .";
  var head = Array.from(used).sort().map(function (name) { return "@prefix " + name + ": <" + prefixes[name] + "> ."; });
  return head.concat(lines).join("\n") + "\n";
}

self.onmessage = function (event) {
  var message = event.data;
  if (message.type === "load") {
    load(message).then(function (ready) { self.postMessage(ready); }, function (err) {
      var text = String(err && err.message || err);
      // WebAssembly's memory is 4 GB at most, and a tab may be given less.
      var tooLarge = err instanceof RangeError || /memory|allocat/i.test(text);
      self.postMessage({ type: "failed", message: text, tooLarge: tooLarge });
    });
  } else if (message.type === "query") {
    var reply;
    try { reply = answer(message.text); } catch (err) {
      // A trap (a failed allocation ends in one) leaves the WebAssembly instance unusable: the page
      // starts it anew. A RangeError is a result too long for a JavaScript string: the engine is fine.
      var fatal = err instanceof WebAssembly.RuntimeError;
      reply = { ok: false, message: String(err && err.message || err), fatal: fatal };
    }
    reply.type = "answer";
    reply.id = message.id;
    self.postMessage(reply);
  }
};
