"""Synthetic policy documents for benchmarks, recombined from real measure sentences.

    .venv/bin/python bench/synthetic_corpus.py N OUTDIR [--seed S] [--check K]

Writes N UTF-8 files `OUTDIR/NNNNNN_<adcode>_<year>.txt` plus `OUTDIR/manifest.jsonl` (what
each document was generated as: jurisdiction, 文号, date, measures, citations) and
`OUTDIR/corpus.json` (N, seed, totals; a later run with the same N and seed reuses the folder).

Nothing is invented from scratch: the measures are the bundled corpus's measures
(`policykg.data.corpus_files()` read by `policykg.loaders.extract.extract_file`), split into
sentences and recombined; the jurisdictions are the gazetteer's (`load_gazetteer()`), chosen
among the provinces, cities and counties valid on the document's date (2009–2024). Each
document is a "关于印发<place>深化医药卫生体制改革<year>年重点工作任务的通知" as governments
publish them every year: title, 文号 with the place's abbreviation (浙政办发〔2017〕54号; first
character + 政办发 where the gazetteer has no one-character abbreviation), addressees,
signature, date (sometimes in Chinese numerals), preamble citing the national key-tasks
notice (国办发) and the parent jurisdiction's notice when one was generated earlier, sections
一、二、… and numbered measures 1．2．… (8–25), each closed by a responsibility clause whose
agencies carry the place's level prefix and the names in use that year.

The recombination rewrites what would betray the source: the source jurisdiction's name and
short names become the new place's (健康浙江 → 健康河北), its sub-divisions become sub-divisions
of the new place (pilot sites), 我省/全省/省级 follow the new level, years shift with the
document year, and some target values are jittered. Deterministic for a seed: document i is
the same whatever N is (citations only point at earlier documents).

`--check K` extracts the first K generated documents again and reports how many come back with
the intended jurisdiction, 文号, date and number of measures.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from policykg.data import corpus_files
from policykg.loaders.agencies import find_responsibility
from policykg.loaders.extract import extract_file
from policykg.loaders.gazetteer import Division, Gazetteer, load_gazetteer
from policykg.loaders.text import normalise

YEARS = tuple(range(2009, 2025))
LEVEL_WEIGHTS = (("province", 0.15), ("city", 0.40), ("county", 0.45))
EXCLUDED_PROVINCES = ("71", "81", "82")  # Taiwan, Hong Kong, Macao publish no such notices
MIN_MEASURES, MAX_MEASURES = 8, 25
MIN_CHARS, MAX_CHARS = 3000, 8000

# The State Council's annual key-tasks notices (国办发), year → number; synthetic where unknown.
NATIONAL_NOTICES = {
    2012: 20, 2013: 80, 2014: 24, 2015: 34, 2016: 26, 2017: 37, 2018: 83, 2019: 28,
    2020: 25, 2021: 20, 2022: 14,
}
NATIONAL_TITLE = "国务院办公厅关于印发深化医药卫生体制改革{year}年重点工作任务的通知"

TITLE_KINDS = (("重点工作任务", 0.7), ("主要工作安排", 0.15), ("工作要点", 0.15))

_SECTION_NUMBER = re.compile(r"^\s*[（(]?[一二三四五六七八九十]+[)）、．.]\s*")
_SPAM = re.compile(r"bet|APP|官网|@|投注")
_YEAR = re.compile(r"(?<!\d)(20[0-3]\d)(?!\d)")
_PERCENT = re.compile(r"(?<![\d.〔])(\d{1,2})(?=%|％)")
_CN_DIGITS = "○一二三四五六七八九"
_CN_NUMERALS = "一二三四五六七八九十"


# --------------------------------------------------------------------------------------------
# Agency names in use by function, level and date (the names the vocabulary knows for then)
# --------------------------------------------------------------------------------------------


def agency_base(function: str, level: str, day: date, *, municipality: bool = False) -> str | None:
    """The printed name (without the level prefix) of the body with `function` at `level` on
    `day`, or None when such a body is not named in these notices."""
    top = level == "province" and not municipality
    county = level == "county"
    d2013, d2015, d2018, d2021 = date(2013, 6, 1), date(2015, 1, 1), date(2018, 10, 1), date(2021, 6, 1)
    match function:
        case "health":
            if day < d2013:
                return "卫生厅" if top else "卫生局"
            if day < d2018:
                return "卫生计生局" if county else "卫生计生委"
            return "卫生健康局" if county else "卫生健康委"
        case "family-planning":
            return ("人口计生局" if county else "人口计生委") if day < d2013 else None
        case "medical-insurance":
            return "医保局" if day >= d2018 else agency_base("human-resources-social-security", level, day, municipality=municipality)
        case "human-resources-social-security":
            return "人力社保厅" if top else "人力社保局"
        case "finance":
            return "财政厅" if top else "财政局"
        case "development-reform":
            return "发改局" if county else "发展改革委"
        case "prices":
            if day < d2015:
                return "物价局"
            return agency_base("development-reform" if day < d2018 else "medical-insurance", level, day, municipality=municipality)
        case "drug-regulation":
            if day < d2018:
                return "食品药品监管局"
            return "药监局" if top else "市场监管局"
        case "market-regulation":
            return "工商局" if day < d2018 else "市场监管局"
        case "staffing":
            return "编办"
        case "civil-affairs":
            return "民政厅" if top else "民政局"
        case "education":
            return "教育厅" if top else "教育局"
        case "commerce":
            return "商务厅" if top else "商务局"
        case "industry-it":
            return "经信委" if top else "经信局"
        case "audit":
            return "审计厅" if top else "审计局"
        case "science-technology":
            return "科技厅" if top else "科技局"
        case "reform-office":
            return "医改办"
        case "tcm":
            return "中医药管理局" if top else None
        case "poverty-alleviation":
            return "扶贫办" if day < d2021 else "乡村振兴局"
    return None


# Function lists for measures whose source printed no clause (drawn with these weights).
FALLBACK_CLAUSES = (
    ("health",), ("health", "finance"), ("health", "medical-insurance"), ("medical-insurance", "health", "finance"),
    ("health", "development-reform", "finance", "human-resources-social-security"), ("reform-office",),
    ("health", "drug-regulation"), ("medical-insurance", "prices", "health"), ("health", "civil-affairs"),
    ("health", "education", "human-resources-social-security"), ("finance", "health"),
)


# --------------------------------------------------------------------------------------------
# The pool of real measures
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    surface: str
    adcode: str
    kind: str  # "self" (the source jurisdiction), "child" (inside it), "other"
    full: bool  # printed with its official name (浙江省) rather than a short one (浙江)


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    mentions: tuple[Mention, ...]

    @property
    def needs_children(self) -> int:
        return len({m.adcode for m in self.mentions if m.kind == "child"})


@dataclass(slots=True)
class SourceMeasure:
    key: int
    source: str  # corpus file name
    section: str
    sentences: list[Sentence]
    functions: tuple[str, ...]
    source_adcode: str
    source_level: str
    source_year: int
    source_abbreviation: str | None
    targets: int = 0
    chars: int = field(default=0)


def _clean(text: str) -> str:
    text = text.replace("**", "")
    parts = [p.strip() for p in re.split(r"\s*\n+\s*", text) if p.strip()]
    out = ""
    for part in parts:
        if out and out[-1] not in "。；;：:！？）)”":
            out += "。"
        out += part
    return out


def _strip_clause(text: str) -> str:
    view = normalise(text)
    found = find_responsibility(view.text)
    if found is None:
        return text
    start, end = view.original_span(found.start, found.end)
    return (text[:start] + text[end:]).rstrip(" ，,；;")


def _sentences(text: str) -> list[str]:
    pieces = re.findall(r"[^。]*。|[^。]+$", text)
    return [p.strip() for p in pieces if len(p.strip()) >= 6]


def build_pool(gazetteer: Gazetteer) -> list[SourceMeasure]:
    """Every measure of the bundled corpus: clause removed, split into sentences, place mentions
    located and classified relative to the source document's jurisdiction."""
    pool: list[SourceMeasure] = []
    for file in corpus_files():
        record = extract_file(file)
        if record.jurisdiction is None:
            continue
        source_div = gazetteer.get(record.jurisdiction.adcode)
        year = record.issue_date.year if record.issue_date else int(re.search(r"〔(\d{4})〕", record.doc_number or "〔2017〕")[1])
        on = record.issue_date or date(year, 6, 30)
        abbreviation = next((s for s in source_div.short_names if len(s) == 1), None) if source_div else None
        for measure in record.measures:
            text = _clean(_strip_clause(measure.text))
            if _SPAM.search(text) or len(text) < 20:
                continue
            sentences = []
            for raw in _sentences(text):
                view = normalise(raw)
                mentions = []
                for found in gazetteer.find_mentions(view.text, on=on, best_only=True):
                    division = found.division
                    if division.level == "national":
                        continue
                    start, end = view.original_span(found.start, found.end)
                    if division.adcode == record.jurisdiction.adcode:
                        kind = "self"
                    elif record.jurisdiction.adcode in {a.adcode for a in gazetteer.ancestors(division)}:
                        kind = "child"
                    else:
                        kind = "other"
                    mentions.append(Mention(start, end, raw[start:end], division.adcode, kind, found.surface == division.name))
                sentences.append(Sentence(raw, tuple(mentions)))
            if not sentences:
                continue
            section = _SECTION_NUMBER.sub("", measure.section or "").strip() or "统筹推进相关领域改革"
            section = re.sub(r"\s+", "", section).rstrip("。；;，,")
            if "附件" in section or len(section) < 4:
                continue
            functions = tuple(dict.fromkeys(a.function for a in measure.agencies if a.function != "unknown"))
            pool.append(
                SourceMeasure(
                    key=len(pool),
                    source=file.name,
                    section=section,
                    sentences=sentences,
                    functions=functions,
                    source_adcode=record.jurisdiction.adcode,
                    source_level=record.jurisdiction.level,
                    source_year=year,
                    source_abbreviation=abbreviation,
                    targets=len(measure.targets),
                    chars=sum(len(s.text) for s in sentences),
                )
            )
    return pool


# --------------------------------------------------------------------------------------------
# Places and numbers
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Place:
    division: Division
    printed: str  # the name as printed in title and signature (阳泉市城区 when ambiguous)
    prefix: str  # level prefix of agencies and of 我省/全市 words: 省 / 市 / 县 / 区 / 州 / 自治区
    abbreviation: str  # 文号 prefix: 浙 / 杭 / 长
    short: str  # a short name for 健康XX and the like


def _prefix(division: Division) -> str:
    name = division.name
    if division.level == "province":
        if name.endswith("自治区"):
            return "自治区"
        return "市" if name.endswith("市") else "省"
    if division.level == "city":
        for suffix in ("自治州", "州", "盟", "地区"):
            if name.endswith(suffix):
                return "州" if suffix in ("自治州", "州") else ("盟" if suffix == "盟" else "地区")
        return "市"
    for suffix in ("区", "旗", "市"):
        if name.endswith(suffix):
            return suffix
    return "县"


class Places:
    """The divisions that can issue a document on a given day, by level."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self.rows = [
            d for d in gazetteer
            if d.level in ("province", "city", "county") and not d.adcode.startswith(EXCLUDED_PROVINCES)
        ]
        self._cache: dict[tuple[str, date], list[Division]] = {}
        self._children: dict[tuple[str, date], list[Division]] = {}
        self._names: dict[date, dict[str, int]] = {}

    def valid(self, level: str, day: date) -> list[Division]:
        key = (level, day)
        if key not in self._cache:
            self._cache[key] = [d for d in self.rows if d.level == level and d.valid_on(day)]
        return self._cache[key]

    def children(self, adcode: str, day: date) -> list[Division]:
        key = (adcode, day)
        if key not in self._children:
            self._children[key] = [
                d for lvl in ("city", "county") for d in self.valid(lvl, day) if d.parent_adcode == adcode
            ]
        return self._children[key]

    def name_count(self, name: str, day: date) -> int:
        counts = self._names.get(day)
        if counts is None:
            counts = defaultdict(int)
            for lvl in ("province", "city", "county"):
                for d in self.valid(lvl, day):
                    counts[d.name] += 1
            self._names[day] = counts
        return counts[name]

    def place(self, division: Division, day: date, rng: random.Random) -> Place:
        printed = division.name
        if division.level == "county":
            parent = self.gazetteer.parent(division)
            ambiguous = self.name_count(division.name, day) > 1 or len(division.name) <= 2
            if parent is not None and parent.level != "national" and (ambiguous or rng.random() < 0.3):
                printed = parent.name + division.name
        one_char = next((s for s in division.short_names if len(s) == 1), None)
        abbreviation = one_char or division.name[0]
        short = next((s for s in division.short_names if len(s) >= 2), division.name)
        return Place(division, printed, _prefix(division), abbreviation, short)


def chinese_year(year: int) -> str:
    return "".join(_CN_DIGITS[int(c)] for c in str(year))


def chinese_number(n: int) -> str:
    if n <= 10:
        return _CN_NUMERALS[n - 1]
    if n < 20:
        return "十" + _CN_NUMERALS[n - 11]
    tens, ones = divmod(n, 10)
    return _CN_NUMERALS[tens - 1] + "十" + (_CN_NUMERALS[ones - 1] if ones else "")


def print_date(day: date, chinese: bool) -> str:
    if chinese:
        return f"{chinese_year(day.year)}年{chinese_number(day.month)}月{chinese_number(day.day)}日"
    return f"{day.year}年{day.month}月{day.day}日"


# --------------------------------------------------------------------------------------------
# Templates (wording of real notices; values drawn per document)
# --------------------------------------------------------------------------------------------

TARGET_TEMPLATES = (
    ("到{y}年底，全{p}公立医院药占比（不含中药饮片）总体降到{v}%左右。", (24, 36)),
    ("百元医疗收入（不含药品收入）消耗卫生材料降到{v}元以下。", (18, 26)),
    ("城乡居民基本医疗保险参保率稳定在{v}%以上。", (95, 98)),
    ("公立医院医疗费用增长幅度控制在{v}%以下。", (7, 12)),
    ("居民医保政策范围内住院费用支付比例达到{v}%左右。", (65, 78)),
    ("药品网上采购率达到{v}%以上。", (85, 98)),
    ("城乡居民医保人均财政补助标准提高到{money}元。", None),
    ("门诊和住院次均费用增长幅度控制在{v}%以内。", (3, 8)),
    ("基层医疗卫生机构基本药物使用金额比例不低于{v}%。", (40, 70)),
    ("县域内就诊率达到{v}%左右。", (80, 92)),
)

PILOT_TEMPLATES = (
    "选择{sites}等地开展按疾病诊断相关分组（DRG）付费试点，{y}年底前完成模拟运行。",
    "在{sites}开展紧密型县域医疗卫生共同体建设试点，形成可复制可推广的经验。",
    "支持{sites}开展公立医院薪酬制度改革试点，合理确定医务人员薪酬水平。",
    "{sites}要率先推进药品耗材集中带量采购和使用，及时总结经验。",
    "在{sites}开展按病种分值付费（DIP）试点。",
)

PREAMBLES = (
    "{y}年是深化医药卫生体制改革的关键一年。{cites}，为统筹推进{our}深化医药卫生体制改革，结合{our}实际，现提出{y}年重点工作任务如下。",
    "为深入贯彻党中央、国务院关于深化医药卫生体制改革的决策部署，{cites}，坚持保基本、强基层、建机制，统筹推进医疗、医保、医药联动改革，确定{y}年{our}深化医改重点工作任务如下。",
    "{cites}，{y}年{our}深化医药卫生体制改革工作要以推进健康{short}建设为引领，着力推进分级诊疗、现代医院管理、全民医保、药品供应保障、综合监管等制度建设。",
)

ADDRESSEES = {
    "province": "各市、县（市、区）人民政府，{p}政府直属各单位：",
    "municipality": "各区、县人民政府，市政府各委、办、局：",
    "city": "各县（市、区）人民政府，市政府各部门、各直属单位：",
    "county": "各乡镇人民政府、街道办事处，{p}政府各部门、各直属单位：",
}


# --------------------------------------------------------------------------------------------
# Documents
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Spec:
    index: int
    year: int
    day: date
    place: Place
    doc_number: str
    title: str
    office: str


class Generator:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.gazetteer = load_gazetteer()
        self.places = Places(self.gazetteer)
        self.pool = build_pool(self.gazetteer)
        self.by_section: dict[tuple[str, str], list[SourceMeasure]] = defaultdict(list)
        for m in self.pool:
            self.by_section[(m.source, m.section)].append(m)
        self.section_keys = sorted(self.by_section)
        self.clauses = [m.functions for m in self.pool if m.functions] + list(FALLBACK_CLAUSES)
        self.rng = random.Random(seed)
        self.numbers: dict[tuple[str, int], int] = {}
        self.issued: dict[tuple[str, int], Spec] = {}  # (adcode, year) → the first notice issued

    # ---- what to generate ------------------------------------------------------------------

    def spec(self, index: int) -> Spec:
        rng = self.rng
        year = rng.choice(YEARS)
        day = date(year, rng.randint(1, 12), rng.randint(1, 28))
        level = rng.choices([lv for lv, _ in LEVEL_WEIGHTS], [w for _, w in LEVEL_WEIGHTS])[0]
        division = rng.choice(self.places.valid(level, day))
        place = self.places.place(division, day, rng)
        prefix = place.abbreviation + "政办发"
        number = self.numbers.get((prefix, year))
        number = rng.randint(8, 60) if number is None else number + rng.randint(1, 4)
        self.numbers[(prefix, year)] = number
        doc_number = f"{prefix}〔{year}〕{number}号"
        if level == "province":
            office = "办公厅"
        elif level == "city":
            office = rng.choice(("办公厅", "办公室"))
        else:
            office = "办公室"
        kind = rng.choices([k for k, _ in TITLE_KINDS], [w for _, w in TITLE_KINDS])[0]
        title = f"{place.printed}人民政府{office}关于印发{place.printed}深化医药卫生体制改革{year}年{kind}的通知"
        return Spec(index, year, day, place, doc_number, title, office)

    # ---- text -------------------------------------------------------------------------------

    def rewrite(self, sentence: Sentence, source: SourceMeasure, spec: Spec, children: dict[str, Division], rng: random.Random) -> str:
        """A source sentence moved to the new place, level and year."""
        place = spec.place
        text = sentence.text
        out, last = [], 0
        for m in sentence.mentions:
            if m.kind == "other":
                continue
            if m.kind == "self":
                new = place.division.name if m.full else place.short
            else:
                child = children[m.adcode]
                new = child.name if m.full else next((s for s in child.short_names if len(s) >= 2), child.name)
            out.append(text[last:m.start])
            out.append(new)
            last = m.end
        out.append(text[last:])
        text = "".join(out)
        old = {"province": "省", "city": "市"}.get(source.source_level, "县")
        new_prefix = place.prefix if len(place.prefix) == 1 else "区"
        for word in ("我{}", "全{}", "本{}", "{}政府", "{}委", "{}级"):
            text = text.replace(word.format(old), word.format(new_prefix))
        if source.source_abbreviation:
            text = re.sub(rf"{re.escape(source.source_abbreviation)}(?=[\u4e00-\u9fff]{{1,4}}〔)", place.abbreviation, text)
        delta = spec.year - source.source_year
        if delta:
            text = _YEAR.sub(lambda y: str(int(y[1]) + delta), text)
        if rng.random() < 0.5:
            text = _PERCENT.sub(lambda v: str(max(1, min(99, round(int(v[1]) * rng.uniform(0.8, 1.2))))), text)
        return text

    def clause(self, functions: tuple[str, ...], spec: Spec, first: bool, rng: random.Random) -> str:
        level = spec.place.division.level
        prefix = spec.place.prefix
        names = []
        for function in functions or rng.choice(self.clauses):
            base = agency_base(function, level, spec.day, municipality=prefix == "市" and level == "province")
            if base is not None and base not in names:
                names.append(base)
        if not names:
            names = [agency_base("health", level, spec.day, municipality=prefix == "市" and level == "province")]
        printed = [prefix + names[0]] + [
            (name if rng.random() < 0.15 else prefix + name) for name in names[1:]
        ]
        style = rng.random()
        if first and len(printed) > 1:
            return f"（{'、'.join(printed)}负责。列第一位的为牵头单位，下同）"
        if style < 0.7 or len(printed) == 1:
            return f"（{'、'.join(printed)}负责）"
        if style < 0.85:
            return f"（牵头单位：{printed[0]}；配合单位：{'、'.join(printed[1:])}）"
        return f"（责任单位：{'、'.join(printed)}）"

    def target_sentence(self, spec: Spec, rng: random.Random) -> str:
        template, bounds = rng.choice(TARGET_TEMPLATES)
        money = 120 + 35 * (spec.year - 2011) + rng.choice((0, 10, 20))
        value = rng.randint(*bounds) if bounds else 0
        prefix = spec.place.prefix if len(spec.place.prefix) == 1 else "区"
        return template.format(y=spec.year, p=prefix, v=value, money=max(money, 80))

    def document(self, spec: Spec) -> tuple[str, dict]:
        rng = random.Random(f"{self.seed}:{spec.index}")
        place = spec.place
        kids = self.places.children(place.division.adcode, spec.day)
        target_chars = rng.randint(MIN_CHARS + 300, MAX_CHARS - 600)
        n_measures = rng.randint(MIN_MEASURES, MAX_MEASURES)

        # 2–7 sections of the source documents, measures drawn within each (a section's
        # measures stay together, under their own heading)
        sections: dict[str, list[SourceMeasure]] = {}
        keys = [k for k in self.section_keys if any(self._fits(m, kids) for m in self.by_section[k])]
        rng.shuffle(keys)
        n_sections = rng.randint(2, 7)
        chosen = 0
        for key in keys:
            if chosen >= n_measures:
                break
            candidates = [m for m in self.by_section[key] if self._fits(m, kids)]
            if key[1] in sections:
                continue
            remaining_sections = max(1, n_sections - len(sections))
            share = max(1, -(-(n_measures - chosen) // remaining_sections))
            take = rng.sample(candidates, min(len(candidates), share))
            sections[key[1]] = take
            chosen += len(take)
        picked = [m for members in sections.values() for m in members]
        measures_text: list[tuple[str, list[str], tuple[str, ...]]] = []  # (section, sentences, functions)
        budget = max(120, (target_chars - 700) // max(1, len(picked)))
        used = {m.key for m in picked}
        for section, members in sections.items():
            for m in members:
                sentences = self._sentences_for(m, spec, kids, budget, used, rng)
                if not sentences:
                    continue
                measures_text.append((section, sentences, m.functions))

        # some targets and, where the place has sub-divisions, a pilot designation
        for i in range(len(measures_text)):
            if rng.random() < 0.3:
                measures_text[i][1].append(self.target_sentence(spec, rng))
        pilot_sites: list[str] = []
        if len(kids) >= 2 and rng.random() < 0.5 and measures_text:
            sites = rng.sample(kids, rng.randint(1, min(4, len(kids))))
            pilot_sites = [s.adcode for s in sites]
            names = "、".join(s.name for s in sites)
            i = rng.randrange(len(measures_text))
            measures_text[i][1].append(rng.choice(PILOT_TEMPLATES).format(sites=names, y=spec.year))

        cites, cite_numbers = self._citations(spec, rng)
        header = self._header(spec, cites, rng)
        body, n, sections_printed = [], 0, 0
        current = None
        for section, sentences, functions in measures_text:
            if section != current:
                sections_printed += 1
                body.append(f"{chinese_number(sections_printed)}、{section}")
                current = section
            n += 1
            clause = self.clause(functions, spec, n == 1, rng) if rng.random() < 0.92 else ""
            body.append(f"{n}．{''.join(sentences)}{clause}")
        # keep inside the size band: trim sentences of the longest measures, or add measures
        text = header + "\n".join(body) + "\n"
        manifest = {
            "index": spec.index,
            "adcode": place.division.adcode,
            "level": place.division.level,
            "name": place.printed,
            "year": spec.year,
            "date": spec.day.isoformat(),
            "doc_number": spec.doc_number,
            "title": spec.title,
            "measures": n,
            "sections": sections_printed,
            "cites": cite_numbers,
            "pilot_sites": pilot_sites,
            "chars": len(text),
        }
        return text, manifest

    @staticmethod
    def _fits(m: SourceMeasure, kids: list[Division]) -> bool:
        return m.sentences[0].needs_children <= len(kids)

    def _sentences_for(self, m: SourceMeasure, spec: Spec, kids: list[Division], budget: int, used: set[int], rng: random.Random) -> list[str]:
        chosen: list[str] = []
        length = 0
        queue = [m]
        siblings = [s for s in self.by_section[(m.source, m.section)] if s.key not in used]
        rng.shuffle(siblings)
        others = [s for s in self.pool if s.key not in used]
        while queue and length < budget:
            source = queue.pop(0)
            for sentence in source.sentences:
                if sentence.needs_children > len(kids):
                    continue
                children = {}
                child_codes = sorted({x.adcode for x in sentence.mentions if x.kind == "child"})
                for code, new in zip(child_codes, rng.sample(kids, len(child_codes))):
                    children[code] = new
                text = self.rewrite(sentence, source, spec, children, rng)
                chosen.append(text)
                length += len(text)
                if length >= budget and chosen:
                    break
            if length < budget * 0.6:
                nxt = siblings.pop() if siblings else (rng.choice(others) if others else None)
                if nxt is not None and length + nxt.chars <= budget * 1.6:
                    used.add(nxt.key)
                    queue.append(nxt)
        return chosen

    def _citations(self, spec: Spec, rng: random.Random) -> tuple[str, list[str]]:
        parts, numbers = [], []
        if rng.random() < 0.6:
            number = NATIONAL_NOTICES.get(spec.year) or 10 + (spec.year * 7) % 60
            national = f"国办发〔{spec.year}〕{number}号"
            parts.append(f"《{NATIONAL_TITLE.format(year=spec.year)}》（{national}）")
            numbers.append(national)
        parent = self.gazetteer.parent(spec.place.division)
        if parent is not None and parent.level != "national":
            earlier = self.issued.get((parent.adcode, spec.year)) or self.issued.get((parent.adcode, spec.year - 1))
            if earlier is not None and rng.random() < 0.8:
                parts.append(f"《{earlier.title}》（{earlier.doc_number}）")
                numbers.append(earlier.doc_number)
        if not parts:
            return "根据国家和上级关于深化医药卫生体制改革的部署要求", numbers
        return "根据" + "和".join(parts) + "要求", numbers

    def _header(self, spec: Spec, cites: str, rng: random.Random) -> str:
        place = spec.place
        title = spec.title
        if rng.random() < 0.2:  # wrapped over two lines, as on printed pages
            cut = title.index("深化医药") + rng.randint(2, 6)
            title = title[:cut] + "\n" + title[cut:]
        level = place.division.level
        if level == "province" and place.prefix == "市":
            addressee = ADDRESSEES["municipality"]
        else:
            addressee = ADDRESSEES[level].format(p=place.prefix if len(place.prefix) == 1 else "区")
        kind = spec.title.split("年", 1)[1].removesuffix("的通知")
        gov = (place.prefix if len(place.prefix) == 1 else "区") + "政府"
        our = "我" + (place.prefix if len(place.prefix) == 1 else "区")
        day = print_date(spec.day, chinese=rng.random() < 0.25)
        lines = [
            title,
            spec.doc_number,
            "",
            addressee,
            f"《{place.printed}深化医药卫生体制改革{spec.year}年{kind}》已经{gov}同意，现印发给你们，请结合实际认真贯彻执行。",
            "",
            f"{place.printed}人民政府{spec.office}",
            day,
        ]
        if rng.random() < 0.5:
            lines.append("（此件公开发布）")
        lines += [
            "",
            "",
            f"{place.printed}深化医药卫生体制改革",
            f"{spec.year}年{kind}",
            "",
            rng.choice(PREAMBLES).format(y=spec.year, cites=cites, our=our, short=place.short),
        ]
        return "\n".join(lines) + "\n"

    # ---- driver -----------------------------------------------------------------------------

    def generate(self, n: int, outdir: Path) -> dict:
        outdir.mkdir(parents=True, exist_ok=True)
        total_chars = 0
        with (outdir / "manifest.jsonl").open("w", encoding="utf-8") as manifest:
            for index in range(n):
                spec = self.spec(index)
                text, entry = self.document(spec)
                self.issued.setdefault((spec.place.division.adcode, spec.year), spec)
                name = f"{index:06d}_{spec.place.division.adcode}_{spec.year}.txt"
                (outdir / name).write_text(text, encoding="utf-8")
                entry["file"] = name
                manifest.write(json.dumps(entry, ensure_ascii=False) + "\n")
                total_chars += len(text)
        summary = {"documents": n, "seed": self.seed, "characters": total_chars, "pool_measures": len(self.pool)}
        (outdir / "corpus.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
        return summary


def generate_corpus(n: int, outdir: str | Path, *, seed: int = 0, reuse: bool = True) -> dict:
    """Generate (or, when `outdir` already holds this N and seed, reuse) the corpus."""
    outdir = Path(outdir)
    marker = outdir / "corpus.json"
    if reuse and marker.exists():
        summary = json.loads(marker.read_text(encoding="utf-8"))
        if summary.get("documents") == n and summary.get("seed") == seed:
            summary["reused"] = True
            return summary
    return Generator(seed).generate(n, outdir)


def check(outdir: Path, k: int) -> dict:
    """Extract the first k documents and compare with what they were generated as."""
    entries = [json.loads(line) for line in (outdir / "manifest.jsonl").read_text(encoding="utf-8").splitlines()][:k]
    ok = defaultdict(int)
    misses: list[str] = []
    for entry in entries:
        record = extract_file(outdir / entry["file"])
        got = {
            "jurisdiction": record.jurisdiction.adcode if record.jurisdiction else None,
            "doc_number": record.doc_number,
            "date": record.issue_date.isoformat() if record.issue_date else None,
            "measures": len(record.measures),
            "agencies": sum(1 for m in record.measures if m.agencies),
        }
        ok["jurisdiction"] += got["jurisdiction"] == entry["adcode"]
        ok["doc_number"] += got["doc_number"] == entry["doc_number"]
        ok["date"] += got["date"] == entry["date"]
        ok["measures"] += got["measures"] == entry["measures"]
        ok["cites"] += sorted(c.doc_number for c in record.cites if c.doc_number in entry["cites"]) == sorted(entry["cites"])
        ok["targets>0"] += bool(record.targets)
        ok["instruments>0"] += bool(record.instruments)
        ok["measures with agencies"] += got["agencies"]
        ok["measures total"] += got["measures"]
        if got["jurisdiction"] != entry["adcode"] or got["measures"] != entry["measures"] or got["doc_number"] != entry["doc_number"]:
            misses.append(f"{entry['file']}: want {entry['adcode']} {entry['name']} {entry['doc_number']} {entry['measures']} measures; got {got}")
    return {"checked": len(entries), **ok, "misses": misses[:15]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of documents")
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--force", action="store_true", help="regenerate even if OUTDIR holds this N and seed")
    parser.add_argument("--check", type=int, default=0, metavar="K", help="re-extract the first K documents and compare")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    summary = generate_corpus(args.n, args.outdir, seed=args.seed, reuse=not args.force)
    elapsed = time.perf_counter() - t0
    verb = "reused" if summary.get("reused") else f"generated in {elapsed:.1f} s"
    print(f"{summary['documents']} documents, {summary['characters']} characters "
          f"(mean {summary['characters'] // max(1, summary['documents'])}) {verb} -> {args.outdir}")
    if args.check:
        print(json.dumps(check(args.outdir, args.check), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    sys.exit(main())
