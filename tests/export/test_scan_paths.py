"""Large selections are read with whole-store scans instead of VALUES blocks (10,000
documents); both ways must give the same tables and graphs. Forced here on the small corpus."""

from __future__ import annotations

import networkx as nx
import pytest

from policykg.graph import projection_data
from policykg.graph import projections as p
from policykg.graph import research_tables as r


def both_ways(monkeypatch, build):
    usual = build()
    monkeypatch.setattr(projection_data, "SCAN_ABOVE", 0)
    scanned = build()
    monkeypatch.undo()
    return usual, scanned


def same_graph(a: nx.Graph, b: nx.Graph) -> bool:
    return list(a.nodes(data=True)) == list(b.nodes(data=True)) and list(a.edges(data=True)) == list(b.edges(data=True))


@pytest.mark.parametrize("selection", [p.Selection(), p.Selection(within="330000"), p.Selection(level="province")])
def test_tables_are_the_same_read_either_way(store, monkeypatch, selection) -> None:
    for build in (lambda: r.targets_table(store, selection=selection),
                  lambda: r.responsibilities_table(store, selection=selection),
                  lambda: r.responsibilities_table(store, selection=selection, instrument="universal-insurance")):
        usual, scanned = both_ways(monkeypatch, build)
        assert usual.rows and usual.rows == scanned.rows


def test_responsibility_rows_name_the_instruments_the_measure_adopts(store) -> None:
    from .helpers import sparql

    expected: dict[str, set[str]] = {}
    for row in sparql(store, "SELECT ?m ?i WHERE { ?a pkg:measure ?m ; pkg:instrument ?i ; pkg:stage ?s }"):
        expected.setdefault(p.curie(row["m"]), set()).add(row["i"].rsplit("/", 1)[1])
    table = r.responsibilities_table(store)
    column = table.columns.index("instruments")
    got = {row[table.columns.index("measure")]: set((row[column] or "").split("|")) - {""} for row in table.rows}
    assert got == {m: expected.get(m, set()) for m in got}
    assert sum(1 for v in got.values() if v) > 100


@pytest.mark.parametrize("instrument", [None, "universal-insurance"])
def test_graphs_are_the_same_read_either_way(store, monkeypatch, instrument) -> None:
    for build in (lambda: p.adoption_graph(p.fetch_cells(store, instrument=instrument)),
                  lambda: p.adoption_graph(p.fetch_cells(store, selection=p.Selection(within="330000"), instrument=instrument)),
                  lambda: p.agency_graph(p.fetch_agency_rows(store, selection=p.Selection(level="province"), instrument=instrument)),
                  lambda: p.citation_graph(p.fetch_citations(store, selection=p.Selection(jurisdictions=("330000",)))),
                  lambda: p.full_graph(p.fetch_full(store, p.select_full_documents(store).documents))):
        usual, scanned = both_ways(monkeypatch, build)
        assert usual.number_of_edges() and same_graph(usual, scanned)
