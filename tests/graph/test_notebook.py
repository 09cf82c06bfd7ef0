from __future__ import annotations

from policykg.graph.notebook import KnowledgeGraph

from ..conftest import CORPUS


def test_a_notebook_session_in_a_few_lines() -> None:
    with KnowledgeGraph.open() as kg:
        results = kg.load(CORPUS / "000_113ca028d25bd718.txt", CORPUS / "001_bc77f72059521d41.txt", workers=1)
        assert [r.status for r in results] == ["loaded", "loaded"]
        rows = kg.named("adopters", instrument="two-invoice-system")
        assert sorted((r["adcode"], r["year"]) for r in rows) == [("330000", 2017), ("530100", 2018)]
        assert "adopters" in kg.queries()
        assert kg.sparql("ASK { ?d a <https://w3id.org/policykg/ontology#PolicyDocument> }") is True
        dataset = kg.dataset()
        names = {str(g.identifier) for g in dataset.graphs()}
        assert {r.document for r in results} <= names
