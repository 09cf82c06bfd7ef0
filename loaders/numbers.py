"""Chinese numerals and calendar dates as printed in policy documents.

Written here (not with cn2an) because documents print zero in dates as ○ (U+25CB WHITE
CIRCLE) as often as 〇 (U+3007) or 零, mix Arabic digits with Chinese magnitudes (1.5万),
and group thousands with commas (3,000).

- `parse_chinese_number("二十一") == Decimal(21)`; also 两千, 一百零五, 1.5万, 3,000, 一点五,
  financial forms (壹贰叁…拾佰仟), 廿/卅 (20/30, found in dates), and digit-by-digit runs
  without magnitudes (二○一二 → 2012, as years are written). Anything else → None.
- `parse_chinese_date("二○一二年三月二十一日") == date(2012, 3, 21)`; also 2017年6月21日,
  2012.3.21, 2012-03-21, 2012/3/21, with 日 or 号 and spaces between parts. A date must have
  a year, a month and a day, and exist in the calendar; otherwise None.
- `find_dates(text)` → every full date in `text` with its local span.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "○": 0, "◯": 0, "Ｏ": 0,
    "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
    "壹": 1, "贰": 2, "貳": 2, "叁": 3, "參": 3, "肆": 4, "伍": 5, "陆": 6, "陸": 6,
    "柒": 7, "捌": 8, "玖": 9,
}
# Zero characters: they separate places (一百零五) and never stand before a magnitude.
_ZEROS = frozenset("零〇○◯Ｏ")
_SMALL_UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNITS: dict[str, int] = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
# 廿 and 卅 are single characters for 20 and 30 (廿一日 = the 21st).
_TENS_SHORTHAND: dict[str, int] = {"廿": 20, "卅": 30}

CHINESE_NUMERAL_CHARS = "".join(_DIGITS) + "".join(_SMALL_UNITS) + "".join(_BIG_UNITS) + "".join(_TENS_SHORTHAND)
"""Every character `parse_chinese_number` reads besides ASCII digits, `.`, `,` and 点."""

_ASCII_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９．，", "0123456789.,")


def parse_chinese_number(s: str) -> Decimal | None:
    """The value of a number written in Arabic digits, Chinese numerals or a mix of both.

    Returns None when `s` is not one number (empty, trailing text, 二三百-style estimates).
    """
    s = s.strip().translate(_FULLWIDTH_DIGITS).replace(" ", "")
    if not s:
        return None
    if _ASCII_NUMBER.fullmatch(s):
        return Decimal(s.replace(",", ""))
    if "点" in s:
        whole, _, rest = s.partition("点")
        return _parse_decimal_point(whole, rest)
    if all(ch in _DIGITS for ch in s):
        if len(s) == 1:
            return Decimal(_DIGITS[s])
        # A run of digits without magnitudes is read digit by digit, as years are (二○一二).
        # 两 is never used this way.
        if "两" in s:
            return None
        return Decimal("".join(str(_DIGITS[ch]) for ch in s))
    return _parse_with_units(s)


def _parse_decimal_point(whole: str, rest: str) -> Decimal | None:
    """一点五, 十一点五, 一点五万: the fraction's digits, then optional magnitudes."""
    digits = ""
    i = 0
    while i < len(rest) and rest[i] in _DIGITS and rest[i] != "两":
        digits += str(_DIGITS[rest[i]])
        i += 1
    if not digits:
        return None
    integer = parse_chinese_number(whole) if whole else Decimal(0)
    if integer is None:
        return None
    value = integer + Decimal("0." + digits)
    for ch in rest[i:]:
        if ch in _SMALL_UNITS:
            value *= _SMALL_UNITS[ch]
        elif ch in _BIG_UNITS:
            value *= _BIG_UNITS[ch]
        else:
            return None
    return value


def _parse_with_units(s: str) -> Decimal | None:
    """Positional reading with magnitudes: sections below 万 accumulate into 万 and 亿."""
    total = Decimal(0)  # completed 亿 sections
    wan_section = Decimal(0)  # completed 万 section inside the current 亿 section
    small = Decimal(0)  # below 万
    pending: Decimal | None = None  # a digit (or an Arabic number) not yet given a place
    last_small_unit = 10_000  # small units must descend: 千 … 百 … 十
    last_big_unit = 10**17
    seen_zero = False
    i = 0
    while i < len(s):
        ch = s[i]
        match = _ASCII_NUMBER.match(s, i)
        if match:
            if pending is not None:
                return None
            pending = Decimal(match.group().replace(",", ""))
            i = match.end()
            continue
        if ch in _ZEROS:
            if pending is not None:
                return None
            seen_zero = True
        elif ch in _DIGITS:
            if pending is not None:  # 二三百: an estimate, not a number
                return None
            pending = Decimal(_DIGITS[ch])
        elif ch in _TENS_SHORTHAND:
            if pending is not None or last_small_unit <= 10:
                return None
            small += _TENS_SHORTHAND[ch]
            last_small_unit = 10
        elif ch in _SMALL_UNITS:
            unit = _SMALL_UNITS[ch]
            if unit >= last_small_unit:
                return None
            if pending is None:
                # A bare 十 counts one ten at the head of a section (十二, 十万) or after a
                # zero (一百零十 is rare but read); 百 and 千 need a digit before them.
                if unit != 10 or (small and not seen_zero):
                    return None
                pending = Decimal(1)
            small += pending * unit
            pending = None
            last_small_unit = unit
        elif ch in _BIG_UNITS:
            unit = _BIG_UNITS[ch]
            section = small + (pending or 0)
            if section == 0 and unit == 10_000 and wan_section == 0 and not total:
                return None
            if unit == 100_000_000:
                if unit >= last_big_unit:
                    return None
                total = (total + wan_section + section) * unit
                wan_section = Decimal(0)
            else:
                if unit >= last_big_unit:
                    return None
                wan_section = section * unit
            small = Decimal(0)
            pending = None
            last_small_unit = 10_000
            last_big_unit = unit
            seen_zero = False
        else:
            return None
        i += 1
    if pending is not None:
        # A trailing digit after a magnitude is one place lower in colloquial writing
        # (两千五 = 2500, 一万二 = 12000) unless a zero intervened (一千零五 = 1005).
        if not seen_zero and last_small_unit in (100, 1000) and small:
            pending *= last_small_unit // 10
        elif not seen_zero and last_small_unit == 10_000 and last_big_unit == 10_000 and wan_section:
            pending *= 1000
        small += pending
    return total + wan_section + small


# --- dates ---------------------------------------------------------------------------------

_CN_DIGIT_CLASS = "零〇○◯一二三四五六七八九"
_CN_NUM_CLASS = _CN_DIGIT_CLASS + "十廿卅两"
_YEAR = rf"(?:(?:19|20)\d{{2}}|[{_CN_DIGIT_CLASS}]{{4}})"
_MONTH_DAY = rf"(?:\d{{1,2}}|[{_CN_NUM_CLASS}]{{1,3}})"
_CHINESE_STYLE = re.compile(
    rf"(?P<y>{_YEAR})\s*年\s*(?P<m>{_MONTH_DAY})\s*月\s*(?P<d>{_MONTH_DAY})\s*[日号]"
)
# 2012.3.21 / 2012-03-21 / 2012/3/21 (one separator throughout); not inside longer numbers.
_NUMERIC_STYLE = re.compile(
    r"(?<![\d.\-/])(?P<y>(?:19|20)\d{2})(?P<sep>[.\-/])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?![\d]|\.\d)"
)


@dataclass(frozen=True, slots=True)
class DateMention:
    """A full calendar date found in a text; `start`/`end` are local offsets."""

    day: date
    start: int
    end: int


def _make_date(y: str, m: str, d: str) -> date | None:
    year, month, day = (parse_chinese_number(part) for part in (y, m, d))
    if year is None or month is None or day is None:
        return None
    if any(part != part.to_integral_value() for part in (year, month, day)):
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def parse_chinese_date(s: str) -> date | None:
    """The date `s` spells out entirely (surrounding spaces allowed), or None."""
    s = s.strip().translate(_FULLWIDTH_DIGITS)
    for pattern in (_CHINESE_STYLE, _NUMERIC_STYLE):
        match = pattern.fullmatch(s)
        if match:
            return _make_date(match["y"], match["m"], match["d"])
    return None


def find_dates(text: str) -> list[DateMention]:
    """Every full date (year, month and day) in `text`, in reading order."""
    found: list[DateMention] = []
    for pattern in (_CHINESE_STYLE, _NUMERIC_STYLE):
        for match in pattern.finditer(text):
            if pattern is _CHINESE_STYLE and match.start() > 0 and text[match.start() - 1].isdigit():
                continue  # 12017年… is not a year
            day = _make_date(match["y"], match["m"], match["d"])
            if day is not None:
                found.append(DateMention(day=day, start=match.start(), end=match.end()))
    found.sort(key=lambda mention: mention.start)
    return found


def year_value(s: str) -> int | None:
    """A year written in Arabic digits or digit by digit in Chinese (二○二○) → int."""
    value = parse_chinese_number(s)
    if value is None or value != value.to_integral_value():
        return None
    return int(value)


__all__ = [
    "CHINESE_NUMERAL_CHARS",
    "DateMention",
    "find_dates",
    "parse_chinese_date",
    "parse_chinese_number",
    "year_value",
]
