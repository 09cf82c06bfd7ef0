// Instrument picker: the SKOS tree; for the chosen instrument its adopters, the heatmap
// (jurisdictions × the instrument and its narrower ones) and the diffusion timeline — both
// pictures drawn by the server (/api/export/matrix.svg, /api/export/timeline.svg) for a bounded
// number of jurisdictions.

import { apiUrl, bilingual, clear, debounce, el, getJson, request, showError, stageBadge, table } from "./dom.js";
import { flattenInstruments, instruments } from "./shared.js";

// Jurisdictions drawn in a picture at most: more rows make an unreadable heatmap.
const PICTURE_LIMIT = 40;

let tree, filter, title, definition, controls, body, level, stage, adopters;
let flat = [];
let current = "";

export async function init() {
  tree = document.getElementById("instrument-tree");
  filter = document.getElementById("instrument-filter");
  title = document.getElementById("instrument-title");
  definition = document.getElementById("instrument-definition");
  controls = document.getElementById("instrument-controls");
  body = document.getElementById("instrument-body");
  level = document.getElementById("instrument-level");
  stage = document.getElementById("instrument-stage");
  adopters = document.getElementById("instrument-adopters");
  level.addEventListener("change", () => current && load(current));
  stage.addEventListener("change", () => current && load(current));
  filter.addEventListener("input", debounce(applyFilter, 120));
  try {
    const vocabulary = await instruments();
    flat = flattenInstruments(vocabulary);
    tree.replaceChildren(...vocabulary.instruments.map(treeItem));
  } catch (failure) {
    showError(tree, failure, "could not read the instruments");
  }
}

export async function show(argument) {
  if (argument && argument !== current) await load(argument);
}

function treeItem(item) {
  const count = item.adopting_jurisdictions || 0;
  const button = el("a", {
    href: `#instruments=${encodeURIComponent(item.id)}`,
    class: count ? "instrument" : "instrument unused",
    title: item.definition || item.id,
    dataset: { id: item.id },
  }, [
    el("span", { class: "zh", text: item.label?.zh || item.id }),
    " ",
    el("span", { class: "en", text: item.label?.en || "" }),
    el("span", { class: "count", text: String(count), title: `${count} adopting jurisdictions` }),
  ]);
  const children = (item.narrower || []).map(treeItem);
  return el("li", { dataset: { id: item.id } }, [button, children.length ? el("ul", {}, children) : null]);
}

function applyFilter() {
  const words = filter.value.trim().toLowerCase();
  const matches = (item) => !words || [item.id, item.label?.zh, item.label?.en].some((t) => (t || "").toLowerCase().includes(words));
  // An item stays visible when it or anything below it matches (the tree keeps its shape).
  const visible = (li) => {
    const item = flat.find((i) => i.id === li.dataset.id);
    let any = item ? matches(item) : false;
    for (const child of li.querySelectorAll(":scope > ul > li")) any = visible(child) || any;
    li.hidden = !any;
    return any;
  };
  for (const li of tree.querySelectorAll(":scope > li")) visible(li);
}

async function load(id) {
  current = id;
  const item = flat.find((i) => i.id === id);
  for (const link of tree.querySelectorAll("a.instrument")) link.classList.toggle("selected", link.dataset.id === id);
  title.textContent = item ? bilingual(item.label) : id;
  definition.textContent = item?.definition || "";
  controls.hidden = false;
  body.hidden = false;
  const filters = { level: level.value, min_stage: stage.value };
  const pictureParams = { instrument: id, ...filters, limit: PICTURE_LIMIT };
  picture("instrument-heatmap", apiUrl("/api/export/matrix.svg", pictureParams), apiUrl("/api/export/matrix.csv", { ...pictureParams, limit: undefined }));
  picture("instrument-timeline", apiUrl("/api/export/timeline.svg", pictureParams), apiUrl("/api/export/timeline.csv", { ...pictureParams, limit: undefined }));
  clear(adopters).append(el("p", { class: "busy", text: "Loading…" }));
  try {
    const page = await getJson(apiUrl(`/api/instruments/${encodeURIComponent(id)}/adopters`, { ...filters, limit: 100 }));
    if (current !== id) return; // another instrument was picked meanwhile
    const rows = page.items.map((row) => [
      bilingual(row.name),
      row.level || "",
      stageBadge(row.stage),
      String(row.first_year ?? ""),
      el("span", {}, row.documents.map((doc) => el("a", {
        class: "doc", href: `#document=${encodeURIComponent(doc.id)}`, title: doc.title || "", text: doc.doc_number || doc.title || doc.id,
      }))),
    ]);
    const note = page.total > page.items.length ? ` (the first ${page.items.length} of ${page.total})` : "";
    adopters.replaceChildren(
      el("p", { class: "about", text: `${page.total} adopting jurisdictions, in diffusion order${note}.` }),
      table(["Jurisdiction", "Level", "Strongest stage", "First year", "Documents"], rows),
    );
    adopters.querySelector("table").id = "adopters-table";
  } catch (failure) {
    if (current === id) showError(adopters, failure, "could not read the adopters");
  }
}

function picture(id, svgUrl, csvUrl) {
  const image = document.getElementById(id);
  const caption = document.getElementById(`${id}-caption`);
  image.classList.add("loading");
  caption.replaceChildren(el("a", { href: svgUrl, text: "SVG" }), " · ", el("a", { href: csvUrl, text: "CSV" }));
  image.onload = () => image.classList.remove("loading");
  image.onerror = async () => {
    // An <img> does not show why it failed: ask again for the API's error message.
    image.classList.remove("loading");
    try {
      await request(svgUrl);
    } catch (failure) {
      showError(caption, failure, "the picture could not be drawn");
    }
  };
  image.src = svgUrl;
}

