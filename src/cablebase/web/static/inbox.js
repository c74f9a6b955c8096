// Live update of an inbox page (templates/inbox.html): fetch its JSON twin from this origin
// every few seconds and redraw the counts and rows.  Text goes in through textContent only.
(function () {
  "use strict";
  var box = document.getElementById("inbox");
  if (!box || !window.fetch) return;
  var key = box.getAttribute("data-addressee");
  var page = box.getAttribute("data-page") || "1";
  var token = document.getElementById("inbox-csrf");  // for the forms of rows drawn here
  var csrf = token ? token.value : "";
  var loggedIn = !!document.getElementById("who");
  var seen = "";

  function cell(tr, text, cls) {
    var td = document.createElement("td");
    if (cls) td.className = cls;
    td.textContent = text || "";
    tr.appendChild(td);
    return td;
  }

  function form(td, e, action, cls, label) {
    var f = document.createElement("form");
    f.className = "form inline";
    f.method = "post";
    f.action = "/inbox/" + encodeURIComponent(key) + "/" + encodeURIComponent(e.reference_id) + "/" + action;
    var i = document.createElement("input");
    i.type = "hidden"; i.name = "csrf"; i.value = csrf;
    var b = document.createElement("button");
    b.type = "submit"; b.className = cls; b.textContent = label;
    f.appendChild(i); f.appendChild(b); td.appendChild(f);
  }

  function ackCell(tr, e) {
    var td = cell(tr, "");
    if (!e.ack_required) {
      if (!e.read && loggedIn) form(td, e, "read", "mark-read", "Mark read");
      return;
    }
    if (e.acked) {
      var s = document.createElement("span");
      s.className = "acked";
      s.textContent = "acknowledged by " + (e.acked_by || "-");
      td.appendChild(s);
    } else if (loggedIn) {
      form(td, e, "ack", "ack", "Acknowledge");
    } else {
      var p = document.createElement("span");
      p.className = "pending"; p.textContent = "awaiting acknowledgement";
      td.appendChild(p);
    }
  }

  function draw(data) {
    var sig = JSON.stringify(data);
    if (sig === seen) return;
    seen = sig;
    document.getElementById("inbox-total").textContent = data.total;
    document.getElementById("inbox-unread").textContent = data.unread;
    document.getElementById("inbox-unacked").textContent = data.unacknowledged;
    var body = document.getElementById("inbox-rows");
    while (body.firstChild) body.removeChild(body.firstChild);
    if (!data.entries.length) {
      var tr0 = document.createElement("tr");
      tr0.className = "empty";
      var td0 = cell(tr0, "No cables.");
      td0.colSpan = 6;
      body.appendChild(tr0);
    }
    data.entries.forEach(function (e) {
      var tr = document.createElement("tr");
      tr.className = "entry" + (e.read ? "" : " unread");
      tr.setAttribute("data-id", e.reference_id);
      tr.setAttribute("data-precedence", e.precedence);
      cell(tr, e.precedence, "precedence");
      cell(tr, e.role);
      var td = cell(tr, "", "mono");
      var a = document.createElement("a");
      a.href = "/cable/" + encodeURIComponent(e.reference_id);
      a.textContent = e.reference_id;
      td.appendChild(a);
      cell(tr, e.subject);
      cell(tr, e.delivered, "small");
      ackCell(tr, e);
      body.appendChild(tr);
    });
  }

  function poll() {
    fetch("/api/inbox/" + encodeURIComponent(key) + "?page=" + encodeURIComponent(page), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) { if (d) draw(d); })
      .catch(function () {});
  }
  setInterval(poll, 2000);
})();
