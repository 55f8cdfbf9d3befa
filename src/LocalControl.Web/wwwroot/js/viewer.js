// Slice viewer. The server draws every slice in the radiological convention from the image's geometry (axial:
// patient right on screen left, anterior up; coronal: right on the left, superior up; sagittal: anterior on the
// left, superior up) and tells the page the display grid (GET .../view): slice count, pixel aspect, the letters at
// the edges, and whether the chosen label map can be drawn on the image. The label map is a second, transparent PNG
// resampled by the server onto the image's grid (on=...), never stretched here; a refused overlay is not shown and
// the reason is. Scroll with the slider, the mouse wheel or the keyboard.
(function () {
  "use strict";
  const viewer = document.getElementById("viewer");
  if (!viewer) { return; }
  const caseId = viewer.dataset.case;
  const base = document.getElementById("base"), overlay = document.getElementById("overlay"), plane = document.getElementById("plane");
  const slice = document.getElementById("slice"), out = document.getElementById("slice-out");
  const wc = document.getElementById("wc"), ww = document.getElementById("ww"), preset = document.getElementById("preset");
  const opacity = document.getElementById("opacity");
  const baseImg = document.getElementById("base-img"), overlayImg = document.getElementById("overlay-img");
  const refusedBox = document.getElementById("overlay-refused");
  const edges = ["left", "right", "top", "bottom"].map(function (e) { return [e, document.getElementById("edge-" + e)]; });
  const stage = viewer.querySelector(".stage");
  let grid = null, overlayDrawn = false, request = 0;

  function imageUrl(id, k, extra) {
    return "/cases/" + caseId + "/images/" + id + "/slices/" + k + ".png?" + extra + "plane=" + encodeURIComponent(plane.value);
  }
  function render() {
    const n = grid ? grid.slices : 0;
    slice.max = Math.max(0, n - 1);
    if (Number(slice.value) > n - 1) { slice.value = Math.max(0, n - 1); }
    const k = Number(slice.value);
    out.textContent = n ? (k + " / " + (n - 1)) : "—";
    if (grid && base.value) {
      baseImg.src = imageUrl(base.value, k, "c=" + encodeURIComponent(wc.value) + "&w=" + encodeURIComponent(ww.value) + "&");
      baseImg.hidden = false;
    } else { baseImg.hidden = true; baseImg.removeAttribute("src"); }
    if (grid && overlay.value && overlayDrawn) {
      overlayImg.src = imageUrl(overlay.value, k, base.value ? "on=" + encodeURIComponent(base.value) + "&" : "");
      overlayImg.hidden = false;
    } else { overlayImg.hidden = true; overlayImg.removeAttribute("src"); }
    overlayImg.style.opacity = String(Number(opacity.value) / 100);
    overlayImg.classList.toggle("alone", !base.value);
  }
  // Size both pictures in proportion to millimetres (pixels need not be square: a coronal view of 5 mm slices).
  function size() {
    if (!grid) { return; }
    const wMm = grid.width * grid.pixelWidthMm, hMm = grid.height * grid.pixelHeightMm;
    const scale = Math.min(0.8 * window.innerHeight, 0.9 * window.innerWidth) / Math.max(wMm, hMm);
    [baseImg, overlayImg].forEach(function (img) { img.style.width = (wMm * scale) + "px"; img.style.height = (hMm * scale) + "px"; });
  }
  // Fetches the display grid of the image shown (or of the label map alone), then draws; middle slice on a new grid.
  function refresh() {
    const reference = base.value || overlay.value;
    const mine = ++request;
    if (!reference) { grid = null; edges.forEach(function (e) { e[1].textContent = ""; }); refusedBox.hidden = true; render(); return; }
    let url = "/cases/" + caseId + "/images/" + reference + "/view?plane=" + encodeURIComponent(plane.value);
    if (base.value && overlay.value) { url += "&overlay=" + encodeURIComponent(overlay.value); }
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error("The image's geometry could not be read (" + r.status + ")."); }
      return r.json();
    }).then(function (g) {
      if (mine !== request) { return; }
      grid = g;
      overlayDrawn = !!overlay.value && (!g.overlay || g.overlay.drawn);
      refusedBox.hidden = !(g.overlay && !g.overlay.drawn);
      refusedBox.textContent = g.overlay && !g.overlay.drawn ? g.overlay.refused : "";
      edges.forEach(function (e) { e[1].textContent = g[e[0]]; });
      slice.max = Math.max(0, g.slices - 1);
      slice.value = Math.floor(g.slices / 2);
      size();
      render();
    }).catch(function (e) {
      if (mine !== request) { return; }
      grid = null; refusedBox.hidden = false; refusedBox.textContent = e.message; render();
    });
  }
  function step(d) { slice.value = Math.min(Number(slice.max), Math.max(0, Number(slice.value) + d)); render(); }

  [slice, wc, ww, opacity].forEach(function (e) { e.addEventListener("input", render); });
  [base, overlay, plane].forEach(function (e) { e.addEventListener("change", refresh); });
  window.addEventListener("resize", size);
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
  refresh();
})();
