// cablebase reading room: small progressive enhancements; every page works without this.
(function () {
  "use strict";
  // "/" focuses the search box (unless typing already).
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.isContentEditable)) return;
    var box = document.getElementById("q") || document.getElementById("top-q");
    if (box) { e.preventDefault(); box.focus(); box.select(); }
  });
  // Copy buttons: data-copy names the element whose text is copied.
  document.querySelectorAll("button[data-copy]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var src = document.querySelector(btn.getAttribute("data-copy"));
      if (!src || !navigator.clipboard) return;
      navigator.clipboard.writeText(src.textContent.trim()).then(function () {
        var old = btn.textContent;
        btn.textContent = "Copied";
        setTimeout(function () { btn.textContent = old; }, 1500);
      });
    });
  });
  // Put the caret of the query box at the reported fault of a malformed query.
  var err = document.getElementById("query-error");
  var q = document.getElementById("q");
  if (err && q) {
    var pos = parseInt(err.getAttribute("data-position") || "-1", 10);
    if (pos >= 0) { q.focus(); q.setSelectionRange(pos, pos); }
  }
})();
