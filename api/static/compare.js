// Jurisdictions side by side (/api/compare): every instrument any of them adopted against each
// of them, the targets on indicators they share, and who leads.

import { apiUrl, bilingual, clear, debounce, el, getJson, showError, stageBadge } from "./dom.js";
import { jurisdictions } from "./shared.js";

const MOST = 8; // the API compares two to eight

let list, filterBox, note, runButton, title, summary, body, differences, instrumentsBox, targetsBox, agenciesBox;
let places = [];
let lastAnswer = null;

export async function init() {
  list = document.getElementById("compare-list");
  filterBox = document.getElementById("compare-filter");
  note = document.getElementById("compare-note");
  runButton = document.getElementById("compare-run");
  title = document.getElementById("compare-title");
  summary = document.getElementById("compare-summary");
  body = document.getElementById("compare-body");
  differences = document.getElementById("compare-differences");
  instrumentsBox = document.getElementById("compare-instruments");
  targetsBox = document.getElementById("compare-targets");
  agenciesBox = document.getElementById("compare-agencies");

  runButton.addEventListener("click", () => {
    location.hash = `#compare=${chosen().join(",")}`;
  });
  differences.addEventListener("change", () => lastAnswer && renderInstruments(lastAnswer));
  filterBox.addEventListener("input", debounce(applyFilter, 120));
  list.addEventListener("change", updateButton);
  try {
    const page = await jurisdictions();
    places = page.items;
    list.replaceChildren(...places.map((place) => el("li", { dataset: { search: `${place.adcode} ${bilingual(place.name)}`.toLowerCase() } }, [
      el("label", {}, [
        el("input", { type: "checkbox", value: place.adcode }),
        " ",
        el("span", { text: bilingual(place.name) }),
        el("span", { class: "count", text: `${place.level} · ${place.documents} doc.` }),
      ]),
    ])));
    note.textContent = page.total > places.length ? `The first ${places.length} of ${page.total} jurisdictions; filter by name or adcode.` : "";
  } catch (failure) {
    showError(list, failure, "could not list the jurisdictions");
  }
}

export async function show(argument) {
  const wanted = argument.split(",").map((s) => s.trim()).filter(Boolean);
  if (!wanted.length) return; // the bare tab: keep what is ticked and shown
  for (const box of list.querySelectorAll("input[type=checkbox]")) box.checked = wanted.includes(box.value);
  updateButton();
  if (wanted.length >= 2) await compare(wanted);
}

function chosen() {
  return [...list.querySelectorAll("input:checked")].map((box) => box.value);
}

function updateButton() {
  const count = chosen().length;
  runButton.disabled = count < 2 || count > MOST;
  runButton.textContent = count > MOST ? `At most ${MOST}` : `Compare ${count || ""}`.trim();
}

function applyFilter() {
  const words = filterBox.value.trim().toLowerCase();
  for (const li of list.children) li.hidden = Boolean(words) && !li.dataset.search.includes(words);
}

async function compare(adcodes) {
  title.textContent = "Comparing…";
  clear(summary);
  try {
    const answer = await getJson(apiUrl("/api/compare", { jurisdictions: adcodes.join(",") }));
    lastAnswer = answer;
    title.textContent = answer.jurisdictions.map((j) => bilingual(j.name)).join("  ·  ");
    const only = Object.entries(answer.summary.instruments_only_in)
      .map(([adcode, ids]) => `only ${nameOf(answer, adcode)}: ${ids.length}`);
    summary.textContent = `${answer.instruments.length} instruments adopted by any of them; ${answer.summary.instruments_in_all.length} by all; ${only.join("; ")}.`;
    body.hidden = false;
    renderInstruments(answer);
    renderTargets(answer);
    renderAgencies(answer);
  } catch (failure) {
    title.textContent = "Comparison failed";
    showError(summary, failure);
    body.hidden = true;
  }
}

function nameOf(answer, adcode) {
  const place = answer.jurisdictions.find((j) => j.adcode === adcode);
  return place ? place.name.zh || adcode : adcode;
}

function header(answer, first) {
  return el("thead", {}, el("tr", {}, [
    el("th", { scope: "col", text: first }),
    ...answer.jurisdictions.map((j) => el("th", { scope: "col", text: bilingual(j.name) })),
  ]));
}

function renderInstruments(answer) {
  const everyone = answer.jurisdictions.length;
  const rows = answer.instruments.filter((row) => !differences.checked || row.adopted_by < everyone);
  instrumentsBox.replaceChildren(el("table", { class: "data compare", id: "compare-table" }, [
    header(answer, "Instrument"),
    el("tbody", {}, rows.map((row) => el("tr", { class: row.adopted_by === everyone ? "shared" : "differs" }, [
      el("th", { scope: "row" }, el("a", { href: `#instruments=${encodeURIComponent(row.instrument.id)}`, text: bilingual(row.instrument.label) })),
      ...row.by_jurisdiction.map((cell) => el("td", { class: cell.present ? "present" : "absent" }, cell.present ? [
        stageBadge(cell.stage),
        cell.first_year ? el("span", { class: "year", text: ` ${cell.first_year}` }) : null,
        cell.lead_agencies.length ? el("div", { class: "agencies", text: cell.lead_agencies.map((a) => a.name.zh).join("、") }) : null,
      ] : "—")),
    ]))),
  ]));
}

function targetText(target) {
  const value = target.value_max !== null && target.value_max !== undefined ? `${target.value}–${target.value_max}` : `${target.value ?? ""}`;
  return `${target.indicator_text || ""} ${target.comparator || ""} ${value}${target.unit || ""}${target.deadline ? ` (${target.deadline})` : ""}`.trim();
}

function renderTargets(answer) {
  const rows = answer.targets_on_shared_indicators;
  if (!rows.length) {
    targetsBox.replaceChildren(el("p", { class: "about", text: "No indicator has targets in two or more of them." }));
    return;
  }
  targetsBox.replaceChildren(el("table", { class: "data compare" }, [
    header(answer, "Indicator"),
    el("tbody", {}, rows.map((row) => el("tr", {}, [
      el("th", { scope: "row", text: bilingual(row.indicator.label) }),
      ...row.by_jurisdiction.map((cell) => el("td", {}, cell.targets.map((target) => el("div", {}, [
        el("span", { title: target.evidence?.exact || "", text: targetText(target) }),
        target.document ? el("a", { class: "doc", href: `#document=${encodeURIComponent(target.document.id)}`, text: target.document.doc_number || "document" }) : null,
      ])))),
    ]))),
  ]));
}

function renderAgencies(answer) {
  agenciesBox.replaceChildren(...answer.lead_agencies.map((entry) => el("div", { class: "column" }, [
    el("h4", { text: nameOf(answer, entry.adcode) }),
    el("ul", {}, entry.agencies.map((agency) => el("li", {}, [
      el("span", { text: agency.name.zh }),
      el("span", { class: "count", text: `${agency.instruments.length} instruments` }),
    ]))),
  ])));
}
