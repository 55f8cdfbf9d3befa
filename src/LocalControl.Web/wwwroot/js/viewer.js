// Axial slice viewer: the server renders each slice as PNG (window/level applied server-side); labels are a second,
// transparent PNG on top. Scroll with the slider, the mouse wheel or the keyboard.
(function () {
  "use strict";
  const viewer = document.getElementById("viewer");
  if (!viewer) { return; }
  const caseId = viewer.dataset.case;
  const base = document.getElementById("base"), overlay = document.getElementById("overlay");
  const slice = document.getElementById("slice"), out = document.getElementById("slice-out");
  const wc = document.getElementById("wc"), ww = document.getElementById("ww"), preset = document.getElementById("preset");
  const opacity = document.getElementById("opacity");
  const baseImg = document.getElementById("base-img"), overlayImg = document.getElementById("overlay-img");
  const stage = viewer.querySelector(".stage");

  function slices() {
    const counts = [base, overlay].map(function (s) { const o = s.selectedOptions[0]; return o && o.value ? Number(o.dataset.slices) : 0; }).filter(Boolean);
    return counts.length ? Math.min.apply(null, counts) : 0;
  }
  function url(id, k) { return "/cases/" + caseId + "/images/" + id + "/slices/" + k + ".png?c=" + encodeURIComponent(wc.value) + "&w=" + encodeURIComponent(ww.value); }
  function render() {
    const n = slices();
    slice.max = Math.max(0, n - 1);
    if (Number(slice.value) > n - 1) { slice.value = Math.max(0, n - 1); }
    const k = Number(slice.value);
    out.textContent = n ? (k + " / " + (n - 1)) : "—";
    if (base.value) { baseImg.src = url(base.value, k); baseImg.hidden = false; } else { baseImg.hidden = true; baseImg.removeAttribute("src"); }
    if (overlay.value) { overlayImg.src = url(overlay.value, k); overlayImg.hidden = false; } else { overlayImg.hidden = true; overlayImg.removeAttribute("src"); }
    overlayImg.style.opacity = String(Number(opacity.value) / 100);
    overlayImg.classList.toggle("alone", !base.value);
  }
  function step(d) { slice.value = Math.min(Number(slice.max), Math.max(0, Number(slice.value) + d)); render(); }

  [base, overlay, slice, wc, ww, opacity].forEach(function (e) { e.addEventListener("input", render); });
  preset.addEventListener("change", function () {
    if (!preset.value) { return; }
    const p = preset.value.split(","); wc.value = p[0]; ww.value = p[1]; render();
  });
  stage.addEventListener("keydown", function (e) {
    const moves = { ArrowUp: 1, ArrowDown: -1, PageUp: 10, PageDown: -10 };
    if (e.key in moves) { step(moves[e.key]); e.preventDefault(); }
    else if (e.key === "Home") { slice.value = 0; render(); e.preventDefault(); }
    else if (e.key === "End") { slice.value = slice.max; render(); e.preventDefault(); }
  });
  stage.addEventListener("wheel", function (e) { step(e.deltaY < 0 ? 1 : -1); e.preventDefault(); }, { passive: false });
  if (base.options.length > 1) { base.selectedIndex = 1; }
  if (overlay.options.length > 1) { overlay.selectedIndex = 1; }
  // Open on the middle slice (the range's max must be set first, or the browser clamps the value to 0).
  slice.max = Math.max(0, slices() - 1);
  slice.value = Math.floor(slices() / 2);
  render();
})();
