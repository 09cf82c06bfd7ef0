// Small helpers shared by the panels. Every value that comes from the server reaches the page
// as text (textContent, Text nodes, attribute values) — never as markup — so a title or a
// literal holding "<img onerror=…>" is shown, not run.

const SVG_NS = "http://www.w3.org/2000/svg";

function assign(node, props) {
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = String(value);
    else if (key === "class") node.setAttribute("class", value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key === "href" && !isLocalHref(String(value))) throw new Error(`refusing a link that leaves the page: ${value}`);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
}

// Links only ever point into this page (#…), this server (/…) or a download made here (blob:).
function isLocalHref(value) {
  return value.startsWith("#") || (value.startsWith("/") && !value.startsWith("//")) || value.startsWith("blob:");
}

/** An element: el("td", {class: "num", text: 12}) or el("ul", {}, [el("li", {text: "a"}), "text"]). */
export function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  assign(node, props);
  for (const child of [].concat(children)) {
    if (child !== null && child !== undefined && child !== false) node.append(child); // a string becomes a Text node
  }
  return node;
}

/** An SVG element (attributes only). */
export function svg(tag, props = {}, children = []) {
  const node = document.createElementNS(SVG_NS, tag);
  assign(node, props);
  for (const child of [].concat(children)) if (child) node.append(child);
  return node;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

/** "浙江省 · Zhejiang" from {zh, en}; a plain string passes through. */
export function bilingual(name) {
  if (name === null || name === undefined) return "";
  if (typeof name === "string") return name;
  if (name.zh && name.en) return `${name.zh} · ${name.en}`;
  return name.zh || name.en || "";
}

/** The API's one error shape, as an exception. */
export class ApiFailure extends Error {
  constructor(status, code, message, detail = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

async function failureOf(response) {
  let error = null;
  if ((response.headers.get("content-type") || "").includes("json")) {
    error = (await response.json().catch(() => null))?.error ?? null;
  }
  return new ApiFailure(response.status, error?.code ?? "http-error", error?.message ?? `HTTP ${response.status}`, error?.detail ?? {});
}

/** fetch() that turns a network failure or an error answer into an ApiFailure. */
export async function request(url, init = {}) {
  let response;
  try {
    response = await fetch(url, init);
  } catch (exc) {
    throw new ApiFailure(0, "network", `the server did not answer (${exc.message})`);
  }
  if (!response.ok) throw await failureOf(response);
  return response;
}

export async function getJson(url) {
  const response = await request(url, { headers: { Accept: "application/json" } });
  return response.json();
}

/** "/api/x?a=1" from a path and the parameters that have a value. */
export function apiUrl(path, params = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && String(value).trim() !== "") query.set(key, String(value).trim());
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/** A document's API path: its id has a "/" that must stay one (330000/浙政办发-2017-54). */
export function documentPath(id) {
  return "/api/documents/" + id.split("/").map(encodeURIComponent).join("/");
}

export function documentIdOf(iri) {
  const marker = "/id/document/";
  const at = String(iri).indexOf(marker);
  return at < 0 ? null : String(iri).slice(at + marker.length);
}

export function showError(container, failure, what = "") {
  const message = failure instanceof ApiFailure ? failure.message : String(failure?.message ?? failure);
  const code = failure instanceof ApiFailure && failure.status ? ` (${failure.status} ${failure.code})` : "";
  container.replaceChildren(el("span", { class: "error", text: `${what}${what ? ": " : ""}${message}${code}` }));
}

export function setStatus(container, text, kind = "") {
  container.replaceChildren(text ? el("span", { class: kind, text }) : "");
}

export function stageBadge(stage) {
  return stage ? el("span", { class: `stage stage-${stage}`, text: stage }) : el("span", { class: "absent", text: "—" });
}

/** Save a Blob as a file through a temporary link. */
export function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A table from column titles and rows of cells (strings or nodes). */
export function table(columns, rows, { className = "data" } = {}) {
  return el("table", { class: className }, [
    el("thead", {}, el("tr", {}, columns.map((title) => el("th", { scope: "col", text: title })))),
    el("tbody", {}, rows.map((cells) => el("tr", {}, cells.map((cell) => el("td", {}, cell))))),
  ]);
}

/** Call fn at most once per `ms` while events keep coming (the last call wins). */
export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
