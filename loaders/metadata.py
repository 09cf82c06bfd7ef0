"""Document metadata: title, 文号, signing date, issuing bodies and the jurisdiction.

Chinese official documents (党政机关公文, GB/T 9704) put these in a fixed order: an optional
letterhead ("××文件"), the 文号, the title ("××关于××的通知"), the addressees ("各市…："),
the text, then the issuing body and the signing date. Web copies add portal chrome and
sometimes injected spam; titles wrap across lines. All functions here are pure.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from policykg.loaders.gazetteer import Division, Gazetteer
from policykg.loaders.noise import find_spam, is_chrome_line
from policykg.loaders.numbers import parse_chinese_date
from policykg.loaders.structure import Line, split_lines, tokenize_line
from policykg.loaders.text import NormalisedText

# 文号: 机关代字 + 〔年份〕 + 序号 + 号, printed with 〔〕, [], ()/（）, 【】 or ［］.
# The 代字 is possessive ({1,12}+): a shorter run would be followed by a hanzi, never by the
# space or bracket required next, so giving characters back can never produce a match — and
# not trying spares a dozen steps at every hanzi of a document.
_DOC_NUMBER = re.compile(
    r"(?P<prefix>[\u4e00-\u9fff]{1,12}+)\s*[〔\[(【［﹝]\s*(?P<year>(?:19|20)\d{2})\s*[〕\])】］﹞]\s*(?P<serial>\d{1,4})\s*号"
)
# Words that precede a 文号 in running text but are not part of the 机关代字.
_PREFIX_NOISE = re.compile(r"^(?:.*?(?:根据|按照|依据|依照|贯彻|落实|执行|转发|印发|参照|见|和|及|与|或|的|即))")
_DATE_LINE = re.compile(
    r"^\s*(?P<date>(?:\d{4}|[〇○零O一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,3}\s*月\s*[\d一二三四五六七八九十]{1,3}\s*日)\s*(?P<printed>印发|发布|签发)?\s*$"
)
_TITLE_END = re.compile(
    r"(?:通知|意见|方案|办法|安排|规定|决定|通报|批复|复函|函|纲要|规划|计划|细则|要点|任务|报告|公告|通告|条例|指引|指南|措施|标准|清单|目录|决议|通令)"
    r"(?:\s*[(（][^)）]{1,12}[)）])?\s*$"
)
_ADDRESSEE = re.compile(r"^\s*[^。]{2,120}[:：]\s*$")
_ORG_SUFFIX = re.compile(
    r"(?:人民政府|政府|办公厅|办公室|委员会|领导小组|小组|委|厅|局|办|院|部|会|署|中心|联合会)\s*$"
)
_PUBLIC_NOTE = re.compile(r"^\s*[(（][^)）]*(?:公开|发布|删减)[^)）]*[)）]\s*$")
_TITLE_ISSUER = re.compile(r"^(?P<issuers>.+?)(?:关于|印发|转发)")

_LEVEL_HINTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("national", re.compile(r"国务院|国家卫生|国办|中共中央|全国各省")),
    ("province", re.compile(r"省(?:人民)?政府|省委|全省|我省|各省辖市|各设区市|各市[、,]|各市(?:深化|卫生|人民政府|政府|党委)|自治区(?:人民)?政府|全区各市")),
    ("city", re.compile(r"市(?:人民)?政府|市委|全市|我市|各县\s*\(市\)\s*区|各县\(市、区\)(?!人民政府)|各区县|各县区")),
    ("county", re.compile(r"县(?:人民)?政府|县委|全县|我县|区委|各乡镇|各乡\(镇\)|各镇")),
)


@dataclass(frozen=True, slots=True)
class DocNumber:
    """A 文号 found in the text: its parts and its normalised form 代字〔年〕N号."""

    prefix: str
    year: int
    serial: int
    start: int
    end: int

    @property
    def normalised(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.serial}号"


@dataclass(frozen=True, slots=True)
class IssuerName:
    name: str  # cleaned (spam removed) printed name
    start: int
    end: int
    damaged: bool  # a spam string replaced part of it


@dataclass(frozen=True, slots=True)
class Header:
    title: str | None
    title_span: tuple[int, int] | None  # view offsets
    doc_number: DocNumber | None
    issue_date: date | None
    date_span: tuple[int, int] | None
    date_is_printing_date: bool
    issuers: tuple[IssuerName, ...]
    level_hint: str | None
    body_start: int  # view offset where the document text after the title block begins


@dataclass(frozen=True, slots=True)
class JurisdictionVerdict:
    division: Division | None
    evidence: tuple[str, ...]


def find_doc_numbers(view: str) -> list[DocNumber]:
    """Every 文号 in `view`, with its 机关代字 trimmed of the words that precede it in prose."""
    found = []
    for match in _DOC_NUMBER.finditer(view):
        prefix = match.group("prefix")
        trimmed = _PREFIX_NOISE.sub("", prefix) or prefix
        start = match.start("prefix") + (len(prefix) - len(trimmed))
        found.append(DocNumber(trimmed, int(match.group("year")), int(match.group("serial")), start, match.end()))
    return found


def normalise_doc_number(printed: str) -> str | None:
    """'浙政办发[2017]54号' / '（2017）' / '【2017】' → '浙政办发〔2017〕54号'."""
    from policykg.loaders.text import to_simplified

    numbers = find_doc_numbers(to_simplified(printed))
    return numbers[0].normalised if numbers else None


def _clean_line(text: str) -> str:
    """A header line without spam and layout spaces."""
    for span in reversed(find_spam(text)):
        text = text[: span.start] + text[span.end :]
    text = text.strip()
    return _LAYOUT_SPACE.sub("", text) if _SPACE.search(text) else text  # most lines have none


_LAYOUT_SPACE = re.compile(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])")  # spaces beside non-ASCII
_SPACE = re.compile(r"\s")


def _line_kind(line: Line) -> str:
    text = line.text.strip()
    if not text:
        return "blank"
    if is_chrome_line(text):
        return "chrome"
    cleaned = _clean_line(text)
    if not cleaned.strip("@#_-|"):  # nothing but these marks (or nothing at all)
        return "spam"
    if _DOC_NUMBER.fullmatch(cleaned):
        return "docnum"
    if _DATE_LINE.match(text):
        return "date"
    if _PUBLIC_NOTE.match(text):
        return "note"
    if cleaned.endswith("文件") and len(cleaned) <= 40:
        return "letterhead"
    if _ADDRESSEE.match(text) and ("各" in text[:3] or re.search(r"人民政府|单位|部门|委员会|党委|小组", text)):
        return "addressee"
    if tokenize_line(text) is not None:
        return "numbered"
    return "text"


class _LineKinds(Sequence[str]):
    """The `_line_kind` of each line, worked out when first asked for: the header reads the
    front lines and the lines down to the signing date, which is seldom all of them."""

    def __init__(self, lines: list[Line]) -> None:
        self._lines = lines
        self._kinds: list[str | None] = [None] * len(lines)

    def __len__(self) -> int:
        return len(self._lines)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        kind = self._kinds[index]
        if kind is None:
            kind = self._kinds[index] = _line_kind(self._lines[index])
        return kind


def extract_header(view: NormalisedText) -> Header:
    """Title, 文号, signing date and issuing bodies from the document's front and signature."""
    text = view.text
    lines = split_lines(text)
    kinds = _LineKinds(lines)
    addressee = next((i for i in range(min(len(kinds), 60)) if kinds[i] == "addressee"), None)
    limit = addressee if addressee is not None else _front_limit(lines, kinds)

    doc_number = None
    for i in range(limit):
        if kinds[i] == "docnum":
            numbers = find_doc_numbers(lines[i].text)
            if numbers:
                n = numbers[0]
                doc_number = DocNumber(n.prefix, n.year, n.serial, lines[i].start + n.start, lines[i].start + n.end)
                break
    if doc_number is None:  # a 文号 printed inside a header line ("… 浙政发〔2017〕5号")
        for i in range(limit):
            if kinds[i] in ("text", "letterhead"):
                numbers = find_doc_numbers(lines[i].text)
                if numbers and lines[i].text.strip().endswith("号"):
                    n = numbers[-1]
                    doc_number = DocNumber(n.prefix, n.year, n.serial, lines[i].start + n.start, lines[i].start + n.end)
                    break

    title, title_span, title_end_line = _title(view, lines, kinds, limit)
    issue_date, date_span, printed_only, date_line = _signing_date(lines, kinds)
    issuers = _signature_issuers(lines, kinds, date_line) if date_line is not None else ()
    if not issuers and title:
        issuers = _title_issuers(title, title_span)
    if not issuers:
        for i in range(limit):
            if kinds[i] == "letterhead":
                name = _clean_line(lines[i].text)[: -len("文件")]
                issuers = (IssuerName(name, lines[i].start, lines[i].end - 2, False),)
                break
    header_text = "\n".join(lines[i].text for i in range(min(len(lines), (addressee or limit) + 1)))
    if date_line is not None:
        header_text += "\n" + "\n".join(line.text for line in lines[max(0, date_line - 6) : date_line])
    body_start = lines[title_end_line].end if title_end_line is not None else 0
    return Header(
        title=title,
        title_span=title_span,
        doc_number=doc_number,
        issue_date=issue_date,
        date_span=date_span,
        date_is_printing_date=printed_only,
        issuers=issuers,
        level_hint=_level_hint(header_text),
        body_start=body_start,
    )


def _front_limit(lines: list[Line], kinds: Sequence[str]) -> int:
    """Without an addressee line, the front ends at the first numbered line or prose paragraph."""
    for i, (line, kind) in enumerate(zip(lines, kinds)):
        if kind == "numbered" or (kind == "text" and len(line.text.strip()) > 60 and "。" in line.text):
            return i
    return min(len(lines), 12)


def _title(view: NormalisedText, lines: list[Line], kinds: Sequence[str], limit: int):
    """The last run of title-like lines in the front that ends with a document-type word."""
    best = None
    run: list[int] = []
    for i in range(limit):
        kind = kinds[i]
        if kind == "blank":
            continue
        if kind == "text" and "。" not in lines[i].text:
            run.append(i)
            joined = "".join(_clean_line(lines[j].text) for j in run)
            if _TITLE_END.search(joined) and len(joined) <= 160:
                best = list(run)
                run = []
            elif len(run) > 5:
                run = run[1:]
            continue
        run = []
    if best is None:
        return None, None, None
    start = lines[best[0]].start + (len(lines[best[0]].text) - len(lines[best[0]].text.lstrip()))
    end = lines[best[-1]].end
    original = "".join(_original_title_piece(view, lines[j]) for j in best)
    return original, (start, end), best[-1]


def _original_title_piece(view: NormalisedText, line: Line) -> str:
    """A title line as printed (original characters), without layout spaces. Spam stays
    here; `repair_title` replaces it once the true issuer is known."""
    piece = view.quote(line.start, line.end) if line.end > line.start else ""
    return _LAYOUT_SPACE.sub("", piece.strip())


def _signing_date(lines: list[Line], kinds: Sequence[str]):
    """The first date printed alone on a line (the 成文日期); a "××印发" date only as fallback."""
    printed = None
    for i, kind in enumerate(kinds):
        if kind != "date":
            continue
        match = _DATE_LINE.match(lines[i].text)
        assert match is not None
        day = parse_chinese_date(re.sub(r"\s+", "", match.group("date")))
        if day is None:
            continue
        span = (lines[i].start + match.start("date"), lines[i].start + match.end("date"))
        if match.group("printed"):
            printed = printed or (day, span, True, i)
            continue
        return day, span, False, i
    if printed:
        return printed
    return None, None, False, None


def _signature_issuers(lines: list[Line], kinds: Sequence[str], date_line: int) -> tuple[IssuerName, ...]:
    found: list[IssuerName] = []
    i = date_line - 1
    while i >= 0 and len(found) < 4:
        kind = kinds[i]
        if kind == "blank":
            i -= 1
            continue
        raw = lines[i].text
        cleaned = _clean_line(raw)
        if kind == "spam" and not found:
            # the signature line is nothing but spam: the body's name was replaced whole
            found.append(IssuerName("", lines[i].start, lines[i].end, True))
            i -= 1
            continue
        if kind not in ("text", "letterhead") or "。" in cleaned or len(cleaned) > 40 or not _ORG_SUFFIX.search(cleaned):
            break
        damaged = bool(find_spam(raw))
        for part in re.split(r"[、,，\s]+", cleaned):
            if part:
                found.append(IssuerName(part, lines[i].start, lines[i].end, damaged))
        i -= 1
    return tuple(reversed(found))


def _title_issuers(title: str, span: tuple[int, int] | None) -> tuple[IssuerName, ...]:
    match = _TITLE_ISSUER.match(title)
    if not match:
        return ()
    spam = find_spam(match.group("issuers"))
    names = []
    start = span[0] if span else 0
    raw_parts = re.split(r"、|和(?=中共|[\u4e00-\u9fff]{2,}(?:省|市|县|区))", match.group("issuers"))
    for part in raw_parts:
        damaged = any(s.text in part for s in spam)
        cleaned = _clean_line(part)
        if (cleaned and _ORG_SUFFIX.search(cleaned)) or (damaged and not cleaned):
            names.append(IssuerName(cleaned, start, start + len(part), damaged))
    return tuple(names)


def _level_hint(text: str) -> str | None:
    for level, pattern in _LEVEL_HINTS:
        if pattern.search(text):
            return level
    return None


def infer_jurisdiction(
    *,
    gazetteer: Gazetteer,
    issuers: tuple[IssuerName, ...],
    title: str | None,
    doc_number: DocNumber | None,
    body: str,
    level_hint: str | None,
    on: date | None,
) -> JurisdictionVerdict:
    """Weigh all evidence for the issuing jurisdiction: names in the issuers (strongest), the
    title outside quoted document names, the 文号's 机关代字 abbreviation, and mentions in the
    body (agencies such as 江苏保监局, provincial regulations). Each mention also counts a
    little for the divisions above it, so cities of one province speak for that province."""
    scores: dict[str, float] = defaultdict(float)
    divisions: dict[str, Division] = {}
    evidence: dict[str, list[str]] = defaultdict(list)

    def add(division: Division, weight: float, why: str) -> None:
        divisions[division.adcode] = division
        scores[division.adcode] += weight
        evidence[division.adcode].append(why)
        for ancestor in gazetteer.ancestors(division):
            if ancestor.level == "national":
                break
            divisions[ancestor.adcode] = ancestor
            scores[ancestor.adcode] += weight * 0.4

    for issuer in issuers:
        for mention in _best_mentions(gazetteer, issuer.name, on):
            add(mention.division, 10, f"issuer {issuer.name}")
    if title:
        outside_quotes = re.sub(r"《[^》]*》", "", title)
        for mention in _best_mentions(gazetteer, outside_quotes, on):
            add(mention.division, 4, f"title mentions {mention.surface}")
    if doc_number:
        for division, weight, why in _doc_number_candidates(gazetteer, doc_number, on):
            add(division, weight, why)
    per_division: dict[str, int] = defaultdict(int)
    for mention in _best_mentions(gazetteer, body, on):
        code = mention.division.adcode
        if per_division[code] < 6:
            per_division[code] += 1
            add(mention.division, 1, f"body mentions {mention.surface}")
    if not scores:
        return JurisdictionVerdict(None, ())
    ranked = sorted(scores, key=lambda code: (-scores[code], code))
    if level_hint in ("province", "city", "county"):
        of_level = [code for code in ranked if divisions[code].level == level_hint]
        if of_level and scores[of_level[0]] >= 2:
            ranked = of_level + [c for c in ranked if c not in of_level]
    best = ranked[0]
    return JurisdictionVerdict(divisions[best], tuple(dict.fromkeys(evidence[best]))[:6])


def _best_mentions(gazetteer: Gazetteer, text: str, on: date | None):
    """One division per mention span: the gazetteer's first (best-ranked) candidate."""
    seen: set[tuple[int, int]] = set()
    for mention in gazetteer.find_mentions(text, on=on):
        key = (mention.start, mention.end)
        if key in seen:
            continue
        seen.add(key)
        yield mention


# 机关代字 of the Party centre, the State Council and national ministries and commissions.
_NATIONAL_PREFIXES = (
    "国办", "国发", "国函", "国医改", "国卫", "国医保", "国中医药", "国市监", "国药监", "国食药监",
    "中发", "中办", "中组", "中央", "厅字", "财社", "财政部", "人社部", "发改", "民发", "教发",
)


def doc_number_issuer(gazetteer: Gazetteer, number: DocNumber, *, on: date | None = None) -> Division | None:
    """The jurisdiction that issued a cited document, read from its 机关代字: 国办发 → the
    nation, 浙政办发 → 浙江省, 云厅字 → 云南省, 云府办 → 云浮市; None when the code says nothing."""
    if number.prefix.startswith(_NATIONAL_PREFIXES):
        return gazetteer.NATIONAL
    candidates = _doc_number_candidates(gazetteer, number, on)
    return candidates[0][0] if candidates else None


def _doc_number_candidates(gazetteer: Gazetteer, number: DocNumber, on: date | None):
    """The 机关代字 starts with the issuer's abbreviation: 浙政办发 → 浙, 昆办通 → 昆, 云府办 → 云
    (Yunnan, or Yunfu: Guangdong cities write 府 after their abbreviation)."""
    prefix = number.prefix
    for length in (2, 1):
        abbr = prefix[:length]
        candidates = [d for d in gazetteer.lookup(abbr, on=on) if d.level in ("province", "city")]
        if not candidates:
            continue
        organ = prefix[length:]
        if organ.startswith("府"):
            city = [d for d in candidates if d.level == "city"]
            candidates = city or candidates
        elif organ.startswith(("政", "厅", "办", "委", "医改", "卫", "财", "人社")) and len(candidates) > 1:
            province = [d for d in candidates if d.level == "province"]
            candidates = province + [d for d in candidates if d.level != "province"][:1]
        weight = 5 / len(candidates)
        return [(d, weight, f"文号 {number.normalised} abbreviation {abbr}") for d in candidates]
    return []
