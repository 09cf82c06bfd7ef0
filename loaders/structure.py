"""Document structure: numbered headings and measures, numbering tokens with positions.

Chinese policy documents number their parts in a fixed hierarchy of styles:
第一章 > 一、 > （一） > 1． / 1. / 1、 > （1） > ①, with 第一条 articles in regulations.
Measures are the deepest numbered items of the main levels (一、 only when nothing deeper is
numbered; （1） and ① are sub-points inside a measure unless nothing above them is an item).
Numbering either runs through the document ("14") or restarts under each heading ("2.3" for
（二）3．); a table in an annex (序号 / 任务 / 负责单位 / 完成时限) gives measures "annex.N".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from policykg.loaders.numbers import parse_chinese_number

Style = Literal["chapter", "cn", "paren_cn", "arabic", "paren_arabic", "circled", "article"]
_RANK: dict[Style, int] = {
    "chapter": 0,
    "cn": 1,
    "paren_cn": 2,
    "arabic": 3,
    "article": 3,
    "paren_arabic": 4,
    "circled": 5,
}
_CN = "一二三四五六七八九十百零〇两"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

_TOKEN_PATTERNS: tuple[tuple[Style, re.Pattern[str]], ...] = (
    ("chapter", re.compile(rf"第([{_CN}]+)[章编]\s*")),
    ("article", re.compile(rf"第([{_CN}\d]+)条\s*")),
    ("cn", re.compile(rf"([{_CN}]+)\s*[、.]\s*")),
    ("paren_cn", re.compile(rf"[(〔]\s*([{_CN}]+)\s*[)〕]\s*")),
    ("arabic", re.compile(r"(\d{1,3})\s*(?:[.、](?!\d)|\s(?=[\u4e00-\u9fff]))\s*")),
    ("paren_arabic", re.compile(r"[(]\s*(\d{1,3})\s*[)]\s*")),
    ("circled", re.compile(rf"([{_CIRCLED}])\s*")),
)

# Every marker begins with one of these or a digit (`\d`: what `str.isdecimal` accepts).
_TOKEN_FIRST = frozenset("第(〔" + _CN + _CIRCLED)

# A line that ends the main text: attachments list, copy-to block, printing line.
_ANNEX_START = re.compile(r"^\s*附\s*件\s*(?:[:：\d一二三四五六七八九十]|$)")
_BACK_MATTER = re.compile(r"^\s*(?:抄送|抄报|分送)\s*[:：]|.*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*印发\s*$")
# Top-level headings that state aims or principles, never measures.
_PREAMBLE_HEADING = re.compile(r"^(?:总体要求|指导思想|基本原则|工作目标|主要目标|总体目标|目标任务|总体思路|重要意义)")


@dataclass(frozen=True, slots=True)
class NumberToken:
    """A numbering marker at the start of a line; offsets in the text given to `tokenize_line`."""

    style: Style
    ordinal: int
    printed: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class MeasureBlock:
    number: str
    section: str | None  # the nearest enclosing heading line (view text)
    heading: str | None
    start: int  # view offsets of the measure's text (after its number marker)
    end: int
    annex_cells: dict[str, str] | None = None  # annex rows: column role → cell text


@dataclass(frozen=True, slots=True)
class Structure:
    measures: tuple[MeasureBlock, ...]
    body_end: int  # view offset where the main text ends (annex / back matter)
    warnings: tuple[str, ...]


def split_lines(text: str) -> list[Line]:
    lines: list[Line] = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        content = raw.rstrip("\r\n")
        lines.append(Line(content, pos, pos + len(content)))
        pos += len(raw)
    return lines


def tokenize_line(line: str) -> NumberToken | None:
    """The numbering marker a line starts with, if any (leading spaces allowed)."""
    lead = len(line) - len(line.lstrip())
    rest = line[lead:]
    if not rest or not (rest[0] in _TOKEN_FIRST or rest[0].isdecimal()):
        return None  # most lines: no pattern can start here
    for style, pattern in _TOKEN_PATTERNS:
        match = pattern.match(rest)
        if not match:
            continue
        printed = match.group(1)
        if style in ("arabic", "paren_arabic"):
            ordinal = int(printed)
        elif style == "circled":
            ordinal = _CIRCLED.index(printed) + 1
        else:
            value = parse_chinese_number(printed) if not printed.isdigit() else int(printed)
            if value is None:
                continue
            ordinal = int(value)
        if style == "cn" and rest[match.end() :].startswith(("是", "要", "在", "把", "对", "以")) and "、" not in match.group(0):
            continue  # "一是…" enumerations inside prose are not headings
        if not rest[match.end() :].strip():
            # a bare marker alone on a line (e.g. a wrapped attachment list) is not an item
            if style in ("arabic", "circled"):
                continue
        return NumberToken(style, ordinal, printed, lead + match.start(), lead + match.end())
    return None


@dataclass
class _Node:
    token: NumberToken | None
    line: Line | None
    text_start: int
    text_end: int = -1
    children: list["_Node"] = field(default_factory=list)
    parent: "_Node | None" = None

    @property
    def rank(self) -> int:
        return -1 if self.token is None else _RANK[self.token.style]


def parse_structure(view: str, *, body_start: int = 0) -> Structure:
    """Sections and measures of the main text starting at `body_start` (view offsets)."""
    lines = [ln for ln in split_lines(view) if ln.end > body_start]
    root = _Node(None, None, body_start)
    stack = [root]
    body_end = len(view)
    annex_rows: list[MeasureBlock] = []
    in_annex = False
    annex_lines: list[Line] = []
    for line in lines:
        if in_annex:
            annex_lines.append(line)
            continue
        if _ANNEX_START.match(line.text) or _BACK_MATTER.match(line.text):
            in_annex = True
            body_end = line.start
            annex_lines.append(line)
            continue
        token = tokenize_line(line.text)
        if token is None or _looks_like_prose_number(line.text, token):
            continue
        node = _Node(token, line, line.start + token.end)
        rank = node.rank
        while len(stack) > 1 and stack[-1].rank >= rank:
            closed = stack.pop()
            closed.text_end = line.start
        parent = stack[-1]
        node.parent = parent
        parent.children.append(node)
        stack.append(node)
    for node in stack[1:]:
        node.text_end = body_end
    root.text_end = body_end

    leaves = _measure_nodes(root)
    numbers = _number_measures(leaves)
    measures = []
    for node, number in zip(leaves, numbers):
        start, end = node.text_start, _trim_end(view, node.text_start, node.text_end)
        section = node.parent.line.text.strip() if node.parent and node.parent.line else None
        measures.append(MeasureBlock(number, section, _heading(view[start:end]), start, end))
    annex_rows = _annex_table(annex_lines)
    warnings: list[str] = []
    if not measures and not annex_rows:
        warnings.append("structure: no numbered measures found")
    return Structure(tuple(measures) + tuple(annex_rows), body_end, tuple(warnings))


def _looks_like_prose_number(text: str, token: NumberToken) -> bool:
    """"2020年…" or "11个试点县" at a line start are numbers in prose, not markers."""
    if token.style != "arabic":
        return False
    after = text[token.end :]
    return bool(re.match(r"[年月日个家所名人万%]", after))


def _measure_nodes(root: _Node) -> list[_Node]:
    """Leaves of the item levels, in document order (see module docstring)."""
    all_nodes: list[_Node] = []

    def walk(node: _Node) -> None:
        for child in node.children:
            all_nodes.append(child)
            walk(child)

    walk(root)
    has_items_below_cn = any(n.rank >= _RANK["paren_cn"] for n in all_nodes)
    result = []
    for node in all_nodes:
        style = node.token.style  # type: ignore[union-attr]
        item_children = [c for c in node.children if c.rank <= _RANK["article"]]
        if style in ("paren_arabic", "circled"):
            parent_style = node.parent.token.style if node.parent and node.parent.token else None
            if parent_style in ("arabic", "article"):
                continue  # sub-points stay inside their measure
            if node.children:
                continue
            result.append(node)
            continue
        if item_children or style == "chapter":
            continue
        if any(c.rank > _RANK["article"] for c in node.children) and style in ("cn", "paren_cn"):
            # its only children are (1)/① points: the heading itself is the measure
            pass
        if style == "cn":
            if has_items_below_cn:
                continue
            title = node.line.text[node.token.end :].strip() if node.line and node.token else ""
            if _PREAMBLE_HEADING.match(title):
                continue
        result.append(node)
    return result


def _number_measures(nodes: list[_Node]) -> list[str]:
    """Printed numbers where a level runs through the document, "section.item" where it restarts."""
    by_style: dict[Style, list[_Node]] = {}
    for node in nodes:
        by_style.setdefault(node.token.style, []).append(node)  # type: ignore[union-attr]
    # the main list: the style with most measures (first to appear on a tie)
    main_style = max(by_style, key=lambda st: len(by_style[st])) if by_style else None
    running: dict[Style, bool] = {}
    for style, group in by_style.items():
        ordinals = [n.token.ordinal for n in group]  # type: ignore[union-attr]
        parents = {id(n.parent) for n in group}
        under_headings = all(n.parent is not None and n.parent.token is not None for n in group)
        if len(parents) == 1:
            # one list: printed numbers if it is the document's main list or stands under no
            # heading; a secondary list under a heading is "section.item" (二、…（一） → "2.1")
            running[style] = style == main_style or not under_headings
        else:
            running[style] = all(b == a + 1 for a, b in zip(ordinals, ordinals[1:]))
    numbers: list[str] = []
    seen: set[str] = set()
    for node in nodes:
        token = node.token
        assert token is not None
        if running[token.style] or node.parent is None or node.parent.token is None:
            number = str(token.ordinal)
        else:
            number = f"{node.parent.token.ordinal}.{token.ordinal}"
        if number in seen:
            top = node
            while top.parent is not None and top.parent.token is not None:
                top = top.parent
            number = f"{top.token.ordinal}-{token.ordinal}"  # type: ignore[union-attr]
        seen.add(number)
        numbers.append(number)
    return numbers


def _trim_end(view: str, start: int, end: int) -> int:
    while end > start and view[end - 1].isspace():
        end -= 1
    return end


def _heading(text: str) -> str | None:
    """The short lead phrase before the first 。 (a measure's own title), if there is one."""
    first_line = text.split("\n", 1)[0].strip()
    if "。" not in first_line and len(first_line) <= 40 and "\n" in text.strip():
        return first_line or None  # a heading line of its own: "(一)强化工作责任"
    head = first_line.split("。", 1)[0].strip()
    if not head or len(head) > 40 or "。" not in first_line:
        return None
    return head


_ROLE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("number", re.compile(r"^(?:序号|编号|序)$")),
    ("agencies", re.compile(r"(?:负责|责任|牵头|承办|实施)(?:单位|部门)|分工")),
    ("deadline", re.compile(r"时限|时间|进度|期限")),
    ("task", re.compile(r"任务|内容|事项|措施|工作|项目|举措")),
)


def _split_cells(text: str) -> list[str] | None:
    if "\t" in text:
        cells = text.split("\t")
    elif text.count("|") >= 2:
        cells = text.strip().strip("|").split("|")
    else:
        return None
    return [c.strip() for c in cells]


def _annex_table(lines: list[Line]) -> list[MeasureBlock]:
    """Rows of a task table (序号 | 任务 | 负责单位 | 完成时限) as measures "annex.N"."""
    roles: list[str | None] | None = None
    rows: list[MeasureBlock] = []
    for line in lines:
        cells = _split_cells(line.text)
        if not cells or len(cells) < 2:
            continue
        if roles is None:
            candidate = [_cell_role(c) for c in cells]
            if "number" in candidate and ("task" in candidate or "agencies" in candidate):
                roles = candidate
            continue
        if set(c for c in cells[1:]) == {""} or all(set(c) <= {"-", ":", " "} for c in cells):
            continue  # markdown separator row
        number_cell = cells[roles.index("number")] if "number" in roles and roles.index("number") < len(cells) else ""
        if not number_cell.isdigit():
            continue
        named = {role: cells[i] for i, role in enumerate(roles) if role and i < len(cells)}
        task = named.get("task", "")
        offset = line.text.find(task) if task else 0
        start = line.start + max(offset, 0)
        rows.append(
            MeasureBlock(
                number=f"annex.{int(number_cell)}",
                section="附件",
                heading=None,
                start=start,
                end=start + len(task) if task else line.end,
                annex_cells=named,
            )
        )
    return rows


def _cell_role(cell: str) -> str | None:
    for role, pattern in _ROLE_PATTERNS:
        if pattern.search(cell):
            return role
    return None
