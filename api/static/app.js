// The page's shell: one panel per tab, chosen by the address' fragment so that every view can
// be linked to and the back button works: #query, #instruments=drg-payment,
// #compare=330000,530100, #document=330000/浙政办发-2017-54, #network=adoption.

import { getJson } from "./dom.js";
import * as query from "./query.js";
import * as instruments from "./instruments.js";
import * as compare from "./compare.js";
import * as documents from "./documents.js";
import * as network from "./network.js";

const PANELS = { query, instruments, compare, document: documents, network };
const started = new Set();

function parseHash() {
  const raw = location.hash.replace(/^#/, "");
  let text = raw;
  try {
    text = decodeURIComponent(raw);
  } catch {
    // a hand-typed "%" that is no escape: take the text as it is
  }
  const at = text.indexOf("=");
  const name = at < 0 ? text : text.slice(0, at);
  return { name: name in PANELS ? name : "query", argument: at < 0 ? "" : text.slice(at + 1) };
}

async function route() {
  const { name, argument } = parseHash();
  for (const [panel] of Object.entries(PANELS)) {
    document.getElementById(`panel-${panel}`).hidden = panel !== name;
  }
  for (const tab of document.querySelectorAll(".tabs [data-panel]")) {
    tab.setAttribute("aria-selected", String(tab.dataset.panel === name));
  }
  const module = PANELS[name];
  if (!started.has(name)) {
    started.add(name);
    await module.init();
  }
  await module.show(argument);
}

async function describeDataset() {
  const line = document.getElementById("dataset");
  try {
    const [docs, places] = await Promise.all([getJson("/api/documents?limit=1"), getJson("/api/jurisdictions?limit=1")]);
    line.textContent = `${docs.total} documents · ${places.total} jurisdictions`;
  } catch (failure) {
    line.textContent = `the server did not answer: ${failure.message}`;
    line.classList.add("error");
  }
}

window.addEventListener("hashchange", () => route().catch(console.error));
document.documentElement.dataset.ready = "loading";
describeDataset();
route()
  .catch(console.error)
  .finally(() => { document.documentElement.dataset.ready = "true"; });
