// Case form: edits the same case-file model as the JSON tab. The model is the parsed JSON object itself, so fields the
// form does not show (unknown or newer fields, measured provenance) are kept as they are. Every edit writes one path of
// the model and then the JSON text, whose "input" event runs editor.js's live validation (/api/cases/preview, the
// engine's reader); the reader's messages are placed next to the field whose path they name.
(function () {
  "use strict";
  const area = document.getElementById("CaseFileJson");
  const panelForm = document.getElementById("panel-form");
  if (!area || !panelForm) { return; }
  const panelJson = document.getElementById("panel-json");
  const tabForm = document.getElementById("tab-form");
  const tabJson = document.getElementById("tab-json");
  const tabMessage = document.getElementById("tab-message");
  const words = JSON.parse(panelForm.dataset.words);
  const lesionRows = document.getElementById("lesion-rows");
  const lineRows = document.getElementById("therapy-lines");
  const therapyKnown = panelForm.querySelector("[data-therapy-known]");
  let doc = null;
  let lastValidation = null;
  // The words typed into coded fields, by full path, so that the mapping stays shown after the form is redrawn.
  const typedWords = new Map();

  // The same normalisation as Core's ClinicalWords.Normalise: lower case; runs of space, hyphen, underscore, full stop -> one space.
  function normalise(text) { return text.toLowerCase().replace(/[\s\-_.]+/g, " ").trim(); }

  function isObject(v) { return v !== null && typeof v === "object" && !Array.isArray(v); }

  function getPath(obj, path) {
    let cur = obj;
    for (const key of path.split(".")) { if (!isObject(cur)) { return undefined; } cur = cur[key]; }
    return cur;
  }

  function setPath(obj, path, value) {
    const keys = path.split(".");
    let cur = obj;
    for (let i = 0; i < keys.length - 1; i++) {
      if (!isObject(cur[keys[i]])) {
        if (value === undefined) { return; }
        cur[keys[i]] = {};
      }
      cur = cur[keys[i]];
    }
    const last = keys[keys.length - 1];
    if (value === undefined) { delete cur[last]; } else { cur[last] = value; }
  }

  function writeJson() {
    area.value = JSON.stringify(doc, null, 2);
    area.dispatchEvent(new Event("input"));
  }

  // Form field -> model value. Nothing typed is dropped: a number field holding text keeps the text, so the reader names it.
  function readField(input, fullPath) {
    const raw = input.value;
    const note = input.closest(".field, fieldset").querySelector("[data-note]");
    if (note) { note.textContent = ""; note.classList.remove("errors"); }
    if (raw.trim() === "") { return undefined; }
    switch (input.dataset.kind) {
      case "int":
      case "number": {
        const n = Number(raw.trim().replace(",", "."));
        return Number.isFinite(n) ? n : raw;
      }
      case "bool": return raw === "true";
      case "code": {
        const table = words[input.dataset.coded] || {};
        const code = table[normalise(raw)];
        if (code === undefined) {
          if (note) { note.textContent = "'" + raw.trim() + "' is not a word LocalControl maps to a code here"; note.classList.add("errors"); }
          return raw;
        }
        if (note && code !== raw.trim()) { note.textContent = raw.trim() + " → " + code; }
        typedWords.set(fullPath, { typed: raw.trim(), code: code });
        return code;
      }
      default: return raw;
    }
  }

  function showValue(input, value) {
    let text = "";
    if (value === true) { text = "true"; } else if (value === false) { text = "false"; }
    else if (value !== undefined && value !== null) { text = typeof value === "object" ? JSON.stringify(value) : String(value); }
    if (input.tagName === "SELECT" && text !== "" && !Array.from(input.options).some(function (o) { return o.value === text; })) {
      // A value the list does not offer (an alias, a newer code) is shown as it is, never replaced.
      const o = document.createElement("option"); o.value = text; o.textContent = text; input.append(o);
    }
    input.value = text;
  }

  // A model value into its field; a coded field shows the word typed there and its mapping while the code is unchanged.
  function display(input, fullPath, value) {
    const note = input.closest(".field").querySelector("[data-note]");
    if (note) { note.textContent = ""; note.classList.remove("errors"); }
    showValue(input, value);
    const typed = typedWords.get(fullPath);
    if (input.dataset.kind === "code" && typed && typed.code === value && typed.typed !== value) {
      input.value = typed.typed;
      if (note) { note.textContent = typed.typed + " → " + typed.code; }
    }
  }

  function bindFields(container, base, prefix) {
    container.querySelectorAll("[data-path]").forEach(function (input) {
      const path = input.dataset.path;
      input.closest("[data-field-for]").dataset.problemPath = prefix + path;
      display(input, prefix + path, getPath(base(), path));
      input.addEventListener(input.tagName === "SELECT" ? "change" : "input", function () {
        setPath(base(), path, readField(input, prefix + path));
        writeJson();
      });
    });
  }

  function numberIds(node, i) {
    node.querySelectorAll("[id], [for], [aria-describedby]").forEach(function (e) {
      for (const a of ["id", "for", "aria-describedby"]) {
        if (e.hasAttribute(a)) { e.setAttribute(a, e.getAttribute(a).replaceAll("__i__", String(i))); }
      }
    });
  }

  function renderRows(list, rows, templateId, prefix, title, listPath) {
    rows.replaceChildren();
    if (!Array.isArray(list)) { return; }
    list.forEach(function (item, i) {
      if (!isObject(item)) { return; }
      const node = document.getElementById(templateId).content.firstElementChild.cloneNode(true);
      numberIds(node, i);
      node.querySelector("[data-row-title]").textContent = title(item, i);
      bindFields(node, function () { return list[i]; }, prefix + "[" + i + "].");
      const adjacent = node.querySelector("fieldset.adjacent");
      if (adjacent) { bindAdjacent(adjacent, item, prefix + "[" + i + "]."); }
      node.querySelector("[data-remove-row]").addEventListener("click", function () {
        list.splice(i, 1);
        typedWords.clear(); // row numbers shift: forget the typed words rather than show one at the wrong row
        writeJson();
        render();
      });
      rows.append(node);
    });
  }

  function bindAdjacent(fs, lesion, prefix) {
    fs.dataset.problemPath = prefix + "adjacentStructures";
    const known = fs.querySelector("[data-adjacent-known]");
    const boxes = Array.from(fs.querySelectorAll("[data-adjacent]"));
    const list = lesion.adjacentStructures;
    known.value = Array.isArray(list) ? "assessed" : "unknown";
    const extra = Array.isArray(list) ? list.filter(function (s) { return !boxes.some(function (b) { return b.dataset.adjacent === s; }); }) : [];
    boxes.forEach(function (b) { b.checked = Array.isArray(list) && list.includes(b.dataset.adjacent); b.disabled = !Array.isArray(list); });
    if (extra.length) { fs.querySelector("[data-note]").textContent = "also in the file (kept): " + extra.join(", "); }
    function write() {
      if (known.value === "unknown") { delete lesion.adjacentStructures; }
      else { lesion.adjacentStructures = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.dataset.adjacent; }).concat(extra); }
      boxes.forEach(function (b) { b.disabled = known.value === "unknown"; });
      writeJson();
    }
    known.addEventListener("change", write);
    boxes.forEach(function (b) { b.addEventListener("change", write); });
  }

  function patient() { if (!isObject(doc.patient)) { doc.patient = {}; } return doc.patient; }

  function render() {
    if (!panelForm.dataset.bound) {
      // The fixed fields are bound once (the row containers are still empty then); later renders refresh their values.
      panelForm.querySelectorAll(".form-section").forEach(function (s) { bindFields(s, function () { return doc; }, ""); });
      panelForm.dataset.bound = "true";
    } else {
      panelForm.querySelectorAll(".form-section [data-path]").forEach(function (input) {
        if (!input.closest("[data-row]")) { display(input, input.dataset.path, getPath(doc, input.dataset.path)); }
      });
    }
    const lines = isObject(doc.patient) ? doc.patient.priorSystemicTherapy : undefined;
    therapyKnown.value = Array.isArray(lines) ? "listed" : "unknown";
    renderRows(lines, lineRows, "line-template", "patient.priorSystemicTherapy", function (l, i) { return "Line " + (l.line !== undefined ? l.line : i + 1); });
    renderRows(doc.lesions, lesionRows, "lesion-template", "lesions", function (l, i) { return "Lesion " + (i + 1) + (l.id ? " (" + l.id + ")" : ""); });
    if (lastValidation) { placeProblems(lastValidation); }
  }

  // The reader's messages next to the fields they name (exact path, or the nearest field the path lies under).
  function placeProblems(v) {
    panelForm.querySelectorAll("[data-problem]").forEach(function (p) { p.replaceChildren(); });
    panelForm.querySelectorAll(".has-problem").forEach(function (f) { f.classList.remove("has-problem"); });
    const targets = Array.from(panelForm.querySelectorAll("[data-problem-path]"));
    for (const [list, cls] of [[v.errors, "errors"], [v.warnings, "warnings"]]) {
      for (const p of list || []) {
        let best = null;
        for (const t of targets) {
          const tp = t.dataset.problemPath;
          if ((p.path === tp || p.path.startsWith(tp + ".") || p.path.startsWith(tp + "[")) && (!best || tp.length > best.dataset.problemPath.length)) { best = t; }
        }
        if (!best) { continue; }
        const span = best.querySelector("[data-problem]");
        const m = document.createElement("span");
        m.className = cls;
        m.dataset.problemMessage = p.path;
        m.textContent = (cls === "errors" ? "" : "warning: ") + p.message;
        span.append(m);
        if (cls === "errors") { best.classList.add("has-problem"); }
      }
    }
  }

  document.addEventListener("case-validated", function (e) { lastValidation = e.detail; if (doc) { placeProblems(e.detail); } });

  therapyKnown.parentElement.dataset.problemPath = "patient.priorSystemicTherapy";
  therapyKnown.addEventListener("change", function () {
    if (therapyKnown.value === "listed") { if (!Array.isArray(patient().priorSystemicTherapy)) { patient().priorSystemicTherapy = []; } }
    else if (isObject(doc.patient)) { delete doc.patient.priorSystemicTherapy; }
    writeJson(); render();
  });
  panelForm.querySelector("[data-add-line]").addEventListener("click", function () {
    const p = patient();
    if (!Array.isArray(p.priorSystemicTherapy)) { p.priorSystemicTherapy = []; }
    p.priorSystemicTherapy.push({ line: p.priorSystemicTherapy.length + 1 });
    writeJson(); render();
    const inputs = lineRows.querySelectorAll("[data-path='regimen']");
    if (inputs.length) { inputs[inputs.length - 1].focus(); }
  });
  panelForm.querySelectorAll("[data-form-add-lesion]").forEach(function (button) {
    button.addEventListener("click", function () {
      if (!Array.isArray(doc.lesions)) { doc.lesions = []; }
      const ids = new Set(doc.lesions.map(function (l) { return l && l.id; }));
      let n = doc.lesions.length + 1;
      while (ids.has("L" + n)) { n++; }
      // Only what identifies the lesion; every measurement stays absent (unknown) until entered.
      doc.lesions.push({ id: "L" + n, organ: button.dataset.formAddLesion });
      writeJson(); render();
      const sizes = lesionRows.querySelectorAll("[data-path='longestDiameterMm']");
      if (sizes.length) { sizes[sizes.length - 1].focus(); }
    });
  });

  function select(which) {
    tabMessage.hidden = true;
    if (which === "form") {
      let parsed;
      try { parsed = JSON.parse(area.value); } catch (e) {
        tabMessage.textContent = "The JSON is not valid yet, so the form cannot show it; fix it here first (your text is kept): " + e.message;
        tabMessage.hidden = false;
        return false;
      }
      if (!isObject(parsed)) {
        tabMessage.textContent = "The case file must be a JSON object to be shown as a form.";
        tabMessage.hidden = false;
        return false;
      }
      doc = parsed;
      render();
    }
    const form = which === "form";
    panelForm.hidden = !form; panelJson.hidden = form;
    tabForm.setAttribute("aria-selected", String(form)); tabJson.setAttribute("aria-selected", String(!form));
    tabForm.tabIndex = form ? 0 : -1; tabJson.tabIndex = form ? -1 : 0;
    return true;
  }

  [tabForm, tabJson].forEach(function (tab) {
    tab.addEventListener("click", function () { select(tab.dataset.tab); });
    tab.addEventListener("keydown", function (e) {
      if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") { return; }
      const other = tab === tabForm ? tabJson : tabForm;
      if (select(other.dataset.tab)) { other.focus(); }
      e.preventDefault();
    });
  });

  // The form is the default tab; the JSON stays the default when it cannot be shown as a form (e.g. posted back broken).
  select("form");
})();
