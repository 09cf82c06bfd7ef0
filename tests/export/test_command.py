"""``policykg export --view VIEW --format FORMAT [-p key=value] -o FILE`` end to end."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
import networkx as nx
import pytest

from policykg import cli
from policykg.export_command import add_view_export
from policykg.graph.store import open_store

from .conftest import CORPUS
from .helpers import corpus_version, roll_up_cells


def main(argv: list[str]) -> int:
    """``policykg …`` — through cli.main once cli.py has the hook, else with it added here."""
    parser = cli.build_parser()
    export = parser._subparsers._group_actions[0].choices["export"]  # noqa: SLF001
    if "--view" not in export._option_string_actions:  # noqa: SLF001
        add_view_export(export, rdf_handler=cli._export)  # noqa: SLF001
    args = parser.parse_args(argv)
    return args.handler(args)


def test_matrix_svg_to_a_file(disk_store, tmp_path, capsys) -> None:
    out = tmp_path / "pictures" / "matrix.svg"
    assert main(["export", "--store", str(disk_store), "--view", "matrix", "--format", "svg", "-o", str(out)]) == 0
    root = ET.parse(out).getroot()
    shown = "".join(root.itertext())
    for name in ("浙江省", "Zhejiang", "昆明市", "Kunming", "山西省", "Shanxi", "江苏省", "Jiangsu"):
        assert name in shown
    message = capsys.readouterr().err
    assert f"wrote {out}" in message and corpus_version(CORPUS) in message


def test_gexf_with_parameters_and_a_table_to_stdout(disk_store, tmp_path, capsys) -> None:
    out = tmp_path / "drg.gexf"
    assert main(["export", "--store", str(disk_store), "--view", "adoption", "--format", "gexf",
                 "-p", "instrument=drg-payment", "-p", "level=province", "-o", str(out)]) == 0
    graph = nx.read_gexf(out)
    assert sorted(n for n, a in graph.nodes(data=True) if a["kind"] == "jurisdiction") == ["id:jurisdiction/140000", "id:jurisdiction/330000"]
    capsys.readouterr()
    assert main(["export", "--store", str(disk_store), "--view", "timeline", "--format", "csv", "-p", "instrument=drg-payment"]) == 0
    printed = capsys.readouterr().out.splitlines()
    metadata = json.loads(printed[0].split(": ", 1)[1])
    assert metadata["params"] == {"instrument": "drg-payment"} and metadata["documents"] == 5
    assert [line.split(",")[0] for line in printed[2:]] == ["330000", "530100", "140000"]


def test_the_whole_store_rdf_export_still_works_without_view(disk_store, tmp_path) -> None:
    out = tmp_path / "graph.nq"
    assert main(["export", "--store", str(disk_store), "--format", "nquads", "-o", str(out)]) == 0
    default = tmp_path / "graph.trig"
    assert main(["export", "--store", str(disk_store), "-o", str(default)]) == 0
    store = open_store(disk_store, read_only=True)
    try:
        assert out.read_bytes() == store.dump(format="nquads")
        assert default.read_bytes() == store.dump(format="trig")
    finally:
        store.close()


@pytest.mark.parametrize(("argv", "words"), [
    (["--view", "timeline", "--format", "svg"], ["instrument"]),
    (["--view", "matrix", "--format", "gexf"], ["matrix", "gexf"]),
    (["--view", "adoption"], ["--format", "graphml"]),
    (["--view", "adoption", "--format", "turtle"], ["RDF", "graphml"]),
    (["--format", "graphml"], ["--view"]),
    (["-p", "level=province"], ["--view"]),
    (["--view", "adoption", "--format", "gexf", "-p", "level"], ["key=value"]),
    (["--view", "adoption", "--format", "gexf", "-p", "colour=red"], ["colour"]),
    (["--view", "adoption", "--format", "gexf", "-p", "instrument=nope"], ["instrument", "nope"]),
    (["--view", "adoption", "--format", "gexf", "-p", "level=city", "-p", "level=county"], ["twice"]),
])
def test_bad_requests_exit_2_with_the_reason_and_write_nothing(disk_store, tmp_path, capsys, argv, words) -> None:
    out = tmp_path / "out.file"
    assert main(["export", "--store", str(disk_store), *argv, "-o", str(out)]) == 2
    message = capsys.readouterr().err
    assert message.startswith("policykg: error: ")
    for word in words:
        assert word in message
    assert not out.exists()


def test_a_failure_while_writing_leaves_no_file_and_keeps_an_old_one(disk_store, tmp_path, capsys, monkeypatch) -> None:
    from policykg import export_command
    from policykg.graph import exports

    real = exports.export_view

    def breaking(*args, **kwargs):
        result = real(*args, **kwargs)

        def chunks():
            yield from list(result.body)[:1]
            raise OSError("disk full")

        return exports.ExportResult(result.view, result.format, result.media_type, result.extension, result.metadata, chunks())

    monkeypatch.setattr(export_command, "export_view", breaking)
    out = tmp_path / "adoption.graphml"
    assert main(["export", "--store", str(disk_store), "--view", "adoption", "--format", "graphml", "-o", str(out)]) == 2
    assert "disk full" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
    out.write_text("an older export")
    assert main(["export", "--store", str(disk_store), "--view", "adoption", "--format", "graphml", "-o", str(out)]) == 2
    assert out.read_text() == "an older export" and [p.name for p in tmp_path.iterdir()] == ["adoption.graphml"]


def test_an_empty_store_is_an_error_not_an_empty_export(tmp_path, capsys) -> None:
    empty = tmp_path / "empty-store"
    open_store(empty).close()
    out = tmp_path / "matrix.csv"
    assert main(["export", "--store", str(empty), "--view", "matrix", "--format", "csv", "-o", str(out)]) == 2
    assert "holds no documents" in capsys.readouterr().err and not out.exists()


def test_csv_export_rows_match_the_roll_up(disk_store, tmp_path) -> None:
    out = tmp_path / "matrix.csv"
    assert main(["export", "--store", str(disk_store), "--view", "matrix", "--format", "csv", "-p", "value=first_year", "-o", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    header = lines[1].split(",")
    store = open_store(disk_store, read_only=True)
    try:
        cells = roll_up_cells(store)
    finally:
        store.close()
    got = {}
    for line in lines[2:]:
        values = line.split(",")
        for column, value in zip(header[5:], values[5:]):
            if value:
                got[(f"id:jurisdiction/{values[0]}", f"inst:{column}")] = int(value)
    assert got == {key: year for key, (_, year, _) in cells.items()}
