"""Government agencies in health-reform documents, and the clauses that make them responsible.

The vocabulary (``ontology/agencies.ttl``) lists agency *types* — the health commission, the
finance department … — with their functions, current official names and every printed alias,
including names from before a reorganisation.  This module turns printed names into `Agency`
records normalised across those reorganisations:

* 卫生厅 (2012), 卫生计生委 (2017) and 卫健委 (2019) are all the health commission, canonical
  卫生健康委员会; 物价局 keeps its own function (prices) but its canonical name is that of the
  body it merged into (发展和改革委员会).
* A printed name is <prefix><alias>: the longest vocabulary alias that ends the name, after a
  prefix that is a level word (省/市/县/区/国家…), a jurisdiction (浙江省, 昆明市, 中共昆明市),
  a bare place (江苏保监局 — central agencies' regional offices omit 省) or a plural (各市).
* In a list, an item without a prefix inherits the previous item's level word or jurisdiction
  (省人力资源社会保障厅、卫生厅 → 省卫生厅); an item with its own prefix resets it (a bare place
  resets it to nothing).
* ``canonical`` = the current official name for the level, qualified by the jurisdiction when
  known (from the name itself or from `JurisdictionContext`), else by the printed level word:
  浙江省卫生健康委员会, 昆明市财政局, 省卫生健康委员会, 国家金融监督管理总局浙江监管局 (the
  former 浙江保监局: CIRC → CBIRC 2018 → NFRA 2023).  Names of unknown bodies are kept as
  printed, with a level word replaced by the matching context jurisdiction (省总工会 → 浙江省总工会).
* ``functions`` adds era-dependent functions (人社 held medical insurance until the 2018 医保局
  reform) when the document date — or, without one, the printed alias's own period of validity
  (卫生计生委: 2013–2018) — lies inside the era.

Responsibility clauses (`find_responsibility`):
* ``jointly`` is False when only one agency is named or the clause says each acts on its own part
  (分别负责, 分别牵头, 各自负责, 按职责分工负责); True otherwise, including 牵头…配合.
* ``lead`` is the agency named with 牵头 / 牵头单位, else the first listed.
* ``roles`` (parallel to ``agencies``): "lead" (牵头, or first listed under the note
  列第一位的为牵头单位), "responsible" (负责, 责任单位), "supporting" (配合, 参与, 协助…).

All positions are local offsets into the string given; names are in the matching view
(`policykg.loaders.text.normalise` / `to_simplified`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Literal

from policykg.loaders.text import characters_folding_to, to_simplified

__all__ = [
    "Agency",
    "AgencyType",
    "AgencyVocabulary",
    "AliasUse",
    "EraFunction",
    "JurisdictionContext",
    "Responsibility",
    "UNKNOWN_FUNCTION",
    "find_responsibility",
    "load_agency_vocabulary",
    "parse_agency_list",
    "resolve_agency",
]

Level = Literal["national", "province", "city", "county"]
Role = Literal["lead", "responsible", "supporting"]

PKG = "https://w3id.org/policykg/ontology#"
FUNCTION_NS = "https://w3id.org/policykg/function/"
AGENCY_NS = "https://w3id.org/policykg/agency/"
UNKNOWN_FUNCTION = "unknown"

# ---------------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Agency:
    """One body named in a document."""

    name: str  # as printed, level prefix (or shared place suffix) restored: 省卫生厅, 太原市
    canonical: str  # current official name, qualified by jurisdiction when known
    function: str  # primary function id ("health"), UNKNOWN_FUNCTION when not in the vocabulary
    functions: tuple[str, ...]  # primary first, then standing and era-dependent ones
    division: str | None  # internal division printed in brackets: 省卫健委(规划处) → 规划处
    known: bool  # matched the vocabulary (or is a place's government)
    start: int  # local offsets of the printed name (without the division)
    end: int
    kind: str | None = None  # agency-type id ("health-commission"), None when unknown
    level: Level | None = None
    jurisdiction: str | None = None  # "浙江省" when known from the name or the context


@dataclass(frozen=True, slots=True)
class Responsibility:
    """The responsibility clause of one measure: who carries it out."""

    agencies: tuple[Agency, ...]  # in printed order
    lead: Agency | None  # named with 牵头 if any, else first listed
    jointly: bool  # False for 分别负责 / 分别牵头 … and when only one agency
    start: int  # span of the whole clause (brackets included) in the text given
    end: int
    roles: tuple[Role, ...] = ()  # parallel to agencies


@dataclass(frozen=True, slots=True)
class JurisdictionContext:
    """Where and when a document was issued, to qualify agency names and pick era functions."""

    name: str | None = None  # "浙江省", "昆明市", "长兴县"
    level: Level | None = None
    on: date | None = None  # document date


# ---------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AliasUse:
    """One printed alias of one agency type, with where and when it is current."""

    alias: str
    kind: str
    level: Level | None = None
    valid_from: date | None = None
    valid_until: date | None = None

    def valid_on(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_until is None or on <= self.valid_until
        )


@dataclass(frozen=True, slots=True)
class EraFunction:
    function: str
    valid_from: date | None = None
    valid_until: date | None = None

    def covers(self, window: tuple[date | None, date | None]) -> bool:
        """Whether the whole window lies inside the era (open window ends never do)."""
        start, end = window
        after = self.valid_from is None or (start is not None and start >= self.valid_from)
        before = self.valid_until is None or (end is not None and end <= self.valid_until)
        return after and before


_FORM_KEYS = ("default", "national", "province", "city", "county", "local")
_FORM_PROPERTIES = {
    "canonicalName": "default",
    "canonicalNameNational": "national",
    "canonicalNameProvince": "province",
    "canonicalNameCity": "city",
    "canonicalNameCounty": "county",
    "canonicalNameLocal": "local",
}


@dataclass(frozen=True, slots=True)
class AgencyType:
    id: str
    label_zh: str
    label_en: str
    function: str
    also_functions: tuple[str, ...] = ()
    era_functions: tuple[EraFunction, ...] = ()
    forms: tuple[tuple[str, str], ...] = ()  # (key in _FORM_KEYS, canonical form)
    merged_into: str | None = None


@dataclass(frozen=True, slots=True)
class AgencyVocabulary:
    functions: dict[str, tuple[str, str]]  # function id → (zh label, en label)
    types: dict[str, AgencyType]
    aliases: dict[str, tuple[AliasUse, ...]]  # simplified alias → uses
    longest_alias: int

    @classmethod
    def from_graph(cls, graph) -> AgencyVocabulary:
        """Read functions, agency types and aliases from an rdflib Graph (see agencies.ttl)."""
        from rdflib import RDF, Namespace, URIRef
        from rdflib.namespace import SKOS

        pkg = Namespace(PKG)

        def function_id(node) -> str:
            notation = graph.value(node, SKOS.notation)
            return str(notation) if notation is not None else _local_name(node, FUNCTION_NS)

        def labels(node) -> tuple[str, str]:
            zh = en = ""
            for label in graph.objects(node, SKOS.prefLabel):
                if getattr(label, "language", None) == "en":
                    en = str(label)
                elif getattr(label, "language", None) in ("zh", None) and not zh:
                    zh = to_simplified(str(label))
            return zh, en

        functions: dict[str, tuple[str, str]] = {}
        for node in graph.subjects(SKOS.inScheme, pkg.agencyFunctionScheme):
            functions[function_id(node)] = labels(node)

        types: dict[str, AgencyType] = {}
        uses: dict[str, list[AliasUse]] = {}
        for node in sorted(set(graph.subjects(RDF.type, pkg.AgencyType)), key=str):
            if not isinstance(node, URIRef):
                continue
            kind = _local_name(node, AGENCY_NS)
            primary = graph.value(node, pkg.function)
            if primary is None:
                continue
            era_functions = []
            for era in graph.objects(node, pkg.eraFunction):
                era_function = graph.value(era, pkg.function)
                if era_function is not None:
                    era_functions.append(
                        EraFunction(
                            function_id(era_function),
                            _date(graph.value(era, pkg.validFrom)),
                            _date(graph.value(era, pkg.validUntil)),
                        )
                    )
            forms = []
            for prop, key in _FORM_PROPERTIES.items():
                value = graph.value(node, pkg[prop])
                if value is not None:
                    forms.append((key, to_simplified(str(value))))
            merged = graph.value(node, pkg.mergedInto)
            zh, en = labels(node)
            types[kind] = AgencyType(
                id=kind,
                label_zh=zh,
                label_en=en,
                function=function_id(primary),
                also_functions=tuple(
                    sorted(function_id(f) for f in graph.objects(node, pkg.alsoFunction))
                ),
                era_functions=tuple(sorted(era_functions, key=lambda e: e.function)),
                forms=tuple(forms),
                merged_into=_local_name(merged, AGENCY_NS) if merged is not None else None,
            )
            for alias in graph.objects(node, pkg.alias):
                _add_use(uses, AliasUse(to_simplified(str(alias)), kind))
            for group in graph.objects(node, pkg.aliasGroup):
                level = graph.value(group, pkg.level)
                for alias in graph.objects(group, pkg.alias):
                    _add_use(
                        uses,
                        AliasUse(
                            to_simplified(str(alias)),
                            kind,
                            str(level) if level is not None else None,  # type: ignore[arg-type]
                            _date(graph.value(group, pkg.validFrom)),
                            _date(graph.value(group, pkg.validUntil)),
                        ),
                    )
        aliases = {alias: tuple(found) for alias, found in uses.items()}
        return cls(
            functions=functions,
            types=types,
            aliases=aliases,
            longest_alias=max((len(a) for a in aliases), default=0),
        )

    def forms(self, kind: str) -> dict[str, str]:
        """Canonical forms of a type, following pkg:mergedInto when it has none of its own."""
        seen: set[str] = set()
        while kind in self.types and kind not in seen:
            seen.add(kind)
            agency_type = self.types[kind]
            if agency_type.forms:
                return dict(agency_type.forms)
            if agency_type.merged_into is None:
                break
            kind = agency_type.merged_into
        return {}


def _local_name(node, namespace: str) -> str:
    text = str(node)
    if text.startswith(namespace):
        return text[len(namespace) :]
    return re.split(r"[/#]", text)[-1]


def _date(literal) -> date | None:
    if literal is None:
        return None
    value = literal.toPython() if hasattr(literal, "toPython") else literal
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _add_use(uses: dict[str, list[AliasUse]], use: AliasUse) -> None:
    if use.alias and use not in uses.setdefault(use.alias, []):
        uses[use.alias].append(use)


@lru_cache(maxsize=1)
def load_agency_vocabulary() -> AgencyVocabulary:
    """The vocabulary of ``ontology/agencies.ttl`` (cached)."""
    from policykg.ontology import load_graph

    return AgencyVocabulary.from_graph(load_graph("agencies.ttl"))


# ---------------------------------------------------------------------------------------------
# Prefixes: level words, jurisdictions, places
# ---------------------------------------------------------------------------------------------

_CJK = "\u4e00-\u9fff"
_NATIONAL_WORDS = ("中华全国", "国务院", "国家", "中央", "全国", "中国")
_LEVEL_WORDS: dict[str, Level] = {
    "省": "province",
    "自治区": "province",
    "省级": "province",
    "市": "city",
    "州": "city",
    "自治州": "city",
    "地区": "city",
    "盟": "city",
    "市级": "city",
    "县": "county",
    "自治县": "county",
    "区": "county",
    "旗": "county",
    "县级": "county",
    "区级": "county",
}
# Level words a list carries from one item to the next ("省人社厅、卫生厅" → 省卫生厅).
_CARRIED_WORDS = frozenset({"国家", "省", "自治区", "市", "州", "自治州", "盟", "县", "区", "旗"})
_DEFAULT_WORD: dict[str, str] = {"province": "省", "city": "市", "county": "县", "national": "国家"}
# Directly administered municipalities: province level, but bodies are named like a city's.
_MUNICIPALITIES = frozenset({"北京市", "天津市", "上海市", "重庆市"})
_PLACE_SUFFIX = re.compile(r"(特别行政区|自治区|自治州|自治县|自治旗|地区|省|市|县|区|州|盟|旗)$")
_PROVINCE_SUFFIXES = ("省", "自治区", "特别行政区")
_CITY_SUFFIXES = ("市", "州", "自治州", "地区", "盟")
_LEVEL_CHARS = "省市县区州盟旗"
_NOT_IN_PLACE_NAMES = frozenset("委厅局办署和与及、")
# Words shaped like place names that are not jurisdictions.
_NOT_PLACES = frozenset(
    """地方 各级 基层 当地 本级 同级 上级 下级 有关 相关 其他 其它 全省 全市 全县 全区 社区 城区 园区
    辖区 景区 片区 城市 省市 市县 县区 区县 县市 省直 市直 县直 中共 示范区 试验区 试点区 功能区 保护区
    自贸区 开发区 地市 市区 郊区 山区 灾区 牧区 林区 矿区 街区 小区 专区 城乡""".split()
)
_ALTERNATION = r"(?:\([市县区旗、]+\))"
_LEVEL_WITH_ALTERNATION = re.compile(rf"^([省市县区旗]){_ALTERNATION}$")
_PLURAL = re.compile(rf"^各(?:级|地|有关|相关|设区的?|[省市县区州盟旗]|{_ALTERNATION})*$")
_BARE_PLACE = re.compile(rf"^[{_CJK}]{{2,4}}$")
_JURISDICTION_MARK = re.compile(r"(?:^|团|中共)(?:国家|省|市|县|区|自治区)(?!级)")


@dataclass(frozen=True, slots=True)
class _Prefix:
    text: str = ""  # as printed before the alias
    word: str | None = None  # a level word (省, 国家, 县(市、区))
    level: Level | None = None
    jurisdiction: str | None = None  # 浙江省
    place: str | None = None  # 江苏 (bare place, no level suffix)
    plural: bool = False  # 各市, 各级
    carry: str | None = None  # what following list items inherit


_NO_PREFIX = _Prefix()  # immutable, so one instance serves every bare alias


_AUTONOMOUS_SUFFIX = re.compile(rf"(?:[{_CJK}]{{1,3}}族)*(?:自治区|自治州|自治县|自治旗)$")
_ALL_HANZI = re.compile(f"[{_CJK}]+")
_ORG_NAME_CHARACTERS = re.compile(rf"[{_CJK}()0-9A-Za-z]+")


def _short_place(name: str) -> str:
    """浙江省 → 浙江, 广西壮族自治区 → 广西, 昆明市 → 昆明 (for {place} and bare-place matches)."""
    short = _AUTONOMOUS_SUFFIX.sub("", name)
    if short == name:
        short = _PLACE_SUFFIX.sub("", name)
    return short or name


def _jurisdiction(text: str) -> tuple[str, Level] | None:
    """A full jurisdiction name (浙江省, 昆明市, 沛县, 延边朝鲜族自治州) and its level."""
    if not text or not _ALL_HANZI.fullmatch(text) or text in _NOT_PLACES:
        return None
    match = _PLACE_SUFFIX.search(text)
    if match is None:
        return None
    suffix = match.group(1)
    body = text[: match.start()]
    minimum = 1 if suffix in ("县", "旗", "自治县", "自治旗") else 2
    if len(body) < minimum or body[0] in "各省" or body[-1] in _LEVEL_CHARS + "级":
        return None
    if any(ch in _NOT_IN_PLACE_NAMES for ch in body):  # 省卫健委和省 is no place
        return None
    if body in _NOT_PLACES or body.startswith(_NATIONAL_WORDS[:4]):
        return None
    if suffix in _PROVINCE_SUFFIXES or text in _MUNICIPALITIES:
        return text, "province"
    if suffix in _CITY_SUFFIXES:
        return text, "city"
    return text, "county"


def _bare_place(text: str) -> bool:
    return (
        bool(_BARE_PLACE.fullmatch(text))
        and text not in _NOT_PLACES
        and not text.startswith(("各", *_NATIONAL_WORDS))
        and not any(ch in _LEVEL_CHARS for ch in text)
    )


def _parse_prefix(text: str, *, alias: str) -> _Prefix | None:
    """What precedes an alias in a printed name, or None when it is not a prefix."""
    if text == "":
        return _NO_PREFIX
    core = text
    for party in ("中国共产党", "中共"):
        if core.startswith(party) and len(core) > len(party):
            core = core[len(party) :]
            break
    if core in _NATIONAL_WORDS:
        return _Prefix(text, word=core, level="national", carry="国家" if core == "国家" else None)
    if core in _LEVEL_WORDS:
        return _Prefix(
            text, word=core, level=_LEVEL_WORDS[core], carry=core if core in _CARRIED_WORDS else None
        )
    alternation = _LEVEL_WITH_ALTERNATION.fullmatch(core)
    if alternation:
        return _Prefix(text, word=core, level=_LEVEL_WORDS[alternation.group(1)])
    if len(alias) < 2:  # 委 alone: only 省委, 昆明市委, 中共昆明市委
        found = _jurisdiction(core)
        return _Prefix(text, level=found[1], jurisdiction=found[0], carry=found[0]) if found else None
    if _PLURAL.fullmatch(core):
        return _Prefix(text, plural=True)
    found = _jurisdiction(core)
    if found:
        return _Prefix(text, level=found[1], jurisdiction=found[0], carry=found[0])
    if _bare_place(core):
        return _Prefix(text, place=core)
    return None


def _word_matches_context(word: str, context: JurisdictionContext) -> bool:
    """Whether a printed level word (省, 市 …) designates the document's own jurisdiction."""
    base = _LEVEL_WITH_ALTERNATION.sub(r"\1", word)
    if base in _NATIONAL_WORDS:
        return context.level == "national"
    if base not in _LEVEL_WORDS:
        return False
    if context.name:
        if base == "区" and context.name.endswith("自治区"):
            return False
        return context.name.endswith(base)
    return context.level == _LEVEL_WORDS[base]


# ---------------------------------------------------------------------------------------------
# Resolving one printed name
# ---------------------------------------------------------------------------------------------

# Endings of things that look like an organisation (kept as unknown bodies when not in the
# vocabulary).
_ORG_ENDINGS = (
    "委员会", "中心", "公司", "集团", "部门", "单位", "小组", "政府", "委", "厅", "局", "办", "会",
    "院", "部", "联", "行", "所", "团", "室", "处", "科", "署", "站", "组", "队", "社", "馆",
)
_GENERIC_GOVERNMENT = re.compile(
    rf"^各(?:级|地|设区的?市|[省市县区州盟旗]|{_ALTERNATION})+(?:人民)?(?:政府)?$"
)


# Role words standing alone (a table header "负责单位") name no body.
_ROLE_HEADER = re.compile(
    r"^(?:主要)?(?:责任|牵头|负责|主责|主办|承办|实施|配合|参与|协办|协同|协助|参加)"
    r"(?:部门|单位|处室|科室|机构|主体)$"
)


def _org_like(name: str) -> bool:
    return (
        2 <= len(name) <= 30
        and not _ROLE_HEADER.fullmatch(name)
        and bool(_ORG_NAME_CHARACTERS.fullmatch(name))
        and name.endswith(_ORG_ENDINGS)
    )


def _implied_level(use: AliasUse) -> Level | None:
    """Level implied by the alias itself: its group's level, or 厅 (a province-level rank)."""
    if use.level:
        return use.level
    if use.alias.endswith("厅") and not use.alias.endswith("办公厅"):
        return "province"
    return None


def _carry_fits(carry: str, use: AliasUse) -> bool:
    implied = _implied_level(use)
    if implied is None:
        return True
    prefix = _parse_prefix(carry, alias=use.alias)
    return prefix is not None and prefix.level == implied and implied != "national"


def _match_alias(
    item: str, vocabulary: AgencyVocabulary, on: date | None
) -> tuple[AliasUse, _Prefix] | None:
    """The longest alias ending `item` whose remainder is a valid prefix."""
    for length in range(min(len(item), vocabulary.longest_alias), 0, -1):
        uses = vocabulary.aliases.get(item[len(item) - length :])
        if not uses:
            continue
        prefix = _parse_prefix(item[: len(item) - length], alias=item[len(item) - length :])
        if prefix is None:
            continue
        if on is not None:  # prefer the type whose alias was current on the document date
            uses = tuple(u for u in uses if u.valid_on(on)) or uses
        return uses[0], prefix
    return None


def _functions(
    agency_type: AgencyType, use: AliasUse | None, on: date | None
) -> tuple[str, ...]:
    found = [agency_type.function, *agency_type.also_functions]
    window: tuple[date | None, date | None] | None = None
    if on is not None:
        window = (on, on)
    elif use is not None and (use.valid_from or use.valid_until):
        window = (use.valid_from, use.valid_until)
    if window is not None:
        found += [era.function for era in agency_type.era_functions if era.covers(window)]
    return tuple(dict.fromkeys(found))


def _form_for(
    forms: dict[str, str], level: Level | None, jurisdiction: str | None, alias: str
) -> tuple[str, str] | None:
    """(key, form) of the canonical form for a level; by matching suffix when the level is unknown."""
    if not forms:
        return None
    if level == "national":
        order = ["national", "default"]
    elif level == "province" and not (jurisdiction and jurisdiction.endswith("市")):
        order = ["province", "default"]
    elif level == "province" or level == "city":  # municipalities name bodies like cities
        order = ["city", "local", "default"]
    elif level == "county":
        order = ["county", "local", "default"]
    else:
        for key in ("default", "province", "city", "county", "local"):
            if key in forms and forms[key][-1:] == alias[-1:]:
                return key, forms[key]
        order = ["default"]
    for key in order:
        if key in forms:
            return key, forms[key]
    return next(iter(forms.items()))


def _render(
    key: str, form: str, *, level: Level | None, jurisdiction: str | None, place: str | None,
    printed_prefix: str,
) -> str:
    qualifier = jurisdiction or printed_prefix or place or _DEFAULT_WORD.get(level or "", "")
    if key == "national" and level == "national":
        return form
    if level == "national":
        qualifier = "国家"
    short = place or (_short_place(jurisdiction) if jurisdiction else "")
    if "{jurisdiction}" in form or "{place}" in form:
        return form.replace("{jurisdiction}", qualifier).replace("{place}", short)
    return qualifier + form


def _locate(
    prefix: _Prefix, implied: Level | None, context: JurisdictionContext | None
) -> tuple[Level | None, str | None, str | None]:
    """(level, jurisdiction, bare place) from the printed prefix, the alias and the context."""
    level = prefix.level or implied
    jurisdiction = prefix.jurisdiction
    place = prefix.place
    if context is None or prefix.plural:
        return level, jurisdiction, place
    if jurisdiction is None and place is not None:
        if context.name and _short_place(context.name) == place:
            return context.level or level, context.name, place
        return level, None, place
    if jurisdiction is not None or level == "national":
        return level, jurisdiction, place
    if prefix.word is not None:
        if _word_matches_context(prefix.word, context):
            return context.level or level, context.name, None
        return level, None, None
    if level is None:  # nothing printed: the document's own jurisdiction
        return context.level, context.name, None
    if level == context.level:
        return level, context.name, None
    return level, None, None


@dataclass(frozen=True, slots=True)
class _Resolved:
    name: str
    canonical: str
    function: str
    functions: tuple[str, ...]
    known: bool
    kind: str | None
    level: Level | None
    jurisdiction: str | None


def _known(
    name: str,
    use: AliasUse,
    prefix: _Prefix,
    context: JurisdictionContext | None,
    vocabulary: AgencyVocabulary,
) -> _Resolved:
    agency_type = vocabulary.types[use.kind]
    level, jurisdiction, place = _locate(prefix, _implied_level(use), context)
    printed_prefix = prefix.text
    for party in ("中国共产党", "中共"):
        if printed_prefix.startswith(party) and prefix.jurisdiction:
            printed_prefix = prefix.jurisdiction
    chosen = _form_for(vocabulary.forms(use.kind), level, jurisdiction, use.alias)
    if chosen is None:
        canonical = name
    else:
        canonical = _render(
            chosen[0], chosen[1], level=level, jurisdiction=jurisdiction, place=place,
            printed_prefix=printed_prefix if not prefix.place else "",
        )
    return _Resolved(
        name=name,
        canonical=canonical,
        function=agency_type.function,
        functions=_functions(agency_type, use, context.on if context else None),
        known=True,
        kind=use.kind,
        level=level,
        jurisdiction=jurisdiction,
    )


def _government_of(
    place_name: str, level: Level | None, context: JurisdictionContext | None,
    vocabulary: AgencyVocabulary, *, name: str | None = None,
) -> _Resolved | None:
    """A place named as a responsible body: its people's government (临汾市 → 临汾市人民政府)."""
    match = _match_alias(place_name + "人民政府", vocabulary, context.on if context else None)
    if match is None:
        return None
    use, prefix = match
    resolved = _known(name or place_name, use, prefix, None, vocabulary)
    return _Resolved(
        name=name or place_name,
        canonical=resolved.canonical,
        function=resolved.function,
        functions=resolved.functions,
        known=True,
        kind=resolved.kind,
        level=level,
        jurisdiction=prefix.jurisdiction,
    )


def _unknown(name: str, context: JurisdictionContext | None) -> _Resolved:
    canonical = name
    level: Level | None = None
    jurisdiction: str | None = None
    for word in sorted(_LEVEL_WORDS, key=len, reverse=True):
        if name.startswith(word) and not name.startswith(word + "级"):
            level = _LEVEL_WORDS[word]
            if context is not None and context.name and _word_matches_context(word, context):
                canonical = context.name + name[len(word) :]
                jurisdiction = context.name
                level = context.level or level
            break
    return _Resolved(
        name=name,
        canonical=canonical,
        function=UNKNOWN_FUNCTION,
        functions=(UNKNOWN_FUNCTION,),
        known=False,
        kind=None,
        level=level,
        jurisdiction=jurisdiction,
    )


def _resolve_item(
    item: str,
    *,
    carry: str | None,
    context: JurisdictionContext | None,
    vocabulary: AgencyVocabulary,
) -> tuple[_Resolved | None, str | None]:
    """Resolve one list item; returns (record or None when not an organisation, next carry)."""
    on = context.on if context else None
    if _GENERIC_GOVERNMENT.fullmatch(item):
        body = re.sub(r"(?:人民)?政府$", "", item)
        government = _government_of(body, None, None, vocabulary, name=item)
        if government is not None:
            return _Resolved(
                item, body + "人民政府", government.function, government.functions, True,
                government.kind, None, None,
            ), carry
    match = _match_alias(item, vocabulary, on)
    if match is not None:
        use, prefix = match
        if prefix.text:
            return _known(item, use, prefix, context, vocabulary), prefix.carry
        if carry and _carry_fits(carry, use):
            carried = _parse_prefix(carry, alias=use.alias)
            if carried is not None:
                return _known(carry + item, use, carried, context, vocabulary), carry
        return _known(item, use, prefix, context, vocabulary), carry
    found = _jurisdiction(item)
    if found is not None:
        government = _government_of(found[0], found[1], context, vocabulary)
        if government is not None:
            return government, None
    if not _org_like(item):
        return None, carry
    starts_with_prefix = item.startswith(tuple(_LEVEL_WORDS)) or item.startswith(_NATIONAL_WORDS)
    if starts_with_prefix:
        word = next(w for w in sorted(_LEVEL_WORDS, key=len, reverse=True) + list(_NATIONAL_WORDS)
                    if item.startswith(w))
        return _unknown(item, context), word if word in _CARRIED_WORDS else carry
    if carry and not any(ch in _LEVEL_CHARS for ch in item):
        return _unknown(carry + item, context), carry
    return _unknown(item, context), carry


# ---------------------------------------------------------------------------------------------
# Lists of agencies
# ---------------------------------------------------------------------------------------------

_OPEN = "(（【[〔"
_CLOSE = ")）】]〕"
_SEPARATORS = "、,，;；/／ \t\n\u3000"
_LEADING_CONNECTORS = re.compile(r"^(?:并|均|具体|分别)?由|^(?:及|和|与|以及|会同)")
_TRAILING_ETC = re.compile(rf"等(?:[{_CJK}]{{0,8}}?(?:部门|单位|机构))?$")
_ROLE_VERB = re.compile(
    r"(?P<mod>分别|各自|共同|按职责分工|按照职责分工|按职能分工|按职责|按照职责|协同|联合)?"
    r"(?P<verb>牵头负责|牵头|负责|配合|参与|协助|参加)"
    r"(?:落实|实施|推进|执行|办理)?"
    r"(?=$|[\s,，;；。、)）】\]])"
)
_SEPARATELY = ("分别", "各自", "按职责分工", "按照职责分工", "按职能分工", "按职责", "按照职责")
_ROLE_LABEL = re.compile(
    r"(?P<label>(?:主要责任|责任|牵头|主责|主办|承办|负责|实施|配合|参与|协办|协同|协助|参加)"
    r"(?:部门|单位|处室|科室|机构|主体))\s*[:：]"
)
_ANY_LABEL = re.compile(rf"[{_CJK}]{{2,8}}\s*[:：]")
_NOTES = re.compile(
    r"(?:列|排)(?:在)?第一位的?(?:单位|部门)?(?:为|是)牵头(?:单位|部门)|(?:以下|下文)?下同|以下同"
)
_PLACE_RUN_END = re.compile(
    rf"^(?P<place>[{_CJK}]{{2,4}}?)等?(?P<count>[一二三四五六七八九十两0-9]+个?)?"
    r"(?P<suffix>市|县|区|州|盟|旗)(?P<gov>人民政府|政府)?$"
)


@dataclass(frozen=True, slots=True)
class _Token:
    start: int  # of the name in the text
    end: int
    name: str  # folded name text
    division: str | None
    after_comma: bool  # separated from the previous token by something other than 、


def _split_division(text: str, start: int, end: int) -> tuple[int, int, str | None]:
    """Name span and division: 省卫健委(规划处) → 省卫健委 / 规划处 (also with the ")" missing)."""
    depth = 0
    for i in range(start, end):
        ch = text[i]
        if ch in _OPEN:
            if depth == 0:
                close = _matching_close(text, i, end)
                inner = text[i + 1 : close if close < end else end].strip()
                if close >= end - 1 and i > start and not re.fullmatch(r"[市县区旗、]+", inner):
                    name_end = i
                    while name_end > start and text[name_end - 1].isspace():
                        name_end -= 1
                    return start, name_end, inner or None
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
    return start, end, None


def _matching_close(text: str, open_at: int, end: int) -> int:
    depth = 0
    for i in range(open_at, end):
        if text[i] in _OPEN:
            depth += 1
        elif text[i] in _CLOSE:
            depth -= 1
            if depth == 0:
                return i
    return end


def _raw_pieces(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """Spans between separators outside brackets, each with the separators that preceded it."""
    pieces: list[tuple[int, int, str]] = []
    depth = 0
    piece_start = start
    separators = ""
    for i in range(start, end + 1):
        ch = text[i] if i < end else "\n"
        if i < end and ch in _OPEN:
            depth += 1
        elif i < end and ch in _CLOSE:
            depth = max(0, depth - 1)
        elif (depth == 0 or i == end) and ch in _SEPARATORS:
            if i > piece_start:
                pieces.append((piece_start, i, separators))
                separators = ""
            separators += ch
            piece_start = i + 1
    return pieces


def _tokens(text: str, start: int, end: int, vocabulary: AgencyVocabulary) -> list[_Token]:
    tokens: list[_Token] = []
    for piece_start, piece_end, separator in _raw_pieces(text, start, end):
        after_comma = bool(separator.strip()) and "、" not in separator
        if text[piece_start] in _OPEN and tokens:  # "省卫健委 (规划处)": a division after a space
            previous = tokens.pop()
            _start, _end, division = _split_division(text, previous.start, piece_end)
            tokens.append(
                _Token(previous.start, previous.end, previous.name, division or previous.division,
                       previous.after_comma)
            )
            continue
        for sub_start, sub_end in _split_conjunctions(text, piece_start, piece_end, vocabulary):
            name_start, name_end, division = _split_division(text, sub_start, sub_end)
            name_start, name_end = _trim(text, name_start, name_end)
            if name_end > name_start:
                tokens.append(
                    _Token(name_start, name_end, _fold(text[name_start:name_end]),
                           division, after_comma)
                )
            after_comma = False
    return tokens


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop connectors (由, 会同) before a name and 等(有关部门) after it."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1] in " \t。.":
        end -= 1
    lead = _LEADING_CONNECTORS.match(_fold(text[start:end]))
    if lead:
        start += lead.end()
    trail = _TRAILING_ETC.search(_fold(text[start:end]))
    if trail and trail.start() > 0:
        end = start + trail.start()
    return start, end


def _split_conjunctions(
    text: str, start: int, end: int, vocabulary: AgencyVocabulary
) -> list[tuple[int, int]]:
    """Split 省卫健委会同省财政厅 always, and X和Y / X及Y / X与Y only between two agencies
    (人力资源和社会保障厅 stays whole)."""
    piece = _fold(text[start:end])
    for word in ("会同", "以及"):
        at = piece.find(word)
        if at > 0:
            return _split_conjunctions(text, start, start + at, vocabulary) + _split_conjunctions(
                text, start + at + len(word), end, vocabulary
            )
    if _looks_known(piece, vocabulary):
        return [(start, end)]
    for at, ch in enumerate(piece):
        if ch in "和及与" and 0 < at < len(piece) - 1:
            left, right = piece[:at], piece[at + 1 :]
            if _looks_known(left, vocabulary) and (
                _looks_known(right, vocabulary) or right.startswith(tuple(_LEVEL_WORDS))
            ):
                return [(start, start + at)] + _split_conjunctions(
                    text, start + at + 1, end, vocabulary
                )
    return [(start, end)]


def _looks_known(name: str, vocabulary: AgencyVocabulary) -> bool:
    name = re.sub(r"\(.*$", "", name).strip()
    return _match_alias(name, vocabulary, None) is not None or _jurisdiction(name) is not None


def _fold(text: str) -> str:
    """`to_simplified`, keeping offsets (it only changes length when dropping ``**``)."""
    folded = to_simplified(text)
    return folded if len(folded) == len(text) else "".join(to_simplified(ch) for ch in text)


def _is_bare(token: _Token, vocabulary: AgencyVocabulary) -> bool:
    return (
        token.division is None
        and _bare_place(token.name)
        and _match_alias(token.name, vocabulary, None) is None
        and not _org_like(token.name)
    )


def _is_level_word(token: _Token) -> bool:
    return token.division is None and (
        token.name in _LEVEL_WORDS
        or token.name in _NATIONAL_WORDS
        or _LEVEL_WITH_ALTERNATION.fullmatch(token.name) is not None
    )


def _resolve_tokens(
    tokens: list[_Token],
    *,
    context: JurisdictionContext | None,
    vocabulary: AgencyVocabulary,
    carry: str | None = None,
) -> tuple[list[Agency], int, str | None]:
    """Agencies for tokens in order; also the number of tokens that were not organisations."""
    agencies: list[Agency] = []
    dropped = 0
    shared_suffix: dict[int, tuple[str, str]] = {}  # token index → (suffix, government words)
    for index, token in enumerate(tokens):
        run_end = _PLACE_RUN_END.fullmatch(token.name)
        if run_end is None or _match_alias(token.name, vocabulary, None) is not None:
            continue
        if run_end.group("count") is None and _jurisdiction(token.name) is None:
            continue
        back = index
        while back > 0 and not tokens[back].after_comma and _is_bare(tokens[back - 1], vocabulary):
            back -= 1
            shared_suffix[back] = (run_end.group("suffix"), run_end.group("gov") or "")
        if run_end.group("count") is not None:
            shared_suffix[index] = (run_end.group("suffix"), run_end.group("gov") or "")
    # "省、市医保局" / "市、县政府": bare level words share the alias of the item they precede.
    shared_alias: dict[int, str] = {}
    for index, token in enumerate(tokens):
        if index in shared_alias or not _is_level_word(token):
            continue
        following = index + 1
        while (following < len(tokens) and not tokens[following].after_comma
               and _is_level_word(tokens[following])):
            following += 1
        if following < len(tokens) and not tokens[following].after_comma:
            match = _match_alias(tokens[following].name, vocabulary, None)
            if match is not None and match[1].word is not None:
                alias = tokens[following].name[len(match[1].text) :]
                for shared in range(index, following):
                    shared_alias[shared] = alias
    for index, token in enumerate(tokens):
        if index in shared_alias:
            resolved, carry = _resolve_item(
                token.name + shared_alias[index], carry=None, context=context,
                vocabulary=vocabulary,
            )
        elif index in shared_suffix:
            suffix, government_words = shared_suffix[index]
            place = token.name
            if place.endswith(suffix + government_words) and government_words:
                place = place[: -len(suffix + government_words)]
            place = re.sub(rf"等?[一二三四五六七八九十两0-9]+个?{suffix}{government_words}$", "", place)
            found = _jurisdiction(place + suffix)
            resolved = _government_of(
                place + suffix, found[1] if found else None, context, vocabulary,
                name=place + suffix + government_words,
            )
            carry = None
        else:
            resolved, carry = _resolve_item(
                token.name, carry=carry, context=context, vocabulary=vocabulary
            )
        if resolved is None:
            dropped += 1
            continue
        agencies.append(
            Agency(
                name=resolved.name,
                canonical=resolved.canonical,
                function=resolved.function,
                functions=resolved.functions,
                division=token.division,
                known=resolved.known,
                start=token.start,
                end=token.end,
                kind=resolved.kind,
                level=resolved.level,
                jurisdiction=resolved.jurisdiction,
            )
        )
    return agencies, dropped, carry


def parse_agency_list(
    text: str,
    *,
    context: JurisdictionContext | None = None,
    vocabulary: AgencyVocabulary | None = None,
) -> tuple[Agency, ...]:
    """Agencies in a bare list (an annex table cell): "省医保局,太原、运城、长治市".

    Separators: 、 , ; / and spaces; 会同, and 和/及/与 between two agencies.  Items that do not
    look like an organisation are left out; role words (负责, 牵头 …) and labels are skipped.
    """
    vocabulary = vocabulary or load_agency_vocabulary()
    agencies: list[Agency] = []
    carry: str | None = None
    for list_start, list_end, _role, _separately in _list_spans(text, 0, len(text)):
        found, _dropped, carry = _resolve_tokens(
            _tokens(text, list_start, list_end, vocabulary),
            context=context, vocabulary=vocabulary, carry=carry,
        )
        agencies.extend(found)
    return tuple(agencies)


def resolve_agency(
    printed: str,
    *,
    context: JurisdictionContext | None = None,
    vocabulary: AgencyVocabulary | None = None,
) -> Agency:
    """One printed agency name ("省卫生计生委", "江苏保监局", "省卫健委(规划处)", "临汾市")."""
    vocabulary = vocabulary or load_agency_vocabulary()
    start, end, division = _split_division(printed, 0, len(printed))
    start, end = _trim(printed, start, end)
    name = to_simplified(printed[start:end])
    resolved, _ = _resolve_item(name, carry=None, context=context, vocabulary=vocabulary)
    if resolved is None:
        resolved = _unknown(name, context)
    return Agency(
        name=resolved.name,
        canonical=resolved.canonical,
        function=resolved.function,
        functions=resolved.functions,
        division=division,
        known=resolved.known,
        start=start,
        end=end,
        kind=resolved.kind,
        level=resolved.level,
        jurisdiction=resolved.jurisdiction,
    )


# ---------------------------------------------------------------------------------------------
# Responsibility clauses
# ---------------------------------------------------------------------------------------------


def _role_of_verb(verb: str) -> Role:
    if verb.startswith("牵头"):
        return "lead"
    if verb == "负责":
        return "responsible"
    return "supporting"


def _role_of_label(label: str) -> Role:
    if label.startswith(("牵头", "主责", "主办", "主要责任")):
        return "lead"
    if label.startswith(("配合", "参与", "协办", "协同", "协助", "参加")):
        return "supporting"
    return "responsible"


def _masked(text: str, start: int, end: int) -> tuple[str, list[tuple[int, int]]]:
    """The region with notes (列第一位的为牵头单位, 下同) blanked out, offsets kept."""
    region = _fold(text[start:end])
    notes = [(m.start(), m.end()) for m in _NOTES.finditer(region)]
    chars = list(region)
    for a, b in notes:
        chars[a:b] = " " * (b - a)
    return "".join(chars), notes


def _list_spans(
    text: str, start: int, end: int
) -> list[tuple[int, int, Role | None, bool]]:
    """Split a clause region into (list start, list end, role, separately) by labels or verbs."""
    return _region_list_spans(_masked(text, start, end)[0], start, end)


def _region_list_spans(region: str, start: int, end: int) -> list[tuple[int, int, Role | None, bool]]:
    """`_list_spans` of text[start:end], given its masked form `region`."""
    labels = list(_ROLE_LABEL.finditer(region))
    spans: list[tuple[int, int, Role | None, bool]] = []
    if labels:
        fields = list(_ANY_LABEL.finditer(region))
        for label in labels:
            following = [f.start() for f in fields if f.start() >= label.end()]
            full_stop = region.find("。", label.end())
            if full_stop >= 0:
                following.append(full_stop)
            stop = min(following) if following else len(region)
            spans.append(
                (start + label.end(), start + stop, _role_of_label(label.group("label")), False)
            )
        return spans
    previous = 0
    for verb in _ROLE_VERB.finditer(region):
        if verb.start() > previous and region[previous : verb.start()].strip(" ,;。、，；"):
            spans.append(
                (
                    start + previous,
                    start + verb.start(),
                    _role_of_verb(verb.group("verb")),
                    (verb.group("mod") or "") in _SEPARATELY,
                )
            )
        previous = verb.end()
    if not spans:
        return [(start, end, None, False)]
    return spans


def _clause(
    text: str,
    start: int,
    end: int,
    *,
    span: tuple[int, int] | None,
    context: JurisdictionContext | None,
    vocabulary: AgencyVocabulary,
) -> Responsibility | None:
    """Parse a candidate clause region [start, end); None when it names no responsible body."""
    region, notes = _masked(text, start, end)
    labelled = _ROLE_LABEL.search(region) is not None
    spans = _region_list_spans(region, start, end)
    if not labelled and all(role is None for *_, role, _s in spans):
        return None
    agencies: list[Agency] = []
    roles: list[Role] = []
    separately = False
    carry: str | None = None
    dropped = 0
    parsed_end = start
    for list_start, list_end, role, each in spans:
        if role is None:
            continue
        found, lost, carry = _resolve_tokens(
            _tokens(text, list_start, list_end, vocabulary),
            context=context, vocabulary=vocabulary, carry=carry,
        )
        agencies.extend(found)
        roles.extend([role] * len(found))
        dropped += lost
        separately = separately or each
        parsed_end = max(parsed_end, list_end)
    if not agencies:
        return None
    if not labelled:
        # A sentence in brackets (由县级医院牵头) is not a clause: require a known agency, or
        # unknown bodies that carry a jurisdiction (省总工会, 团省委).
        if not any(a.known for a in agencies) and not all(
            _JURISDICTION_MARK.search(a.name) for a in agencies
        ):
            return None
        verb = _ROLE_VERB.search(region, parsed_end - start)
        if verb is not None:
            parsed_end = start + verb.end()
    if any("第一位" in text[start + a : start + b] for a, b in notes) and roles:
        roles[0] = "lead"
    if span is None:
        note_end = max((start + b for _a, b in notes), default=start)
        span = (start, max(parsed_end, note_end))
    lead = next((a for a, r in zip(agencies, roles) if r == "lead"), agencies[0])
    return Responsibility(
        agencies=tuple(agencies),
        lead=lead,
        jointly=len(agencies) > 1 and not separately,
        start=span[0],
        end=span[1],
        roles=tuple(roles),
    )


def _bracket_groups(text: str) -> list[tuple[int, int, int, int]]:
    """Top-level bracket groups: (open, content start, content end, span end).

    A group left open runs to the end of its line; any closing bracket closes any opening one.
    """
    groups = []
    opened_at: int | None = None
    depth = 0
    for match in _BRACKET_OR_BREAK.finditer(text):  # every other character is passed over
        ch, i = match.group(), match.start()
        if opened_at is None:
            if ch in _OPEN:
                opened_at, depth = i, 1
        elif ch == "\n":
            groups.append((opened_at, opened_at + 1, i, -1))
            opened_at = None
        elif ch in _OPEN:
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                groups.append((opened_at, opened_at + 1, i, i + 1))
                opened_at = None
    if opened_at is not None:
        groups.append((opened_at, opened_at + 1, len(text), -1))
    return groups


_BRACKET_OR_BREAK = re.compile(f"[{re.escape(_OPEN + _CLOSE)}\n]")


def _line_end(text: str, position: int) -> int:
    end = text.find("\n", position)
    return len(text) if end < 0 else end


def find_responsibility(
    text: str,
    *,
    context: JurisdictionContext | None = None,
    vocabulary: AgencyVocabulary | None = None,
) -> Responsibility | None:
    """The responsibility clause of one measure's text (the last one when several).

    Recognised: (X、Y负责), (X牵头,Y、Z配合), (X负责,Y参与), (X、Y分别负责), a trailing note
    列第一位的为牵头单位/下同, labelled (责任部门:X、Y) (牵头单位:X;配合单位:Y), and labels
    outside brackets (责任单位:X).  Brackets may be ASCII or full-width, mismatched or unclosed.
    """
    vocabulary = vocabulary or load_agency_vocabulary()
    candidates: list[Responsibility] = []
    groups = _bracket_groups(text)
    for open_at, content_start, content_end, span_end in groups:
        found = _clause(
            text, content_start, content_end,
            span=(open_at, span_end) if span_end >= 0 else None,
            context=context, vocabulary=vocabulary,
        )
        if found is not None:
            if span_end < 0:
                found = Responsibility(
                    found.agencies, found.lead, found.jointly, open_at, found.end, found.roles
                )
            candidates.append(found)
    inside = [(g[0], g[3] if g[3] >= 0 else g[2]) for g in groups]
    # A label ends in a colon; most measures have none, and then need no folding for labels.
    folded = _fold(text) if any(ch in text for ch in characters_folding_to(":：")) else ""
    for label in _ROLE_LABEL.finditer(folded):
        if any(a <= label.start() < b for a, b in inside):
            continue
        # Labels on consecutive lines (牵头单位:X / 配合单位:Y) form one clause.
        region_end = _line_end(text, label.end())
        while region_end < len(text):
            next_label = _ROLE_LABEL.match(folded, region_end + 1)
            if next_label is None:
                stripped = len(folded[region_end + 1 :]) - len(folded[region_end + 1 :].lstrip())
                next_label = _ROLE_LABEL.match(folded, region_end + 1 + stripped)
            if next_label is None or "\n" in folded[region_end + 1 : next_label.start()]:
                break
            region_end = _line_end(text, next_label.end())
        inside.append((label.start(), region_end))
        found = _clause(
            text, label.start(), region_end, span=None, context=context, vocabulary=vocabulary
        )
        if found is not None:
            candidates.append(found)
    if not candidates:
        return None
    return max(candidates, key=lambda r: r.start)
