// Slice viewer. The server draws every slice in the radiological convention from the image's geometry (axial:
// patient right on screen left, anterior up; coronal: right on the left, superior up; sagittal: anterior on the
// left, superior up) and tells the page the display grid (GET .../view): slice count, pixel size in mm, the letters
// at the edges, and whether the chosen label map can be drawn on the image. The label map is a second, transparent
// PNG resampled by the server onto the image's grid (on=...), never stretched here; a refused overlay is not shown
// and the reason is. Scroll with the slider, the mouse wheel or the keyboard; zoom with the buttons, Ctrl + wheel or
// + / −; drag to pan. The value under the cursor (HU, or the label) and its LPS point come from the server
// (GET .../value), asked at most once per displayed pixel, after the cursor rests, and never more than one request
// at a time (the latest position wins).
(function () {
  "use strict";
  const viewer = document.getElementById("viewer");
  if (!viewer) { return; }
  const caseId = viewer.dataset.case;
  const $ = function (id) { return document.getElementById(id); };
  const base = $("base"), overlay = $("overlay"), plane = $("plane");
  const slice = $("slice"), out = $("slice-out");
  const wc = $("wc"), ww = $("ww"), preset = $("preset");
  const opacity = $("opacity");
  const baseImg = $("base-img"), overlayImg = $("overlay-img"), pane = $("pane");
  const refusedBox = $("overlay-refused"), readout = $("readout");
  const scaleLine = $("scale-line"), scaleText = $("scale-text"), zoomValue = $("zoom-out-value");
  const edges = ["left", "right", "top", "bottom"].map(function (e) { return [e, $("edge-" + e)]; });
  const stage = viewer.querySelector(".stage");
  const rulerSvg = $("ruler-svg"), rulerLine = $("ruler-line"), rulerA = $("ruler-a"), rulerB = $("ruler-b");
  const rulerToggle = $("ruler-toggle"), rulerOut = $("ruler-out"), measureForm = $("measure-form");
  let grid = null, overlayDrawn = false, request = 0;
  // View: fitted size (screen px per mm at zoom 1), zoom factor, pan offset (screen px).
  let fitPxPerMm = 1, stageWidth = 0, stageHeight = 0, zoom = 1, panX = 0, panY = 0;
  const maxZoom = 16;
  let lastHover = "", hoverTimer = 0, busy = false, pending = null;

  function imagesUrl(id) { return "/cases/" + caseId + "/images/" + id; }
  function imageUrl(id, k, extra) {
    return imagesUrl(id) + "/slices/" + k + ".png?" + extra + "plane=" + encodeURIComponent(plane.value);
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
    lastHover = "";
  }
  // Size both pictures in proportion to millimetres (pixels need not be square: a coronal view of 5 mm slices).
  function size() {
    if (!grid) { return; }
    const wMm = grid.width * grid.pixelWidthMm, hMm = grid.height * grid.pixelHeightMm;
    fitPxPerMm = Math.min(0.8 * window.innerHeight, 0.9 * window.innerWidth) / Math.max(wMm, hMm);
    stageWidth = wMm * fitPxPerMm; stageHeight = hMm * fitPxPerMm;
    stage.style.width = stageWidth + "px"; stage.style.height = stageHeight + "px";
    [baseImg, overlayImg, rulerSvg].forEach(function (img) { img.style.width = stageWidth + "px"; img.style.height = stageHeight + "px"; });
    // The ruler is drawn in picture-pixel coordinates (centres at whole numbers), stretched with the picture.
    rulerSvg.setAttribute("viewBox", "-0.5 -0.5 " + grid.width + " " + grid.height);
    applyView();
  }

  // Zoom and pan: one CSS transform on the pane holding both pictures (so the overlay stays on its pixels); the
  // picture always covers the stage (zoom ≥ 1, pan clamped). The scale bar is drawn from the same numbers.
  function applyView() {
    panX = Math.min(0, Math.max(stageWidth - stageWidth * zoom, panX));
    panY = Math.min(0, Math.max(stageHeight - stageHeight * zoom, panY));
    pane.style.transform = "translate(" + panX + "px, " + panY + "px) scale(" + zoom + ")";
    zoomValue.textContent = Math.round(zoom * 100) + " %";
    const pxPerMm = fitPxPerMm * zoom;
    const steps = [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500];
    let mm = steps[0];
    steps.forEach(function (s) { if (s * pxPerMm <= Math.max(60, 0.25 * stageWidth)) { mm = s; } });
    scaleLine.style.width = (mm * pxPerMm) + "px";
    scaleText.textContent = mm + " mm";
    scaleLine.parentElement.dataset.mm = String(mm);
  }
  function zoomAt(factor, sx, sy) {
    const z = Math.min(maxZoom, Math.max(1, zoom * factor));
    const f = z / zoom;
    panX = sx - (sx - panX) * f; panY = sy - (sy - panY) * f; zoom = z;
    applyView();
  }
  function resetView() { zoom = 1; panX = 0; panY = 0; applyView(); }

  // Fetches the display grid of the image shown (or of the label map alone), then draws; middle slice on a new grid.
  function refresh() {
    const reference = base.value || overlay.value;
    const mine = ++request;
    if (!reference) { grid = null; edges.forEach(function (e) { e[1].textContent = ""; }); refusedBox.hidden = true; render(); return; }
    let url = imagesUrl(reference) + "/view?plane=" + encodeURIComponent(plane.value);
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
      zoom = 1; panX = 0; panY = 0;
      size();
      render();
      viewer.dispatchEvent(new CustomEvent("viewer:grid"));
    }).catch(function (e) {
      if (mine !== request) { return; }
      grid = null; refusedBox.hidden = false; refusedBox.textContent = e.message; render();
    });
  }
  function step(d) { slice.value = Math.min(Number(slice.max), Math.max(0, Number(slice.value) + d)); render(); viewer.dispatchEvent(new CustomEvent("viewer:slice")); }

  // The picture pixel (continuous; pixel centres at whole numbers) under a pointer event, or null.
  function pixelAt(e) {
    const img = base.value ? baseImg : overlayImg;
    if (!grid || img.hidden) { return null; }
    const r = img.getBoundingClientRect();
    return { x: (e.clientX - r.left) / r.width * grid.width - 0.5, y: (e.clientY - r.top) / r.height * grid.height - 0.5 };
  }
  function inside(p) { return p && p.x >= -0.5 && p.y >= -0.5 && p.x <= grid.width - 0.5 && p.y <= grid.height - 0.5; }
  function fmt(v, d) { return (v < 0 ? "−" : "") + Math.abs(v).toFixed(d); }

  // Value under the cursor: debounced (the cursor must rest 60 ms), one request in flight, the latest point wins.
  function hover(e) {
    const p = pixelAt(e);
    if (!inside(p)) { return; }
    const q = { x: Math.round(p.x), y: Math.round(p.y), k: Number(slice.value), base: base.value, overlay: overlayDrawn ? overlay.value : "", plane: plane.value };
    const key = [q.base, q.overlay, q.plane, q.k, q.x, q.y].join("/");
    if (key === lastHover) { return; }
    lastHover = key;
    clearTimeout(hoverTimer);
    hoverTimer = setTimeout(function () { ask(q); }, 60);
  }
  function valueUrl(id, q, on) {
    return imagesUrl(id) + "/value?plane=" + encodeURIComponent(q.plane) + "&k=" + q.k + "&x=" + q.x + "&y=" + q.y + (on ? "&on=" + encodeURIComponent(on) : "");
  }
  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error("(" + r.status + ")"); }
      return r.json();
    });
  }
  function ask(q) {
    if (busy) { pending = q; return; }
    busy = true;
    const asks = [];
    if (q.base) { asks.push(getJson(valueUrl(q.base, q, ""))); }
    if (q.overlay) { asks.push(getJson(valueUrl(q.overlay, q, q.base))); }
    Promise.all(asks).then(function (answers) {
      const parts = [];
      let point = null;
      answers.forEach(function (a) {
        point = point || a;
        const name = a.kind === "labels" ? "label" : "HU";
        parts.push(a.value === null ? name + " — (outside the image)" : name + " " + (a.kind === "labels" ? String(a.value) : fmt(a.value, 0)));
      });
      readout.dataset.x = String(q.x); readout.dataset.y = String(q.y); readout.dataset.k = String(q.k);
      readout.dataset.value = answers.length && answers[0].value !== null ? String(answers[0].value) : "";
      readout.textContent = parts.join(" · ") + (point ? " at LPS (" + fmt(point.xLps, 1) + ", " + fmt(point.yLps, 1) + ", " + fmt(point.zLps, 1) + ") mm" : "")
        + " · pixel (" + q.x + ", " + q.y + "), slice " + q.k;
    }).catch(function (e) {
      readout.textContent = "The value could not be read " + e.message + ".";
    }).then(function () {
      busy = false;
      if (pending) { const next = pending; pending = null; ask(next); }
    });
  }

  // Pointer: a drag pans (zoomed in); a click without movement goes to the tools (the ruler listens for it).
  let drag = null;
  stage.addEventListener("pointerdown", function (e) {
    if (e.button !== 0) { return; }
    drag = { x: e.clientX, y: e.clientY, panX: panX, panY: panY, moved: false, id: e.pointerId };
    stage.setPointerCapture(e.pointerId);
  });
  stage.addEventListener("pointermove", function (e) {
    if (drag && drag.id === e.pointerId) {
      const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (drag.moved || dx * dx + dy * dy > 16) {
        drag.moved = true;
        panX = drag.panX + dx; panY = drag.panY + dy; applyView();
        return;
      }
    }
    hover(e);
  });
  stage.addEventListener("pointerup", function (e) {
    if (!drag || drag.id !== e.pointerId) { return; }
    const moved = drag.moved;
    drag = null;
    stage.releasePointerCapture(e.pointerId);
    if (!moved) {
      const p = pixelAt(e);
      if (inside(p)) { viewer.dispatchEvent(new CustomEvent("viewer:click", { detail: { x: p.x, y: p.y } })); }
    }
  });
  stage.addEventListener("pointercancel", function () { drag = null; });

  [slice, wc, ww, opacity].forEach(function (e) { e.addEventListener("input", function () { render(); if (e === slice) { viewer.dispatchEvent(new CustomEvent("viewer:slice")); } }); });
  [base, overlay, plane].forEach(function (e) { e.addEventListener("change", refresh); });
  window.addEventListener("resize", size);
  preset.addEventListener("change", function () {
    if (!preset.value) { return; }
    const p = preset.value.split(","); wc.value = p[0]; ww.value = p[1]; render();
  });
  $("zoom-in").addEventListener("click", function () { zoomAt(1.5, stageWidth / 2, stageHeight / 2); });
  $("zoom-out").addEventListener("click", function () { zoomAt(1 / 1.5, stageWidth / 2, stageHeight / 2); });
  $("zoom-reset").addEventListener("click", resetView);
  stage.addEventListener("keydown", function (e) {
    const moves = { ArrowUp: 1, ArrowDown: -1, PageUp: 10, PageDown: -10 };
    if (e.key in moves) { step(moves[e.key]); e.preventDefault(); }
    else if (e.key === "Home") { step(-1e9); e.preventDefault(); }
    else if (e.key === "End") { step(1e9); e.preventDefault(); }
    else if (e.key === "+" || e.key === "=") { zoomAt(1.5, stageWidth / 2, stageHeight / 2); e.preventDefault(); }
    else if (e.key === "-") { zoomAt(1 / 1.5, stageWidth / 2, stageHeight / 2); e.preventDefault(); }
    else if (e.key === "0") { resetView(); e.preventDefault(); }
  });
  stage.addEventListener("wheel", function (e) {
    if (e.ctrlKey || e.metaKey) {
      const r = stage.getBoundingClientRect();
      zoomAt(e.deltaY < 0 ? 1.25 : 0.8, e.clientX - r.left, e.clientY - r.top);
    } else { step(e.deltaY < 0 ? 1 : -1); }
    e.preventDefault();
  }, { passive: false });

  // The ruler: two clicks on one displayed slice; the server maps both display-pixel points to LPS through the
  // display grid and measures there (mm, whatever the pixel aspect). Changing slice, plane or image clears it.
  let rulerOn = false, ruler = null, rulerRequest = 0;
  function setLine(el, a, b) { el.setAttribute("x1", a.x); el.setAttribute("y1", a.y); el.setAttribute("x2", b.x); el.setAttribute("y2", b.y); }
  function drawRuler() {
    const shown = !!(ruler && ruler.a);
    rulerSvg.toggleAttribute("hidden", !shown);
    if (!shown) { return; }
    const b = ruler.b || ruler.a;
    setLine(rulerA, ruler.a, ruler.a); setLine(rulerB, b, b); setLine(rulerLine, ruler.a, b);
  }
  function clearRuler(message) {
    ruler = null; ++rulerRequest; drawRuler();
    if (measureForm) { measureForm.hidden = true; }
    delete rulerOut.dataset.mm;
    rulerOut.textContent = message;
  }
  function round2(v) { return Math.round(v * 100) / 100; }
  rulerToggle.addEventListener("click", function () {
    rulerOn = !rulerOn;
    rulerToggle.setAttribute("aria-pressed", String(rulerOn));
    clearRuler(rulerOn ? "Ruler on: click the first point." : "Ruler off: press it, then click two points on the slice.");
  });
  viewer.addEventListener("viewer:click", function (e) {
    if (!rulerOn) { return; }
    const p = { x: round2(e.detail.x), y: round2(e.detail.y) };
    if (!ruler || ruler.b) {
      clearRuler("Click the second point on this slice.");
      ruler = { image: base.value || overlay.value, plane: plane.value, k: Number(slice.value), a: p, b: null };
      drawRuler();
      return;
    }
    ruler.b = p; drawRuler();
    const mine = ++rulerRequest, r = ruler;
    rulerOut.textContent = "Measuring…";
    getJson(imagesUrl(r.image) + "/distance?plane=" + encodeURIComponent(r.plane) + "&k=" + r.k
      + "&x1=" + r.a.x + "&y1=" + r.a.y + "&x2=" + r.b.x + "&y2=" + r.b.y).then(function (m) {
      if (mine !== rulerRequest) { return; }
      const pt = function (v) { return "(" + fmt(v[0], 1) + ", " + fmt(v[1], 1) + ", " + fmt(v[2], 1) + ")"; };
      rulerOut.dataset.mm = String(m.savedMm);
      rulerOut.textContent = m.savedMm.toFixed(1) + " mm, from LPS " + pt(m.aLps) + " to " + pt(m.bLps) + " mm (" + m.plane + " slice " + m.slice + ")";
      if (measureForm) {
        [["m-image", r.image], ["m-plane", r.plane], ["m-slice", r.k], ["m-x1", r.a.x], ["m-y1", r.a.y], ["m-x2", r.b.x], ["m-y2", r.b.y]]
          .forEach(function (f) { $(f[0]).value = String(f[1]); });
        measureForm.hidden = false;
      }
    }).catch(function (err) {
      if (mine === rulerRequest) { rulerOut.textContent = "The distance could not be measured " + err.message + "."; }
    });
  });
  viewer.addEventListener("viewer:slice", function () { if (ruler) { clearRuler("Ruler cleared: the slice changed (a ruler measures on one slice)."); } });
  viewer.addEventListener("viewer:grid", function () { if (ruler) { clearRuler("Ruler cleared: the image or plane changed."); } });

  // For the tools (ruler, measurement): the state they need, read-only.
  window.localControlViewer = {
    grid: function () { return grid; },
    slice: function () { return Number(slice.value); },
    plane: function () { return plane.value; },
    image: function () { return base.value || overlay.value; },
    pane: pane,
  };
  if (base.options.length > 1) { base.selectedIndex = 1; }
  if (overlay.options.length > 1) { overlay.selectedIndex = 1; }
  refresh();
})();
