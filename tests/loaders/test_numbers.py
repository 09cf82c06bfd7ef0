"""Chinese numerals and dates as policy documents print them."""

from datetime import date
from decimal import Decimal

import pytest

from policykg.loaders.numbers import DateMention, find_dates, parse_chinese_date, parse_chinese_number


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("3000", 3000),
        ("3,000", 3000),
        ("12,500.5", Decimal("12500.5")),
        ("2.5", Decimal("2.5")),
        ("1.5万", 15000),
        ("3千", 3000),
        ("2万5千", 25000),
        ("十", 10),
        ("十二", 12),
        ("二十一", 21),
        ("九十", 90),
        ("一百零五", 105),
        ("一千零五十", 1050),
        ("两千", 2000),
        ("两千五", 2500),
        ("三百五", 350),
        ("一万二", 12000),
        ("一万零二", 10002),
        ("十二万", 120000),
        ("五十万", 500000),
        ("一亿二千万", 120_000_000),
        ("两", 2),
        ("零", 0),
        ("〇", 0),
        ("一点五", Decimal("1.5")),
        ("十一点五", Decimal("11.5")),
        ("一点五万", 15000),
        ("壹佰贰拾", 120),
        ("廿一", 21),
        ("卅", 30),
        # digit-by-digit runs, as years are written; ○ (U+25CB) is as common as 〇 (U+3007)
        ("二○一二", 2012),
        ("二〇一二", 2012),
        ("二零二零", 2020),
        (" 3000 ", 3000),
        ("３０００", 3000),
    ],
)
def test_parse_chinese_number(written, value):
    assert parse_chinese_number(written) == Decimal(value)


@pytest.mark.parametrize("written", ["", "abc", "二三百", "十十", "百", "千", "万", "三千多", "3000人", "1.2.3", "十三五"])
def test_parse_chinese_number_rejects(written):
    assert parse_chinese_number(written) is None


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("2017年6月21日", date(2017, 6, 21)),
        ("二○一二年三月二十一日", date(2012, 3, 21)),
        ("二〇一二年三月二十一日", date(2012, 3, 21)),
        ("二零二零年十二月三十一日", date(2020, 12, 31)),
        ("二〇〇九年十月一日", date(2009, 10, 1)),
        ("2012.3.21", date(2012, 3, 21)),
        ("2012-03-21", date(2012, 3, 21)),
        ("2012/3/21", date(2012, 3, 21)),
        ("2020 年 1 月 5 日", date(2020, 1, 5)),
        ("2019年12月26号", date(2019, 12, 26)),
        ("  2024年2月29日 ", date(2024, 2, 29)),
    ],
)
def test_parse_chinese_date(written, day):
    assert parse_chinese_date(written) == day


@pytest.mark.parametrize(
    "written",
    ["2019年2月30日", "2017年6月", "2017年", "2012.3-21", "2012.13.1", "17年6月21日", "2017年6月21日印发", ""],
)
def test_parse_chinese_date_rejects(written):
    assert parse_chinese_date(written) is None


def test_find_dates_spans_and_forms():
    text = "湖南省人民政府办公厅\n2016年4月8日\n(此件公开发布) 另见二○一二年三月二十一日通知及2012.3.21会议"
    found = find_dates(text)
    assert [m.day for m in found] == [date(2016, 4, 8), date(2012, 3, 21), date(2012, 3, 21)]
    for mention in found:
        assert isinstance(mention, DateMention)
        assert parse_chinese_date(text[mention.start:mention.end]) == mention.day


def test_find_dates_skips_partial_dates_numbers_and_impossible_days():
    text = "2018年5月启动,到2020年底完成;版本1.2.3;编号12017.3.21;2019年2月30日;2021-4-31"
    assert find_dates(text) == []
