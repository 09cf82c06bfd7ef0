"""Numbering styles and measure numbers, on small made-up documents."""

from __future__ import annotations

import pytest

from policykg.loaders.structure import parse_structure, tokenize_line
from policykg.loaders.text import normalise


@pytest.mark.parametrize(
    ("line", "style", "ordinal"),
    [
        ("一、总体要求", "cn", 1),
        ("十二、 加强组织领导", "cn", 12),
        ("（三）推进分级诊疗", "paren_cn", 3),
        ("(三)推进分级诊疗", "paren_cn", 3),
        ("1．巩固扩大基本医疗保障覆盖面。", "arabic", 1),
        ("12. 强化政府责任。", "arabic", 12),
        ("3、完善药品采购制度。", "arabic", 3),
        ("（2）县级医院", "paren_arabic", 2),
        ("③建立双向转诊机制", "circled", 3),
        ("第十二条 各级医疗保障部门", "article", 12),
        ("第三章 保障措施", "chapter", 3),
    ],
)
def test_each_numbering_style(line: str, style: str, ordinal: int) -> None:
    token = tokenize_line(normalise(line).text)
    assert token is not None
    assert (token.style, token.ordinal) == (style, ordinal)


@pytest.mark.parametrize("line", ["2020年底前完成。", "11个试点县开展评估", "一是加强领导", "各市、县人民政府："])
def test_prose_is_not_numbering(line: str) -> None:
    assert tokenize_line(normalise(line).text) is None


def _numbers(text: str) -> list[str]:
    return [m.number for m in parse_structure(normalise(text).text).measures]


def test_numbering_that_runs_through_keeps_printed_numbers() -> None:
    text = "一、分级诊疗\n1．推进医联体。\n2．推进签约。\n二、医保\n3．推进支付方式改革。\n4．完善大病保险。\n"
    assert _numbers(text) == ["1", "2", "3", "4"]


def test_numbering_that_restarts_takes_the_heading_ordinal() -> None:
    text = (
        "一、总体要求\n坚持保基本。\n二、工作任务\n（一）医保\n1．扩大覆盖。\n2．提高水平。\n"
        "（二）基本药物\n1．扩大范围。\n2．保障供应。\n3．加强监管。\n"
    )
    assert _numbers(text) == ["1.1", "1.2", "2.1", "2.2", "2.3"]


def test_a_list_under_a_top_heading_is_section_dot_item() -> None:
    text = "一、任务\n1．甲。\n2．乙。\n二、监测指标\n（一）县域内就诊率。\n（二）基层诊疗量占比。\n"
    assert _numbers(text) == ["1", "2", "2.1", "2.2"]


def test_colliding_numbers_get_the_top_level_prefix() -> None:
    text = (
        "一、工作任务\n（一）医保\n1．甲。\n（二）药品\n1．乙。\n（三）服务\n1．丙。\n"
        "二、保障措施\n（一）强化责任\n各地要落实责任。\n（三）加强督导\n定期督导。\n"
    )
    # 二、(一) would be "2.1" like (二)1．, so it becomes "2-1"; 二、(三) is "2.3" (no collision)
    assert _numbers(text) == ["1.1", "2.1", "3.1", "2-1", "2.3"]


def test_sub_points_stay_inside_their_measure() -> None:
    text = "一、任务\n1．推进改革：\n（1）城市医联体；\n（2）县域医共体。\n2．完善医保。\n"
    structure = parse_structure(normalise(text).text)
    assert [m.number for m in structure.measures] == ["1", "2"]
    first = structure.measures[0]
    assert "县域医共体" in normalise(text).text[first.start : first.end]


def test_flat_documents_use_top_level_items() -> None:
    text = "一、总体要求\n坚持保基本。\n二、推进医联体建设\n各地要推进。\n三、完善医保支付\n推进支付改革。\n"
    assert _numbers(text) == ["2", "3"]


def test_annex_table_rows_become_measures() -> None:
    text = (
        "一、任务\n1．推进改革。\n附件：重点任务清单\n"
        "序号\t重点任务\t负责单位\t完成时限\n"
        "1\t制定实施方案。\t市卫健委（规划科）\t2021年6月底前\n"
        "2\t开展试点。\t市医保局，某某县\t2021年\n"
    )
    structure = parse_structure(normalise(text).text)
    annex = [m for m in structure.measures if m.number.startswith("annex.")]
    assert [m.number for m in annex] == ["annex.1", "annex.2"]
    assert annex[0].annex_cells == {
        "number": "1",
        "task": "制定实施方案。",
        "agencies": "市卫健委(规划科)",
        "deadline": "2021年6月底前",
    }


def test_pipe_tables_work_too() -> None:
    text = "附件\n| 序号 | 工作任务 | 责任单位 | 完成时间 |\n|---|---|---|---|\n| 1 | 建设医共体 | 县卫健局 | 2020年底 |\n"
    structure = parse_structure(normalise(text).text)
    assert [m.number for m in structure.measures] == ["annex.1"]
