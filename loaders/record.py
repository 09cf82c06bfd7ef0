"""The record: an immutable, faithful structured reading of one policy document.

Every offset (`start`, `end`) is a half-open character span in the decoded ORIGINAL text, so
evidence can always be shown in context. `to_json_dict` gives the documented JSON shape
(docs/record.md); field order there follows the dataclasses here.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

Level = Literal["national", "province", "city", "county"]
Stage = Literal["explore", "pilot", "promote", "implement"]
Comparator = Literal[">=", "<=", "~", "=", "<", ">", "between"]


@dataclass(frozen=True, slots=True)
class JurisdictionRef:
    name: str
    adcode: str
    level: Level
    name_en: str | None = None


@dataclass(frozen=True, slots=True)
class ParentRef:
    name: str
    adcode: str


@dataclass(frozen=True, slots=True)
class AgencyRef:
    name: str  # as printed, level prefix restored ("省卫生厅")
    canonical: str  # current official name, jurisdiction-qualified ("浙江省卫生健康委员会")
    function: str  # function id ("health")
    division: str | None = None  # internal division printed in brackets ("规划处")


@dataclass(frozen=True, slots=True)
class InstrumentUse:
    id: str
    stage: Stage
    evidence: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class TargetRec:
    indicator: str
    comparator: Comparator
    value: Decimal
    value_max: Decimal | None
    unit: str | None
    per: str | None
    baseline: Decimal | None
    deadline: str | None
    scope: str | None
    text: str
    measure: str | None
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Site:
    name: str
    adcode: str


@dataclass(frozen=True, slots=True)
class PilotDesignation:
    instrument: str
    sites: tuple[Site, ...]
    measure: str | None
    evidence: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Measure:
    number: str
    section: str | None
    heading: str | None
    text: str
    lead_agency: AgencyRef | None
    agencies: tuple[AgencyRef, ...]
    jointly: bool
    deadline: str | None
    instruments: tuple[InstrumentUse, ...]
    targets: tuple[TargetRec, ...]
    pilot_sites: tuple[PilotDesignation, ...]
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class InstrumentRollup:
    id: str
    stage: Stage  # strongest stage in the document
    measures: tuple[str, ...]
    evidence: str  # the clause that shows the strongest stage
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Citation:
    doc_number: str
    title: str | None
    start: int
    end: int
    issuer_jurisdiction: JurisdictionRef | None = None  # read from the 机关代字 (国办发 → national)


@dataclass(frozen=True, slots=True)
class SourceInfo:
    path: str
    sha256: str
    encoding: str


@dataclass(frozen=True, slots=True)
class Record:
    title: str | None
    doc_number: str | None
    issue_date: date | None
    issuers: tuple[AgencyRef, ...]
    jurisdiction: JurisdictionRef | None
    parent_jurisdiction: ParentRef | None
    cites: tuple[Citation, ...]
    measures: tuple[Measure, ...]
    instruments: tuple[InstrumentRollup, ...]
    targets: tuple[TargetRec, ...]
    pilot_sites: tuple[PilotDesignation, ...]
    warnings: tuple[str, ...]
    source: SourceInfo


def to_json_dict(value: Any) -> Any:
    """Plain JSON values: dataclasses → objects (field order kept), tuples → arrays,
    Decimal → int when integral else float, dates → ISO strings."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json_dict(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (tuple, list)):
        return [to_json_dict(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
