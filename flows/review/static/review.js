// declutter review pages: filters and search over static, already-escaped HTML.
// Everything this script adds to the page goes in through textContent, never innerHTML.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) return;
  var sel = {
    cleaner: document.getElementById("f-cleaner"), rule: document.getElementById("f-rule"),
    site: document.getElementById("f-site"), lang: document.getElementById("f-lang"),
  };
  var q = document.getElementById("f-q");
  var only = document.getElementById("f-only");  // pages only: hide the kept text
  var shownEl = document.getElementById("shown");

  function ensureOption(select, value) {
    if (!value) return;
    for (var i = 0; i < select.options.length; i++) if (select.options[i].value === value) return;
    var o = document.createElement("option");
    o.value = value; o.textContent = value + " (0 here)";
    select.appendChild(o);
  }
  function state() {
    return { cleaner: sel.cleaner.value, rule: sel.rule.value, site: sel.site.value, lang: sel.lang.value,
             q: q.value.trim().toLowerCase(), only: only && only.checked ? "1" : "" };
  }
  function query(f) {
    var parts = [];
    ["cleaner", "rule", "site", "lang", "q", "only"].forEach(function (k) {
      if (f[k]) parts.push(k + "=" + encodeURIComponent(f[k]));
    });
    return parts.length ? "?" + parts.join("&") : "";
  }
  function restrictRules() {  // a chosen cleaner narrows the rule list to its own rules
    var c = sel.cleaner.value;
    for (var i = 1; i < sel.rule.options.length; i++) {
      var o = sel.rule.options[i];
      o.hidden = !!c && !!o.dataset.cleaner && o.dataset.cleaner !== c;
    }
    var cur = sel.rule.selectedOptions[0];
    if (cur && cur.hidden) sel.rule.value = "";
  }
  // filters given in the address (?cleaner=...&rule=...&site=...&lang=...&q=...), e.g. from the index
  var params = new URLSearchParams(window.location.search);
  Object.keys(sel).forEach(function (k) {
    var v = params.get(k);
    if (v !== null) { ensureOption(sel[k], v); sel[k].value = v; }
  });
  if (params.get("q") !== null) q.value = params.get("q");
  if (only && params.get("only") === "1") only.checked = true;
  restrictRules();

  var apply = document.body.classList.contains("index") ? indexView() : pageView();
  var applied = null;
  function changed() {
    restrictRules();
    var key = query(state());
    // the search box fires "change" again when it loses focus: rebuilding the rows then would
    // pull the link being clicked out from under the pointer
    if (key === applied) return;
    applied = key;
    apply();
    try { history.replaceState(null, "", query(state()) + window.location.hash); } catch (e) { /* file:// may refuse */ }
  }
  form.addEventListener("change", changed);
  q.addEventListener("input", changed);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  document.querySelectorAll("svg.chart g.bar").forEach(function (g) {  // a bar picks its cleaner
    g.addEventListener("click", function () {
      ensureOption(sel.cleaner, g.dataset.cleaner);
      sel.cleaner.value = sel.cleaner.value === g.dataset.cleaner ? "" : g.dataset.cleaner;
      changed();
    });
  });
  applied = query(state());
  apply();
  if (window.location.hash) {  // the filters may have moved the target: scroll to it again
    var target = document.getElementById(window.location.hash.slice(1));
    if (target) target.scrollIntoView();
  }

  function pageView() {
    var docs = Array.prototype.slice.call(document.querySelectorAll("section.doc"));
    return function () {
      var f = state(), shown = 0, blocks = 0;
      docs.forEach(function (doc) {
        var ok = (!f.site || doc.dataset.site === f.site) && (!f.lang || doc.dataset.lang === f.lang);
        var any = false;
        doc.querySelectorAll(".blk.rm").forEach(function (b) {
          var m = (!f.cleaner || b.dataset.cleaner === f.cleaner) && (!f.rule || b.dataset.rule === f.rule);
          b.hidden = !m;
          if (m) { any = true; blocks++; }
        });
        if ((f.cleaner || f.rule) && !any) ok = false;
        if (ok && f.q) ok = doc.textContent.toLowerCase().indexOf(f.q) >= 0;
        doc.hidden = !ok;
        doc.classList.toggle("only-removed", !!f.only);
        if (ok) shown++;
      });
      shownEl.textContent = shown + " of " + docs.length + " documents shown" +
        (f.cleaner || f.rule ? ", " + blocks + " matching removals" : "");
    };
  }

  function indexView() {
    var data = JSON.parse(document.getElementById("review-data").textContent);
    var rows = document.getElementById("rows"), at = document.getElementById("rows-at");
    var prev = document.getElementById("prev"), next = document.getElementById("next");
    var per = data.rows_per_view, start = 0, matches = [];
    var index = {};
    ["cleaners", "rules", "sites", "langs"].forEach(function (k) {
      index[k] = {};
      data[k].forEach(function (v, i) { index[k][v[0]] = i; });
    });
    function pageOf(n) {  // the page holding document n: the last page starting at or before it
      var lo = 0, hi = data.pages.length - 1;
      while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (data.pages[mid][0] <= n) lo = mid; else hi = mid - 1; }
      return data.pages[lo][1];
    }
    function count(doc, f) {  // removals of the document matching the cleaner/rule filter
      var r = doc[6], n = 0, want = f.rule ? index.rules[f.rule] : -1, wc = f.cleaner ? index.cleaners[f.cleaner] : -1;
      for (var i = 0; i < r.length; i += 2) {
        if (want >= 0 && r[i] !== want) continue;
        if (f.rule && want === undefined) continue;
        if (wc >= 0 && data.rules[r[i]][1] !== wc) continue;
        if (f.cleaner && wc === undefined) continue;
        n += r[i + 1];
      }
      return n;
    }
    function cell(tr, text, cls) { var td = document.createElement("td"); td.textContent = text; if (cls) td.className = cls; tr.appendChild(td); return td; }
    function render() {
      var f = state();
      rows.textContent = "";
      matches.slice(start, start + per).forEach(function (n) {
        var doc = data.docs[n], tr = document.createElement("tr");
        cell(tr, String(n + 1), "n");
        var td = document.createElement("td"), a = document.createElement("a");
        a.href = pageOf(n) + query(f) + "#d" + n;
        a.textContent = doc[0];
        td.appendChild(a);
        if (doc[1]) { var t = document.createElement("span"); t.className = "title"; t.textContent = doc[1]; td.appendChild(t); }
        tr.appendChild(td);
        cell(tr, data.sites[doc[2]][0] || "(none)");
        cell(tr, data.langs[doc[3]][0] || "(none)");
        cell(tr, String(doc[4]), "n");
        cell(tr, String(f.cleaner || f.rule ? count(doc, f) + " of " + doc[5] : doc[5]), "n");
        rows.appendChild(tr);
      });
      at.textContent = matches.length ? (start + 1) + "\u2013" + Math.min(start + per, matches.length) + " of " + matches.length : "no documents";
      prev.disabled = start === 0;
      next.disabled = start + per >= matches.length;
    }
    prev.addEventListener("click", function () { start = Math.max(0, start - per); render(); });
    next.addEventListener("click", function () { if (start + per < matches.length) { start += per; render(); } });
    return function () {
      var f = state(), site = f.site ? index.sites[f.site] : -1, lang = f.lang ? index.langs[f.lang] : -1;
      matches = [];
      data.docs.forEach(function (doc, n) {
        if (f.site && doc[2] !== site) return;
        if (f.lang && doc[3] !== lang) return;
        if ((f.cleaner || f.rule) && count(doc, f) === 0) return;
        if (f.q && (doc[0] + "\n" + doc[1] + "\n" + data.sites[doc[2]][0]).toLowerCase().indexOf(f.q) < 0) return;
        matches.push(n);
      });
      start = 0;
      shownEl.textContent = matches.length + " of " + data.docs.length + " documents match";
      render();
    };
  }
})();
