// Case editor: live validation and option preview through /api/cases/preview (the engine's own reader and
// rules, so the messages are those of `localcontrol validate`), and helpers that add lesion skeletons.
(function () {
  "use strict";
  const area = document.getElementById("CaseFileJson");
  if (!area) { return; }
  const validation = document.getElementById("validation");
  const preview = document.getElementById("preview-body");
  let timer = null;
  let sequence = 0;

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }

  function renderProblems(v) {
    validation.replaceChildren(el("h2", "Validation"));
    if (v.valid) { const ok = el("p", "Valid.", "ok"); ok.dataset.valid = "true"; validation.append(ok); }
    for (const [list, cls] of [[v.errors, "errors"], [v.warnings, "warnings"]]) {
      if (!list.length) { continue; }
      const ul = el("ul", null, cls);
      ul.dataset[cls] = "";
      for (const p of list) {
        const li = el("li");
        li.append(el("code", p.path || "(file)"), document.createTextNode(": " + p.message));
        ul.append(li);
      }
      validation.append(ul);
    }
  }

  function renderOptions(sets) {
    preview.replaceChildren();
    if (!sets) { preview.append(el("p", "Fix the errors to see the options.", "muted")); return; }
    for (const set of sets) {
      preview.append(el("h3", set.lesionId ? "Lesion " + set.lesionId : "Patient"));
      const table = el("table", null, "grid compact");
      table.dataset.previewFor = set.lesionId || "patient";
      const body = el("tbody");
      for (const o of set.options) {
        const tr = el("tr");
        tr.dataset.therapy = o.therapy;
        tr.dataset.eligibility = o.eligibility;
        tr.append(el("td", String(o.rank), "num"), el("th", o.therapy));
        const td = el("td"); td.append(el("span", o.eligibility, "elig elig-" + o.eligibility)); tr.append(td);
        body.append(tr);
      }
      table.append(body);
      preview.append(table);
    }
  }

  async function check() {
    const mine = ++sequence;
    try {
      const response = await fetch("/api/cases/preview", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        credentials: "same-origin",
        body: JSON.stringify({ caseFileText: area.value })
      });
      if (!response.ok || mine !== sequence) { return; }
      const result = await response.json();
      renderProblems(result.validation);
      renderOptions(result.options);
      // The form (editor-form.js) places each message next to the field it names.
      document.dispatchEvent(new CustomEvent("case-validated", { detail: result.validation }));
    } catch (e) {
      validation.replaceChildren(el("p", "Could not reach the server to validate: " + e, "errors"));
    }
  }

  function schedule() { clearTimeout(timer); timer = setTimeout(check, 300); }

  function parseOrReport() {
    try { return JSON.parse(area.value); } catch (e) {
      validation.replaceChildren(el("p", "The text is not valid JSON yet, so a lesion cannot be added: " + e.message, "errors"));
      return null;
    }
  }

  document.querySelectorAll("[data-add-lesion]").forEach(function (button) {
    button.addEventListener("click", function () {
      const doc = parseOrReport();
      if (!doc) { return; }
      if (!Array.isArray(doc.lesions)) { doc.lesions = []; }
      const ids = new Set(doc.lesions.map(function (l) { return l && l.id; }));
      let n = doc.lesions.length + 1;
      while (ids.has("L" + n)) { n++; }
      // Only what identifies the lesion; every measurement stays absent (unknown) until entered.
      doc.lesions.push({ id: "L" + n, organ: button.dataset.addLesion });
      area.value = JSON.stringify(doc, null, 2);
      check();
    });
  });
  const format = document.querySelector("[data-format]");
  if (format) {
    format.addEventListener("click", function () { const doc = parseOrReport(); if (doc) { area.value = JSON.stringify(doc, null, 2); } });
  }

  area.addEventListener("input", schedule);
  check();
})();
