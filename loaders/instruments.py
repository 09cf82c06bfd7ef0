"""Policy-instrument mentions in health-reform text, driven by `ontology/instruments.ttl`.

Every instrument, cue, context condition, exclusion, stage cue and stage rank lives in the
Turtle vocabulary (read once, cached); this module only knows how to apply them. Adding an
instrument or a cue is a Turtle edit. The file's header documents each cue property.

Input is the *matching view* (`policykg.loaders.text.normalise(...).text`); offsets in the
results are local to that string.

Matching, for one text:
1. Cited document titles — 《…》, 〈…〉 and “…”/「…」 quotes that end in a document-type word
   (意见, 通知, 方案…) — are masked: a cited title is context, not adoption.
2. Every cue of every instrument is found (ASCII cues only when not glued to further ASCII
   letters/digits). A match is dropped when an exclude string/pattern of its instrument
   contains it, when its context condition fails in its sentence/clause, or when it lies
   inside an accepted match of an instrument it `pkg:yieldsTo`.
3. Each surviving match gets a stage (rules below); per (instrument, sentence) one mention is
   kept — the one with the strongest stage, then the leftmost, then the longest cue.

Stage of a match, looked for in its clause (the sentence part between commas/colons/tabs):
1. a stage with `pkg:overridesClause` (pilot) cued anywhere in the clause wins — 鼓励开展DRGs
   付费试点 → pilot (试点经验/试点基础… are excluded in the vocabulary: 推广试点经验 → promote);
2. else the leftmost stage cue before the instrument cue (the governing verb of a Chinese verb
   chain: 鼓励…建立 → promote, 探索…实行 → explore);
3. else the first stage cue after it (按病种付费全面推开 → implement);
4. else the nearest earlier clause of the same sentence that has a stage cue (a scope or verb
   set up front carries over: 选择部分地区,开展X → pilot); later clauses are not read, since
   their verbs govern their own objects (在X的基础上,探索Y says nothing about X);
5. else the vocabulary's default stage.
Stage cues are tokenised leftmost-longest across all stages, so 全面推进 is one implement token
and never also 推进. Prohibition cues (严禁, 不得…) count only for instruments whose cues name a
proscribed behaviour (`pkg:enforcedByProhibition`); elsewhere they say nothing about adoption.
Stage cues overlapping the instrument's own cue are ignored.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from typing import Literal, get_args

from policykg.loaders.text import to_simplified

Stage = Literal["explore", "pilot", "promote", "implement"]
ContextScope = Literal["sentence", "clause"]

INSTRUMENT_NS = "https://w3id.org/policykg/instrument/"
INSTRUMENT_SCHEME = INSTRUMENT_NS + "scheme"
PKG_NS = "https://w3id.org/policykg/ontology#"
SKOS_NS = "http://www.w3.org/2004/02/skos/core#"

# Evidence is a sentence: bounded by these (full-width forms too, for un-normalised input).
_SENTENCE_BREAK = "。;!?；！？\n\r"
# Stage cues are read within a clause: a sentence part between commas, colons and table tabs.
_CLAUSE_BREAK = _SENTENCE_BREAK + ",:，：\t"
_SENTENCE_BREAK_AT = re.compile(f"[{re.escape(_SENTENCE_BREAK)}]")
_CLAUSE_BREAK_AT = re.compile(f"[{re.escape(_CLAUSE_BREAK)}]")
_ASCII_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
# A quoted string that names a document (“…实施方案”) rather than a slogan (“两票制”).
_QUOTED_TITLE = re.compile(
    r"[“「][^“”「」\n]{1,80}?"
    r"(?:意见|通知|方案|办法|规定|决定|规划|纲要|条例|细则|计划|指南|通告|公告|批复|决议|要点|安排)"
    r"[”」]"
)
_TITLE_OPEN = {"《": "》", "〈": "〉"}
_TITLE_BRACKET_OR_BREAK = re.compile("[《》〈〉\n]")
# Masked title characters: never part of a cue, a context word or a boundary.
_MASK = "\ufffc"


@dataclass(frozen=True, slots=True)
class InstrumentMention:
    """One instrument signalled in one sentence of the text (local offsets, half-open)."""

    id: str
    stage: Stage
    cue: str
    start: int
    end: int
    evidence_start: int
    evidence_end: int


@dataclass(frozen=True, slots=True)
class CueRule:
    """One compiled cue: `pattern` signals the instrument when the context condition holds."""

    source: str  # the Turtle literal (folded), for diagnostics
    pattern: re.Pattern[str]
    requires_context: tuple[str, ...] = ()  # empty: no requirement
    veto_context: tuple[str, ...] = ()
    context_scope: ContextScope = "sentence"


@dataclass(frozen=True, slots=True)
class InstrumentConcept:
    id: str
    iri: str
    pref_label_zh: str
    pref_label_en: str
    alt_labels: tuple[str, ...]
    broader: tuple[str, ...]
    definition: str
    cues: tuple[CueRule, ...]
    excludes: tuple[re.Pattern[str], ...]
    yields_to: tuple[str, ...]
    enforced_by_prohibition: bool


@dataclass(frozen=True, slots=True)
class StageDefinition:
    id: Stage
    rank: int
    cues: tuple[re.Pattern[str], ...]
    prohibition_cues: tuple[re.Pattern[str], ...]
    excludes: tuple[re.Pattern[str], ...]
    overrides_clause: bool


@dataclass(frozen=True, slots=True)
class InstrumentVocabulary:
    """The instrument concepts and stage definitions of one parsed vocabulary graph."""

    concepts: tuple[InstrumentConcept, ...]
    stages: tuple[StageDefinition, ...]  # ordered by rank
    default_stage: Stage
    # Built once from the fields above: matching runs hundreds of times per document.
    index: _MatchIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", _MatchIndex.of(self.concepts, self.stages))

    @classmethod
    def from_graph(cls, graph) -> InstrumentVocabulary:
        """Build a vocabulary from an rdflib Graph shaped like `ontology/instruments.ttl`."""
        return _vocabulary_from_graph(graph)

    def concept(self, concept_id: str) -> InstrumentConcept:
        for concept in self.concepts:
            if concept.id == concept_id:
                return concept
        raise KeyError(concept_id)

    @property
    def stage_rank(self) -> Mapping[Stage, int]:
        return {stage.id: stage.rank for stage in self.stages}


@lru_cache(maxsize=1)
def load_instrument_vocabulary() -> InstrumentVocabulary:
    """The bundled vocabulary (`ontology/instruments.ttl`), parsed once."""
    from policykg.ontology import load_graph

    return InstrumentVocabulary.from_graph(load_graph("instruments.ttl"))


class _VocabularyStageRank(Mapping):
    """`STAGE_RANK`, read from the bundled vocabulary on first use (not at import)."""

    def _ranks(self) -> Mapping[Stage, int]:
        return load_instrument_vocabulary().stage_rank

    def __getitem__(self, stage: Stage) -> int:
        return self._ranks()[stage]

    def __iter__(self) -> Iterator[Stage]:
        return iter(self._ranks())

    def __len__(self) -> int:
        return len(self._ranks())

    def __repr__(self) -> str:
        return f"STAGE_RANK({dict(self._ranks())!r})"


STAGE_RANK: Mapping[Stage, int] = _VocabularyStageRank()


def strongest_stage(stages: Iterable[Stage], *, vocabulary: InstrumentVocabulary | None = None) -> Stage:
    """The highest-ranked stage (explore < pilot < promote < implement); ValueError if empty."""
    ranks = (vocabulary or load_instrument_vocabulary()).stage_rank
    stages = list(stages)
    if not stages:
        raise ValueError("strongest_stage() needs at least one stage")
    return max(stages, key=lambda stage: ranks[stage])


def has_stage_cue(text: str, stage: Stage, *, vocabulary: InstrumentVocabulary | None = None) -> bool:
    """Whether `text` carries a cue of `stage` (e.g. 率先/试点 for "pilot"), per the vocabulary."""
    vocab = vocabulary or load_instrument_vocabulary()
    definition = next(d for d in vocab.stages if d.id == stage)
    for pattern in definition.excludes:  # 试点经验 etc. are not pilot cues
        text = pattern.sub(lambda m: "\u3000" * len(m.group(0)), text)
    any_cue = vocab.index.any_cue_of_stage[stage]
    if any_cue is not None:
        return any_cue.search(text) is not None
    return any(pattern.search(text) for pattern in definition.cues)


# ---------------------------------------------------------------------------------------------
# Matching
# ---------------------------------------------------------------------------------------------
# The working records below are made by the thousand per document and never changed after;
# they are not frozen because a frozen dataclass takes over twice as long to construct.


@dataclass(slots=True)
class _Segment:
    start: int
    end: int


@dataclass(slots=True)
class _StageToken:
    start: int
    end: int
    stage: Stage
    prohibition: bool
    overrides: bool


@dataclass(slots=True)
class _Candidate:
    concept: InstrumentConcept
    start: int
    end: int
    sentence: _Segment


def match_instruments(text: str, *, vocabulary: InstrumentVocabulary | None = None) -> list[InstrumentMention]:
    """Instrument mentions in `text` (the matching view), sorted by cue start.

    At most one mention per (instrument, evidence sentence). Overlapping cues of different
    instruments all match unless the vocabulary says otherwise (exclusions, yieldsTo).
    """
    vocabulary = vocabulary or load_instrument_vocabulary()
    index = vocabulary.index
    masked = _mask_cited_titles(text)
    to_try = index.cues_to_try(masked)
    if not to_try:  # most texts: then there is nothing to segment or stage
        return []
    sentences = _segments(masked, _SENTENCE_BREAK_AT)
    clauses = _segments(masked, _CLAUSE_BREAK_AT)

    # Concepts in vocabulary order; one whose cues found nothing has no entry.
    accepted: dict[str, list[_Candidate]] = {}
    for concept, rules in to_try:
        found = list(_concept_candidates(concept, rules, masked, sentences, clauses))
        if found:
            accepted[concept.id] = found
    if not accepted:
        return []
    tokens = _stage_tokens(masked, index)

    chosen: dict[tuple[str, int], tuple[tuple[int, int, int], _Candidate, Stage]] = {}
    ranks = index.stage_rank
    for candidates in accepted.values():
        for cand in candidates:
            concept = cand.concept
            if any(
                other.start <= cand.start and cand.end <= other.end
                for dominant in concept.yields_to
                for other in accepted.get(dominant, ())
            ):
                continue
            stage = _stage_of(cand, clauses, tokens, vocabulary)
            stage = _escalated(stage, cand, clauses, tokens, masked, accepted, ranks)
            # Strongest stage first, then leftmost, then longest cue.
            preference = (-ranks[stage], cand.start, -(cand.end - cand.start))
            key = (concept.id, cand.sentence.start)
            if key not in chosen or preference < chosen[key][0]:
                chosen[key] = (preference, cand, stage)
    mentions = [_mention(text, cand, stage) for _, cand, stage in chosen.values()]
    return sorted(mentions, key=lambda m: (m.start, -m.end, m.id))


def _mention(text: str, cand: _Candidate, stage: Stage) -> InstrumentMention:
    evidence = _trimmed(text, cand.sentence)
    return InstrumentMention(
        id=cand.concept.id,
        stage=stage,
        cue=text[cand.start : cand.end],
        start=cand.start,
        end=cand.end,
        evidence_start=evidence.start,
        evidence_end=evidence.end,
    )


def _concept_candidates(
    concept: InstrumentConcept,
    rules: list[CueRule],
    masked: str,
    sentences: list[_Segment],
    clauses: list[_Segment],
) -> Iterator[_Candidate]:
    excluded: list[tuple[int, int]] | None = None  # found on the first match only
    seen: set[tuple[int, int]] = set()
    for rule in rules:
        for match in rule.pattern.finditer(masked):
            start, end = match.span()
            if start == end or (start, end) in seen or not _ascii_bounded(masked, start, end):
                continue
            if excluded is None:
                excluded = [m.span() for pattern in concept.excludes for m in _finditer_overlapping(pattern, masked)]
            if any(a <= start and end <= b for a, b in excluded):
                continue
            sentence = _containing(sentences, start)
            if rule.requires_context or rule.veto_context:
                scope = sentence if rule.context_scope == "sentence" else _containing(clauses, start)
                scope_text = masked[scope.start : scope.end]
                if rule.requires_context and not any(w in scope_text for w in rule.requires_context):
                    continue
                if any(w in scope_text for w in rule.veto_context):
                    continue
            seen.add((start, end))
            yield _Candidate(concept=concept, start=start, end=end, sentence=sentence)


def _stage_of(
    cand: _Candidate, clauses: list[_Segment], tokens: list[_StageToken], vocabulary: InstrumentVocabulary
) -> Stage:
    def usable(token: _StageToken) -> bool:
        if token.start < cand.end and cand.start < token.end:  # part of the instrument's own cue
            return False
        return not token.prohibition or cand.concept.enforced_by_prohibition

    def in_segment(segment: _Segment) -> list[_StageToken]:
        first = bisect_left(tokens, segment.start, key=lambda t: t.start)
        found = []
        for token in tokens[first:]:
            if token.start >= segment.end:
                break
            if token.end <= segment.end and usable(token):
                found.append(token)
        return found

    def governing(found: list[_StageToken], *, anchor: tuple[int, int] | None) -> Stage | None:
        if not found:
            return None
        overriding = [t for t in found if t.overrides]
        if overriding:
            return overriding[0].stage
        if anchor is None:
            return found[0].stage
        before = [t for t in found if t.end <= anchor[0]]
        if before:
            return before[0].stage
        return found[0].stage  # first after the cue

    clause = _containing(clauses, cand.start)
    stage = governing(in_segment(clause), anchor=(cand.start, cand.end))
    if stage:
        return stage
    earlier = [c for c in clauses if cand.sentence.start <= c.start and c.end <= clause.start]
    for other in reversed(earlier):
        stage = governing(in_segment(other), anchor=None)
        if stage:
            return stage
    return vocabulary.default_stage


# A short clause that follows with a time or sequence word and no instrument of its own
# continues the same subject: "2021年开展DRG付费试点,2022年全面推开" → implement.
_CONTINUATION = re.compile(r"^\s*(?:(?:到|至|于|在|从)?(?:19|20)\d{2}年[^,;，；]{0,4}|逐步|随后|然后|再|之后|此后|届时)")


def _escalated(
    stage: Stage,
    cand: "_Candidate",
    clauses: list[_Segment],
    tokens: list[_StageToken],
    masked: str,
    accepted: Mapping[str, list["_Candidate"]],
    ranks: Mapping[Stage, int],
) -> Stage:
    clause = _containing(clauses, cand.start)
    for other in clauses:
        if other.start < clause.end or other.end > cand.sentence.end:
            continue
        text = masked[other.start : other.end]
        if len(text.strip()) > 14 or not _CONTINUATION.match(text):
            break
        if any(c.start >= other.start and c.end <= other.end for cs in accepted.values() for c in cs):
            break  # another instrument is the subject of that clause
        later = [t for t in tokens if t.start >= other.start and t.end <= other.end and not t.prohibition]
        for token in later:
            if ranks[token.stage] > ranks[stage]:
                stage = token.stage
    return stage


def _stage_tokens(masked: str, index: _MatchIndex) -> list[_StageToken]:
    """All stage cues, tokenised leftmost-longest across stages, exclusions applied first."""
    present = index.stage_texts.occurring_in(masked)
    excluded: dict[Stage, list[tuple[int, int]]] = {}  # per stage, found when first needed
    found: list[_StageToken] = []
    for cue in index.stage_cues_to_try(present):
        stage = cue.stage
        if stage.id not in excluded:
            excluded[stage.id] = [
                m.span()
                for exclusion in index.stage_excludes[stage.id]
                if exclusion.text is None or exclusion.text in present
                for m in _finditer_overlapping(exclusion.pattern, masked)
            ]
        spans = excluded[stage.id]
        for match in _finditer_overlapping(cue.pattern, masked):
            start, end = match.span()
            if start == end or any(a <= start and end <= b for a, b in spans):
                continue
            found.append(_StageToken(start, end, stage.id, cue.prohibition, stage.overrides_clause))
    found.sort(key=lambda t: (t.start, -(t.end - t.start)))
    tokens: list[_StageToken] = []
    position = 0
    for token in found:
        if token.start >= position:
            tokens.append(token)
            position = token.end
    return tokens


def _finditer_overlapping(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """Matches starting at every position (finditer alone would skip overlapping ones)."""
    position = 0
    while True:
        match = pattern.search(text, position)
        if match is None:
            return
        yield match
        position = match.start() + 1


def _mask_cited_titles(text: str) -> str:
    """`text` with cited document titles replaced by a mask character (same length)."""
    spans = _bracketed_titles(text) + [match.span() for match in _QUOTED_TITLE.finditer(text)]
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            if chars[i] != "\n":
                chars[i] = _MASK
    return "".join(chars)


def _bracketed_titles(text: str) -> list[tuple[int, int]]:
    """Spans of outermost 《…》/〈…〉 pairs on one line (only brackets and breaks are visited)."""
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    for match in _TITLE_BRACKET_OR_BREAK.finditer(text):
        ch, i = match.group(), match.start()
        if ch in _TITLE_OPEN:
            stack.append((_TITLE_OPEN[ch], i))
        elif stack and ch == stack[-1][0]:
            _, start = stack.pop()
            if not stack:
                spans.append((start, i + 1))
        elif ch == "\n":
            stack.clear()  # an unclosed bracket never swallows the next line
    return spans


def _segments(text: str, breaks: re.Pattern[str]) -> list[_Segment]:
    segments: list[_Segment] = []
    start = 0
    for match in breaks.finditer(text):
        segments.append(_Segment(start, match.start()))
        start = match.end()
    segments.append(_Segment(start, len(text)))
    return segments


def _containing(segments: list[_Segment], position: int) -> _Segment:
    lo, hi = 0, len(segments) - 1
    while lo < hi:  # segments are sorted and contiguous; find the last starting <= position
        mid = (lo + hi + 1) // 2
        if segments[mid].start <= position:
            lo = mid
        else:
            hi = mid - 1
    return segments[lo]


def _trimmed(text: str, segment: _Segment) -> _Segment:
    start, end = segment.start, segment.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return _Segment(start, end)


def _ascii_bounded(text: str, start: int, end: int) -> bool:
    """An ASCII cue (DRG) must not be glued to further ASCII letters/digits (DRGs, DIPLOMA)."""
    if text[start] in _ASCII_ALNUM and start > 0 and text[start - 1] in _ASCII_ALNUM:
        return False
    if text[end - 1] in _ASCII_ALNUM and end < len(text) and text[end] in _ASCII_ALNUM:
        return False
    return True


# ---------------------------------------------------------------------------------------------
# Which cues can match a text: an index built once per vocabulary
# ---------------------------------------------------------------------------------------------
# `match_instruments` runs once per measure and per preamble gap (hundreds of times a document)
# and most of the vocabulary's cues occur in none of those short texts. The index lets it try
# only the cues that can match, never changing what matches:
# - a plain cue is tried when its lower-cased text occurs in the lower-cased text (the check
#   the matcher has always made before running a plain cue);
# - a regex cue is tried when `search` finds it (then `finditer` finds what it always found);
# - a plain stage cue without cased letters is tried when its text occurs: `re` compares an
#   uncased character exactly even under IGNORECASE, so it matches where the substring is.


@dataclass(frozen=True, slots=True)
class _Substrings:
    """A fixed set of strings and which of them occur in a text. One regex pass lists, at C
    speed, the character pairs in the text that may begin a string (a possible first character
    then a possible second); only the strings beginning with such a pair are looked for."""

    pairs: re.Pattern[str]
    by_pair: Mapping[str, tuple[str, ...]]  # first two characters → strings
    single_characters: tuple[str, ...]

    @classmethod
    def of(cls, strings: Iterable[str]) -> _Substrings:
        unique = sorted({s for s in strings if s})
        longer = [s for s in unique if len(s) > 1]
        by_pair: dict[str, list[str]] = {}
        for string in longer:
            by_pair.setdefault(string[:2], []).append(string)
        if longer:
            first, second = ("".join(sorted({s[k] for s in longer})) for k in (0, 1))
            pairs = re.compile(f"(?=([{re.escape(first)}][{re.escape(second)}]))")
        else:
            pairs = re.compile("(?!)")
        return cls(
            pairs=pairs,
            by_pair={pair: tuple(group) for pair, group in by_pair.items()},
            single_characters=tuple(s for s in unique if len(s) == 1),
        )

    def occurring_in(self, text: str) -> set[str]:
        found = {s for s in self.single_characters if s in text}
        for pair in set(self.pairs.findall(text)):
            for string in self.by_pair.get(pair, ()):
                if string in text:
                    found.add(string)
        return found


@dataclass(frozen=True, slots=True)
class _ConceptCues:
    concept: InstrumentConcept
    # Each cue with its key: the lower-cased text of a plain cue, or the position of its pattern
    # in `_MatchIndex.regex_cues`. A cue is tried on a text when its key is among the text's keys.
    cues: tuple[tuple[CueRule, str | int], ...]


@dataclass(frozen=True, slots=True)
class _StagePattern:
    stage: StageDefinition
    pattern: re.Pattern[str]
    prohibition: bool
    text: str | None  # the text it matches exactly, when plain and caseless; None: always tried


@dataclass(frozen=True, slots=True)
class _MatchIndex:
    concepts: tuple[_ConceptCues, ...]  # in vocabulary order
    plain_cues: _Substrings  # the keys of all plain cues
    regex_cues: tuple[re.Pattern[str], ...]
    any_regex_cue: re.Pattern[str] | None  # one search saying whether some regex cue may match
    concepts_by_key: Mapping[str | int, tuple[int, ...]]  # cue key → positions in `concepts`
    # Stage cues in the order `_stage_tokens` reads them (rank, then cues before prohibition
    # cues, then vocabulary order): among equal spans the first read wins.
    stage_cues: tuple[_StagePattern, ...]
    stage_cues_by_text: Mapping[str, tuple[int, ...]]  # text → positions in `stage_cues`
    stage_cues_always_tried: tuple[int, ...]
    stage_excludes: Mapping[Stage, tuple[_StagePattern, ...]]
    any_cue_of_stage: Mapping[Stage, re.Pattern[str] | None]  # see `_any_of`
    stage_texts: _Substrings  # the texts of all plain caseless stage cues and exclusions
    stage_rank: Mapping[Stage, int]

    @classmethod
    def of(cls, concepts: Iterable[InstrumentConcept], stages: Iterable[StageDefinition]) -> _MatchIndex:
        entries: list[_ConceptCues] = []
        regexes: dict[re.Pattern[str], int] = {}
        by_key: dict[str | int, set[int]] = {}
        for number, concept in enumerate(concepts):
            cues: list[tuple[CueRule, str | int]] = []
            for rule in concept.cues:
                key = _plain_cue(rule) or regexes.setdefault(rule.pattern, len(regexes))
                cues.append((rule, key))
                by_key.setdefault(key, set()).add(number)
            entries.append(_ConceptCues(concept, tuple(cues)))
        stages = tuple(stages)
        stage_cues = tuple(
            _stage_pattern(stage, pattern, prohibition)
            for stage in stages
            for patterns, prohibition in ((stage.cues, False), (stage.prohibition_cues, True))
            for pattern in patterns
        )
        by_text: dict[str, list[int]] = {}
        for number, cue in enumerate(stage_cues):
            if cue.text is not None:
                by_text.setdefault(cue.text, []).append(number)
        excludes = {stage.id: tuple(_stage_pattern(stage, p, False) for p in stage.excludes) for stage in stages}
        return cls(
            concepts=tuple(entries),
            plain_cues=_Substrings.of(key for key in by_key if isinstance(key, str)),
            regex_cues=tuple(regexes),
            any_regex_cue=_any_of(tuple(regexes)),
            concepts_by_key={key: tuple(sorted(numbers)) for key, numbers in by_key.items()},
            stage_cues=stage_cues,
            stage_cues_by_text={text: tuple(numbers) for text, numbers in by_text.items()},
            stage_cues_always_tried=tuple(n for n, cue in enumerate(stage_cues) if cue.text is None),
            stage_excludes=excludes,
            any_cue_of_stage={stage.id: _any_of(stage.cues) for stage in stages},
            stage_texts=_Substrings.of(
                cue.text for cue in (*stage_cues, *chain.from_iterable(excludes.values())) if cue.text is not None
            ),
            stage_rank={stage.id: stage.rank for stage in stages},
        )

    def cues_to_try(self, masked: str) -> list[tuple[InstrumentConcept, list[CueRule]]]:
        """The concepts that may match `masked`, in vocabulary order, each with its cues that may."""
        keys: set[str | int] = set(self.plain_cues.occurring_in(masked.lower()))
        if self.any_regex_cue is None or self.any_regex_cue.search(masked):
            keys.update(number for number, pattern in enumerate(self.regex_cues) if pattern.search(masked))
        numbers = sorted({number for key in keys for number in self.concepts_by_key[key]})
        return [
            (entry.concept, [rule for rule, key in entry.cues if key in keys])
            for entry in map(self.concepts.__getitem__, numbers)
        ]

    def stage_cues_to_try(self, present: set[str]) -> list[_StagePattern]:
        """The stage cues that may match a text whose plain stage texts are `present`, in order."""
        numbers = {*self.stage_cues_always_tried}
        numbers.update(*(self.stage_cues_by_text.get(text, ()) for text in present))
        return [self.stage_cues[number] for number in sorted(numbers)]


def _plain_cue(rule: CueRule) -> str | None:
    """The lower-cased text of a non-empty plain cue (compiled from `re.escape(source)`)."""
    return rule.source.lower() if rule.source and rule.pattern.pattern == re.escape(rule.source) else None


def _stage_pattern(stage: StageDefinition, pattern: re.Pattern[str], prohibition: bool) -> _StagePattern:
    text = re.sub(r"\\(.)", r"\1", pattern.pattern, flags=re.DOTALL)  # undo re.escape
    plain = bool(text) and re.escape(text) == pattern.pattern and text.lower() == text == text.upper()
    return _StagePattern(stage, pattern, prohibition, text if plain else None)


def _any_of(patterns: tuple[re.Pattern[str], ...]) -> re.Pattern[str] | None:
    """One pattern that matches where any of `patterns` does — None when they cannot be joined
    safely (a capturing group could be a backreference target; flags must agree)."""
    if not patterns or any(p.groups for p in patterns) or len({p.flags for p in patterns}) > 1:
        return None
    try:
        return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), patterns[0].flags)
    except re.error:
        return None


# ---------------------------------------------------------------------------------------------
# Reading the vocabulary graph
# ---------------------------------------------------------------------------------------------


class VocabularyError(ValueError):
    """The instrument vocabulary graph is incomplete or inconsistent."""


def _vocabulary_from_graph(graph) -> InstrumentVocabulary:
    from rdflib import RDF, BNode, Literal as RdfLiteral, URIRef

    skos = lambda name: URIRef(SKOS_NS + name)  # noqa: E731
    pkg = lambda name: URIRef(PKG_NS + name)  # noqa: E731

    def literals(subject, name: str, *, ns=pkg) -> list[str]:
        return sorted(str(o) for o in graph.objects(subject, ns(name)) if isinstance(o, RdfLiteral))

    def label(subject, name: str, lang: str) -> str:
        for value in graph.objects(subject, skos(name)):
            if isinstance(value, RdfLiteral) and value.language == lang:
                return str(value)
        return ""

    def flag(subject, name: str) -> bool:
        return any(bool(o.toPython()) for o in graph.objects(subject, pkg(name)) if isinstance(o, RdfLiteral))

    def scope_of(subject, where: str) -> ContextScope:
        values = literals(subject, "contextScope")
        scope = values[0] if values else "sentence"
        if scope not in ("sentence", "clause"):
            raise VocabularyError(f"{where}: pkg:contextScope must be sentence or clause, not {scope!r}")
        return scope  # type: ignore[return-value]

    def compile_plain(value: str) -> re.Pattern[str]:
        return re.compile(re.escape(to_simplified(value)), re.IGNORECASE)

    def compile_regex(value: str, where: str) -> re.Pattern[str]:
        try:
            return re.compile(to_simplified(value), re.IGNORECASE)
        except re.error as error:
            raise VocabularyError(f"{where}: bad pattern {value!r}: {error}") from error

    def folded(values: Iterable[str]) -> tuple[str, ...]:
        return tuple(to_simplified(v) for v in values)

    def local_id(iri, prefix: str, where: str) -> str:
        text = str(iri)
        if not text.startswith(prefix):
            raise VocabularyError(f"{where}: {text} is not under {prefix}")
        return text[len(prefix) :]

    concepts: list[InstrumentConcept] = []
    scheme = URIRef(INSTRUMENT_SCHEME)
    for subject in sorted(set(graph.subjects(skos("inScheme"), scheme)), key=str):
        if (subject, RDF.type, skos("Concept")) not in graph:
            continue
        concept_id = local_id(subject, INSTRUMENT_NS, "instrument")
        cues: list[CueRule] = []
        for value in literals(subject, "cue"):
            cues.append(CueRule(source=to_simplified(value), pattern=compile_plain(value)))
        for value in literals(subject, "cuePattern"):
            cues.append(CueRule(source=to_simplified(value), pattern=compile_regex(value, concept_id)))
        concept_requires = folded(literals(subject, "requiresContext"))
        concept_vetoes = folded(literals(subject, "vetoContext"))
        for node in sorted(graph.objects(subject, pkg("contextCue")), key=str):
            if isinstance(node, RdfLiteral):
                if not (concept_requires or concept_vetoes):
                    raise VocabularyError(f"{concept_id}: context cue {node!s} has no context condition")
                cues.append(
                    CueRule(
                        source=to_simplified(str(node)),
                        pattern=compile_plain(str(node)),
                        requires_context=concept_requires,
                        veto_context=concept_vetoes,
                        context_scope=scope_of(subject, concept_id),
                    )
                )
                continue
            if not isinstance(node, (BNode, URIRef)):
                continue
            texts = literals(node, "cueText")
            patterns = literals(node, "cuePattern")
            requires = folded(literals(node, "requiresContext"))
            vetoes = folded(literals(node, "vetoContext"))
            if not (texts or patterns) or not (requires or vetoes):
                raise VocabularyError(f"{concept_id}: a pkg:contextCue needs a cue and a context condition")
            scope = scope_of(node, concept_id)
            for value in texts:
                cues.append(CueRule(to_simplified(value), compile_plain(value), requires, vetoes, scope))
            for value in patterns:
                cues.append(CueRule(to_simplified(value), compile_regex(value, concept_id), requires, vetoes, scope))
        excludes = [compile_plain(v) for v in literals(subject, "excludeCue")]
        excludes += [compile_regex(v, concept_id) for v in literals(subject, "excludePattern")]
        concepts.append(
            InstrumentConcept(
                id=concept_id,
                iri=str(subject),
                pref_label_zh=label(subject, "prefLabel", "zh"),
                pref_label_en=label(subject, "prefLabel", "en"),
                alt_labels=tuple(
                    sorted(str(v) for v in graph.objects(subject, skos("altLabel")) if isinstance(v, RdfLiteral))
                ),
                broader=tuple(
                    sorted(local_id(b, INSTRUMENT_NS, concept_id) for b in graph.objects(subject, skos("broader")))
                ),
                definition=label(subject, "definition", "en"),
                cues=tuple(cues),
                excludes=tuple(excludes),
                yields_to=tuple(
                    sorted(local_id(o, INSTRUMENT_NS, concept_id) for o in graph.objects(subject, pkg("yieldsTo")))
                ),
                enforced_by_prohibition=flag(subject, "enforcedByProhibition"),
            )
        )
    if not concepts:
        raise VocabularyError(f"no skos:Concept in {INSTRUMENT_SCHEME}")
    known = {c.id for c in concepts}
    for concept in concepts:
        if not (concept.pref_label_zh and concept.pref_label_en):
            raise VocabularyError(f"{concept.id}: needs skos:prefLabel in zh and en")
        for other in (*concept.yields_to, *concept.broader):
            if other not in known:
                raise VocabularyError(f"{concept.id}: refers to unknown instrument {other!r}")

    stages: list[StageDefinition] = []
    for subject in set(graph.subjects(pkg("stageRank"), None)):
        notation = literals(subject, "notation", ns=skos)
        if len(notation) != 1 or notation[0] not in get_args(Stage):
            raise VocabularyError(f"{subject}: a stage needs one skos:notation among {get_args(Stage)}")
        ranks = [int(o.toPython()) for o in graph.objects(subject, pkg("stageRank"))]
        where = f"stage {notation[0]}"
        stages.append(
            StageDefinition(
                id=notation[0],  # type: ignore[arg-type]
                rank=ranks[0],
                cues=tuple(
                    [compile_plain(v) for v in literals(subject, "stageCue")]
                    + [compile_regex(v, where) for v in literals(subject, "stageCuePattern")]
                ),
                prohibition_cues=tuple(compile_plain(v) for v in literals(subject, "prohibitionCue")),
                excludes=tuple(
                    [compile_plain(v) for v in literals(subject, "excludeCue")]
                    + [compile_regex(v, where) for v in literals(subject, "excludePattern")]
                ),
                overrides_clause=flag(subject, "overridesClause"),
            )
        )
    stages.sort(key=lambda s: s.rank)
    if sorted(s.id for s in stages) != sorted(get_args(Stage)) or len({s.rank for s in stages}) != len(stages):
        raise VocabularyError("the stage vocabulary needs explore, pilot, promote, implement with distinct ranks")
    by_iri = {str(s): notation for s in graph.subjects(pkg("stageRank"), None) for notation in literals(s, "notation", ns=skos)}
    defaults = [by_iri.get(str(o)) for o in graph.objects(None, pkg("defaultStage"))]
    if len(defaults) != 1 or defaults[0] is None:
        raise VocabularyError("the stage scheme needs exactly one pkg:defaultStage pointing at a stage")
    return InstrumentVocabulary(concepts=tuple(concepts), stages=tuple(stages), default_stage=defaults[0])  # type: ignore[arg-type]
