// The compose page's live check (templates/draft_compose.html): on input, after a pause, the
// draft is sent to this origin's /api/drafts/check and its findings are drawn in the list and
// against their lines in the gutter.  Text goes in through textContent only.
(function () {
  "use strict";
  var body = document.getElementById("draft-body");
  var list = document.getElementById("findings");
  if (!list) return;

  // A finding's line: select it in the textarea (or scroll to it in a read-only draft).
  function goTo(n) {
    if (body) {
      var lines = body.value.split("\n");
      var start = 0;
      for (var i = 0; i < n - 1 && i < lines.length; i++) start += lines[i].length + 1;
      var end = start + (lines[n - 1] || "").length;
      body.focus();
      body.setSelectionRange(start, end);
      var lh = parseFloat(getComputedStyle(body).lineHeight) || 18;
      body.scrollTop = Math.max(0, (n - 3) * lh);
    } else {
      var el = document.querySelector('#draft-text .line[data-line="' + n + '"]');
      if (el) el.scrollIntoView({ block: "center" });
    }
  }
  list.addEventListener("click", function (e) {
    var li = e.target.closest ? e.target.closest("li.finding") : null;
    var n = li && parseInt(li.getAttribute("data-line"), 10);
    if (n) goTo(n);
  });

  function marks() {
    var out = {};
    var items = list.querySelectorAll("li.finding");
    for (var i = 0; i < items.length; i++) {
      var n = items[i].getAttribute("data-line");
      var sev = items[i].classList.contains("error") ? "error" : items[i].classList.contains("warning") ? "warning" : "info";
      if (n && out[n] !== "error") out[n] = sev === "info" && out[n] ? out[n] : sev;
    }
    return out;
  }

  // A read-only draft: its lines carry the marks directly.
  if (!body) {
    var m0 = marks();
    Object.keys(m0).forEach(function (n) {
      var el = document.querySelector('#draft-text .line[data-line="' + n + '"]');
      if (el) el.classList.add("mark-" + m0[n]);
    });
    return;
  }

  var gutter = document.getElementById("draft-gutter");
  var kind = document.getElementById("draft-kind");
  var status = document.getElementById("check-status");
  var count = document.getElementById("check-count");

  function drawGutter() {
    var n = body.value.split("\n").length;
    var m = marks();
    while (gutter.firstChild) gutter.removeChild(gutter.firstChild);
    for (var i = 1; i <= n; i++) {
      var s = document.createElement("span");
      s.textContent = String(i);
      s.setAttribute("data-line", String(i));
      if (m[i]) s.className = "mark-" + m[i];
      gutter.appendChild(s);
    }
    gutter.scrollTop = body.scrollTop;
  }

  function item(f) {
    var li = document.createElement("li");
    li.className = "finding " + f.severity;
    li.setAttribute("data-line", f.line ? String(f.line) : "");
    li.setAttribute("data-rule", f.rule);
    function span(cls, text) {
      var s = document.createElement(cls === "rule" || cls === "field" ? "code" : "span");
      s.className = cls; s.textContent = text; li.appendChild(s);
      li.appendChild(document.createTextNode(" "));
      return s;
    }
    span("where", f.line ? "line " + f.line : "draft");
    span("sev", f.severity);
    span("rule", f.rule);
    if (f.field) span("field", "[" + f.field + "]");
    span("msg", f.message);
    if (f.fix) {
      var fx = span("fix", "fix: ");
      var c = document.createElement("code");
      c.textContent = f.fix;
      fx.appendChild(c);
    }
    return li;
  }

  function draw(d) {
    while (list.firstChild) list.removeChild(list.firstChild);
    d.findings.forEach(function (f) { list.appendChild(item(f)); });
    if (!d.findings.length) {
      var li = document.createElement("li");
      li.className = "finding none";
      li.textContent = "No findings: the draft follows every rule.";
      list.appendChild(li);
    }
    count.textContent = d.errors + " errors, " + d.warnings + " warnings";
    status.textContent = "";
    drawGutter();
  }

  var timer = null, asked = 0;
  function run() {
    var mine = ++asked;
    if (!body.value.trim()) { draw({ findings: [], errors: 0, warnings: 0 }); return; }
    status.textContent = "checking…";
    fetch("/api/drafts/check", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ body: body.value, form: kind ? kind.value : "text" }),
    })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        if (mine !== asked) return;  // a later check is on its way
        if (d) draw(d); else status.textContent = "the check did not answer";
      })
      .catch(function () { if (mine === asked) status.textContent = "the check did not answer"; });
  }
  function later() { clearTimeout(timer); timer = setTimeout(run, 400); drawGutter(); }

  // "Start from the fields": a structured draft's fields (YAML) to fill in, for a new draft
  var fields = document.getElementById("draft-fields");
  var skeleton = document.getElementById("fields-skeleton");
  if (fields && skeleton && kind) {
    fields.hidden = false;
    fields.addEventListener("click", function () {
      if (body.value.trim() && !window.confirm("Replace the text with the fields?")) return;
      body.value = skeleton.content ? skeleton.content.textContent : skeleton.textContent;
      kind.value = "yaml";
      later();
      body.focus();
    });
  }

  body.addEventListener("input", later);
  if (kind) kind.addEventListener("change", later);
  body.addEventListener("scroll", function () { gutter.scrollTop = body.scrollTop; });
  drawGutter();
})();
