// The problems report: filters, groups, sorts and shows problems from the page's JSON block.
// Only the rows in view are in the document (44 px each), so 10,000 problems open at once.
// Library text is set with textContent only; a pattern links to the map as map.html#p=<slug>.
(function () {
  "use strict";
  var ROW = 44;
  var data = JSON.parse(document.getElementById("gkr-data").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var severities = ["error", "warning"];
  // one record per problem: [path, line, column, kind, severity, slug, linked, message, suggestion]
  var problems = data.rows.map(function (r, i) {
    return {
      i: i, path: data.paths[r[0]], line: r[1], column: r[2], kind: data.kinds[r[3]],
      severity: severities[r[4]], slug: r[5], linked: r[6] === 1, message: r[7], suggestion: r[8],
    };
  });
  problems.forEach(function (p) {
    p.text = [p.path, p.kind, p.severity, p.slug || "", p.message, p.suggestion || ""].join("\n").toLowerCase();
  });
  var state = { kind: "", severity: "", text: "", group: "", sort: "path", order: 1, closed: {} };
  var SORTS = ["path", "line", "severity", "kind", "slug", "message"];
  // The address keeps the view (problems.html#kind=dangling-reference&group=path&q=gap), so a link reproduces it.
  function readAddress() {
    var given = new URLSearchParams(location.hash.slice(1));
    state.kind = given.get("kind") || "";
    state.severity = severities.indexOf(given.get("severity")) >= 0 ? given.get("severity") : "";
    state.group = ["path", "kind"].indexOf(given.get("group")) >= 0 ? given.get("group") : "";
    state.text = given.get("q") || "";
    var sort = (given.get("sort") || "path").replace(/^-/, "");
    state.sort = SORTS.indexOf(sort) >= 0 ? sort : "path";
    state.order = (given.get("sort") || "").charAt(0) === "-" ? -1 : 1;
  }
  function writeAddress() {
    var kept = new URLSearchParams();
    if (state.kind) kept.set("kind", state.kind);
    if (state.severity) kept.set("severity", state.severity);
    if (state.group) kept.set("group", state.group);
    if (state.text) kept.set("q", state.text);
    if (state.sort !== "path" || state.order < 0) kept.set("sort", (state.order < 0 ? "-" : "") + state.sort);
    var hash = kept.toString();
    if (hash !== location.hash.slice(1)) history.replaceState(null, "", hash ? "#" + hash : location.pathname);
  }
  var items = [];

  function option(select, value, label) {
    var o = document.createElement("option");
    o.value = value;
    o.textContent = label;
    select.appendChild(o);
  }
  var counts = {};
  problems.forEach(function (p) { counts[p.kind] = (counts[p.kind] || 0) + 1; });
  data.kinds.forEach(function (k) { if (counts[k]) option($("gkr-kind"), k, k + " (" + counts[k] + ")"); });

  function compare(a, b) {
    var key = state.sort, x = a[key], y = b[key];
    if (key === "line") { x = x === null ? -1 : x; y = y === null ? -1 : y; }
    if (x === null || x === undefined) x = "";
    if (y === null || y === undefined) y = "";
    if (x < y) return -state.order;
    if (x > y) return state.order;
    return a.i - b.i;
  }

  function rebuild() {
    var words = state.text.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = problems.filter(function (p) {
      if (state.kind && p.kind !== state.kind) return false;
      if (state.severity && p.severity !== state.severity) return false;
      for (var w = 0; w < words.length; w++) if (p.text.indexOf(words[w]) < 0) return false;
      return true;
    });
    shown.sort(compare);
    items = [];
    if (state.group) {
      var groups = new Map();
      shown.forEach(function (p) {
        var key = p[state.group];
        if (!groups.has(key)) groups.set(key, []);
        groups.get(key).push(p);
      });
      Array.from(groups.keys()).sort().forEach(function (key) {
        var members = groups.get(key);
        items.push({ group: key, count: members.length });
        if (!state.closed[key]) members.forEach(function (p) { items.push(p); });
      });
    } else {
      items = shown;
    }
    $("gkr-status").textContent = (shown.length === problems.length ? "All " : shown.length + " of ") +
      problems.length + " problems" + (state.group ? ", in " + items.filter(function (it) {
        return it.group !== undefined; }).length + " groups" : "") + ".";
    document.querySelectorAll("#gkr-head button").forEach(function (b) {
      b.setAttribute("aria-sort", b.dataset.sort === state.sort ? (state.order > 0 ? "ascending" : "descending") : "none");
    });
    writeAddress();
    $("gkr-spacer").style.height = items.length * ROW + "px";
    $("gkr-empty").hidden = items.length > 0;
    draw(true);
  }

  function cell(row, cls, text) {
    var s = document.createElement("span");
    s.className = cls;
    s.textContent = text;
    s.title = text;
    row.appendChild(s);
    return s;
  }

  function render(item, top) {
    var row = document.createElement("div");
    row.style.top = top + "px";
    if (item.group !== undefined) {
      row.className = "gkr-group";
      row.dataset.group = item.group;
      row.setAttribute("role", "button");
      row.tabIndex = 0;
      cell(row, "", (state.closed[item.group] ? "\u25B8 " : "\u25BE ") + item.group);
      cell(row, "note", item.count + (item.count === 1 ? " problem" : " problems"));
      return row;
    }
    row.className = "gkr-row";
    var file = cell(row, "gkr-file", "");
    var bdi = document.createElement("bdi");  // long paths are cut at the start: the file name stays
    bdi.textContent = item.path;
    file.appendChild(bdi);
    file.title = item.path;
    cell(row, "gkr-line", item.line === null ? "" : item.column === null ? String(item.line) :
      item.line + ":" + item.column);
    cell(row, item.severity, item.severity);
    cell(row, "gkr-kind", item.kind);
    var pattern = cell(row, "gkr-pattern", "");
    if (item.slug !== null) {
      var a;
      if (item.linked && data.map) {
        a = document.createElement("a");
        a.href = data.map + "#p=" + encodeURIComponent(item.slug);
      } else {
        a = document.createElement("span");
      }
      a.textContent = item.slug;
      pattern.appendChild(a);
      pattern.title = item.slug;
    }
    var message = cell(row, "gkr-message", item.message);
    if (item.suggestion) {  // the suggested pattern (the message asks "did you mean ...?"), on the map
      var s = document.createElement(data.map ? "a" : "span");
      s.className = "gkr-suggestion";
      s.textContent = item.suggestion;
      if (data.map) {
        s.href = data.map + "#p=" + encodeURIComponent(item.suggestion);
        s.title = "the suggested pattern on the map";
      }
      message.appendChild(document.createTextNode(" "));
      message.appendChild(s);
    }
    return row;
  }

  var drawn = { first: -1, last: -1 };
  function draw(force) {
    var box = $("gkr-scroll"), spacer = $("gkr-spacer");
    var first = Math.max(0, Math.floor(box.scrollTop / ROW) - 10);
    var last = Math.min(items.length, Math.ceil((box.scrollTop + box.clientHeight) / ROW) + 10);
    if (!force && first === drawn.first && last === drawn.last) return;
    drawn = { first: first, last: last };
    var fragment = document.createDocumentFragment();
    for (var i = first; i < last; i++) fragment.appendChild(render(items[i], i * ROW));
    spacer.replaceChildren(fragment);
  }

  var pending = false;
  $("gkr-scroll").addEventListener("scroll", function () {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; draw(false); });
  });
  window.addEventListener("resize", function () { draw(true); });
  $("gkr-spacer").addEventListener("click", function (event) {
    var group = event.target.closest("div.gkr-group");
    if (!group) return;
    var key = group.dataset.group;
    state.closed[key] = !state.closed[key];
    rebuild();
  });
  $("gkr-spacer").addEventListener("keydown", function (event) {
    if ((event.key === "Enter" || event.key === " ") && event.target.classList.contains("gkr-group")) {
      event.preventDefault();
      event.target.click();
    }
  });
  $("gkr-kind").addEventListener("change", function () { state.kind = this.value; rebuild(); });
  $("gkr-severity").addEventListener("change", function () { state.severity = this.value; rebuild(); });
  $("gkr-group").addEventListener("change", function () { state.group = this.value; state.closed = {}; rebuild(); });
  var typing = null;
  $("gkr-text").addEventListener("input", function () {
    var value = this.value;
    clearTimeout(typing);
    typing = setTimeout(function () { state.text = value; rebuild(); }, 120);
  });
  $("gkr-head").addEventListener("click", function (event) {
    var button = event.target.closest("button[data-sort]");
    if (!button) return;
    if (state.sort === button.dataset.sort) state.order = -state.order;
    else { state.sort = button.dataset.sort; state.order = 1; }
    rebuild();
  });
  if (problems.length === 0) {
    $("gkr-status").textContent = "No problems.";
    document.body.dataset.ready = "1";
    return;
  }
  readAddress();
  if (state.kind && !counts[state.kind]) option($("gkr-kind"), state.kind, state.kind + " (0)");
  $("gkr-kind").value = state.kind;
  $("gkr-severity").value = state.severity;
  $("gkr-group").value = state.group;
  $("gkr-text").value = state.text;
  $("gkr-controls").hidden = false;
  $("gkr-table").hidden = false;
  rebuild();
  document.body.dataset.ready = "1";
})();
