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
