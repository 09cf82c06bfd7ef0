"""Header metadata on made-up documents in the forms Chinese official documents use."""

from __future__ import annotations

from datetime import date

import pytest

from policykg.loaders.metadata import extract_header, find_doc_numbers, normalise_doc_number
from policykg.loaders.text import normalise


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("皖政办〔2019〕12号", "皖政办〔2019〕12号"),
        ("皖政办[2019]12号", "皖政办〔2019〕12号"),
        ("皖政办（2019）12号", "皖政办〔2019〕12号"),
        ("皖政办【2019】12号", "皖政办〔2019〕12号"),
        ("皖政办 [ 2019 ] 12 号", "皖政办〔2019〕12号"),
        ("川府發〔2016〕5號", "川府发〔2016〕5号"),
    ],
)
def test_doc_number_forms_are_normalised(printed: str, expected: str) -> None:
    assert normalise_doc_number(printed) == expected


def test_cited_doc_numbers_drop_the_words_before_them() -> None:
    view = normalise("根据国办发〔2017〕37号和《关于印发某方案的通知》（黔府办发〔2018〕3号）要求").text
    assert [n.normalised for n in find_doc_numbers(view)] == ["国办发〔2017〕37号", "黔府办发〔2018〕3号"]


NOTICE = """湖南省人民政府办公厅关于印发湖南省深化医药
卫生体制改革2019年重点工作任务的通知
湘政办发〔2019〕21号

各市州人民政府，省政府各厅委、各直属机构：
《湖南省深化医药卫生体制改革2019年重点工作任务》已经省人民政府同意，现印发给你们，请认真贯彻执行。

湖南省人民政府办公厅
2019年5月8日
（此件主动公开）

一、推进分级诊疗
1．推进医联体建设。（省卫生健康委负责）
"""


def test_a_standard_notice() -> None:
    header = extract_header(normalise(NOTICE))
    assert header.title == "湖南省人民政府办公厅关于印发湖南省深化医药卫生体制改革2019年重点工作任务的通知"
    assert header.doc_number is not None and header.doc_number.normalised == "湘政办发〔2019〕21号"
    assert header.issue_date == date(2019, 5, 8)
    assert [i.name for i in header.issuers] == ["湖南省人民政府办公厅"]
    assert header.level_hint == "province"


def test_chinese_numeral_dates_with_either_zero_sign() -> None:
    for zero in "○〇":
        text = f"某县人民政府关于做好医共体建设的通知\n各乡镇人民政府：\n现通知如下。\n某县人民政府\n二{zero}一二年三月二十一日\n"
        assert extract_header(normalise(text)).issue_date == date(2012, 3, 21)


def test_a_web_posting_time_is_not_the_signing_date() -> None:
    text = (
        "来源：某市人民政府 2018-05-10 17:31 字号：[大 中 小]\n"
        "某市人民政府关于推进医联体建设的意见\n某政发〔2018〕3号\n各县（市）区人民政府：\n现提出如下意见。\n"
        "某市人民政府\n2018年5月2日\n"
    )
    assert extract_header(normalise(text)).issue_date == date(2018, 5, 2)


def test_a_spam_damaged_issuer_is_flagged_and_kept_out_of_the_name() -> None:
    text = (
        "大发888娱乐_官网APP@\n联合发文\n"
        "中共某某市委办公厅、大发888娱乐_官网APP@办公厅印发《关于深化医改的实施意见》的通知\n"
        "某办通〔2018〕23号\n各县(市)区党委和人民政府:\n现印发给你们。\n"
        "中共某某市委办公厅\n\n大发888娱乐_官网APP@办公厅\n\n2018年5月2日\n"
    )
    header = extract_header(normalise(text))
    assert [(i.name, i.damaged) for i in header.issuers] == [("中共某某市委办公厅", False), ("办公厅", True)]
    assert header.title is not None and header.title.startswith("中共某某市委办公厅、")
    assert header.doc_number is not None and header.doc_number.normalised == "某办通〔2018〕23号"


def test_letterhead_and_title_after_the_doc_number() -> None:
    text = (
        "某某省深化医药卫生体制改革 领导小组文件\n\n某医改组发〔2019〕1号\n\n"
        "某某省深化医药卫生体制改革领导小组 关于印发《进一步 深化医改的实施方案》的通知\n\n"
        "各市深化医药卫生体制改革领导小组：\n现印发给你们。\n\n某某省深化医药卫生体制改革领导小组\n\n2019年12月26日\n"
    )
    header = extract_header(normalise(text))
    assert header.title == "某某省深化医药卫生体制改革领导小组关于印发《进一步深化医改的实施方案》的通知"
    assert [i.name for i in header.issuers] == ["某某省深化医药卫生体制改革领导小组"]
    assert header.level_hint == "province"


def test_an_excerpt_without_header_has_no_title() -> None:
    text = "（三）完善医保支付。推进按疾病诊断相关分组付费，到2020年覆盖所有医疗机构。（市医保局负责）"
    header = extract_header(normalise(text))
    assert header.title is None
    assert header.doc_number is None
    assert header.issue_date is None


def test_traditional_characters_in_the_header() -> None:
    text = "某某縣人民政府關於推進醫療衛生服務共同體建設的通知\n某府發〔2020〕8號\n各鄉鎮人民政府：\n現通知如下。\n某某縣人民政府\n2020年3月1日\n"
    header = extract_header(normalise(text))
    assert header.title == "某某縣人民政府關於推進醫療衛生服務共同體建設的通知"  # as printed
    assert header.doc_number is not None and header.doc_number.normalised == "某府发〔2020〕8号"
    assert header.level_hint == "county"


@pytest.mark.parametrize(
    ("number", "adcode"),
    [
        ("国办发〔2017〕37号", "100000"),
        ("厅字〔2016〕36号", "100000"),
        ("国卫体改发〔2018〕26号", "100000"),
        ("浙政办发〔2016〕49号", "330000"),
        ("云厅字〔2017〕29号", "530000"),
        ("云府办〔2019〕12号", "445300"),
    ],
)
def test_the_issuer_of_a_cited_document_is_read_from_its_doc_number(number: str, adcode: str) -> None:
    from policykg.loaders.gazetteer import load_gazetteer
    from policykg.loaders.metadata import doc_number_issuer

    [parsed] = find_doc_numbers(number)
    issuer = doc_number_issuer(load_gazetteer(), parsed)
    assert issuer is not None and issuer.adcode == adcode
