"""Pictures as SVG, written directly (no plotting library): the adoption network, the agency
network, the citation tree, the similarity network, the comparison heatmap and the diffusion
timeline.

Text stays text (no glyph outlines), UTF-8, in a font stack every desktop and phone has a
member of — Noto/Source Han, PingFang, Microsoft YaHei, WenQuanYi — ending in ``sans-serif``,
and the root is ``xml:lang="zh-Hans"``, so browsers pick simplified-Chinese glyphs from
whatever CJK font is installed: no web font, nothing to download. Labels are bilingual where
the graph has both names (``浙江省 Zhejiang``). Every mark has a ``<title>`` (the browser's
tooltip) and ``data-*`` attributes, and the export metadata is in ``<metadata>`` and in a
footer line. Force-directed layouts are networkx's ``spring_layout`` with a fixed seed
(deterministic); the other layouts are computed here. Stages use one sequential blue ramp,
light (explore) to dark (implement), readable in greyscale and by colour-blind readers.
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape, quoteattr

import networkx as nx

from policykg.graph.projection_data import LEVELS, Concept, Jurisdiction
from policykg.graph.research_tables import Matrix, TimelineRow

__all__ = ["adoption_svg", "citation_svg", "matrix_svg", "network_svg", "timeline_svg"]

Metadata = Mapping[str, object]

FONT_STACK = ("'Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC','PingFang SC','Hiragino Sans GB',"
              "'Microsoft YaHei','WenQuanYi Micro Hei',system-ui,sans-serif")
STAGE_COLOURS = {"explore": "#c6dbef", "pilot": "#6baed6", "promote": "#2171b5", "implement": "#08306b"}
STAGE_TEXT = {"explore": "#08306b", "pilot": "#08306b", "promote": "#ffffff", "implement": "#ffffff"}
EMPTY_CELL = "#f2f2f2"
INK, MUTED, RULE = "#222222", "#666666", "#d0d0d0"
# Categorical colours (Okabe–Ito, then Tableau) for functions, levels, kinds.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999",
           "#4E79A7", "#F28E2B", "#59A14F", "#B07AA1", "#76B7B2", "#EDC948", "#FF9DA7", "#9C755F")
LEVEL_NAMES = {"national": "国家 national", "province": "省 province", "city": "市 city", "county": "县 county"}


# --------------------------------------------------------------------------------------------
# Drawing helpers
# --------------------------------------------------------------------------------------------


def text_width(text: str, size: float) -> float:
    """Approximate rendered width: CJK and full-width characters one em, others 0.6 em."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.6 for ch in text)


def _attr(value: object) -> str:
    return quoteattr(str(value))


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _text(x: float, y: float, content: str, *, size: float = 12, anchor: str = "start", fill: str = INK,
          weight: str | None = None, extra: str = "", en: str | None = None) -> str:
    """A text element; ``en`` is appended in a lighter, smaller tspan (the English name)."""
    bold = f' font-weight="{weight}"' if weight else ""
    tail = f'<tspan dx="{_num(size * 0.35)}" fill="{MUTED}" font-size="{_num(size * 0.85)}">{escape(en)}</tspan>' if en else ""
    return (f'<text x="{_num(x)}" y="{_num(y)}" font-size="{_num(size)}" text-anchor="{anchor}" fill="{fill}"{bold}{extra}>'
            f"{escape(content)}{tail}</text>")


def _title(text: str) -> str:
    return f"<title>{escape(text)}</title>"


def _footer(metadata: Metadata) -> str:
    version = str(metadata.get("dataset_version", ""))
    parts = [f"policykg · {metadata.get('view', '')}", f"dataset {version[:23]}…" if len(version) > 23 else f"dataset {version}",
             f"{metadata.get('documents', '?')} documents", f"exported {metadata.get('exported_at', '')}"]
    notes = metadata.get("notes")
    if notes:
        parts.append("; ".join(str(n) for n in notes) if isinstance(notes, (list, tuple)) else str(notes))
    return " · ".join(parts)


def _document(width: float, height: float, title: str, body: Sequence[str], metadata: Metadata, *, subtitle: str = "") -> bytes:
    footer_y = height - 12
    header = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{_num(width)}" height="{_num(height)}" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" font-family="{FONT_STACK}" xml:lang="zh-Hans">',
        _title(title),
        f"<desc>{escape(subtitle or title)}</desc>",
        f'<metadata id="policykg-metadata">{escape(json.dumps(dict(metadata), ensure_ascii=False))}</metadata>',
        f'<rect x="0" y="0" width="{_num(width)}" height="{_num(height)}" fill="#ffffff"/>',
        _text(20, 30, title, size=18, weight="bold"),
    ]
    if subtitle:
        header.append(_text(20, 50, subtitle, size=12, fill=MUTED))
    return "\n".join([*header, *body, _text(20, footer_y, _footer(metadata), size=10, fill=MUTED, extra=' class="footer"'), "</svg>", ""]).encode("utf-8")


def _stage_legend(x: float, y: float, stages: Mapping[str, Concept]) -> tuple[list[str], float]:
    """Swatches explore → implement with their Chinese and English names; returns marks, width."""
    marks = [_text(x, y + 11, "阶段 stage:", size=11, fill=MUTED)]
    cursor = x + 70
    for stage in ("explore", "pilot", "promote", "implement"):
        concept = stages.get(stage)
        zh = concept.label if concept and concept.label else stage
        en = concept.label_en if concept and concept.label_en else stage
        marks.append(f'<rect class="legend stage-{stage}" x="{_num(cursor)}" y="{_num(y)}" width="14" height="14" fill="{STAGE_COLOURS[stage]}"/>')
        marks.append(_text(cursor + 18, y + 11, zh, size=11, en=en))
        cursor += 26 + text_width(f"{zh} {en}", 11)
    return marks, cursor - x


def _palette_legend(x: float, y: float, entries: Sequence[tuple[str, str]], *, title: str, width: float = 1060) -> tuple[list[str], float]:
    """Coloured dots with labels, wrapped to ``width``; returns the marks and their height."""
    marks = [_text(x, y + 10, title, size=11, fill=MUTED)]
    start = x + text_width(title, 11) + 10
    cursor, line = start, 0
    for colour, label in entries:
        step = 24 + text_width(label, 11)
        if cursor + step > x + width and cursor > start:
            cursor, line = start, line + 1
        ly = y + line * 18
        marks.append(f'<circle cx="{_num(cursor + 5)}" cy="{_num(ly + 6)}" r="5" fill="{colour}"/>')
        marks.append(_text(cursor + 14, ly + 10, label, size=11))
        cursor += step
    return marks, (line + 1) * 18


def _empty(title: str, metadata: Metadata) -> bytes:
    return _document(640, 140, title, [_text(20, 80, "没有数据 · nothing to show for these filters", size=13, fill=MUTED)], metadata)


def _label(attributes: Mapping[str, object], node: str) -> tuple[str, str | None]:
    return str(attributes.get("label", node)), (str(attributes["label_en"]) if attributes.get("label_en") else None)


# --------------------------------------------------------------------------------------------
# adoption network: two columns
# --------------------------------------------------------------------------------------------


def adoption_svg(graph: nx.Graph, metadata: Metadata, *, stages: Mapping[str, Concept], instruments_by_id: Mapping[str, Concept] | None = None,
                 title: str = "政策工具采纳网络 · Adoption network") -> bytes:
    """Jurisdictions (left, by level then adcode) linked to the instruments they adopted
    (right, grouped by category); edges coloured by the strongest stage."""
    jurisdictions = sorted((n for n, a in graph.nodes(data=True) if a.get("kind") == "jurisdiction"),
                           key=lambda n: (graph.nodes[n].get("level_rank", 9), n))
    instruments = sorted((n for n, a in graph.nodes(data=True) if a.get("kind") == "instrument"),
                         key=lambda n: (graph.nodes[n].get("category", ""), graph.nodes[n].get("category") != graph.nodes[n].get("instrument"), n))
    if not jurisdictions or not instruments:
        return _empty(title, metadata)
    row = 18
    left_width = max(text_width(" ".join(filter(None, _label(graph.nodes[n], n))), 12) for n in jurisdictions) + 30
    right_width = max(text_width(" ".join(filter(None, _label(graph.nodes[n], n))), 12) for n in instruments) + 30
    x_left, x_right = 20 + left_width, 20 + left_width + 420
    top = 95
    categories: list[str] = []
    y_of: dict[str, float] = {}
    y = top
    marks: list[str] = []
    for node in instruments:
        category = str(graph.nodes[node].get("category", ""))
        if category not in categories:
            categories.append(category)
            y += row * 0.9
            concept = (instruments_by_id or {}).get(category)
            name = concept.label if concept and concept.label else category
            marks.append(_text(x_right - 4, y - row * 0.1, name, size=11, fill=MUTED, weight="bold",
                               en=concept.label_en if concept else None, extra=' class="category"'))
            y += row * 0.4
        y_of[node] = y
        y += row
    first, last = y_of[instruments[0]], y - row
    # the jurisdictions spread over the height of the instrument column
    spacing = max(row, (last - first) / (len(jurisdictions) - 1)) if len(jurisdictions) > 1 else row
    for i, node in enumerate(jurisdictions):
        y_of[node] = first + i * spacing if len(jurisdictions) > 1 else (first + last) / 2
    height = max(last, first + (len(jurisdictions) - 1) * spacing) + 60
    width = x_right + right_width + 20
    legend, _ = _stage_legend(20, 58, stages)
    marks.extend(legend)
    marks.append('<g class="edges" fill="none">')
    for source, target, attributes in graph.edges(data=True):
        j, i = (source, target) if graph.nodes[source].get("kind") == "jurisdiction" else (target, source)
        stage = str(attributes.get("stage", ""))
        x1, y1, x2, y2 = x_left, y_of[j], x_right, y_of[i]
        middle = (x1 + x2) / 2
        label_j = " ".join(filter(None, _label(graph.nodes[j], j)))
        label_i = " ".join(filter(None, _label(graph.nodes[i], i)))
        tip = f"{label_j} — {label_i}: {stage}, {attributes.get('first_year', '')}"
        marks.append(
            f'<path class="edge stage-{stage}" data-stage={_attr(stage)} data-first-year={_attr(attributes.get("first_year", ""))} '
            f'd="M{_num(x1)},{_num(y1)} C{_num(middle)},{_num(y1)} {_num(middle)},{_num(y2)} {_num(x2)},{_num(y2)}" '
            f'stroke="{STAGE_COLOURS.get(stage, RULE)}" stroke-opacity="0.55" stroke-width="{_num(0.6 + 0.5 * float(attributes.get("stage_rank", 1) or 1))}">'
            f"{_title(tip)}</path>"
        )
    marks.append("</g>")
    for node in jurisdictions:
        zh, en = _label(graph.nodes[node], node)
        tip = f"{zh} {en or ''}: {graph.nodes[node].get('instruments', 0)} instruments"
        marks.append(f'<g class="node jurisdiction" data-id={_attr(node)}>{_title(tip)}'
                     f'<circle cx="{_num(x_left)}" cy="{_num(y_of[node])}" r="4" fill="{INK}"/>'
                     f'{_text(x_left - 8, y_of[node] + 4, zh, anchor="end", en=en)}</g>')
    for node in instruments:
        zh, en = _label(graph.nodes[node], node)
        tip = f"{zh} {en or ''}: {graph.nodes[node].get('jurisdictions', 0)} jurisdictions"
        colour = PALETTE[categories.index(str(graph.nodes[node].get("category", ""))) % len(PALETTE)]
        marks.append(f'<g class="node instrument" data-id={_attr(node)}>{_title(tip)}'
                     f'<circle cx="{_num(x_right)}" cy="{_num(y_of[node])}" r="4" fill="{colour}"/>'
                     f'{_text(x_right + 8, y_of[node] + 4, zh, en=en)}</g>')
    return _document(width, height, title, marks, metadata)


# --------------------------------------------------------------------------------------------
# force-directed networks: agencies, similarity, full
# --------------------------------------------------------------------------------------------


def packed_spring_layout(graph: nx.Graph, *, width: float) -> tuple[dict[str, tuple[float, float]], float]:
    """Positions in a box ``width`` wide (returns them and the box's height): each connected
    component gets networkx's spring layout (seed 7, edge weights) in a square whose side
    grows with the square root of its size, and the squares are packed in rows, biggest
    first — so small components do not squeeze the main one into a corner."""
    components = sorted((sorted(c) for c in nx.connected_components(graph.to_undirected(as_view=True))), key=lambda c: (-len(c), c[0]))
    sides = [math.sqrt(len(c)) for c in components]
    row_limit = max(sides[0], math.sqrt(sum(side * side for side in sides)) * 1.3)
    boxes: list[tuple[float, float, float]] = []  # (x, y, side) in units
    x = y = row_height = 0.0
    for side in sides:
        if x > 0 and x + side > row_limit:
            x, y, row_height = 0.0, y + row_height, 0.0
        boxes.append((x, y, side))
        x += side
        row_height = max(row_height, side)
    total_width = max(bx + side for bx, _, side in boxes)
    total_height = y + row_height
    scale = min(width / total_width, 900 / total_height)
    positions: dict[str, tuple[float, float]] = {}
    for nodes, (bx, by, side) in zip(components, boxes):
        if len(nodes) == 1:
            layout = {nodes[0]: (0.0, 0.0)}
        else:
            layout = nx.spring_layout(graph.subgraph(nodes), seed=7, weight="weight", iterations=150)
        xs = [p[0] for p in layout.values()]
        ys = [p[1] for p in layout.values()]
        span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
        for node, (px, py) in layout.items():
            # 15 % padding inside each square; a lone node sits in the middle of its square
            fx = 0.5 if len(nodes) == 1 else 0.15 + 0.7 * (px - min(xs)) / span
            fy = 0.5 if len(nodes) == 1 else 0.15 + 0.7 * (py - min(ys)) / span
            positions[node] = ((bx + fx * side) * scale, (by + fy * side) * scale)
    return positions, total_height * scale


def network_svg(
    graph: nx.Graph,
    metadata: Metadata,
    *,
    title: str,
    colour_by: str,
    colour_names: Mapping[str, str] | None = None,
    size_by: str | None = None,
    label_kinds: frozenset[str] | None = None,
    max_labels: int = 60,
) -> bytes:
    """A spring layout per connected component (``packed_spring_layout``); node area ∝
    ``size_by`` (degree when None), colour by the ``colour_by`` attribute (legend:
    ``colour_names`` or the value), edge width ∝ weight. The ``max_labels`` biggest nodes of
    ``label_kinds`` (all kinds when None) are labelled; every node has a tooltip. For graphs
    under 500 nodes (networkx's dense layout)."""
    if graph.number_of_nodes() == 0:
        return _empty(title, metadata)
    if graph.number_of_nodes() >= 500:
        raise ValueError("a network picture is limited to 499 nodes (use -p limit=N)")
    width = 1100.0
    sizes = {n: float(graph.nodes[n].get(size_by, 0) or 0) if size_by else float(graph.degree(n)) for n in graph}
    biggest = max(sizes.values()) or 1.0
    weights = [float(a.get("weight", 1) or 1) for *_, a in graph.edges(data=True)]
    lightest, heaviest = (min(weights), max(weights)) if weights else (1.0, 1.0)

    def stroke(weight: float) -> float:
        return 0.6 + 3.4 * (weight - lightest) / (heaviest - lightest) if heaviest > lightest else 1.0

    groups = sorted({str(a.get(colour_by, "")) for _, a in graph.nodes(data=True)})
    counts = defaultdict(int)
    for _, a in graph.nodes(data=True):
        counts[str(a.get(colour_by, ""))] += 1
    ranked = sorted(groups, key=lambda g: (-counts[g], g))
    colour = {g: PALETTE[i] if i < len(PALETTE) - 1 else PALETTE[7] for i, g in enumerate(ranked)}
    marks: list[str] = []
    legend = [(colour[g], (colour_names or {}).get(g, g) or "—") for g in ranked[: len(PALETTE) - 1]]
    legend_marks, legend_height = _palette_legend(20, 52, legend, title=f"{colour_by}:", width=width - 40)
    marks.extend(legend_marks)
    top = 52 + legend_height + 30
    positions, box_height = packed_spring_layout(graph, width=width - 300)
    height = top + box_height + 60

    def place(node: str) -> tuple[float, float]:
        px, py = positions[node]
        return 40 + px, top + py

    marks.append('<g class="edges">')
    for source, target, attributes in graph.edges(data=True):
        (x1, y1), (x2, y2) = place(source), place(target)
        weight = float(attributes.get("weight", 1) or 1)
        arrow = ' marker-end="url(#arrow)"' if graph.is_directed() else ""
        info = ", ".join(f"{k} {v}" for k, v in sorted(attributes.items()) if k in ("weight", "relation", "stage", "shared"))
        tip = f"{graph.nodes[source].get('label', source)} — {graph.nodes[target].get('label', target)}: {info}"
        marks.append(f'<line class="edge" x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}" stroke="#8c8c8c" '
                     f'stroke-opacity="0.45" stroke-width="{_num(stroke(weight))}"{arrow}>'
                     f"{_title(tip)}</line>")
    marks.append("</g>")
    labels: list[str] = []
    labelled = set(sorted(graph.nodes, key=lambda n: (-sizes[n], n))[:max_labels])
    for node in graph.nodes:
        attributes = graph.nodes[node]
        x, y = place(node)
        radius = 3 + 11 * math.sqrt(sizes[node] / biggest)
        zh, en = _label(attributes, node)
        group = str(attributes.get(colour_by, ""))
        detail = ", ".join(f"{k} {attributes[k]}" for k in ("measures", "lead", "instruments", "level", "function") if k in attributes)
        tip = f"{zh} {en or ''}" + (f" ({detail})" if detail else "")
        marks.append(f'<g class="node" data-id={_attr(node)} data-group={_attr(group)}>{_title(tip)}'
                     f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(radius)}" fill="{colour[group]}" stroke="#ffffff" stroke-width="1"/></g>')
        if (label_kinds is None or attributes.get("kind") in label_kinds) and node in labelled:
            labels.append(_text(x + radius + 3, y + 4, zh, size=11, en=en, extra=' class="label"'))
    marks.extend(labels)  # labels over every node and edge
    defs = ('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" markerUnits="userSpaceOnUse" '
            'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#8c8c8c"/></marker></defs>')
    return _document(width, height, title, [defs, *marks], metadata)


# --------------------------------------------------------------------------------------------
# citation tree: one row per level
# --------------------------------------------------------------------------------------------


def citation_svg(graph: nx.DiGraph, metadata: Metadata, *, title: str = "引用关系 · Citations across levels") -> bytes:
    """Documents in rows by level — cited documents that are not loaded on top, then national,
    province, city, county — ordered by date within a row; an arrow from each citing document
    to the one it cites."""
    if graph.number_of_nodes() == 0:
        return _empty(title, metadata)
    rows: dict[int, list[str]] = defaultdict(list)
    for node, attributes in graph.nodes(data=True):
        rank = int(attributes.get("level_rank", len(LEVELS)))
        rows[-1 if not attributes.get("loaded", True) else rank].append(node)
    names = {-1: ("未收录（仅文号）", "cited, not loaded"), len(LEVELS): ("级别不详", "level unknown"),
             **{i: tuple(LEVEL_NAMES[level].split(" ", 1)) for i, level in enumerate(LEVELS)}}
    column, row_height, left, top = 170.0, 110.0, 230.0, 100.0
    position: dict[str, tuple[float, float]] = {}
    marks: list[str] = []
    widest = 0
    for r, rank in enumerate(sorted(rows)):
        y = top + r * row_height
        marks.append(f'<line x1="20" y1="{_num(y + 34)}" x2="100%" y2="{_num(y + 34)}" stroke="{RULE}" stroke-dasharray="2,3"/>')
        zh, en = names.get(rank, (str(rank), ""))
        marks.append(_text(20, y + 4, zh, size=12, fill=MUTED, weight="bold"))
        marks.append(_text(20, y + 20, en, size=11, fill=MUTED))
        ordered = sorted(rows[rank], key=lambda n: (str(graph.nodes[n].get("start") or "9999"), n))
        shift = column / 2 if r % 2 else 0.0  # alternate rows half a column apart: fewer edges cross a node
        for i, node in enumerate(ordered):
            position[node] = (left + shift + i * column, y)
        widest = max(widest, len(ordered) + (1 if shift else 0))
    width = left + widest * column + 40
    height = top + len(rows) * row_height + 40
    marks.append('<g class="edges" fill="none">')
    for source, target, attributes in graph.edges(data=True):
        (x1, y1), (x2, y2) = position[source], position[target]
        tip = f"{graph.nodes[source].get('label', source)} → {graph.nodes[target].get('label', target)} ({attributes.get('date') or attributes.get('year', '')})"
        bend = (x1 + x2) / 2 + (40 if y1 == y2 else 0)
        marks.append(f'<path class="edge{" linked" if attributes.get("linked") else ""}" d="M{_num(x1)},{_num(y1)} Q{_num(bend)},{_num((y1 + y2) / 2 - (40 if y1 == y2 else 0))} {_num(x2)},{_num(y2 + (8 if y2 > y1 else -8))}" '
                     f'stroke="#5a78a0" stroke-width="1.2" marker-end="url(#arrow)">'
                     f"{_title(tip)}</path>")
    marks.append("</g>")
    for node, (x, y) in position.items():
        attributes = graph.nodes[node]
        loaded = attributes.get("loaded", True)
        when = str(attributes.get("date") or attributes.get("year") or "")
        where = " ".join(str(attributes[k]) for k in ("jurisdiction_label", "jurisdiction_label_en") if attributes.get(k))
        marks.append(f'<g class="node{"" if loaded else " unloaded"}" data-id={_attr(node)} data-year={_attr(attributes.get("year", ""))}>'
                     f'{_title(" · ".join(filter(None, [str(attributes.get("title") or attributes.get("label", node)), where, when])))}'
                     f'<circle cx="{_num(x)}" cy="{_num(y)}" r="6" fill="{"#2171b5" if loaded else "#ffffff"}" stroke="#2171b5" stroke-width="1.5"/>'
                     f'{_text(x, y + 20, str(attributes.get("label", node)), size=11, anchor="middle")}'
                     + (_text(x, y + 33, f"{when} {where}".strip(), size=10, anchor="middle", fill=MUTED) if (when or where) else "")
                     + "</g>")
    defs = ('<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" '
            'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#5a78a0"/></marker></defs>')
    return _document(max(width, 700), height, title, [defs, *marks], metadata)


# --------------------------------------------------------------------------------------------
# heatmap: jurisdictions × instruments
# --------------------------------------------------------------------------------------------


def matrix_svg(matrix: Matrix, metadata: Metadata, *, title: str = "政策工具比较 · Jurisdictions × instruments") -> bytes:
    """One row per jurisdiction, one column per instrument (grouped by category), each cell
    coloured by the strongest stage, empty where the instrument was not adopted."""
    if not matrix.jurisdictions or not matrix.instruments:
        return _empty(title, metadata)
    vocabulary = matrix.data.vocabulary
    cell, gap = 18.0, 6.0
    label_width = max(text_width(j.display(), 12) for j in matrix.jurisdictions) + 30
    longest = max(text_width(f"{c.label or c.id} {c.label_en or ''}", 11) for c in matrix.instruments)
    header = longest * 0.82 + 30  # labels rotated by 55°: sin 55° ≈ 0.82 up, cos 55° ≈ 0.57 right
    left, top = 20 + label_width, 80 + header
    x_of: dict[str, float] = {}
    x = left
    previous = None
    bands: list[tuple[str, float, float]] = []
    for concept in matrix.instruments:
        category = vocabulary.category(concept.id)
        if previous is not None and category != previous:
            x += gap
        if not bands or bands[-1][0] != category:
            bands.append((category, x, x))
        x_of[concept.id] = x
        bands[-1] = (category, bands[-1][1], x + cell)
        previous = category
        x += cell
    width = max(x + longest * 0.58 + 20, 760, text_width(title, 18) + 40)
    height = top + len(matrix.jurisdictions) * cell + 90
    marks, _ = _stage_legend(20, 44, vocabulary.stages)
    for concept in matrix.instruments:
        cx = x_of[concept.id] + cell / 2
        marks.append(f'<text class="column" data-instrument={_attr(concept.id)} transform="translate({_num(cx + 4)},{_num(top - 6)}) rotate(-55)" '
                     f'font-size="11" fill="{INK}">{escape(concept.label or concept.id)}'
                     + (f'<tspan dx="4" fill="{MUTED}" font-size="9.5">{escape(concept.label_en)}</tspan>' if concept.label_en else "")
                     + f"{_title(f'{concept.label or concept.id} · {concept.label_en or concept.id} ({concept.id})')}</text>")
    for r, jurisdiction in enumerate(matrix.jurisdictions):
        y = top + r * cell
        marks.append(_text(left - 8, y + cell * 0.72, jurisdiction.label or jurisdiction.adcode, anchor="end", en=jurisdiction.label_en,
                           extra=f' class="row" data-jurisdiction={_attr(jurisdiction.adcode)}'))
        for concept in matrix.instruments:
            found = matrix.cells.get((jurisdiction.adcode, concept.id))
            x0 = x_of[concept.id]
            if found is None:
                marks.append(f'<rect class="cell empty" x="{_num(x0)}" y="{_num(y)}" width="{_num(cell - 1)}" height="{_num(cell - 1)}" fill="{EMPTY_CELL}" '
                             f'data-jurisdiction={_attr(jurisdiction.adcode)} data-instrument={_attr(concept.id)}>'
                             f'{_title(f"{jurisdiction.display()} × {concept.label or concept.id}: not adopted · 未采纳")}</rect>')
                continue
            stage = vocabulary.stages.get(found.stage)
            stage_name = f"{stage.label} {stage.label_en}" if stage else found.stage
            tip = f"{jurisdiction.display()} × {concept.label or concept.id} {concept.label_en or ''}: {stage_name}, {found.first_year} ({len(found.documents)} documents)"
            marks.append(f'<rect class="cell stage-{found.stage}" x="{_num(x0)}" y="{_num(y)}" width="{_num(cell - 1)}" height="{_num(cell - 1)}" '
                         f'fill="{STAGE_COLOURS.get(found.stage, RULE)}" data-jurisdiction={_attr(jurisdiction.adcode)} '
                         f'data-instrument={_attr(concept.id)} data-stage={_attr(found.stage)} data-first-year="{found.first_year}">{_title(tip)}</rect>')
    band_y = top + len(matrix.jurisdictions) * cell + 8
    for category, x0, x1 in bands:
        concept = vocabulary.instruments.get(category)
        name = concept.label if concept and concept.label else category
        marks.append(f'<line x1="{_num(x0)}" y1="{_num(band_y)}" x2="{_num(x1 - 1)}" y2="{_num(band_y)}" stroke="{MUTED}" stroke-width="2">'
                     f"{_title(f'{name} · {concept.label_en if concept else category}')}</line>")
        if text_width(name, 10) <= x1 - x0 + 4:
            marks.append(_text((x0 + x1) / 2, band_y + 14, name, size=10, anchor="middle", fill=MUTED))
    subtitle = f"{len(matrix.jurisdictions)} of {matrix.total} jurisdictions" if matrix.total > len(matrix.jurisdictions) else ""
    return _document(width, height, title, marks, metadata, subtitle=subtitle)


# --------------------------------------------------------------------------------------------
# diffusion timeline
# --------------------------------------------------------------------------------------------


def timeline_svg(rows: Sequence[TimelineRow], metadata: Metadata, *, instrument: Concept, stages: Mapping[str, Concept],
                 limit: int | None = 60) -> bytes:
    """The cumulative number of adopting jurisdictions per year (top), then one row per
    jurisdiction (the earliest first, at most ``limit``) with a dot at its first year,
    coloured by its strongest stage."""
    name = f"{instrument.label or instrument.id} · {instrument.label_en or instrument.id}"
    title = f"扩散时间线 · Diffusion of {name}"
    if not rows:
        return _empty(title, metadata)
    shown = list(rows[:limit]) if limit is not None else list(rows)
    first, last = min(r.first_year for r in rows), max(r.first_year for r in rows)
    years = list(range(first - 1, last + 2))
    label_width = max(text_width(r.jurisdiction.display(), 12) for r in shown) + 30
    left, right_pad, step = 20 + label_width, 40.0, max(44.0, 560.0 / len(years))
    width = max(left + step * (len(years) - 1) + right_pad + 20, text_width(title, 18) + 40)

    def x_of(year: float) -> float:
        return left + (year - years[0]) * step

    curve_top, curve_height = 110.0, 140.0
    cumulative: dict[int, int] = {}
    total = 0
    per_year: dict[int, int] = defaultdict(int)
    for row in rows:
        per_year[row.first_year] += 1
    for year in years:
        total += per_year.get(year, 0)
        cumulative[year] = total
    peak = max(cumulative.values()) or 1

    def y_curve(count: int) -> float:
        return curve_top + curve_height - count / peak * curve_height

    marks, _ = _stage_legend(20, 60, stages)
    marks.append(_text(left - 8, curve_top + 4, f"{peak}", size=10, anchor="end", fill=MUTED))
    marks.append(_text(left - 8, curve_top + curve_height + 4, "0", size=10, anchor="end", fill=MUTED))
    marks.append(_text(20, curve_top + curve_height / 2, "累计采纳 adopters", size=11, fill=MUTED))
    path = f"M{_num(x_of(years[0]))},{_num(y_curve(cumulative[years[0]]))}"
    for year in years[1:]:
        path += f" H{_num(x_of(year))} V{_num(y_curve(cumulative[year]))}"
    marks.append(f'<path class="cumulative" d="{path}" fill="none" stroke="#2171b5" stroke-width="2"/>')
    for year in years:
        if per_year.get(year):
            marks.append(f'<circle class="year-count" cx="{_num(x_of(year))}" cy="{_num(y_curve(cumulative[year]))}" r="3.5" fill="#2171b5" '
                         f'data-year="{year}" data-new="{per_year[year]}" data-cumulative="{cumulative[year]}">'
                         f"{_title(f'{year}: +{per_year[year]}, {cumulative[year]} in all')}</circle>")
    axis_y = curve_top + curve_height + 18
    rows_top = axis_y + 30
    grid_bottom = rows_top + len(shown) * 18
    for year in years:
        x = x_of(year)
        marks.append(f'<line x1="{_num(x)}" y1="{_num(curve_top)}" x2="{_num(x)}" y2="{_num(grid_bottom)}" stroke="{RULE}" stroke-width="0.6"/>')
        marks.append(_text(x, axis_y, str(year), size=11, anchor="middle", extra=f' class="year" data-year="{year}"'))
    for i, row in enumerate(shown):
        y = rows_top + i * 18
        jurisdiction: Jurisdiction = row.jurisdiction
        stage = stages.get(row.stage)
        stage_name = f"{stage.label} {stage.label_en}" if stage else row.stage
        marks.append(_text(left - 8, y + 4, jurisdiction.label or jurisdiction.adcode, anchor="end", en=jurisdiction.label_en,
                           extra=f' class="row" data-jurisdiction={_attr(jurisdiction.adcode)}'))
        marks.append(f'<line x1="{_num(x_of(row.first_year))}" y1="{_num(y)}" x2="{_num(x_of(years[-1]))}" y2="{_num(y)}" stroke="{STAGE_COLOURS.get(row.stage, RULE)}" stroke-width="2" stroke-opacity="0.5"/>')
        marks.append(f'<circle class="adoption stage-{row.stage}" cx="{_num(x_of(row.first_year))}" cy="{_num(y)}" r="5.5" '
                     f'fill="{STAGE_COLOURS.get(row.stage, RULE)}" stroke="#08306b" stroke-width="0.8" data-jurisdiction={_attr(jurisdiction.adcode)} '
                     f'data-year="{row.first_year}" data-stage={_attr(row.stage)}>'
                     f"{_title(f'{jurisdiction.display()}: {row.first_year} ({row.first_date}), {stage_name}')}</circle>")
    height = grid_bottom + 50
    subtitle = f"{len(rows)} jurisdictions" + (f", the first {len(shown)} shown" if len(shown) < len(rows) else "")
    return _document(width, height, title, marks, metadata, subtitle=subtitle)
