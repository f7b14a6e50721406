/**
 * The page's only script (inline, allowed by its hash in the page's Content-Security-Policy): a tooltip for
 * every element with data-tip (arena buffers, scope columns), and row ↔ scope highlighting. It takes the
 * SVG <title>s over as aria-labels so browsers do not show a second, native tooltip.
 */
export const REPORT_SCRIPT = `(function () {
  "use strict";
  var tip = document.getElementById("tip");
  if (!tip) return;
  document.querySelectorAll("[data-tip] > title").forEach(function (t) {
    var p = t.parentNode;
    p.setAttribute("aria-label", t.textContent || "");
    p.removeChild(t);
  });
  function place(e) {
    var pad = 14, w = tip.offsetWidth, h = tip.offsetHeight;
    var x = e.clientX + pad, y = e.clientY + pad;
    if (x + w > window.innerWidth - 4) x = e.clientX - w - pad;
    if (y + h > window.innerHeight - 4) y = e.clientY - h - pad;
    tip.style.left = Math.max(4, x) + "px";
    tip.style.top = Math.max(4, y) + "px";
  }
  var lit = null;
  function light(el) {
    if (lit) lit.classList.remove("hl");
    lit = el;
    if (lit) lit.classList.add("hl");
  }
  document.addEventListener("mouseover", function (e) {
    var el = e.target instanceof Element ? e.target : null;
    var t = el ? el.closest("[data-tip]") : null;
    if (t) {
      tip.textContent = t.getAttribute("data-tip");
      tip.hidden = false;
      place(e);
    } else {
      tip.hidden = true;
    }
    var row = el ? el.closest("tr[data-layer]") : null;
    light(row ? document.querySelector('rect.col[data-scope="' + (Number(row.getAttribute("data-layer")) + 1) + '"]') : null);
  });
  document.addEventListener("mousemove", function (e) { if (!tip.hidden) place(e); });
  document.documentElement.addEventListener("mouseleave", function () { tip.hidden = true; light(null); });
})();`;
