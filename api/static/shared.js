// Lists several panels need, each fetched once per page load.

import { apiUrl, getJson } from "./dom.js";

const cache = new Map();

function once(key, load) {
  if (!cache.has(key)) {
    const promise = load();
    promise.catch(() => cache.delete(key)); // a failure is retried the next time it is needed
    cache.set(key, promise);
  }
  return cache.get(key);
}

/** The server's limits (rows per page…), from /health. */
export function limits() {
  return once("limits", async () => (await getJson("/health")).limits);
}

/** Jurisdictions with documents: the first page the server allows, at most 2,000 (a picker
 *  of more would not be usable; the note under it says how many there are). */
export function jurisdictions() {
  return once("jurisdictions", async () => {
    const { rows } = await limits();
    return getJson(apiUrl("/api/jurisdictions", { limit: Math.min(2000, rows) }));
  });
}

/** The instrument vocabulary as a tree (/api/instruments). */
export function instruments() {
  return once("instruments", () => getJson("/api/instruments"));
}

/** Every instrument of the tree, depth first, with its depth. */
export function flattenInstruments(tree) {
  const out = [];
  const walk = (items, depth) => {
    for (const item of items) {
      out.push({ ...item, depth });
      walk(item.narrower || [], depth + 1);
    }
  };
  walk(tree.instruments || [], 0);
  return out;
}

/** The export views with their formats and parameters (/api/export). */
export function exportViews() {
  return once("exports", () => getJson("/api/export"));
}
