"""Named comparison queries: `queries/*.rq` with grlc-style `#+` headers.

A header is the block of `#+` lines at the top of a query file, a small YAML subset::

    #+ summary: Jurisdictions that adopted an instrument
    #+ params:
    #+   - name: instrument
    #+     type: instrument-id
    #+     required: true
    #+     description: Vocabulary id of the instrument; narrower instruments count too.
    #+   - name: stage
    #+     type: stage
    #+     description: Only adoptions at this stage.
    #+ example: adopters?instrument=drg-payment

Parameter keys: `name`, `type` (see `PARAM_TYPES`), `default`, `enum` (a `[a, b]` list of allowed
raw values), `required` (true/false), `min` / `max` (integers), `list` (`MIN..MAX`: the raw
value is a comma-separated list of MIN to MAX values of `type`), `description`.

Values reach the store only as typed RDF terms through `bindings=`, never formatted into query
text. A parameter `p` binds the variable `?_p` (grlc's convention: a leading `_` marks a
parameter, so parameters never collide with result columns); a list parameter binds
`?_p_1` … `?_p_k` (k values given; the slots up to MAX stay unbound), so a query tests
membership with `FILTER(?x IN (?_p_1, …, ?_p_MAX))` or enumerates the slots.

Parameter variables are not projected (checked on loading; the exception follows). Every store binds
them the same way — as a one-row VALUES block at the start of the outermost WHERE group — and
the queries are written for that: parameters are used in the outer group (patterns, FILTER,
EXISTS, OPTIONAL, BIND), never inside a sub-select or a FILTER nested in a UNION branch, and an
optional parameter is tested with `!BOUND(?_p) || …` (measured: the equivalent
`!COALESCE(sameTerm(?_p, ?_p), false)` made compare-jurisdictions 80× slower).

Written for Oxigraph's planner (measured at 10,000 documents on disk): a parameter written in a
triple pattern (`?document pkg:jurisdiction ?_jurisdiction`) drives the join when given; BIND
and VALUES go after the triple patterns and OPTIONALs — between them they split the join into
parts evaluated on their own (adopters: 0.8 s → over 30 s); no pattern starts from
`?x a pkg:Class`, from which Oxigraph scans the whole class. pyoxigraph's own `substitutions`
are not used for parameters by default: measured, they sometimes plan worse than the VALUES
block, and BOUND()/BIND() of a substituted variable see it unbound. A query whose plan they make
much better declares `#+ binding: substitution`: it then projects every parameter variable
(pyoxigraph substitutes only projected variables; checked on loading), `run_named_query` drops
those `?_…` columns, and the query avoids BOUND(?_p) and a bare BIND(?_p AS ?x)
(jurisdiction-profile: over 100 s with VALUES, 45 ms with substitutions).
"""

from __future__ import annotations

import datetime as _dt
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
import typing
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from rdflib import Literal
from rdflib.namespace import XSD
from rdflib.term import Node

from policykg import queries as _query_files
from policykg.graph.iris import function_iri, indicator_iri, instrument_iri, jurisdiction_iri
from policykg.graph.namespaces import ID, IND, INST
from policykg.graph.tables import Table, select_table

if TYPE_CHECKING:
    from policykg.graph.store import QueryResult, Store

INSTRUMENT_NS = str(INST)
INDICATOR_NS = str(IND)
JURISDICTION_NS = f"{ID}jurisdiction/"

STAGES = ("explore", "pilot", "promote", "implement")
LEVELS = ("national", "province", "city", "county")

ParamType = typing.Literal[
    "iri-of-instrument",  # the full inst: IRI (or the bare id)
    "iri-of-jurisdiction",  # the full id:jurisdiction/ IRI (or the adcode)
    "iri-of-indicator",  # the full ind: IRI (or the bare id)
    "instrument-id",  # drg-payment → inst:drg-payment
    "adcode",  # 330000 → id:jurisdiction/330000
    "indicator-id",  # drug-share → ind:drug-share
    "function-id",  # health → fn:health
    "string",  # a plain literal
    "integer",  # xsd:integer
    "date",  # xsd:date, YYYY-MM-DD
    "stage",  # explore | pilot | promote | implement
    "level",  # national | province | city | county
]
PARAM_TYPES: tuple[str, ...] = typing.get_args(ParamType)

_VOCABULARY_ID = re.compile(r"[a-z0-9-]+")
_ADCODE = re.compile(r"[0-9]{6}")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_MAX_STRING_LENGTH = 500
_PARAM_KEYS = frozenset({"name", "type", "default", "enum", "required", "min", "max", "list", "description"})


class HeaderError(ValueError):
    """A query file's `#+` header is malformed; the message names the file and line."""


class ParamError(ValueError):
    """A parameter value does not fit its declaration; the message names the parameter."""

    def __init__(self, param: str | None, message: str) -> None:
        super().__init__(message)
        self.param = param


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    type: ParamType
    default: str | None = None
    allowed: tuple[str, ...] | None = None
    description: str = ""
    required: bool = False
    minimum: int | None = None
    maximum: int | None = None
    list_range: tuple[int, int] | None = None  # (min items, max items) for a list parameter

    def variables(self) -> tuple[str, ...]:
        """The SPARQL variables this parameter binds (without `?`): `_name`, or `_name_1` … for a list."""
        if self.list_range is None:
            return (f"_{self.name}",)
        return tuple(f"_{self.name}_{i}" for i in range(1, self.list_range[1] + 1))


Binding = typing.Literal["values", "substitution"]


@dataclass(frozen=True, slots=True)
class NamedQuery:
    name: str
    summary: str
    params: tuple[Param, ...]
    example: str
    sparql: str
    binding: Binding = "values"  # `#+ binding: substitution`: parameters projected (module docstring)

    def param(self, name: str) -> Param:
        for param in self.params:
            if param.name == name:
                return param
        raise KeyError(name)

    def example_params(self) -> dict[str, str]:
        """The raw parameters of the header's example (`name?a=1&b=2`)."""
        _, _, query_string = self.example.partition("?")
        return dict(parse_qsl(query_string, keep_blank_values=True))


# --------------------------------------------------------------------------------------------
# Loading and header parsing
# --------------------------------------------------------------------------------------------


def load_named_queries() -> dict[str, NamedQuery]:
    """All named queries, by name (parsed once; a malformed file raises `HeaderError`)."""
    return dict(_load_all())


@lru_cache(maxsize=1)
def _load_all() -> tuple[tuple[str, NamedQuery], ...]:
    return tuple((name, parse_named_query(name, _query_files.read(name))) for name in _query_files.names())


def parse_named_query(name: str, text: str, *, filename: str | None = None) -> NamedQuery:
    """Parse one query file's text; `filename` (default `queries/<name>.rq`) names it in errors."""
    where = filename or f"queries/{name}.rq"
    header_lines: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("#+"):
            header_lines.append((number, stripped[2:]))
        elif stripped and not header_lines:
            raise HeaderError(f"{where}:{number}: the file must start with a '#+' header")
        elif header_lines:
            break
    if not header_lines:
        raise HeaderError(f"{where}:1: no '#+' header")

    summary: str | None = None
    example: str | None = None
    binding: Binding = "values"
    raw_params: list[tuple[int, dict[str, tuple[int, str]]]] = []
    in_params = False
    current: dict[str, tuple[int, str]] | None = None
    for number, content in header_lines:
        if not content.strip():
            continue
        indent = len(content) - len(content.lstrip(" "))
        body = content.strip()
        if indent <= 1:  # a top-level key: `#+ summary: …`
            key, value = _split_key(body, where, number)
            in_params = key == "params"
            current = None
            if key == "summary":
                summary = _scalar(value)
            elif key == "example":
                example = _scalar(value)
            elif key == "binding":
                if _scalar(value) not in ("values", "substitution"):
                    raise HeaderError(f"{where}:{number}: 'binding:' must be values or substitution")
                binding = typing.cast(Binding, _scalar(value))
            elif key == "params":
                if value:
                    raise HeaderError(f"{where}:{number}: 'params:' takes an indented '- name: …' list")
            else:
                raise HeaderError(f"{where}:{number}: unknown header key {key!r} (summary, params, example, binding)")
            continue
        if not in_params:
            raise HeaderError(f"{where}:{number}: indented line outside 'params:'")
        if body.startswith("- "):
            current = {}
            raw_params.append((number, current))
            body = body[2:].strip()
        elif current is None:
            raise HeaderError(f"{where}:{number}: a parameter must start with '- name: …'")
        key, value = _split_key(body, where, number)
        if key not in _PARAM_KEYS:
            raise HeaderError(f"{where}:{number}: unknown parameter key {key!r} ({', '.join(sorted(_PARAM_KEYS))})")
        if key in current:
            raise HeaderError(f"{where}:{number}: parameter key {key!r} given twice")
        current[key] = (number, value)

    if not summary:
        raise HeaderError(f"{where}:{header_lines[0][0]}: missing 'summary:'")
    if not example:
        raise HeaderError(f"{where}:{header_lines[0][0]}: missing 'example:'")
    params = tuple(_build_param(fields, where, number) for number, fields in raw_params)
    body = _without_comment_lines(text)
    if binding == "substitution":  # there every parameter is projected; that is not a use
        projection = re.search(r"\bSELECT\b(.*?)(?:\bWHERE\b|\{)", body, re.S | re.I)
        if projection is not None:
            body = body[: projection.start(1)] + " " * (projection.end(1) - projection.start(1)) + body[projection.end(1) :]
    seen: set[str] = set()
    for (number, _), param in zip(raw_params, params):
        if param.name in seen:
            raise HeaderError(f"{where}:{number}: parameter {param.name!r} declared twice")
        seen.add(param.name)
        for variable in param.variables():
            if not re.search(rf"[?$]{re.escape(variable)}\b", body):
                raise HeaderError(f"{where}:{number}: parameter {param.name!r}: the query never uses ?{variable}")
    _check_parameter_variables(params, text, where, projected=binding == "substitution")

    query = NamedQuery(name=name, summary=summary, params=params, example=example, sparql=text, binding=binding)
    example_line = next(n for n, c in header_lines if c.strip().startswith("example:"))
    example_name, _, _ = example.partition("?")
    if example_name != name:
        raise HeaderError(f"{where}:{example_line}: example must start with {name!r}, not {example_name!r}")
    try:
        bind_params(query, query.example_params())
    except ParamError as error:
        raise HeaderError(f"{where}:{example_line}: example does not validate: {error}") from None
    return query


_PARAMETER_VARIABLE = re.compile(r"[?$](_[A-Za-z0-9_]+)")


def _without_comment_lines(text: str) -> str:
    """The query with whole-line comments blanked (not removed: offsets still give line numbers)."""
    return "\n".join("" if line.lstrip().startswith("#") else line for line in text.splitlines())


def _check_parameter_variables(params: tuple[Param, ...], text: str, where: str, *, projected: bool = False) -> None:
    """Every `?_x` is a declared parameter's; none is projected — or, with `projected`, every one
    is (see the module docstring)."""
    declared = {variable for param in params for variable in param.variables()}
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue
        for match in _PARAMETER_VARIABLE.finditer(line):
            if match[1] not in declared:
                raise HeaderError(f"{where}:{number}: ?{match[1]} looks like a parameter (leading '_') but no parameter declares it")
    body = _without_comment_lines(text)

    def line_of(offset: int) -> int:
        return body.count("\n", 0, offset) + 1

    select = re.search(r"\bSELECT\b(.*?)(?:\bWHERE\b|\{)", body, re.S | re.I)
    if select is None:
        return
    projection, base = select[1], select.start(1)
    if re.match(r"\s*(?:DISTINCT|REDUCED)?\s*\*", projection, re.I):
        raise HeaderError(f"{where}:{line_of(base)}: SELECT * would project the parameter variables; list the result columns")
    shown: set[str] = set()
    depth = 0
    for index, char in enumerate(projection):
        depth += (char == "(") - (char == ")")
        if depth == 0 and char in "?$" and projection[index + 1 : index + 2] == "_":
            variable = re.match(r"[?$]\w+", projection[index:])[0]
            if not projected:
                raise HeaderError(f"{where}:{line_of(base + index)}: parameter variable {variable} must not be projected")
            shown.add(variable[1:])
    missing = sorted({v for p in params for v in p.variables()} - shown) if projected else []
    if missing:
        raise HeaderError(f"{where}:{line_of(base)}: with 'binding: substitution' every parameter variable is projected; "
                          f"missing {', '.join('?' + m for m in missing)}")
    for as_match in re.finditer(r"\bAS\s+[?$](_\w+)", projection, re.I):
        raise HeaderError(f"{where}:{line_of(base + as_match.start())}: parameter variable ?{as_match[1]} must not be projected")


def _split_key(body: str, where: str, number: int) -> tuple[str, str]:
    key, colon, value = body.partition(":")
    key = key.strip()
    if not colon or not re.fullmatch(r"[a-z_]+", key):
        raise HeaderError(f"{where}:{number}: expected 'key: value', got {body!r}")
    return key, value.strip()


def _scalar(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _build_param(fields: dict[str, tuple[int, str]], where: str, first_line: int) -> Param:
    def fail(key: str | None, message: str) -> HeaderError:
        line = fields[key][0] if key in fields else first_line
        return HeaderError(f"{where}:{line}: {message}")

    if "name" not in fields:
        raise fail(None, "parameter without 'name:'")
    name = _scalar(fields["name"][1])
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise fail("name", f"parameter name {name!r} is not a lower-case SPARQL variable name")
    if "type" not in fields:
        raise fail("name", f"parameter {name!r} has no 'type:'")
    type_ = _scalar(fields["type"][1])
    if type_ not in PARAM_TYPES:
        raise fail("type", f"parameter {name!r}: unknown type {type_!r} ({', '.join(PARAM_TYPES)})")

    allowed: tuple[str, ...] | None = None
    if "enum" in fields:
        raw = fields["enum"][1]
        if not (raw.startswith("[") and raw.endswith("]")):
            raise fail("enum", f"parameter {name!r}: 'enum:' must be a [a, b, …] list")
        allowed = tuple(_scalar(item.strip()) for item in raw[1:-1].split(",") if item.strip())
        if not allowed:
            raise fail("enum", f"parameter {name!r}: empty 'enum:'")
    elif type_ == "stage":
        allowed = STAGES
    elif type_ == "level":
        allowed = LEVELS
    if allowed is not None and type_ in ("stage", "level"):
        closed = STAGES if type_ == "stage" else LEVELS
        stray = [value for value in allowed if value not in closed]
        if stray:
            raise fail("enum", f"parameter {name!r}: {stray} are not {type_} values ({', '.join(closed)})")

    required = False
    if "required" in fields:
        flag = _scalar(fields["required"][1])
        if flag not in ("true", "false"):
            raise fail("required", f"parameter {name!r}: 'required:' must be true or false")
        required = flag == "true"

    bounds: dict[str, int | None] = {"min": None, "max": None}
    for key in bounds:
        if key in fields:
            if type_ != "integer":
                raise fail(key, f"parameter {name!r}: '{key}:' only applies to integers")
            if not _INTEGER.fullmatch(fields[key][1]):
                raise fail(key, f"parameter {name!r}: '{key}:' must be an integer")
            bounds[key] = int(fields[key][1])

    list_range: tuple[int, int] | None = None
    if "list" in fields:
        match = re.fullmatch(r"([0-9]+)\.\.([0-9]+)", fields["list"][1])
        if not match or not 1 <= int(match[1]) <= int(match[2]) <= 50:
            raise fail("list", f"parameter {name!r}: 'list:' must be MIN..MAX with 1 <= MIN <= MAX <= 50")
        list_range = (int(match[1]), int(match[2]))

    default = _scalar(fields["default"][1]) if "default" in fields else None
    if default == "":
        default = None
    if required and default is not None:
        raise fail("default", f"parameter {name!r}: a required parameter has no default")

    param = Param(
        name=name,
        type=type_,
        default=default,
        allowed=allowed,
        description=_scalar(fields["description"][1]) if "description" in fields else "",
        required=required,
        minimum=bounds["min"],
        maximum=bounds["max"],
        list_range=list_range,
    )
    if default is not None:
        try:
            _convert_param(param, default)
        except ParamError as error:
            raise fail("default", f"default does not validate: {error}") from None
    return param


# --------------------------------------------------------------------------------------------
# Binding
# --------------------------------------------------------------------------------------------


def bind_params(query: NamedQuery, raw: Mapping[str, Any]) -> dict[str, Node]:
    """Validate raw (string) parameters against `query`'s declarations and convert them to
    typed RDF terms, keyed by SPARQL variable name (`_p`; `_p_1`, `_p_2`… for a list). Defaults
    are applied; an absent (or blank) optional parameter without default stays unbound.
    Raises `ParamError` naming the parameter."""
    declared = {param.name: param for param in query.params}
    unknown = sorted(set(raw) - set(declared))
    if unknown:
        known = ", ".join(declared) or "none"
        raise ParamError(unknown[0], f"unknown parameter {unknown[0]!r} for query {query.name!r} (parameters: {known})")
    bindings: dict[str, Node] = {}
    for param in query.params:
        value = raw.get(param.name)
        if value is not None and not isinstance(value, str):
            raise ParamError(param.name, f"parameter {param.name!r}: expected a string value, got {type(value).__name__}")
        if value is None or not value.strip():
            if param.required:
                raise ParamError(param.name, f"parameter {param.name!r} is required ({param.description or param.type})")
            value = param.default
            if value is None:
                continue
        bindings.update(_convert_param(param, value.strip()))
    return bindings


def _convert_param(param: Param, value: str) -> dict[str, Node]:
    if param.list_range is None:
        return {param.variables()[0]: _convert_value(param, value)}
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise ParamError(param.name, f"parameter {param.name!r}: empty item in the comma-separated list {value!r}")
    low, high = param.list_range
    if not low <= len(items) <= high:
        raise ParamError(param.name, f"parameter {param.name!r}: expected {low} to {high} comma-separated values, got {len(items)}")
    if len(set(items)) != len(items):
        raise ParamError(param.name, f"parameter {param.name!r}: a value is repeated in {value!r}")
    return {variable: _convert_value(param, item) for variable, item in zip(param.variables(), items)}


def _convert_value(param: Param, value: str) -> Node:
    name = param.name
    if param.allowed is not None and value not in param.allowed:
        raise ParamError(name, f"parameter {name!r}: {value!r} is not one of {', '.join(param.allowed)}")
    match param.type:
        case "instrument-id":
            return instrument_iri(_vocabulary_id(name, value, "instrument"))
        case "indicator-id":
            return indicator_iri(_vocabulary_id(name, value, "indicator"))
        case "function-id":
            return function_iri(_vocabulary_id(name, value, "agency function"))
        case "adcode":
            return jurisdiction_iri(_adcode(name, value))
        # An iri-of-* parameter takes the full IRI or, for convenience, the bare id / adcode.
        case "iri-of-instrument":
            return instrument_iri(_vocabulary_id(name, _strip_namespace(value, INSTRUMENT_NS), "instrument"))
        case "iri-of-indicator":
            return indicator_iri(_vocabulary_id(name, _strip_namespace(value, INDICATOR_NS), "indicator"))
        case "iri-of-jurisdiction":
            return jurisdiction_iri(_adcode(name, _strip_namespace(value, JURISDICTION_NS)))
        case "integer":
            if not _INTEGER.fullmatch(value):
                raise ParamError(name, f"parameter {name!r}: {value!r} is not an integer")
            number = int(value)
            if param.minimum is not None and number < param.minimum:
                raise ParamError(name, f"parameter {name!r}: {number} is below the minimum {param.minimum}")
            if param.maximum is not None and number > param.maximum:
                raise ParamError(name, f"parameter {name!r}: {number} is above the maximum {param.maximum}")
            return Literal(number, datatype=XSD.integer)
        case "date":
            try:
                date = _dt.date.fromisoformat(value) if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value) else None
            except ValueError:
                date = None
            if date is None:
                raise ParamError(name, f"parameter {name!r}: {value!r} is not a date (YYYY-MM-DD)")
            return Literal(date, datatype=XSD.date)
        case "stage" | "level":
            return Literal(value)  # already checked against the closed set above
        case "string":
            if len(value) > _MAX_STRING_LENGTH:
                raise ParamError(name, f"parameter {name!r}: longer than {_MAX_STRING_LENGTH} characters")
            return Literal(value)
    raise ParamError(name, f"parameter {name!r}: unsupported type {param.type!r}")  # pragma: no cover


def _vocabulary_id(name: str, value: str, what: str) -> str:
    if not _VOCABULARY_ID.fullmatch(value):
        raise ParamError(name, f"parameter {name!r}: {value!r} is not a valid {what} id (only a-z, 0-9 and '-')")
    return value


def _adcode(name: str, value: str) -> str:
    if not _ADCODE.fullmatch(value):
        raise ParamError(name, f"parameter {name!r}: {value!r} is not an adcode (6 digits, e.g. 330000)")
    return value


def _strip_namespace(value: str, namespace: str) -> str:
    return value[len(namespace):] if value.startswith(namespace) else value


# --------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------


class ResultCache:
    """Named-query results by (store, dataset version, query, bound parameters), least recently
    used first out. A write changes the store's `dataset_version()`, so a cached answer is never
    stale for writes made through policykg; the comparison queries over the whole graph cost
    seconds on a large on-disk store the first time and microseconds after (docs/benchmarks.md)."""

    def __init__(self, *, max_entries: int = 512) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple, QueryResult | Table] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple) -> QueryResult | Table | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found

    def put(self, key: tuple, result: QueryResult | Table) -> None:
        with self._lock:
            self._entries[key] = result
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


#: The cache `run_named_query` uses unless told otherwise.
DEFAULT_CACHE = ResultCache()


def _copy(result: QueryResult) -> QueryResult:
    """A copy whose row list and row dicts the caller may change without touching the cache."""
    return replace(result, variables=list(result.variables), rows=[dict(row) for row in result.rows])


def _bound(name: str, raw_params: Mapping[str, Any] | None) -> tuple[NamedQuery, dict[str, Node]]:
    """The named query and its validated, typed bindings (`KeyError` for an unknown name)."""
    queries = load_named_queries()
    if name not in queries:
        raise KeyError(f"no named query {name!r} (known: {', '.join(sorted(queries))})")
    query = queries[name]
    return query, bind_params(query, raw_params or {})


def _cache_key(store: Store, name: str, bindings: Mapping[str, Node]) -> tuple:
    return (repr(store), store.dataset_version(), name, tuple(sorted(bindings.items(), key=lambda item: item[0])))


def run_named_query(
    store: Store,
    name: str,
    raw_params: Mapping[str, Any] | None = None,
    *,
    timeout: float | None = None,
    cache: ResultCache | None = DEFAULT_CACHE,
) -> QueryResult:
    """Run the named query on `store` with validated, typed bindings (`bind_params`) passed as
    the store's `bindings=`; returns its `QueryResult`. `KeyError` for an unknown query name,
    `ParamError` for bad parameters; `timeout` (seconds) is handed to the store. Results are
    kept in `cache` by the store's dataset version (`cache=None` always runs the query)."""
    query, bindings = _bound(name, raw_params)
    if cache is None:
        return _result_columns(store.query(query.sparql, bindings=bindings, timeout=timeout))
    found = cache.get(key := _cache_key(store, name, bindings))
    if found is None:
        found = _result_columns(store.query(query.sparql, bindings=bindings, timeout=timeout))
        cache.put(key, found)
    return _copy(found)


def named_query_table(
    store: Store,
    name: str,
    raw_params: Mapping[str, Any] | None = None,
    *,
    offset: int = 0,
    limit: int | None = None,
    cache: ResultCache | None = DEFAULT_CACHE,
) -> Table:
    """The named query's solutions ``[offset, offset + limit)`` as plain values (a `Table` with
    the total), bound as `run_named_query` binds. For JSON, CSV and data frames this skips
    rdflib terms: on the embedded store the solutions go straight from pyoxigraph to Python
    values (adopters for drg-payment at 10,000 documents: 0.95 s against 1.8 s). Cached like
    `run_named_query` — the whole table, then sliced; uncached, only the page is converted."""
    query, bindings = _bound(name, raw_params)
    if cache is None or cache.max_entries <= 0:
        return select_table(store, query.sparql, bindings=bindings, offset=offset, limit=limit)
    if offset < 0 or (limit is not None and limit < 0):
        raise ValueError("offset and limit must not be negative")
    found = cache.get(key := ("table", *_cache_key(store, name, bindings)))
    if not isinstance(found, Table):
        found = select_table(store, query.sparql, bindings=bindings)
        cache.put(key, found)
    end = None if limit is None else offset + limit
    return Table(found.columns, found.rows[offset:end], found.total, offset, limit)


def _result_columns(result: QueryResult) -> QueryResult:
    """Without the projected `?_param` columns of a `binding: substitution` query."""
    if not any(v.startswith("_") for v in result.variables):
        return result
    keep = [v for v in result.variables if not v.startswith("_")]
    return replace(result, variables=keep, rows=[{v: row.get(v) for v in keep} for row in result.rows])
