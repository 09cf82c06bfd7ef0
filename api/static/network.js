// The network projections, interactive: the server filters and bounds the graph (`limit`,
// level, within, instrument — /api/export/{view}.d3), the page lays it out and draws it as SVG
// that pans (drag), zooms (wheel, buttons) and shows a node's details on click.

import { apiUrl, bilingual, clear, documentIdOf, el, getJson, showError, setStatus, svg } from "./dom.js";
import { forceLayout } from "./layout.js";
import { exportViews, flattenInstruments, instruments } from "./shared.js";

const VIEWS = ["adoption", "similarity", "agencies", "citations", "full"];
// What `limit` counts differs by view; the `full` graph of one document is already ~100 nodes.
const LIMIT_CHOICES = { full: [1, 2, 3], default: [20, 40, 80, 150] };
const LIMIT_COUNTS = { adoption: "jurisdictions", similarity: "jurisdictions", agencies: "agencies", citations: "documents", full: "documents" };
// Refuse to draw more than this in the browser (the limits above stay far below it).
const MOST_NODES = 1500;
const PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#9c755f", "#ff9da7", "#17becf"];
const OTHER = "#9aa0a6";
const LEVELS = ["national", "province", "city", "county"];

let form, viewBox, limitBox, about, statusLine, canvas, details, legend, downloads;
let specs = new Map();
let viewport = null;
let transform = { x: 0, y: 0, k: 1 };
let drawing = null; // {bounds} of what is drawn
let shown = ""; // the view drawn (or being drawn)

export async function init() {
  form = document.getElementById("network-form");
  viewBox = document.getElementById("network-view");
  limitBox = form.elements.limit;
  about = document.getElementById("network-about");
  statusLine = document.getElementById("network-status");
  canvas = document.getElementById("network-canvas");
  details = document.getElementById("network-details");
  legend = document.getElementById("network-legend");
  downloads = document.getElementById("network-downloads");

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const target = `#network=${viewBox.value}`;
    if (location.hash === target) load();
    else location.hash = target; // routed back to show(), which loads
  });
  viewBox.addEventListener("change", () => configure(viewBox.value));
  document.getElementById("network-zoom-in").addEventListener("click", () => zoomBy(1.4));
  document.getElementById("network-zoom-out").addEventListener("click", () => zoomBy(1 / 1.4));
  document.getElementById("network-fit").addEventListener("click", fit);
  enablePanAndZoom();

  try {
    const listing = await exportViews();
    specs = new Map(listing.views.filter((v) => VIEWS.includes(v.name)).map((v) => [v.name, v]));
    viewBox.replaceChildren(...VIEWS.filter((name) => specs.has(name)).map((name) => el("option", { value: name, text: name })));
  } catch (failure) {
    showError(statusLine, failure, "could not list the export views");
  }
  try {
    const options = flattenInstruments(await instruments()).map((item) => el("option", { value: item.id, label: bilingual(item.label) }));
    document.getElementById("network-instruments").replaceChildren(...options);
  } catch {
    // the datalist is a convenience; the field takes any id
  }
}

export async function show(argument) {
  const view = VIEWS.includes(argument) ? argument : viewBox.value || "adoption";
  if (view === shown) return; // back on the tab: keep the drawing (Show reloads it)
  if (viewBox.value !== view) viewBox.value = view;
  configure(view);
  await load();
}

/** Enable the fields the view takes (the server refuses a parameter a view does not take). */
function configure(view) {
  const spec = specs.get(view);
  for (const field of form.querySelectorAll("[name]")) {
    if (field.name === "view") continue;
    field.disabled = spec ? !spec.parameters.includes(field.name) : false;
  }
  const choices = LIMIT_CHOICES[view] || LIMIT_CHOICES.default;
  const before = Number(limitBox.value);
  limitBox.replaceChildren(...choices.map((n) => el("option", { value: String(n), text: `${n} ${LIMIT_COUNTS[view] || ""}` })));
  limitBox.value = String(choices.includes(before) ? before : choices[Math.min(1, choices.length - 1)]);
  about.textContent = spec ? spec.summary : "";
}

function parameters() {
  const params = {};
  for (const field of form.querySelectorAll("[name]")) {
    if (field.name !== "view" && !field.disabled && field.value.trim()) params[field.name] = field.value.trim();
  }
  return params;
}

async function load() {
  const view = viewBox.value;
  shown = view;
  const params = parameters();
  setStatus(statusLine, "Loading…", "busy");
  const url = apiUrl(`/api/export/${view}.d3`, params);
  downloads.replaceChildren("Download this network: ",
    ...["gexf", "graphml", "cytoscape", "csv", "svg"].flatMap((format, i) => [i ? " · " : "", el("a", { href: apiUrl(`/api/export/${view}.${format}`, params), text: format })]));
  let graph;
  try {
    graph = await getJson(url);
  } catch (failure) {
    showError(statusLine, failure, "The network could not be built");
    return;
  }
  if (viewBox.value !== view) return; // another view was asked for meanwhile
  if (graph.nodes.length > MOST_NODES) {
    setStatus(statusLine, `${graph.nodes.length} nodes are too many to draw here; narrow the selection or download the file.`, "error");
    return;
  }
  const notes = graph.metadata?.notes || [];
  setStatus(statusLine, `${graph.nodes.length} nodes, ${graph.links.length} edges${notes.length ? ` — ${notes.join("; ").replace(/;?\s*-p limit=N[^;)]*/g, "")}` : ""}.`);
  draw(graph);
}

function colouring(nodes, view) {
  const kinds = new Set(nodes.map((n) => n.kind));
  let key = "kind";
  if (kinds.size === 1 && nodes.some((n) => n.level)) key = "level";
  else if (kinds.size === 1 && nodes.some((n) => n.function)) key = "function";
  const values = [...new Set(nodes.map((n) => String(n[key] ?? "unknown")))];
  values.sort((a, b) => (key === "level" ? LEVELS.indexOf(a) - LEVELS.indexOf(b) : a.localeCompare(b)));
  const colours = new Map(values.map((value, i) => [value, PALETTE[i] || OTHER]));
  return { key, colours, colour: (node) => colours.get(String(node[key] ?? "unknown")) || OTHER, view };
}

function draw(graph) {
  clear(canvas);
  clear(details).append(el("p", { class: "about", text: "Drag to pan, scroll to zoom, click a node for its details." }));
  const width = canvas.clientWidth || 900;
  const height = canvas.clientHeight || 600;
  const nodes = graph.nodes;
  const degree = new Map(nodes.map((n) => [n.id, 0]));
  const neighbours = new Map(nodes.map((n) => [n.id, new Set()]));
  for (const link of graph.links) {
    degree.set(link.source, (degree.get(link.source) || 0) + 1);
    degree.set(link.target, (degree.get(link.target) || 0) + 1);
    neighbours.get(link.source)?.add(link.target);
    neighbours.get(link.target)?.add(link.source);
  }
  const positions = forceLayout(nodes, graph.links, { width, height });
  const at = new Map(nodes.map((n, i) => [n.id, positions[i]]));
  const radius = new Map(nodes.map((n) => [n.id, Math.min(22, 4 + 2.2 * Math.sqrt(degree.get(n.id) || 0))]));
  const colours = colouring(nodes, graph.graph?.view);

  const defs = svg("defs", {}, svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5", markerWidth: "6", markerHeight: "6", orient: "auto-start-reverse" },
    svg("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrow" })));
  const background = svg("rect", { class: "background", x: "0", y: "0", width: "100%", height: "100%" });
  viewport = svg("g", { class: "viewport" });
  const edgeLayer = svg("g", { class: "edges" });
  const nodeLayer = svg("g", { class: "nodes" });
  const labelLayer = svg("g", { class: "labels" });
  for (const link of graph.links) {
    const [a, b] = [at.get(link.source), at.get(link.target)];
    if (!a || !b) continue;
    const strokeWidth = 0.6 + 0.7 * Math.log2(1 + (Number(link.weight) || 1));
    // A directed edge ends at the rim of its target, where the arrow head sits.
    const r = radius.get(link.target) + 1;
    const length = Math.hypot(b.x - a.x, b.y - a.y) || 1;
    const end = graph.directed ? { x: b.x - ((b.x - a.x) * r) / length, y: b.y - ((b.y - a.y) * r) / length } : b;
    edgeLayer.append(svg("line", {
      x1: a.x.toFixed(1), y1: a.y.toFixed(1), x2: end.x.toFixed(1), y2: end.y.toFixed(1),
      class: `edge${link.stage ? ` stage-${link.stage}` : ""}`, "stroke-width": strokeWidth.toFixed(2),
      "marker-end": graph.directed ? "url(#arrow)" : null,
      dataset: { source: link.source, target: link.target },
    }));
  }
  const labelled = new Set([...nodes].sort((p, q) => (degree.get(q.id) || 0) - (degree.get(p.id) || 0)).slice(0, nodes.length <= 60 ? nodes.length : 40).map((n) => n.id));
  nodes.forEach((node, i) => {
    const p = positions[i];
    const circle = svg("circle", {
      cx: p.x.toFixed(1), cy: p.y.toFixed(1), r: radius.get(node.id).toFixed(1), fill: colours.colour(node),
      class: "node", tabindex: "0", role: "button", "aria-label": node.label || node.id, dataset: { id: node.id },
    }, svg("title", { text: node.label || node.id }));
    circle.addEventListener("click", () => select(node, graph, neighbours));
    circle.addEventListener("keydown", (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); select(node, graph, neighbours); } });
    nodeLayer.append(circle);
    if (labelled.has(node.id)) {
      labelLayer.append(svg("text", { x: (p.x + radius.get(node.id) + 2).toFixed(1), y: (p.y + 4).toFixed(1), class: "label", dataset: { id: node.id }, text: shortLabel(node) }));
    }
  });
  viewport.append(edgeLayer, nodeLayer, labelLayer);
  canvas.append(defs, background, viewport);

  const xs = positions.map((p) => p.x);
  const ys = positions.map((p) => p.y);
  drawing = { bounds: { left: Math.min(...xs) - 30, right: Math.max(...xs) + 90, top: Math.min(...ys) - 30, bottom: Math.max(...ys) + 30 } };
  fit();
  legend.replaceChildren(
    el("span", { class: "legend-title", text: `Colour: ${colours.key}` }),
    ...[...colours.colours].map(([value, colour]) => el("span", { class: "legend-item" }, [svg("svg", { width: "12", height: "12", "aria-hidden": "true" },
      svg("circle", { cx: "6", cy: "6", r: "5", fill: colour })), ` ${value}`])),
  );
}

function shortLabel(node) {
  const text = String(node.label ?? node.id);
  return text.length > 14 ? `${text.slice(0, 13)}…` : text;
}

function select(node, graph, neighbours) {
  const near = neighbours.get(node.id) || new Set();
  for (const circle of canvas.querySelectorAll("circle.node")) {
    const id = circle.dataset.id;
    circle.classList.toggle("selected", id === node.id);
    circle.classList.toggle("dim", id !== node.id && !near.has(id));
  }
  for (const line of canvas.querySelectorAll("line.edge")) {
    line.classList.toggle("dim", line.dataset.source !== node.id && line.dataset.target !== node.id);
  }
  const rows = Object.entries(node)
    .filter(([key, value]) => !["id", "label", "index", "x", "y", "vx", "vy"].includes(key) && value !== null && value !== "")
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => el("div", {}, [el("dt", { text: key }), el("dd", { text: Array.isArray(value) ? value.join(", ") : String(value) })]));
  const links = [];
  if (node.kind === "instrument" && node.instrument) links.push(el("a", { href: `#instruments=${encodeURIComponent(node.instrument)}`, text: "adopters, heatmap and timeline" }));
  const docId = node.kind === "document" && node.loaded !== false ? documentIdOf(node.iri || "") : null;
  if (docId) links.push(el("a", { href: `#document=${encodeURIComponent(docId)}`, text: "open the document" }));
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  details.replaceChildren(
    el("h3", { id: "network-selected", text: node.label || node.id }),
    el("p", { class: "about", text: [node.kind, node.label_en].filter(Boolean).join(" · ") }),
    links.length ? el("p", {}, links.flatMap((link, i) => [i ? " · " : "", link])) : "",
    el("dl", { class: "facts" }, rows),
    el("h4", { text: `${near.size} neighbours` }),
    el("ul", { class: "neighbours" }, [...near].slice(0, 100).map((id) => el("li", {}, el("button", {
      type: "button", class: "link", text: byId.get(id)?.label || id,
      onclick: () => select(byId.get(id), graph, neighbours),
    })))),
  );
}

// ----------------------------------------------------------------------------- pan and zoom

function apply() {
  if (viewport) viewport.setAttribute("transform", `translate(${transform.x.toFixed(2)} ${transform.y.toFixed(2)}) scale(${transform.k.toFixed(4)})`);
}

function zoomAt(px, py, factor) {
  const k = Math.min(12, Math.max(0.1, transform.k * factor));
  transform = { k, x: px - ((px - transform.x) * k) / transform.k, y: py - ((py - transform.y) * k) / transform.k };
  apply();
}

function zoomBy(factor) {
  zoomAt(canvas.clientWidth / 2, canvas.clientHeight / 2, factor);
}

function fit() {
  if (!drawing) return;
  const { left, right, top, bottom } = drawing.bounds;
  const width = canvas.clientWidth || 900;
  const height = canvas.clientHeight || 600;
  const k = Math.min(4, Math.max(0.1, Math.min(width / (right - left), height / (bottom - top))));
  transform = { k, x: (width - (left + right) * k) / 2, y: (height - (top + bottom) * k) / 2 };
  apply();
}

function enablePanAndZoom() {
  let drag = null;
  canvas.addEventListener("wheel", (event) => {
    event.preventDefault(); // zoom the drawing, not scroll the page
    const box = canvas.getBoundingClientRect();
    zoomAt(event.clientX - box.left, event.clientY - box.top, Math.exp(-event.deltaY * 0.0015));
  }, { passive: false });
  canvas.addEventListener("pointerdown", (event) => {
    if (event.target.closest?.(".node")) return; // a click on a node selects it
    drag = { x: event.clientX, y: event.clientY, from: { ...transform } };
    canvas.setPointerCapture(event.pointerId);
    canvas.classList.add("panning");
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drag) return;
    transform = { ...drag.from, x: drag.from.x + event.clientX - drag.x, y: drag.from.y + event.clientY - drag.y };
    apply();
  });
  const stop = (event) => {
    if (!drag) return;
    drag = null;
    canvas.releasePointerCapture?.(event.pointerId);
    canvas.classList.remove("panning");
  };
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);
}
