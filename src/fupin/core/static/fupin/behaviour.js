// Small page behaviours bound by data attributes, so that pages need no inline handlers (the
// Content-Security-Policy allows scripts from our static files only). Delegated: rows added by htmx work too.
document.addEventListener("change", function (e) {
  var el = e.target;
  if (el && el.matches && el.matches("[data-submit-on-change]") && el.form) el.form.submit();
});
document.addEventListener("click", function (e) {
  var ask = e.target && e.target.closest ? e.target.closest("[data-confirm]") : null;
  if (ask && !window.confirm(ask.getAttribute("data-confirm"))) { e.preventDefault(); return; }
  var el = e.target && e.target.closest ? e.target.closest("[data-remove-closest],[data-print]") : null;
  if (!el) return;
  if (el.hasAttribute("data-print")) { window.print(); return; }
  var target = el.closest(el.getAttribute("data-remove-closest"));
  if (target) target.remove();
});
// Navigation groups (<details>): one open at a time on wide screens; a click elsewhere closes them.
document.addEventListener("click", function (e) {
  if (window.matchMedia("(max-width: 700px)").matches) return;
  var inside = e.target && e.target.closest ? e.target.closest("details.navgroup") : null;
  document.querySelectorAll("details.navgroup[open]").forEach(function (d) { if (d !== inside) d.removeAttribute("open"); });
});
// On a phone the menu (☰) opens with every group unfolded: one list to scroll, no second tap per group.
document.addEventListener("change", function (e) {
  if (!e.target || e.target.id !== "navtoggle" || !e.target.checked) return;
  if (!window.matchMedia("(max-width: 700px)").matches) return;
  document.querySelectorAll("details.navgroup").forEach(function (d) { d.setAttribute("open", ""); });
});
// Required fields marked: a label that wraps a required control and has no mark yet gets the red asterisk after its
// text (the templates of the form kit mark theirs on the server; hand-written forms are marked here).
function markRequired(root) {
  root.querySelectorAll("label").forEach(function (label) {
    if (label.querySelector(".req") || !label.querySelector("input[required],select[required],textarea[required]")) return;
    var text = Array.prototype.find.call(label.childNodes, function (n) { return n.nodeType === 3 && n.textContent.trim(); });
    if (!text) return;
    var wrap = document.createElement("span"), star = document.createElement("span");
    star.className = "req";
    star.setAttribute("aria-hidden", "true");
    star.textContent = " *";
    label.insertBefore(wrap, text);
    wrap.appendChild(text);  // the text and its mark stay on one line in grid labels
    wrap.appendChild(star);
  });
}
document.addEventListener("DOMContentLoaded", function () { markRequired(document); });
document.addEventListener("htmx:load", function (e) { markRequired(e.target); });
