"""Writers: a networkx graph (or a table) plus export metadata → the bytes of one format.

Pure functions, streaming where the output can be large (they yield UTF-8 chunks). Output is
deterministic: nodes and edges in the graph's insertion order (the projections insert them
sorted), attribute keys sorted, edge ids derived from their ends; only the metadata's export
time differs between two exports of the same data.

- GraphML: networkx's writer; graph attributes carry the metadata (``policykg_*`` keys).
- GEXF 1.2 (namespace ``http://www.gexf.net/1.2draft``, what Gephi, networkx and graphology
  read): written here, valid against the GEXF 1.2 schema (networkx's writer is not: it adds a
  ``name`` attribute and ``timeformat="long"``). A graph with ``start`` attributes (ISO dates)
  is ``mode="dynamic"``, ``timeformat="date"``, and each node or edge starts then, so Gephi's
  timeline animates diffusion. Metadata in ``<meta>``.
- Cytoscape.js JSON (``elements.nodes`` / ``elements.edges`` of ``{"data": …}``, as
  ``cy.json()`` and ``networkx.cytoscape_graph`` read it) and D3 node-link JSON (``nodes``
  and ``links``; the edges key is stated in ``metadata.edges_key``): metadata under a
  top-level ``"metadata"``.
- Pajek ``.net``: ``*Vertices`` / ``*Edges`` or ``*Arcs`` with weights; metadata in ``%``
  comment lines; labels made unique (networkx keys Pajek nodes by label).
- DOT: ``graph`` or ``digraph`` with every attribute quoted; metadata in ``//`` comment lines.
- CSV: one leading ``# policykg-metadata: {json}`` line, then a header and the rows
  (``pandas.read_csv(f, comment="#")``, R ``read.csv(f, comment.char="#")``); fields holding
  ``#``, ``,``, quotes or line breaks are quoted, so a ``#`` inside a value is not a comment.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Literal
from xml.sax.saxutils import escape, quoteattr

import networkx as nx

__all__ = [
    "csv_chunks",
    "cytoscape_json",
    "d3_json",
    "dot_chunks",
    "edge_table",
    "gexf_chunks",
    "graphml_chunks",
    "node_table",
    "pajek_chunks",
]

Metadata = Mapping[str, object]
GEXF_NAMESPACE = "http://www.gexf.net/1.2draft"
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CHUNK_LINES = 2000


def _xml_text(value: object) -> str:
    return _XML_INVALID.sub("", str(value))


def _scalar(value: object) -> object:
    """What a writer may hold: bool, int, finite float (rounded), str."""
    if isinstance(value, bool) or isinstance(value, int) or isinstance(value, str):
        return value
    if isinstance(value, float):
        return round(value, 6) if math.isfinite(value) else str(value)
    return str(value)


def _batched(lines: Iterable[str]) -> Iterator[bytes]:
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= _CHUNK_LINES:
            yield "".join(batch).encode("utf-8")
            batch.clear()
    if batch:
        yield "".join(batch).encode("utf-8")


def _edge_id(graph: nx.Graph, source: str, target: str) -> str:
    return f"{source} -> {target}" if graph.is_directed() else f"{source} -- {target}"


def _metadata_json(metadata: Metadata) -> str:
    return json.dumps(dict(metadata), ensure_ascii=False, sort_keys=False, separators=(", ", ": "))


def _metadata_text(value: object) -> str:
    """A metadata value on one line: text as is, anything else as JSON (true, {}, [...])."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


# --------------------------------------------------------------------------------------------
# GraphML
# --------------------------------------------------------------------------------------------


def graphml_chunks(graph: nx.Graph, metadata: Metadata) -> Iterator[bytes]:
    """GraphML with every attribute a typed key; the metadata as graph attributes."""
    flat = graph.__class__()
    flat.graph.update({k: _scalar(v) for k, v in graph.graph.items()})
    flat.graph.update({f"policykg_{k}": v if isinstance(v, (bool, int, float, str)) else _metadata_text(v) for k, v in metadata.items()})
    flat.add_nodes_from((n, {k: _scalar(v) for k, v in sorted(a.items())}) for n, a in graph.nodes(data=True))
    flat.add_edges_from((u, v, {k: _scalar(x) for k, x in sorted(a.items())}) for u, v, a in graph.edges(data=True))
    return _batched(line + "\n" for line in nx.generate_graphml(flat, encoding="utf-8", prettyprint=True))


# --------------------------------------------------------------------------------------------
# GEXF 1.2
# --------------------------------------------------------------------------------------------


def _gexf_type(values: Iterable[object]) -> str:
    kinds = {type(v) for v in values}
    if kinds == {bool}:
        return "boolean"
    if kinds and kinds <= {int}:
        return "integer"
    if kinds and kinds <= {int, float}:
        return "double"
    return "string"


def _gexf_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _xml_text(_scalar(value))


def _attribute_keys(items: Iterable[Mapping[str, object]], reserved: set[str]) -> dict[str, str]:
    values: dict[str, list[object]] = {}
    for attributes in items:
        for key, value in attributes.items():
            if key not in reserved:
                values.setdefault(key, []).append(value)
    return {key: _gexf_type(values[key]) for key in sorted(values)}


def gexf_chunks(graph: nx.Graph, metadata: Metadata) -> Iterator[bytes]:
    """GEXF 1.2; dynamic (Gephi's timeline) when nodes or edges carry a ``start`` date."""
    dynamic = any("start" in a for _, a in graph.nodes(data=True)) or any("start" in a for *_, a in graph.edges(data=True))
    node_keys = _attribute_keys((a for _, a in graph.nodes(data=True)), {"label"})
    edge_keys = _attribute_keys((a for *_, a in graph.edges(data=True)), {"weight"})
    exported = str(metadata.get("exported_at", ""))[:10]
    description = "\n".join(f"{k}: {_metadata_text(v)}" for k, v in metadata.items())

    def lines() -> Iterator[str]:
        yield '<?xml version="1.0" encoding="UTF-8"?>\n'
        yield f'<gexf xmlns="{GEXF_NAMESPACE}" version="1.2">\n'
        date = f" lastmodifieddate={quoteattr(exported)}" if re.fullmatch(r"\d{4}-\d{2}-\d{2}", exported) else ""
        yield f"  <meta{date}>\n"
        yield f"    <creator>{escape(_xml_text(metadata.get('generator', 'policykg')))}</creator>\n"
        yield f"    <keywords>{escape(_xml_text('policykg, ' + str(metadata.get('view', ''))))}</keywords>\n"
        yield f"    <description>{escape(_xml_text(description))}</description>\n"
        yield "  </meta>\n"
        kind = "directed" if graph.is_directed() else "undirected"
        mode = ' mode="dynamic" timeformat="date"' if dynamic else ' mode="static"'
        yield f'  <graph defaultedgetype="{kind}"{mode}>\n'
        for cls, keys in (("node", node_keys), ("edge", edge_keys)):
            if keys:
                yield f'    <attributes class="{cls}">\n'
                for key, type_ in keys.items():
                    yield f"      <attribute id={quoteattr(key)} title={quoteattr(key)} type=\"{type_}\"/>\n"
                yield "    </attributes>\n"
        yield f'    <nodes count="{graph.number_of_nodes()}">\n'
        for node, attributes in graph.nodes(data=True):
            label = attributes.get("label", node)
            start = _gexf_start(attributes) if dynamic else ""
            values = "".join(
                f"<attvalue for={quoteattr(k)} value={quoteattr(_gexf_value(v))}/>"
                for k, v in sorted(attributes.items()) if k in node_keys
            )
            yield f"      <node id={quoteattr(_xml_text(node))} label={quoteattr(_xml_text(label))}{start}><attvalues>{values}</attvalues></node>\n"
        yield "    </nodes>\n"
        yield f'    <edges count="{graph.number_of_edges()}">\n'
        for source, target, attributes in graph.edges(data=True):
            weight = attributes.get("weight")
            weight_attribute = f' weight="{_scalar(float(weight))}"' if isinstance(weight, (int, float)) and not isinstance(weight, bool) else ""
            start = _gexf_start(attributes) if dynamic else ""
            values = "".join(
                f"<attvalue for={quoteattr(k)} value={quoteattr(_gexf_value(v))}/>"
                for k, v in sorted(attributes.items()) if k in edge_keys
            )
            yield (f"      <edge id={quoteattr(_xml_text(_edge_id(graph, source, target)))} source={quoteattr(_xml_text(source))} "
                   f"target={quoteattr(_xml_text(target))}{weight_attribute}{start}><attvalues>{values}</attvalues></edge>\n")
        yield "    </edges>\n  </graph>\n</gexf>\n"

    return _batched(lines())


def _gexf_start(attributes: Mapping[str, object]) -> str:
    start = attributes.get("start")
    if isinstance(start, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", start):
        return f' start="{start}"'
    return ""


# --------------------------------------------------------------------------------------------
# JSON: Cytoscape.js and D3
# --------------------------------------------------------------------------------------------


def cytoscape_json(graph: nx.Graph, metadata: Metadata) -> bytes:
    """Cytoscape.js elements JSON (also networkx.cytoscape_graph's input)."""
    # "value" repeats the id for networkx.cytoscape_graph; Cytoscape.js ignores it
    nodes = [{"data": {"id": node, "value": node, "name": attributes.get("label", node), **{k: _scalar(v) for k, v in sorted(attributes.items())}}}
             for node, attributes in graph.nodes(data=True)]
    edges = [{"data": {"id": _edge_id(graph, s, t), "source": s, "target": t, **{k: _scalar(v) for k, v in sorted(a.items())}}}
             for s, t, a in graph.edges(data=True)]
    document = {
        "metadata": dict(metadata),
        "format_version": "1.0",
        "generated_by": "policykg",
        "data": {k: _scalar(v) for k, v in graph.graph.items()},
        "directed": graph.is_directed(),
        "multigraph": False,
        "elements": {"nodes": nodes, "edges": edges},
    }
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def d3_json(graph: nx.Graph, metadata: Metadata) -> bytes:
    """D3 node-link JSON: ``nodes`` (each with ``id``) and ``links`` (``source``/``target``
    ids), as d3-force takes them and ``networkx.node_link_graph(data, edges="links")`` reads."""
    document = {
        "metadata": {**dict(metadata), "edges_key": "links"},
        "directed": graph.is_directed(),
        "multigraph": False,
        "graph": {k: _scalar(v) for k, v in graph.graph.items()},
        "nodes": [{"id": node, **{k: _scalar(v) for k, v in sorted(a.items())}} for node, a in graph.nodes(data=True)],
        "links": [{"source": s, "target": t, **{k: _scalar(v) for k, v in sorted(a.items())}} for s, t, a in graph.edges(data=True)],
    }
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


# --------------------------------------------------------------------------------------------
# Pajek and DOT
# --------------------------------------------------------------------------------------------


def _pajek_labels(graph: nx.Graph) -> dict[str, str]:
    """Each node's label, made unique with its id where two nodes share one."""
    labels = {n: str(a.get("label", n)).replace('"', "'").replace("\n", " ") for n, a in graph.nodes(data=True)}
    seen: dict[str, int] = {}
    for label in labels.values():
        seen[label] = seen.get(label, 0) + 1
    return {n: (label if seen[label] == 1 else f"{label} ({n})".replace('"', "'")) for n, label in labels.items()}


def pajek_chunks(graph: nx.Graph, metadata: Metadata) -> Iterator[bytes]:
    """Pajek ``.net`` (UTF-8): vertices numbered in order, quoted labels, weighted edges/arcs."""
    index = {node: n for n, node in enumerate(graph.nodes, start=1)}
    labels = _pajek_labels(graph)

    def lines() -> Iterator[str]:
        yield f"% policykg-metadata: {_metadata_json(metadata)}\n"
        yield f"*Network policykg-{metadata.get('view', 'graph')}\n"
        yield f"*Vertices {graph.number_of_nodes()}\n"
        for node in graph.nodes:
            yield f'{index[node]} "{labels[node]}"\n'
        yield "*Arcs\n" if graph.is_directed() else "*Edges\n"
        for source, target, attributes in graph.edges(data=True):
            weight = attributes.get("weight", 1)
            if isinstance(weight, bool) or not isinstance(weight, (int, float)):
                weight = 1
            yield f"{index[source]} {index[target]} {_scalar(weight)}\n"

    return _batched(lines())


def _dot_quote(value: object) -> str:
    text = _XML_INVALID.sub("", str(_scalar(value) if not isinstance(value, bool) else ("true" if value else "false")))
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "") + '"'


def dot_chunks(graph: nx.Graph, metadata: Metadata) -> Iterator[bytes]:
    """Graphviz DOT; node and edge attributes are kept as (quoted) DOT attributes."""
    arrow = "->" if graph.is_directed() else "--"

    def lines() -> Iterator[str]:
        for key, value in metadata.items():
            yield f"// {key}: {_metadata_text(value).replace(chr(10), ' ')}\n"
        yield f"{'digraph' if graph.is_directed() else 'graph'} {_dot_quote('policykg-' + str(metadata.get('view', 'graph')))} {{\n"
        yield f"  comment={_dot_quote(_metadata_json(metadata))};\n"
        for node, attributes in graph.nodes(data=True):
            items = ", ".join(f"{k}={_dot_quote(v)}" for k, v in sorted(attributes.items()))
            yield f"  {_dot_quote(node)} [{items}];\n" if items else f"  {_dot_quote(node)};\n"
        for source, target, attributes in graph.edges(data=True):
            items = ", ".join(f"{k}={_dot_quote(v)}" for k, v in sorted(attributes.items()))
            yield f"  {_dot_quote(source)} {arrow} {_dot_quote(target)}" + (f" [{items}];\n" if items else ";\n")
        yield "}\n"

    return _batched(lines())


# --------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------

_NEEDS_QUOTES = re.compile(r'[",#\r\n]|^\s|\s$')


def _csv_field(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(_scalar(value))
    text = str(value)
    if _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_chunks(columns: Sequence[str], rows: Iterable[Sequence[object]], metadata: Metadata) -> Iterator[bytes]:
    """``# policykg-metadata: {json}``, the header, the rows (UTF-8, ``\\n`` line ends)."""

    def lines() -> Iterator[str]:
        yield f"# policykg-metadata: {_metadata_json(metadata)}\n"
        yield ",".join(_csv_field(c) for c in columns) + "\n"
        for row in rows:
            yield ",".join(_csv_field(v) for v in row) + "\n"

    return _batched(lines())


_FIRST_NODE_COLUMNS = ("id", "kind", "label", "label_en")
_FIRST_EDGE_COLUMNS = ("source", "target", "source_label", "target_label")


def node_table(graph: nx.Graph) -> tuple[tuple[str, ...], list[tuple[object, ...]]]:
    """The node list: ``id``, ``kind``, ``label``, ``label_en``, then every other attribute (sorted)."""
    keys = sorted({k for _, a in graph.nodes(data=True) for k in a} - set(_FIRST_NODE_COLUMNS))
    columns = _FIRST_NODE_COLUMNS + tuple(keys)
    rows = [(node, a.get("kind"), a.get("label"), a.get("label_en"), *(a.get(k) for k in keys)) for node, a in graph.nodes(data=True)]
    return columns, rows


def edge_table(graph: nx.Graph) -> tuple[tuple[str, ...], list[tuple[object, ...]]]:
    """The edge list: ``source``, ``target``, their labels, then every edge attribute (sorted)."""
    keys = sorted({k for *_, a in graph.edges(data=True) for k in a} - set(_FIRST_EDGE_COLUMNS))
    columns = _FIRST_EDGE_COLUMNS + tuple(keys)
    label = {n: a.get("label") for n, a in graph.nodes(data=True)}
    rows = [(s, t, label.get(s), label.get(t), *(a.get(k) for k in keys)) for s, t, a in graph.edges(data=True)]
    return columns, rows


TableKind = Literal["edges", "nodes"]
