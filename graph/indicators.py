"""Link a target's printed indicator to a concept of `ontology/indicators.ttl`.

The vocabulary (not this module) holds every cue; see the header of indicators.ttl. Cues are
matched in the target's indicator text; context conditions (pkg:requiresContext /
pkg:vetoContext) look at the whole target — indicator text, `per` and `scope` — so that
全科医生 with per 每万常住人口 is "GPs per 10,000 residents". The longest cue match wins (the most
specific); among equally long matches, a concept whose pkg:unit fits the target's unit wins,
then the concept id, so the answer never depends on dictionary order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from policykg.graph.namespaces import IND, PKG, SKOS
from policykg.loaders.text import to_simplified

Direction = Literal["higher", "lower", "target"]
DIRECTIONS: tuple[Direction, ...] = ("higher", "lower", "target")
INDICATOR_SCHEME = IND["scheme"]

_SPACE = re.compile(r"\s+")


class IndicatorVocabularyError(ValueError):
    """The indicator vocabulary graph is incomplete or inconsistent."""


@dataclass(frozen=True, slots=True)
class IndicatorCue:
    source: str  # the Turtle literal (folded), for diagnostics
    pattern: re.Pattern[str]
    requires_context: tuple[str, ...] = ()  # one must occur in the target; empty: no condition
    veto_context: tuple[str, ...] = ()  # none may occur in the target


@dataclass(frozen=True, slots=True)
class IndicatorConcept:
    id: str
    iri: str
    pref_label_zh: str
    pref_label_en: str
    alt_labels: tuple[str, ...]
    definition: str
    units: tuple[str, ...]
    direction: Direction
    cues: tuple[IndicatorCue, ...]
    excludes: tuple[re.Pattern[str], ...]


@dataclass(frozen=True, slots=True)
class IndicatorVocabulary:
    concepts: tuple[IndicatorConcept, ...]  # sorted by id

    @classmethod
    def from_graph(cls, graph) -> IndicatorVocabulary:
        """Build a vocabulary from an rdflib Graph shaped like `ontology/indicators.ttl`."""
        return _vocabulary_from_graph(graph)

    def concept(self, indicator_id: str) -> IndicatorConcept:
        for concept in self.concepts:
            if concept.id == indicator_id:
                return concept
        raise KeyError(indicator_id)


@lru_cache(maxsize=1)
def load_indicator_vocabulary() -> IndicatorVocabulary:
    """The bundled vocabulary (`ontology/indicators.ttl`), parsed once."""
    from policykg.ontology import load_graph

    return IndicatorVocabulary.from_graph(load_graph("indicators.ttl"))


def match_indicator(
    indicator_text: str,
    *,
    unit: str | None = None,
    per: str | None = None,
    scope: str | None = None,
    vocabulary: IndicatorVocabulary | None = None,
) -> str | None:
    """The id of the indicator concept `indicator_text` names, or None.

    `unit`, `per` and `scope` are the target's other fields: `per` and `scope` only serve as
    context for context cues, `unit` only breaks ties between equally long matches."""
    vocabulary = vocabulary or load_indicator_vocabulary()
    text = _fold(indicator_text)
    if not text:
        return None
    context = " ".join(_fold(part) for part in (indicator_text, per or "", scope or "") if part)
    folded_unit = _fold(unit) if unit else None
    best: tuple[int, int, str] | None = None  # (match length, unit fits, negated order key)
    best_id: str | None = None
    for concept in vocabulary.concepts:
        length = _longest_match(concept, text, context)
        if length == 0:
            continue
        unit_fits = int(folded_unit is not None and folded_unit in concept.units)
        key = (length, unit_fits)
        # ties after length and unit: the smallest id, so the order of the file never matters
        if best is None or key > best[:2] or (key == best[:2] and concept.id < best[2]):
            best = (length, unit_fits, concept.id)
            best_id = concept.id
    return best_id


def _fold(text: str) -> str:
    return _SPACE.sub("", to_simplified(text))


def _longest_match(concept: IndicatorConcept, text: str, context: str) -> int:
    longest = 0
    for cue in concept.cues:
        if cue.requires_context and not any(word in context for word in cue.requires_context):
            continue
        if cue.veto_context and any(word in context for word in cue.veto_context):
            continue
        for match in cue.pattern.finditer(text):
            if match.end() - match.start() <= longest:
                continue
            if _excluded(concept, text, match.start(), match.end()):
                continue
            longest = match.end() - match.start()
    return longest


def _excluded(concept: IndicatorConcept, text: str, start: int, end: int) -> bool:
    for pattern in concept.excludes:
        for match in pattern.finditer(text):
            if match.start() <= start and end <= match.end():
                return True
    return False


# ---------------------------------------------------------------------------------------------
# Reading the vocabulary graph
# ---------------------------------------------------------------------------------------------


def _vocabulary_from_graph(graph) -> IndicatorVocabulary:
    from rdflib import RDF, BNode, Literal as RdfLiteral, URIRef

    def literals(subject, predicate) -> list[str]:
        return sorted(str(o) for o in graph.objects(subject, predicate) if isinstance(o, RdfLiteral))

    def label(subject, predicate, lang: str) -> str:
        values = sorted(str(v) for v in graph.objects(subject, predicate) if isinstance(v, RdfLiteral) and v.language == lang)
        return values[0] if values else ""

    def plain(value: str) -> re.Pattern[str]:
        return re.compile(re.escape(_fold(value)), re.IGNORECASE)

    def regex(value: str, where: str) -> re.Pattern[str]:
        try:
            return re.compile(to_simplified(value), re.IGNORECASE)
        except re.error as error:
            raise IndicatorVocabularyError(f"{where}: bad pattern {value!r}: {error}") from error

    def folded(values: list[str]) -> tuple[str, ...]:
        return tuple(_fold(v) for v in values)

    prefix = str(IND)
    concepts: list[IndicatorConcept] = []
    for subject in sorted(set(graph.subjects(SKOS.inScheme, INDICATOR_SCHEME)), key=str):
        if (subject, RDF.type, SKOS.Concept) not in graph:
            continue
        iri = str(subject)
        if not iri.startswith(prefix):
            raise IndicatorVocabularyError(f"{iri} is not under {prefix}")
        concept_id = iri[len(prefix) :]
        cues: list[IndicatorCue] = [IndicatorCue(_fold(v), plain(v)) for v in literals(subject, PKG.cue)]
        cues += [IndicatorCue(to_simplified(v), regex(v, concept_id)) for v in literals(subject, PKG.cuePattern)]
        concept_requires = folded(literals(subject, PKG.requiresContext))
        concept_vetoes = folded(literals(subject, PKG.vetoContext))
        for node in sorted(graph.objects(subject, PKG.contextCue), key=str):
            if isinstance(node, RdfLiteral):
                if not (concept_requires or concept_vetoes):
                    raise IndicatorVocabularyError(f"{concept_id}: context cue {node!s} has no context condition")
                cues.append(IndicatorCue(_fold(str(node)), plain(str(node)), concept_requires, concept_vetoes))
                continue
            if not isinstance(node, (BNode, URIRef)):
                continue
            texts = literals(node, PKG.cueText)
            patterns = literals(node, PKG.cuePattern)
            requires = folded(literals(node, PKG.requiresContext))
            vetoes = folded(literals(node, PKG.vetoContext))
            if not (texts or patterns) or not (requires or vetoes):
                raise IndicatorVocabularyError(f"{concept_id}: a pkg:contextCue needs a cue and a context condition")
            cues += [IndicatorCue(_fold(v), plain(v), requires, vetoes) for v in texts]
            cues += [IndicatorCue(to_simplified(v), regex(v, concept_id), requires, vetoes) for v in patterns]
        excludes = [plain(v) for v in literals(subject, PKG.excludeCue)]
        excludes += [regex(v, concept_id) for v in literals(subject, PKG.excludePattern)]
        directions = literals(subject, PKG.direction)
        if len(directions) != 1 or directions[0] not in DIRECTIONS:
            raise IndicatorVocabularyError(f"{concept_id}: needs one pkg:direction among {DIRECTIONS}")
        units = folded(literals(subject, PKG.unit))
        if not units:
            raise IndicatorVocabularyError(f"{concept_id}: needs a pkg:unit")
        if not cues:
            raise IndicatorVocabularyError(f"{concept_id}: has no cue")
        concept = IndicatorConcept(
            id=concept_id,
            iri=iri,
            pref_label_zh=label(subject, SKOS.prefLabel, "zh"),
            pref_label_en=label(subject, SKOS.prefLabel, "en"),
            alt_labels=tuple(literals(subject, SKOS.altLabel)),
            definition=label(subject, SKOS.definition, "en"),
            units=units,
            direction=directions[0],  # type: ignore[arg-type]
            cues=tuple(cues),
            excludes=tuple(excludes),
        )
        if not (concept.pref_label_zh and concept.pref_label_en and concept.definition):
            raise IndicatorVocabularyError(f"{concept_id}: needs skos:prefLabel in zh and en and a definition in en")
        concepts.append(concept)
    if not concepts:
        raise IndicatorVocabularyError(f"no skos:Concept in {INDICATOR_SCHEME}")
    return IndicatorVocabulary(concepts=tuple(concepts))
