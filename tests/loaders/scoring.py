"""Scoring an extracted record against a hand-written gold file (precision / recall per field)."""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any


@dataclass
class Tally:
    true_positive: int = 0
    predicted: int = 0
    gold: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, other: "Tally") -> None:
        self.true_positive += other.true_positive
        self.predicted += other.predicted
        self.gold += other.gold
        self.misses.extend(other.misses)

    @property
    def precision(self) -> float:
        return self.true_positive / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positive / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __str__(self) -> str:
        return f"P={self.precision:.3f} R={self.recall:.3f} F1={self.f1:.3f} (tp={self.true_positive} pred={self.predicted} gold={self.gold})"


def same_indicator(predicted: str, gold: str) -> bool:
    """Indicators are phrases cut from the same sentence by two readers: equal after removing
    brackets' content and spaces, one containing the other, or closely similar."""

    def core(s: str) -> str:
        import re

        s = re.sub(r"[(（][^)）]*[)）]", "", s)
        return re.sub(r"\s", "", s)

    a, b = core(predicted), core(gold)
    if not a or not b:
        return False
    if a == b or a in b or b in a or SequenceMatcher(None, a, b).ratio() >= 0.6:
        return True
    # the same words cut in another order ("开展医养结合服务的乡镇卫生院" / "乡镇卫生院开展医养结合服务")
    shared = len(set(a) & set(b))
    return shared / min(len(set(a)), len(set(b))) >= 0.75


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def score_leads(record: dict, gold: dict) -> Tally:
    """Lead agency per measure, over measures where either side names one."""
    tally = Tally()
    predicted = {m["number"]: (m["lead_agency"] or {}).get("name") for m in record["measures"]}
    expected = {m["number"]: m["lead_agency"] for m in gold["measures"]}
    for number in sorted(set(predicted) | set(expected)):
        p, g = predicted.get(number), expected.get(number)
        if p is None and g is None:
            continue
        if p is not None:
            tally.predicted += 1
        if g is not None:
            tally.gold += 1
        if p is not None and p == g:
            tally.true_positive += 1
        else:
            tally.misses.append(f"lead {number}: got {p!r}, gold {g!r}")
    return tally


def score_agencies(record: dict, gold: dict) -> Tally:
    predicted = {(m["number"], a["name"]) for m in record["measures"] for a in m["agencies"]}
    expected = {(m["number"], a) for m in gold["measures"] for a in m["agencies"]}
    return _sets(predicted, expected, "agency")


def score_jointly(record: dict, gold: dict) -> Tally:
    predicted = {m["number"]: m["jointly"] for m in record["measures"] if m["agencies"]}
    expected = {m["number"]: m["jointly"] for m in gold["measures"] if m["agencies"]}
    tally = Tally(predicted=len(predicted), gold=len(expected))
    for number, value in expected.items():
        if predicted.get(number) == value:
            tally.true_positive += 1
        else:
            tally.misses.append(f"jointly {number}: got {predicted.get(number)!r}, gold {value!r}")
    return tally


def score_targets(record: dict, gold: dict) -> Tally:
    """A predicted target matches a gold one in the same measure with the same value,
    comparator and unit and the same indicator (see `same_indicator`); one-to-one."""
    tally = Tally(predicted=len(record["targets"]), gold=len(gold["targets"]))
    unused = list(record["targets"])
    for g in gold["targets"]:
        match = None
        for p in unused:
            if (
                p["measure"] == g["measure"]
                and _num(p["value"]) == _num(g["value"])
                and _num(p.get("value_max")) == _num(g.get("value_max"))
                and p["comparator"] == g["comparator"]
                and (p["unit"] or None) == (g["unit"] or None)
                and same_indicator(p["indicator"], g["indicator"])
            ):
                match = p
                break
        if match is not None:
            unused.remove(match)
            tally.true_positive += 1
        else:
            tally.misses.append(
                f"target missed (measure {g['measure']}): {g['indicator']} {g['comparator']} {g['value']}{g['unit'] or ''}"
            )
    for p in unused:
        tally.misses.append(
            f"target spurious (measure {p['measure']}): {p['indicator']} {p['comparator']} {p['value']}{p['unit'] or ''}"
        )
    return tally


def score_instruments(record: dict, gold: dict) -> Tally:
    predicted = {i["id"] for i in record["instruments"]}
    expected = {i["id"] for i in gold["instruments"]}
    return _sets(predicted, expected, "instrument")


def score_stages(record: dict, gold: dict) -> Tally:
    predicted = {i["id"]: i["stage"] for i in record["instruments"]}
    expected = {i["id"]: i["stage"] for i in gold["instruments"] if i["id"] in predicted}
    tally = Tally(predicted=len(expected), gold=len(expected))
    for key, stage in expected.items():
        if predicted[key] == stage:
            tally.true_positive += 1
        else:
            tally.misses.append(f"stage {key}: got {predicted[key]}, gold {stage}")
    return tally


def score_citations(record: dict, gold: dict) -> Tally:
    return _sets({c["doc_number"] for c in record["cites"]}, set(gold["cites"]), "citation")


def score_pilot_sites(record: dict, gold: dict) -> Tally:
    predicted = {s["adcode"] for p in record["pilot_sites"] for s in p["sites"]}
    expected = {s["adcode"] for p in gold["pilot_sites"] for s in p["sites"]}
    return _sets(predicted, expected, "pilot site")


def _sets(predicted: set, expected: set, what: str) -> Tally:
    tally = Tally(true_positive=len(predicted & expected), predicted=len(predicted), gold=len(expected))
    tally.misses.extend(f"{what} missed: {x}" for x in sorted(map(str, expected - predicted)))
    tally.misses.extend(f"{what} spurious: {x}" for x in sorted(map(str, predicted - expected)))
    return tally


def metadata_differences(record: dict, gold: dict) -> list[str]:
    diffs = []
    for key in ("title", "doc_number", "issue_date"):
        if record[key] != gold[key]:
            diffs.append(f"{key}: got {record[key]!r}, gold {gold[key]!r}")
    got_issuers = [i["name"] for i in record["issuers"]]
    if got_issuers != gold["issuers"]:
        diffs.append(f"issuers: got {got_issuers}, gold {gold['issuers']}")
    j = record["jurisdiction"] or {}
    got_j = {k: j.get(k) for k in ("name", "adcode", "level")}
    if got_j != gold["jurisdiction"]:
        diffs.append(f"jurisdiction: got {got_j}, gold {gold['jurisdiction']}")
    p = record["parent_jurisdiction"] or {}
    got_p = {k: p.get(k) for k in ("name", "adcode")}
    if got_p != gold["parent_jurisdiction"]:
        diffs.append(f"parent_jurisdiction: got {got_p}, gold {gold['parent_jurisdiction']}")
    return diffs
