// One document: its measures in order, with the agencies, targets and instruments the loaders
// extracted marked in the measure's own text (evidence spans from /api/documents/{id}; how the
// agencies are printed from /web/agency-names).

import { apiUrl, bilingual, clear, debounce, documentPath, el, getJson, showError, stageBadge } from "./dom.js";
import { locate, segments } from "./highlight.js";
import { jurisdictions } from "./shared.js";


let list, listNote, jurisdictionBox, yearBox, title, meta, body, chips, preamble, measures, legend;
let current = "";

export async function init() {
  list = document.getElementById("document-list");
  listNote = document.getElementById("document-note");
  jurisdictionBox = document.getElementById("document-jurisdiction");
  yearBox = document.getElementById("document-year");
  title = document.getElementById("document-title");
  meta = document.getElementById("document-meta");
  body = document.getElementById("document-body");
  chips = document.getElementById("document-instruments");
  preamble = document.getElementById("document-preamble");
  measures = document.getElementById("document-measures");
  legend = document.getElementById("document-legend");

  // Hiding a kind of mark is a class on the container: nothing is re-rendered.
  for (const box of legend.querySelectorAll("input[data-kind]")) {
    box.addEventListener("change", () => measures.classList.toggle(`hide-${box.dataset.kind}`, !box.checked));
  }
  jurisdictionBox.addEventListener("change", listDocuments);
  yearBox.addEventListener("input", debounce(listDocuments, 300));
  try {
    const page = await jurisdictions();
    jurisdictionBox.append(...page.items.map((place) => el("option", { value: place.adcode, text: `${bilingual(place.name)} (${place.documents})` })));
  } catch (failure) {
    showError(listNote, failure, "could not list the jurisdictions");
  }
  await listDocuments();
}

export async function show(argument) {
  if (argument && argument !== current) await open(argument);
}

async function listDocuments() {
  const year = yearBox.value.trim();
  if (year && !/^[0-9]{4}$/.test(year)) return; // still typing
  try {
    const page = await getJson(apiUrl("/api/documents", { jurisdiction: jurisdictionBox.value, year, limit: 100 }));
    list.replaceChildren(...page.items.map((doc) => el("li", {}, el("a", {
      href: `#document=${encodeURIComponent(doc.id)}`, class: doc.id === current ? "selected" : "", dataset: { id: doc.id },
    }, [
      el("span", { class: "doc-title", text: doc.title || doc.id }),
      el("span", { class: "count", text: [doc.doc_number, doc.issue_date || doc.year, doc.jurisdiction?.name?.zh].filter(Boolean).join(" · ") }),
    ]))));
    listNote.textContent = page.total > page.items.length ? `The first ${page.items.length} of ${page.total}; narrow by jurisdiction or year.` : `${page.total} documents.`;
  } catch (failure) {
    showError(listNote, failure, "could not list the documents");
  }
}

async function open(id) {
  current = id;
  for (const link of list.querySelectorAll("a[data-id]")) link.classList.toggle("selected", link.dataset.id === id);
  title.textContent = "Loading…";
  clear(meta);
  try {
    const [doc, printed] = await Promise.all([
      getJson(documentPath(id)),
      getJson(apiUrl("/web/agency-names", { document: id })),
    ]);
    if (current !== id) return;
    render(doc, printed);
  } catch (failure) {
    if (current !== id) return;
    title.textContent = "Document not available";
    showError(meta, failure);
    body.hidden = true;
  }
}

function render(doc, printed) {
  title.textContent = doc.title || doc.id;
  meta.replaceChildren(
    [doc.doc_number, doc.issue_date || doc.year, bilingual(doc.jurisdiction?.name)].filter(Boolean).join(" · "),
    doc.issuers.length ? ` · issued by ${doc.issuers.map((a) => a.name.zh).join("、")}` : "",
    ` · ${doc.counts.measures} measures, ${doc.counts.instrument_mentions} instrument mentions, ${doc.counts.targets} targets`,
  );
  chips.replaceChildren(...doc.instruments.map((entry) => el("a", {
    class: `chip stage-${entry.stage}`, href: `#instruments=${encodeURIComponent(entry.instrument.id)}`,
    title: `${bilingual(entry.instrument.label)} — ${entry.stage}; measures ${entry.measures.join(", ") || "preamble"}`,
    text: entry.instrument.label.zh || entry.instrument.id,
  })));
  const opening = doc.preamble.instruments;
  preamble.replaceChildren(...(opening.length ? [el("p", { class: "about" }, [
    "Mentioned before the measures: ",
    ...opening.flatMap((item, i) => [i ? "、" : "", el("span", { class: "hl hl-instrument", title: item.evidence?.exact || "", text: item.instrument.label.zh })]),
  ])] : []));
  measures.replaceChildren(...doc.measures.map((measure) => measureView(measure, printed.measures[measure.iri] || [])));
  body.hidden = false;
}

function targetNote(target) {
  const value = target.value_max !== null && target.value_max !== undefined ? `${target.value}–${target.value_max}` : `${target.value ?? ""}`;
  const indicator = target.indicator ? bilingual(target.indicator.label) : target.indicator_text || "";
  return `${indicator} ${target.comparator || ""} ${value}${target.unit || ""}${target.deadline ? ` by ${target.deadline}` : ""}`.trim();
}

function measureView(measure, agencies) {
  const annotations = [
    ...measure.instruments.filter((i) => i.evidence).map((i) => ({
      kind: "instrument", note: `${bilingual(i.instrument.label)} (${i.stage})`, ...i.evidence,
    })),
    ...measure.targets.filter((t) => t.evidence).map((t) => ({ kind: "target", note: targetNote(t), ...t.evidence })),
    ...agencies.flatMap((agency) => agency.printed.map((form) => ({ kind: "agency", note: agency.name || form, find: form }))),
  ];
  const base = measure.evidence ? measure.evidence.start : 0;
  const text = measure.text || "";
  const pieces = segments(text, locate(text, base, annotations));
  const paragraph = el("p", { class: "measure-text" }, pieces.map((piece) => {
    if (!piece.kinds.size) return piece.text;
    const kinds = [...piece.kinds];
    return el("span", {
      class: ["hl", ...kinds.map((kind) => `hl-${kind}`)].join(" "),
      title: piece.notes.join("\n"),
      dataset: { kinds: kinds.join(" ") },
      text: piece.text,
    });
  }));
  const heading = [measure.number, measure.section, measure.heading].filter(Boolean).join(" · ");
  return el("article", { class: "measure", dataset: { number: measure.number ?? "" } }, [
    el("h4", { text: heading || "Measure" }),
    paragraph,
    el("dl", { class: "facts" }, [
      fact("Lead", measure.lead_agency ? measure.lead_agency.name.zh : null),
      fact("Agencies", measure.agencies.map((a) => a.name.zh + (a.unit ? `（${a.unit}）` : "")).join("、")),
      fact("Instruments", measure.instruments.length ? uniqueInstruments(measure.instruments) : null),
      fact("Targets", measure.targets.map(targetNote).join("; ")),
      fact("Deadline", measure.deadline),
      fact("Pilot sites", measure.pilot_sites.flatMap((p) => p.sites.map((s) => s.name?.zh || s.adcode)).join("、")),
    ]),
  ]);
}

function uniqueInstruments(items) {
  const seen = new Map();
  for (const item of items) if (!seen.has(item.instrument.id)) seen.set(item.instrument.id, item);
  return el("span", {}, [...seen.values()].map((item) => el("span", { class: "inline-instrument" }, [
    el("a", { href: `#instruments=${encodeURIComponent(item.instrument.id)}`, text: item.instrument.label.zh || item.instrument.id }),
    " ",
    stageBadge(item.stage),
  ])));
}

function fact(name, value) {
  if (value === null || value === undefined || value === "") return null;
  return el("div", {}, [el("dt", { text: name }), el("dd", {}, value)]);
}

