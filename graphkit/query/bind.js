/* graphkit: reading a SPARQL query's text in a page, and binding values to its variables.

   Shared by the SPARQL page (sparqlpage/sparql.js) and graphkit serve's query panel
   (serve/panel.js): each page puts this text before its own script, in the same <script>.
   The text is read only to fill the form and to place the bindings; the engine parses the
   query and decides what runs. A value is bound as an RDF term by a VALUES block that opens
   the query's WHERE group, so FILTERs see it (as graphkit query --bind binds before the query
   runs): a "<...>" value is an IRI, anything else a string literal, escaped as SPARQL's
   grammar says. A value is never pasted into the query as query text. */
var graphkitSparql = (function () {
  "use strict";
  // Comments, IRIs, strings, names and braces, as SPARQL spells them.
  var TOKEN = /#[^\n\r]*|<[^<>"{}|^`\\\u0000-\u0020]*>|'''[\s\S]*?'''|"""[\s\S]*?"""|'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*"|[?$]?[A-Za-z_][\w-]*(?::[\w.%-]*)?|:[\w.%-]*|[{}]/g;
  function tokens(text) {
    var out = [], m;
    TOKEN.lastIndex = 0;
    while ((m = TOKEN.exec(text)) !== null) out.push({ text: m[0], at: m.index });
    return out;
  }
  function isKeyword(t) { return /^[A-Za-z_][\w-]*$/.test(t.text); }
  // The first keyword after the prologue: the query's form, or what the text is instead.
  function firstKeyword(text) {
    var t = tokens(text).find(function (t) { return isKeyword(t) && !/^(prefix|base)$/i.test(t.text); });
    return t ? t.text.toUpperCase() : "";
  }
  // The names a query asks to bind: "--bind NAME=" in its comments, as the shipped queries say.
  function parameters(text) {
    var names = [], re = /--bind (\w+)=/g, m;
    while ((m = re.exec(text)) !== null) { if (names.indexOf(m[1]) < 0) names.push(m[1]); }
    return names;
  }
  // A SPARQL string literal of any text: only ", \, LF and CR need escaping (STRING_LITERAL2).
  function literal(text) {
    return '"' + text.replace(/[\\"\n\r]/g, function (c) {
      return { "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r" }[c];
    }) + '"';
  }
  // "<...>" is an IRI, anything else a string, as graphkit query --bind reads a value.
  function rdfTerm(name, value) {
    if (value.charAt(0) === "<" && value.charAt(value.length - 1) === ">") {
      if (!/^<[^<>"{}|^`\\\u0000-\u0020]*>$/.test(value)) throw new Error("?" + name + ": " + value + " is not a valid IRI");
      return value;
    }
    return literal(value);
  }
  // Where the "{" that opens the query's WHERE group is: the first group at the top level,
  // except a CONSTRUCT's template, which comes before it (with or without the word WHERE).
  // -2 for CONSTRUCT WHERE { ... }, whose group holds triples only; -1 when there is none.
  function whereGroup(text) {
    var form = "", template = false, depth = 0, list = tokens(text);
    for (var i = 0; i < list.length; i++) {
      var t = list[i];
      if (t.text === "{") {
        if (depth === 0) {
          if (form !== "CONSTRUCT" || template) return t.at;
          template = true;  // CONSTRUCT { template } [WHERE] { group }
        }
        depth++;
      } else if (t.text === "}") {
        depth = Math.max(0, depth - 1);
      } else if (depth === 0 && isKeyword(t)) {
        var word = t.text.toUpperCase();
        if (!form && /^(SELECT|ASK|CONSTRUCT|DESCRIBE)$/.test(word)) form = word;
        if (word === "WHERE" && form === "CONSTRUCT" && !template) return -2;
      }
    }
    return -1;
  }
  // The query with each non-empty value of ``values`` (name -> text) bound.
  function withBindings(text, values) {
    var names = Object.keys(values).filter(function (n) { return values[n] !== ""; });
    if (!names.length) return text;
    names.forEach(function (n) { if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) throw new Error("“" + n + "” is not a variable name"); });
    var terms = names.map(function (n) { return rdfTerm(n, values[n]); });
    var at = whereGroup(text);
    if (at === -2) {  // a group of triples only: the values join it from a VALUES clause that ends the query
      var vars = names.map(function (n) { return "?" + n; }).join(" ");
      return text + "\nVALUES (" + vars + ") { (" + terms.join(" ") + ") }";
    }
    if (at < 0) throw new Error("the query has no { ... } group to bind ?" + names[0] + " in");
    var block = names.map(function (n, i) { return " VALUES ?" + n + " { " + terms[i] + " }"; }).join("");
    return text.slice(0, at + 1) + block + text.slice(at + 1);
  }
  return { tokens: tokens, isKeyword: isKeyword, firstKeyword: firstKeyword, parameters: parameters,
           withBindings: withBindings };
})();
