// The SPARQL editor: the named queries (queries/*.rq) as examples, results as a table, the
// answer downloadable as the server's own CSV or SPARQL JSON.

import { ApiFailure, clear, documentIdOf, download, el, getJson, request, setStatus, showError } from "./dom.js";

const STARTER = `PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>

# Every document with its 文号, year and title. Pick an example above for the named queries.
SELECT ?document ?docNumber ?year ?title WHERE {
  GRAPH ?document {
    ?document dcterms:title ?title .
    OPTIONAL { ?document eli:id_local ?docNumber }
    OPTIONAL { ?document pkg:year ?year }
  }
} ORDER BY ?year ?document
LIMIT 100
`;

// Shown in the table at most; the downloads hold the whole answer (up to the server's row limit).
const SHOWN_ROWS = 500;

// Shorter names for the IRIs researchers meet most (the project's prefixes).
const PREFIXES = [
  ["https://w3id.org/policykg/ontology#", "pkg:"],
  ["https://w3id.org/policykg/instrument/", "inst:"],
  ["https://w3id.org/policykg/indicator/", "ind:"],
  ["https://w3id.org/policykg/id/", "id:"],
  ["http://www.w3.org/2004/02/skos/core#", "skos:"],
  ["http://purl.org/dc/terms/", "dcterms:"],
  ["http://data.europa.eu/eli/ontology#", "eli:"],
];

let editor, runButton, csvButton, jsonButton, statusLine, results, about, picker;
let lastAnswer = null; // {text, query} of the last SELECT answer, for the downloads
let examples = [];

export async function init() {
  editor = document.getElementById("query-text");
  runButton = document.getElementById("query-run");
  csvButton = document.getElementById("query-csv");
  jsonButton = document.getElementById("query-json");
  statusLine = document.getElementById("query-status");
  results = document.getElementById("query-results");
  about = document.getElementById("query-about");
  picker = document.getElementById("query-example");

  editor.value = STARTER;
  runButton.addEventListener("click", run);
  editor.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    } else if (event.key === "Tab" && !event.shiftKey) {
      event.preventDefault(); // indent instead of leaving the editor
      editor.setRangeText("  ", editor.selectionStart, editor.selectionEnd, "end");
    }
  });
  picker.addEventListener("change", pickExample);
  csvButton.addEventListener("click", downloadCsv);
  jsonButton.addEventListener("click", () => {
    if (lastAnswer) download(new Blob([lastAnswer.text], { type: "application/sparql-results+json" }), "policykg-query.json");
  });

  try {
    examples = (await getJson("/web/examples")).examples;
    for (const example of examples) {
      const values = Object.entries(example.parameters).map(([k, v]) => `${k}=${v}`).join(", ");
      picker.append(el("option", { value: example.name, text: values ? `${example.name} (${values})` : example.name }));
    }
  } catch (failure) {
    showError(about, failure, "could not list the named queries");
  }
}

export async function show() {
  editor.focus();
}

function pickExample() {
  const example = examples.find((e) => e.name === picker.value);
  clear(about);
  if (!example) {
    editor.value = STARTER;
    return;
  }
  editor.value = example.sparql;
  const link = `${example.api}?${new URLSearchParams(example.parameters)}`;
  about.append(example.summary, " As a REST call: ", el("a", { href: link, text: link }));
}

async function run() {
  const text = editor.value;
  runButton.disabled = true;
  csvButton.disabled = jsonButton.disabled = true;
  lastAnswer = null;
  setStatus(statusLine, "Running…", "busy");
  clear(results);
  const started = performance.now();
  try {
    const response = await request("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/sparql-results+json, text/turtle;q=0.9" },
      body: new URLSearchParams({ query: text }),
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    const type = response.headers.get("content-type") || "";
    const body = await response.text();
    if (!type.includes("json")) {
      // CONSTRUCT / DESCRIBE: the graph as Turtle.
      results.append(el("pre", { class: "graph", text: body }));
      setStatus(statusLine, `Graph answer in ${seconds} s.`);
      return;
    }
    const answer = JSON.parse(body);
    if (typeof answer.boolean === "boolean") {
      results.append(el("p", { class: "boolean", text: `ASK: ${answer.boolean}` }));
      setStatus(statusLine, `Answered in ${seconds} s.`);
      return;
    }
    const rows = answer.results.bindings;
    const cut = answer.truncated ? " — cut at the server's row limit" : "";
    const shown = rows.length > SHOWN_ROWS ? ` (the first ${SHOWN_ROWS} shown; the downloads have all)` : "";
    setStatus(statusLine, `${rows.length} rows in ${seconds} s${cut}${shown}.`);
    results.append(resultTable(answer.head.vars, rows.slice(0, SHOWN_ROWS)));
    lastAnswer = { text: body, query: text };
    csvButton.disabled = jsonButton.disabled = false;
  } catch (failure) {
    showError(statusLine, failure, "The query failed");
    if (failure instanceof ApiFailure && failure.detail?.line) {
      statusLine.append(el("span", { class: "error", text: ` — line ${failure.detail.line}, column ${failure.detail.column}` }));
    }
  } finally {
    runButton.disabled = false;
  }
}

async function downloadCsv() {
  if (!lastAnswer) return;
  csvButton.disabled = true;
  try {
    const response = await request("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ query: lastAnswer.query, format: "csv" }),
    });
    download(await response.blob(), "policykg-query.csv");
  } catch (failure) {
    showError(statusLine, failure, "The CSV download failed");
  } finally {
    csvButton.disabled = false;
  }
}

function shortIri(iri) {
  for (const [namespace, prefix] of PREFIXES) {
    if (iri.startsWith(namespace)) return prefix + iri.slice(namespace.length);
  }
  return iri;
}

function cell(term) {
  if (!term) return "";
  if (term.type === "uri") {
    const id = documentIdOf(term.value);
    // A loaded document opens in the document view; other IRIs are shown, shortened.
    if (id && !id.includes("/measure/") && !id.includes("/adoption/") && !id.includes("/target/")) {
      return el("a", { href: `#document=${encodeURIComponent(id)}`, title: term.value, text: shortIri(term.value) });
    }
    return el("span", { class: "iri", title: term.value, text: shortIri(term.value) });
  }
  if (term.type === "bnode") return `_:${term.value}`;
  const note = term["xml:lang"] ? `@${term["xml:lang"]}` : term.datatype ? shortIri(term.datatype.replace("http://www.w3.org/2001/XMLSchema#", "xsd:")) : "";
  return el("span", { class: "literal", title: note || null, text: term.value });
}

function resultTable(variables, rows) {
  return el("table", { class: "data", id: "query-table" }, [
    el("thead", {}, el("tr", {}, variables.map((name) => el("th", { scope: "col", text: name })))),
    el("tbody", {}, rows.map((row) => el("tr", {}, variables.map((name) => el("td", {}, cell(row[name])))))),
  ]);
}
