"""Quantitative targets and deadlines in the text of one measure.

Input is the matching view (`policykg.loaders.text.normalise(...).text`): ASCII ( ) , : ; %
and digits; 、。“”《》〔〕—～ kept. Positions in the results are LOCAL offsets into the string
given (0-based, half-open). Pure functions; any length of text (a clause, a measure, a whole
document) may be given.

A target is a number the document sets as a goal, standard, floor, cap or count: coverage
rates, shares, caps on growth, subsidy amounts, counts to build or select, ratios per
population. Reading is value-centred: every number with a unit is found, then the words
around it decide whether a goal word governs it and how:

    [deadline] [scope] indicator [adverb] VERB/COMPARATOR [per] value unit [以上/以下/左右…]
    [deadline] [scope] [per] COUNT-VERB [comparator] value measure-word counted-thing
    实现 indicator value、indicator value 的目标          (a list under one goal verb)
    [力争/确保/选择] value% 的 thing …                    (a share of units that must …)
    按(照) [per/base] value 的标准/的比例 给予 thing      (a standard amount or ratio)

Comparators: >= 以上/不低于/不少于/至少/达到 (bare)/实现…的目标 (拥有2名…的目标);
<= 以下/以内/不超过/不高于/上限为/控制在 (bare); ~ 左右/约/上下; = 提高到/调整为/降到/
稳定在 (bare)/为 and exact counts (建成50个, 每个县建好1所, 选择1个, 都有1所) and changes
(下降10%, 提高5个百分点: the change verb stays in the indicator); < 低于/少于; > 高于/超过;
between for ranges (1—2个, 1至2个, 3-10万人, 30%—35%). An explicit comparator word always
wins over a verb's default (稳定在95%以上 → >=, 提高到不低于10万元 → >=, 至少配备1名 → >=).

Fields:
- indicator — as printed, trimmed of framing words, adverbs, the scope, 控制目标, alias notes
  (以下简称…) and a trailing parenthetical qualifier (药占比(不含中药饮片) → 药占比; an inner
  one stays: 百元医疗收入(不含药品收入)消耗卫生材料). For counts it is the counted thing
  without the predicate after it (1所乡镇卫生院开展医养结合服务 → 乡镇卫生院); for shares it
  is the thing and its predicate (100%的县级医院达到二级甲等水平 → 县级医院达到二级甲等水平).
  A value with no indicator of its own (且不低于8万元; 三级医院不低于70%) takes the one
  before it in the sentence.
- unit — 万/亿/千 stay in the unit (10万元 → 10, 万元; 五十万元 likewise); per-person and
  per-period words adjacent to the value are appended (每人每年430元 → 元/人/年, 每张床位每年
  → 元/床/年); N个月平均支出水平 → unit 个月平均支出水平.
- per — a per-population ratio kept exact (每千常住人口, 每万名服务人口, and printed
  alternatives: 每个街道办事处范围或每3—10万居民), a distributive unit (每个县(市、区),
  每家市级医院, 每名乡村医生), or the base of a relative value (人均纯收入的8倍, 筹资总额的20%,
  按照服务人口1‰的比例 → 服务人口).
- baseline — 由/从 X 提高到/降低到 Y: X (its own value is never a target).
- scope — a leading who/where (全省, 城市公立医院, 试点县(市、区), 各统筹地区), a locative
  (在11个市各选择 → 11个市), a clause of only 对 + a group (对经济薄弱地区的村卫生室,…), else
  the scope of the previous target in the same sentence.
- deadline — the nearest deadline before the value in its sentence, else the first after it
  there, else (table rows) the first later on the same line.
- text/start/end — the clause(s) read, from the earliest clause that gave the deadline,
  the indicator or the scope to the end of the value's clause.

Not targets (each a rule of policy prose, not of one document):
- years, dates and deadlines; ages (65岁以上); anything inside “ ” ‘ ’ 「 」 《 》 〔 〕 【 】;
  document numbers; ordinals and grades (第三, 三级医院, 二级以上, 三甲, 十三五): no unit;
- counts not governed by a goal word: descriptive counts (三个部门, 11项培训项目), the
  document describing itself (以下四个重点监测指标), locatives (在15个县开展), facts (共有);
- enumerations summarised with 等 whose count equals the names listed (分级诊疗、…、综合监管
  等五项制度). A count of categories (类/大类/种) larger than the examples before 等 IS a
  target (尿毒症等8类大病, 神经外科等四大类医用耗材: "=");
- facts: after 已/已经, in a sentence opened by 截至, or dated by a bare year with a plain
  copula and no word of planning (2016年,全省县域内就诊率为85%);
- selecting conditions: a compared value followed by 的 + noun (病床使用率低于85%的公立医院,
  千人床位数已经达到4张的县), and any value followed by 的 in a clause opened by 对 — unless
  a verb of provision precedes (提供不少于2周的免费培训 is a target);
- a base without a floor (在现有50%的基础上); 在不低于50%的基础上有所提高 IS a target (>=);
- frequencies: units 次/遍/轮, 个半天, and values right after 每年/每月/每N年 with no goal word
  (每5年轮训一遍, 每周安排2个半天出诊). 每年培养100名 keeps 每年 in the unit (名/年);
- durations: 年 is never a target unit; 天/日/工作日/小时/分钟/周/个月 only with an explicit
  comparator, 以内/以下/左右/以上, or a cap/level verb (平均住院日控制在9天以内). Bare time
  limits (24小时内反馈, 5个工作日内办结) are not targets;
- 一 + measure word with no comparator is an article (建立一个平台), not a count.

Deadlines: 到2020年 / 2018年底(前) / 2019年12月底前 / 2020年6月30日前 / 2021年上半年 / 年底前 /
年内 → "by"; 2020—2022年(期间) → "during"; 2020-2022年每年, 每年2月底前, 自2021年起每年 →
"each"; 从2020年起 / 自2022年1月1日起 → "from". `month` is set only when the deadline names a
part of a year (12月底 → 12, 上半年 → 6, 第三季度 → 9); a whole year (2018年底) leaves it
None. For a span of years `year` is the last year. A bare "2020年" is a deadline only: alone
in a table cell; after 于/在/实现/力争/争取/确保; or opening a clause and followed by "," or
an action or actor word (2018年鼓励…, 2010年各级政府…). Not deadlines: 2012年度…, 2017年是…,
2017年重点工作任务, 2018年以来, 截至2016年底, a full date in running text (a signing or meeting
date), anything inside 《》 or 〔〕. Chinese-digit years (二○二○年底前) are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Literal

from .numbers import parse_chinese_number, year_value

Comparator = Literal[">=", "<=", "~", "=", "<", ">", "between"]
DeadlineKind = Literal["by", "during", "each", "from"]


@dataclass(frozen=True, slots=True)
class Deadline:
    """A time by which (or from which, or during which) something must be done."""

    text: str
    year: int | None
    month: int | None
    kind: DeadlineKind
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Target:
    """One quantitative goal; `text`/`start`/`end` are the clause(s) it was read from."""

    indicator: str
    comparator: Comparator
    value: Decimal
    value_max: Decimal | None
    unit: str | None
    per: str | None
    baseline: Decimal | None
    deadline: Deadline | None
    scope: str | None
    text: str
    start: int
    end: int


# --- shared pieces ---------------------------------------------------------------------------

_CJK = "\u4e00-\u9fff"
_CN_DIGIT = "零〇○一二三四五六七八九"
_YEAR = rf"(?:(?:19|20)\d{{2}}|[{_CN_DIGIT}]{{4}})"
_MONTH = r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_DAY = r"(?:3[01]|[12]\d|0?[1-9]|[二三]?十[一二三四五六七八九]?|[一二三四五六七八九])"
_RANGE_SEP = r"(?:—{1,2}|–|-|－|～|~|至|到)"
_ASCII_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CN_NUM = rf"[{_CN_DIGIT}十两百千万亿]+(?:点[{_CN_DIGIT}]+)?"


def _cn_month(s: str | None) -> int | None:
    if not s:
        return None
    value = parse_chinese_number(s)
    return int(value) if value is not None else None


# --- deadlines -------------------------------------------------------------------------------

_DEADLINE_TAIL = (
    r"年底前|年底以前|年底之前|年末前|年底|年末|底前|底以前|底之前|底|末前|末|以前|之前|前|"
    r"上半年|下半年|第[一二三四]季度|[一二三四]季度|中旬前|上旬前|下旬前|"
    r"起每年|开始每年|起|开始|以后|之后|内"
)
_YEAR_RANGE = re.compile(
    rf"(?P<lead>从|自|到|至)?(?P<y1>{_YEAR}) *年? *{_RANGE_SEP} *(?P<y2>{_YEAR}) *年(?:度)?"
    rf"(?P<tail>期间|间)?(?P<each> *每年)?"
)
_YEAR_POINT = re.compile(
    rf"(?P<lead>到|至|从|自)? *(?P<y>{_YEAR}) *年 *"
    rf"(?:(?P<m>{_MONTH}) *月份? *(?:(?P<d>{_DAY}) *[日号])?)? *(?P<tail>{_DEADLINE_TAIL})?"
)
_EACH_YEAR_MONTH = re.compile(rf"每年 *(?P<m>{_MONTH}) *月份? *(?:底|末)? *(?:前|以前|之前)?")
_THIS_YEAR = re.compile(r"(?:今年|本年度?)?(?:年底前|年底之前|年底|年内|年末前)")
# Words before a bare year that make it a time something is to be done by.
_YEAR_CUES_BEFORE = ("于", "在", "实现", "力争", "争取", "确保", "预计", "计划", "要在", "将在")
# After a year that opens a clause, words that make it the time of what follows
# (2018年鼓励…, 2010年各级政府…); 2017年重点工作任务 and 2017年我省… are titles and narrative.
_YEAR_FOLLOWERS = ("各级", "各地", "全省", "全市", "全县", "全区", "全国", "要", "将", "力争", "争取", "基本",
                   "全面", "实现", "完成", "建成", "鼓励", "推进", "推动", "开展", "启动", "试行", "实行")


def _opens_a_clause(text: str, start: int) -> bool:
    before = text[:start].rstrip(" ")
    return not before or before[-1] in "\n\t。;,:!?"


_PART_OF_YEAR_MONTH = {"上半年": 6, "下半年": 12, "第一季度": 3, "一季度": 3, "第二季度": 6,
                       "二季度": 6, "第三季度": 9, "三季度": 9, "第四季度": 12, "四季度": 12}


def _standalone(text: str, start: int, end: int) -> bool:
    """True when only spaces separate the span from a line/cell boundary on both sides."""
    before = text[:start].rstrip(" ")
    after = text[end:].lstrip(" ")
    return (not before or before[-1] in "\n\t") and (not after or after[0] in "\n\t")


def extract_deadlines(text: str) -> list[Deadline]:
    """Every deadline in `text`, in reading order (see the module docstring for the forms)."""
    return list(_deadlines(text))


# A measure's text is read for its deadline and then for its targets: read deadlines once.
@lru_cache(maxsize=8)
def _deadlines(text: str) -> tuple[Deadline, ...]:
    if "年" not in text:
        return ()  # every form below names 年 (most measures name no year)
    blocked = _bracketed_mask(text)
    found: list[Deadline] = []
    taken = bytearray(len(text))

    def add(start: int, end: int, year: int | None, month: int | None, kind: DeadlineKind) -> None:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if any(blocked[start:end]) or any(taken[start:end]):
            return
        _fill(taken, start, end)
        found.append(Deadline(text=text[start:end], year=year, month=month, kind=kind, start=start, end=end))

    for match in _YEAR_RANGE.finditer(text):
        y1, y2 = year_value(match["y1"]), year_value(match["y2"])
        if y1 is None or y2 is None or not y1 < y2 <= y1 + 30:
            continue
        start = match.start("lead") if match["lead"] in ("从", "自", "到", "至") else match.start("y1")
        add(start, match.end(), y2, None, "each" if match["each"] else "during")

    for match in _YEAR_POINT.finditer(text):
        year = year_value(match["y"])
        if year is None or not 1949 <= year <= 2100:
            continue
        if match.start("y") > 0 and text[match.start("y") - 1].isdigit():
            continue
        lead, tail, day = match["lead"], match["tail"], match["d"]
        following = text[match.end():match.end() + 2]
        year_end = match.end("y")
        if not match["m"] and text[year_end:].lstrip(" ").startswith("年度") and not lead:
            continue  # 2012年度主要工作安排: a year named, not a deadline
        if following.startswith(("以来", "来")) or (tail is None and following[:1] == "是"):
            continue
        before = text[max(0, match.start() - 4):match.start()].rstrip(" ")
        if text[max(0, match.start("y") - 4):match.start("y")].rstrip(" ").endswith(("截至", "截止", "截止到")):
            continue  # 截至2016年底: a status date, not a deadline
        kind: DeadlineKind = "by"
        if lead in ("从", "自") or (tail and tail.startswith(("起", "开始", "以后", "之后"))):
            kind = "each" if tail and tail.endswith("每年") else "from"
        if tail is None:
            cued = lead in ("到", "至") or before.endswith(_YEAR_CUES_BEFORE) or (
                not match["m"] and _opens_a_clause(text, match.start()) and (
                    text[match.end():].lstrip(" ")[:1] in (",", ":")
                    or text[match.end():].lstrip(" ").startswith(_YEAR_FOLLOWERS)))
            if not cued and not _standalone(text, match.start(), match.start() + len(match.group().rstrip())):
                continue
            if day and not lead:
                continue  # a full date in running text (a signing or meeting date)
        elif day and tail not in ("前", "以前", "之前", "起", "开始", "以后", "之后"):
            continue
        if tail == "内" and (match["m"] or day):
            continue
        month = int(parse_chinese_number(match["m"])) if match["m"] else None
        if tail in _PART_OF_YEAR_MONTH:
            month = _PART_OF_YEAR_MONTH[tail]
        start = match.start("lead") if lead else match.start("y")
        add(start, match.end(), year, month, kind)

    for match in _EACH_YEAR_MONTH.finditer(text):
        add(match.start(), match.end(), None, _cn_month(match["m"]), "each")

    for match in _THIS_YEAR.finditer(text):
        prev = text[match.start() - 1] if match.start() else ""
        if prev and (prev.isdigit() or prev in f"{_CN_DIGIT}十两每近多年当次上下去明"):
            continue
        add(match.start(), match.end(), None, None, "by")

    found.sort(key=lambda d: d.start)
    return tuple(found)


def measure_deadline(text: str) -> Deadline | None:
    """The deadline that governs a measure: the first "by" deadline, else the first one."""
    deadlines = _deadlines(text)
    for deadline in deadlines:
        if deadline.kind == "by":
            return deadline
    return deadlines[0] if deadlines else None


# --- masks -----------------------------------------------------------------------------------

_BRACKETS = (("“", "”"), ("‘", "’"), ("「", "」"), ("『", "』"), ("《", "》"), ("〔", "〕"), ("【", "】"))


def _bracketed_mask(text: str) -> bytearray:
    """1 for every character inside quotes, book titles, document-number and heading brackets."""
    mask = bytearray(len(text))
    for open_, close in _BRACKETS:
        i = text.find(open_)
        while i != -1:
            j = text.find(close, i + 1)
            if j == -1 or j - i > 400:
                i = text.find(open_, i + 1)
                continue
            _fill(mask, i, j + 1)
            i = text.find(open_, j + 1)
    for match in _ASCII_QUOTED.finditer(text):
        _fill(mask, *match.span())
    return mask


_ASCII_QUOTED = re.compile(r'"[^"\n]{1,60}"')


def _contains_any(text: str, characters: str) -> bool:
    for ch in characters:
        if ch in text:
            return True
    return False


def _fill(mask: bytearray, start: int, end: int) -> None:
    """Set mask[start:end] to 1 (in one slice assignment rather than a Python loop)."""
    mask[start:end] = b"\x01" * (end - start)


# Each with the characters one of which every match contains: most measures name no year,
# age, ratio or 号, and a text without any of them is not scanned for the pattern at all.
_NON_VALUE_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"[\[(]\s*{_YEAR}\s*[\])]\s*\d+\s*号"), "号"),  # 浙医改办 [2017] 7号
    (re.compile(rf"{_YEAR}\s*年(?:度)?"), "年"),  # any year
    (
        re.compile(rf"(?:{_ASCII_NUM}|{_CN_NUM})\s*(?:{_RANGE_SEP}\s*(?:{_ASCII_NUM}|{_CN_NUM}))?\s*(?:周岁|岁|个?月龄)"),
        "岁龄",
    ),
    (re.compile(r"[\d一二三四五六七八九十]+(?:\s*\+\s*[\d一二三四五六七八九十]+)+"), "+"),  # 1+1+1
    (re.compile(r"\d+\s*[:∶]\s*\d+"), ":∶"),  # ratios and clock times
    (re.compile(rf"第[\d{_CN_DIGIT}十百两]+"), "第"),  # ordinals
    (re.compile(r"\d+\s*号"), "号"),
]


# --- lexicon of governing words --------------------------------------------------------------

# (pattern, kind, comparator). Kinds: cmp — an explicit comparator; set — a level to reach;
# cap — a ceiling verb; goal — 达到/实现; change — a change by an amount (the verb belongs to
# the indicator); count — build/select/train N things; have — N things exist per unit.
# Single characters govern only right before a number (签约率 holds 约, 所有 holds 有).
_NEXT_IS_NUMBER = rf"(?=\s*(?:\d|[{_CN_DIGIT}十两]|百分之|每|不|约))"
_GOVERNORS: list[tuple[str, str, Comparator]] = [
    (r"达到或超过|达到或高于|不低于|不少于|不小于|不得低于|不得少于|不应低于|不应少于|至少有|至少|最少|下限(?:均|分别)?为", "cmp", ">="),
    (r"不超过|不高于|不大于|不多于|不得超过|不得高于|不应超过|不宜超过|最多|最高不超过|上限(?:均|分别)?为|封顶", "cmp", "<="),
    (r"低于|少于|小于|不足", "cmp", "<"),
    (r"高于|超过|多于|大于", "cmp", ">"),
    (rf"约为|大约|大概|约{_NEXT_IS_NUMBER}", "cmp", "~"),
    (r"控制在|控制到|控制于|限制在|限定在|压缩在|控制", "cap", "<="),
    (r"(?:提高|提升|增加|增长|上升|扩大|降低|下降|减少|缩短|压缩|调整|增|降|减|升)(?:到|至|为)|降到|降至|"
     rf"稳定在|保持在|维持在|定为|确定为|设定为|统一为|分别为|均为|为{_NEXT_IS_NUMBER}", "set", "="),
    (rf"达到|达{_NEXT_IS_NUMBER}|实现", "goal", ">="),
    (r"提高|提升|增加|增长|上升|扩大|降低|下降|减少|缩短|压缩|节约|节省|减轻", "change", "="),
    (r"规划设置|建成|建设|建好|办好|建立|新建|新增|增设|改扩建|扩建|设置|设立|配置|配备|培养|培训|"
     r"招聘|招收|引进|遴选|选取|选择|选定|确定|认定|评选|创建|打造|扶持|组建|派驻|选派|下派|推出|开设|培育|"
     rf"安排|投入|筹集|下达|拨付|(?:补助|补贴|奖补){_NEXT_IS_NUMBER}", "count", "="),
    (rf"拥有|都有|均有|各有|有{_NEXT_IS_NUMBER}", "have", "="),
]
_GOVERNOR_RE = re.compile("|".join(f"(?P<g{i}>{p})" for i, (p, _, _) in enumerate(_GOVERNORS)))
_ADVERB = r"(?:均|都|分别|各|总体上?|总|再|共|累计|平均|全部|率先|力争|要|应|须|原则上|一般|逐步|基本|进一步|新|每年)"
_APPROX_SUFFIX = {"以上": ">=", "及以上": ">=", "或以上": ">=", "以下": "<=", "及以下": "<=", "或以下": "<=",
                  "以内": "<=", "之内": "<=", "内": "<=", "左右": "~", "上下": "~"}
_SUFFIX_RE = re.compile(r"\s*(及以上|或以上|以上|及以下|或以下|以下|以内|之内|左右|上下(?=[,;。)\s]|$)|内)")

_PER_POPULATION = re.compile(
    rf"每\s*(?:[十百千万]|十万|(?:{_ASCII_NUM})(?:\s*{_RANGE_SEP}\s*(?:{_ASCII_NUM}))?\s*[万千]?|[一二三四五六七八九十]+[万千]?)"
    r"\s*(?:名|个)?(?:常住|户籍|服务|农业|城镇|城市|农村|城乡)?(?:人口|居民|人|老年人|老人|儿童|新生儿|孕产妇|妇女)"
)
_PER_UNIT = re.compile(r"(?:每(?:人次|人|年|月|天|日|床日|张床位|张床|床位|床|例|次|户|周))+")
_PER_UNIT_SUFFIX = {"人次": "/人次", "人": "/人", "年": "/年", "月": "/月", "天": "/日", "日": "/日",
                    "床日": "/床日", "张床位": "/床", "张床": "/床", "床位": "/床", "床": "/床", "例": "/例",
                    "次": "/次", "户": "/户", "周": "/周"}
_PER_DISTRIBUTIVE = re.compile(
    rf"每(?![天日周月年人次名位])(?:个|家|所|一个|一所|一家)?[{_CJK}]{{0,8}}"
    r"(?:县|市|区|乡镇|乡|镇|街道办事处|街道|行政村|村|社区|医院|卫生院|卫生室|机构|医联体|医共体|省|团队|科室)"
    r"(?:\([^)]{1,8}\))?"
    rf"|每(?:名|位)[{_CJK}]{{0,6}}?(?:医生|医师|护士|人员|职工|居民|患者|老人|儿童|学员)"
)
_SCOPE_HEAD = re.compile(
    r"(?:全省|全市|全区|全县|全州|全国|全盟|全旗|本省|本市|本县|本区|我省|我市|我县|我区|"
    r"各地区?|各省|各市|各县|各区|各州|各设区市|各统筹地区)(?:\([^)]{1,10}\))?"
    r"|(?:公立医院|医院|医疗机构|医疗卫生机构|卫生机构|卫生院|卫生室|统筹地区|地区|城市|"
    r"县\([^)]{1,10}\)|县市区|县区|市县|设区市|地市|乡镇|街道|行政村|省份|试点县|试点市|试点地区)"
    r"(?:\([^)]{1,10}\))?"
)

_SCOPE_HEAD_BROAD = re.compile(
    _SCOPE_HEAD.pattern + r"|(?:[\u4e00-\u9fff]*?(?:中心|团队|学校|企业|药店|门诊部|服务站|站|单位))(?:\([^)]{1,10}\))?"
)

_UNIT_RE = re.compile(
    r"个百分点|百分点|%|‰|人次|人日|床日|个月|个工作日|工作日|平方米|公里|千米|元|人(?![员民口群才事])|名(?![单称义录])|"
    r"位(?![于置])|个(?![人体性案别])|张|床(?![位日])|倍|所(?![有在属需得以谓])|家(?![庭属族中里])|种(?![植子类])|"
    r"大类|类(?![似别])|项(?!目)|支(?![付持出撑])|台(?![湾账])|套(?!餐)|辆|户(?![籍口外])|间(?!隔)|座(?!谈)|"
    r"次|遍|轮|天(?![然津地])|日(?![常益前后起])|小时|分钟|周(?![边期转围])|批(?![准复])|例(?!如)|份(?!额)|"
    r"条(?![件例])|处(?![理置方])|件|万|亿"
)
_UNIT_PER_TAIL = re.compile(r"(?:/(?:人次|人年|人·年|人|年|月|日|天|床日|床|次|例|户))+")
_TIME_UNITS = frozenset({"个月", "天", "日", "个工作日", "工作日", "小时", "分钟", "周"})
_RELATIVE_UNITS = frozenset({"%", "‰", "倍"})
_CATEGORY_UNITS = frozenset({"类", "大类", "种"})
# N个月平均支出水平: a time unit measuring an amount (months of expenditure)
_AMOUNT_AFTER_TIME = re.compile(rf"[{_CJK}]{{0,10}}?(?:水平|支出|费用|收入|工资|金额|总额)(?=$|[,;。、和及或与])")
_FREQUENCY_UNITS = frozenset({"次", "遍", "轮"})
_RATE_UNITS = frozenset({"%", "‰", "个百分点", "百分点", "倍"})
_FRAMING = re.compile(r"力争|争取|确保|实现|达到|要求|目标|保证|务必")
_COORDINATOR = re.compile(r"^\s*(?:、|和|及|以及|或|与|,)\s*")
_CLAUSE_DELIMS = ",:"
_SENTENCE_DELIMS = "。;!?！？\n"
_LEADING_NOISE = re.compile(
    r"^(?:\s|[,、:]|\d+\s*[.、]|\(\s*[一二三四五六七八九十\d]+\s*\)|在(?![岗职编册])|"
    r"力争|争取|确保|保证|努力|要|应当|应|须|必须|将|使|把|让|继续|进一步|逐步|全面|基本上?(?=实现|建成|达到|完成|形成|覆盖)|率先|"
    r"其中|同时|并且|并|且|而且|以及|和|及|或|均|都|总体上?|原则上|分别|再|力求|务必|切实|积极|"
    r"做到|今后|此外|另外|到|至)+"
)
_TRAILING_NOISE = re.compile(
    r"(?:\s|[,、:]|总体上?|均|都|分别|要|应|须|力争|逐步|基本|稳定|继续|进一步|平均|全部|率先|原则上|"
    r"一般|要求|控制目标|目标|控制|将|可|必须|的|重点|同比|比上年|较上年|在|各)+$"
)
_ACTOR_PREFIX = re.compile(rf"^[{_CJK}、]{{0,15}}?(?:政府|部门|财政|单位)(?:要|应|将)?对")
_ALIAS_NOTE = re.compile(r"\(以下简称[^)]*\)")
_BASELINE = re.compile(
    rf"(?:由|从)\s*(?:{_PER_UNIT.pattern})?\s*(?P<n>{_ASCII_NUM}|{_CN_NUM})\s*(?P<unit>万元|亿元|元|%|万人|人|个|张|名|所)?\s*"
    r"(?:的水平)?\s*$"
)


@dataclass(slots=True)
class _Mention:
    start: int  # first character of the number (or of 百分之)
    num_end: int  # end of the number or range
    unit_end: int  # end of unit (and per-unit tail)
    end: int  # end of the comparator suffix, if any
    value: Decimal
    value_max: Decimal | None
    unit: str | None
    suffix: str | None
    cn_article: bool  # a lone Chinese 一 before a measure word


_ASCII_NUM_RE = re.compile(_ASCII_NUM)
_CN_NUM_RE = re.compile(_CN_NUM)


def _read_one_number(text: str, i: int) -> tuple[Decimal, str, int] | None:
    """(value, magnitude 万/亿/千 to carry into the unit, end) for a number at `i`."""
    match = _ASCII_NUM_RE.match(text, i)
    if match:
        value = Decimal(match.group().replace(",", ""))
        j = match.end()
        magnitude = ""
        if j < len(text) and text[j] in "万亿" and not text.startswith("万一", j):
            magnitude = text[j]
            j += 1
        elif j < len(text) and text[j] == "千" and not text.startswith(("千米", "千克"), j):
            magnitude = "千"
            j += 1
        return value, magnitude, j
    match = _CN_NUM_RE.match(text, i)
    if not match or match.group()[0] in "百千万亿":
        return None  # 百元, 千人, 万一: words, not numbers
    run = match.group()
    magnitude = ""
    if len(run) > 1 and run[-1] in "万亿" and run[-2] not in "万亿":
        magnitude, run = run[-1], run[:-1]  # 五十万元 → 50 万元, like 50万元
    value = parse_chinese_number(run)
    if value is None:
        return None
    return value, magnitude, i + len(run) + len(magnitude)


_NUMBER_START = re.compile(rf"百分之|\d|[{_CN_DIGIT}十两]")


def _find_mentions(text: str, blocked: bytearray) -> list[_Mention]:
    mentions: list[_Mention] = []
    i = 0
    while True:
        match = _NUMBER_START.search(text, i)
        if not match:
            break
        i = match.start()
        if blocked[i]:
            i += 1
            continue
        prev = text[i - 1] if i else ""
        if prev and (prev.isascii() and (prev.isalnum() or prev in ".")):
            i += 1  # inside an identifier, a version number or a longer number
            continue
        if prev and prev in _CN_DIGIT + "十两百千万亿" and not text.startswith("百分之", i):
            i += 1
            continue
        mention = _read_mention(text, i)
        if mention is None or any(blocked[mention.start:mention.num_end]):
            i += 1 if mention is None else max(1, mention.num_end - i)
            continue
        mentions.append(mention)
        i = mention.end
    return mentions


def _read_mention(text: str, i: int) -> _Mention | None:
    """A number at `i` with its range, unit and comparator suffix (None if no number)."""
    start = i
    symbol = ""  # % or ‰, printed after the number or as 百分之 before it
    if text.startswith("百分之", i):
        symbol = "%"
        i += 3
    first = _read_one_number(text, i)
    if first is None:
        return None
    value, magnitude, j = first
    cn_article = text[i:j] == "一"
    if not symbol and j < len(text) and text[j] in "%‰":
        symbol = text[j]
        j += 1
    value_max: Decimal | None = None
    range_match = _RANGE_JOIN.match(text, j)
    if range_match:
        second = _read_one_number(text, range_match.end())
        if second is not None:
            high, magnitude2, k = second
            if k < len(text) and text[k] in "%‰":
                if symbol and text[k] != symbol:
                    return None
                symbol = text[k]
                k += 1
            if magnitude2 and not magnitude:
                magnitude = magnitude2
            if magnitude2 == magnitude and high > value:
                value_max, j, cn_article = high, k, False
    num_end = j
    if symbol:
        unit = symbol
    else:
        unit_match = _UNIT_RE.match(text, j)
        if unit_match:
            unit = magnitude + unit_match.group()
            j = unit_match.end()
        elif magnitude:
            unit = magnitude
        else:
            return _Mention(start, num_end, j, j, value, value_max, None, None, cn_article)
        tail = _UNIT_PER_TAIL.match(text, j)
        if tail:
            unit += tail.group()  # 50元/人
            j = tail.end()
    unit_end = j
    suffix = None
    suffix_match = _SUFFIX_RE.match(text, j)
    if suffix_match:
        word = suffix_match.group(1)
        follower = text[suffix_match.end():suffix_match.end() + 1]
        if word != "内" or ((unit in _TIME_UNITS or unit in ("%", "‰")) and follower not in ("容", "部", "外", "涵")):
            suffix = word
            j = suffix_match.end()
    return _Mention(start, num_end, unit_end, j, value, value_max, unit, suffix, cn_article)


_RANGE_JOIN = re.compile(rf"\s*{_RANGE_SEP}\s*(?:百分之)?")


# --- sentences and clauses -------------------------------------------------------------------

def _split(text: str, start: int, end: int, delims: str) -> list[tuple[int, int]]:
    """Spans of `text[start:end]` cut at `delims` outside brackets and quotes."""
    spans = []
    depth = 0
    quote = False
    piece_start = start
    for match in _split_points(delims).finditer(text, start, end):  # only characters that matter
        ch, i = match.group(), match.start()
        if ch in "(〔【":
            depth += 1
        elif ch in ")〕】" and depth:
            depth -= 1
        elif ch == "“":
            quote = True
        elif ch == "”":
            quote = False
        elif ch in delims and depth == 0 and not quote:
            spans.append((piece_start, i))
            piece_start = i + 1
    spans.append((piece_start, end))
    return [(a, b) for a, b in spans if text[a:b].strip()]


@lru_cache(maxsize=None)
def _split_points(delims: str) -> re.Pattern[str]:
    """The characters `_split` reacts to: brackets, quotes and `delims`."""
    return re.compile(f"[{re.escape('(〔【)〕】“”' + delims)}]")


def _tidy(value: Decimal) -> Decimal:
    """1.5万 parsed as 15000.0 prints as 15000; non-integers stay as written."""
    return Decimal(int(value)) if value == value.to_integral_value() else value


# --- analysis --------------------------------------------------------------------------------

@dataclass(slots=True)
class _Governor:
    kind: str
    comparator: Comparator
    start: int
    end: int


def _last_governor(text: str, lo: int, hi: int) -> _Governor | None:
    """The governing word nearest before `hi` (not before `lo`)."""
    best = None
    for match in _GOVERNOR_RE.finditer(text, lo, hi + 8):  # past hi: lookaheads see the number
        if match.end() > hi:
            break
        index = int(match.lastgroup[1:])
        _, kind, comparator = _GOVERNORS[index]
        if kind == "have" and match.group() == "有" and text[match.start() - 1:match.start()] in _NOT_HAVING:
            continue  # 所有, 没有, 具有, 共有 (a fact), 现有 …
        best = _Governor(kind, comparator, match.start(), match.end())
    return best


_NOT_HAVING = frozenset("所没具享占含持保拥共现已尚还")


def _per_unit_suffix(words: str) -> str:
    return "".join(_PER_UNIT_SUFFIX[w] for w in re.findall(r"每(人次|人|年|月|天|日|床日|张床位|张床|床位|床|例|次|户|周)", words))


# Patterns used inside per-value loops, compiled once.
_PER_UNIT_AT_END = re.compile(rf"(?:{_PER_UNIT.pattern})$")
_ADVERB_AT_END = re.compile(rf"{_ADVERB}$")
_BASE_MARK_AT_END = re.compile(rf"(?:由|从)\s*(?:{_PER_UNIT.pattern})?\s*$")
_BASE_PER_WORDS = re.compile(rf"(?:由|从)\s*((?:{_PER_UNIT.pattern})?)")
_COUNTED_OBJECT = re.compile(rf"\s*([{_CJK}(“][^,;。]*)")
_COUNTED_OBJECT_AFTER_NOTE = re.compile(rf"\)\s*([{_CJK}][^,;。]*)")
_HANZI_NEXT = re.compile(rf"\s*[{_CJK}]")


def _peel_end(segment: str) -> tuple[str, str | None, str | None]:
    """Strip per-phrases, per-unit words (每人每年), adverbs and spaces from the end.

    Returns (rest, per, per-unit suffix such as "/人/年").
    """
    per = None
    unit_suffix = None
    changed = True
    while changed and segment:
        changed = False
        stripped = segment.rstrip()
        if stripped != segment:
            segment, changed = stripped, True
            continue
        for pattern in (_PER_POPULATION, _PER_DISTRIBUTIVE):
            match = None
            for candidate in pattern.finditer(segment):
                if candidate.end() == len(segment):
                    match = candidate
            if match:
                per = per or match.group()
                segment, changed = segment[:match.start()], True
                break
        if changed:
            continue
        match = _PER_UNIT_AT_END.search(segment)
        if match:
            unit_suffix = _per_unit_suffix(match.group())
            segment, changed = segment[:match.start()], True
            continue
        match = _ADVERB_AT_END.search(segment)
        if match:
            segment, changed = segment[:match.start()], True
    return segment, per, unit_suffix


def _clean_subject(s: str) -> str:
    """Drop numbering, framing words, adverbs and alias notes around a subject phrase."""
    s = _ALIAS_NOTE.sub("", s)
    previous = None
    while previous != s:
        previous = s
        s = _ACTOR_PREFIX.sub("", s)
        s = _LEADING_NOISE.sub("", s)
        s = re.sub(r"^对(?=[^,]{2,})", "", s)
        s = _TRAILING_NOISE.sub("", s)
    return s.strip()


def _clean_indicator(s: str) -> str:
    previous = None
    while previous != s:
        previous = s
        s = _clean_subject(s)
        # A parenthetical after the indicator qualifies it (药占比(不含中药饮片)); one inside
        # it is part of its name (百元医疗收入(不含药品收入)消耗卫生材料).
        s = re.sub(r"\([^()]*\)$", "", s)
    return s.strip()


def _clean_object(s: str) -> str:
    """The thing counted: up to a coordinated next count (、20个…), minus 的目标."""
    number = rf"(?:{_ASCII_NUM}|[{_CN_DIGIT}十两]+)"
    s = re.split(
        rf"\s*(?:、|和|及|以及|或|与)\s*(?={number}(?:\s*{_RANGE_SEP}\s*{number})?\s*(?:{_UNIT_RE.pattern}))", s
    )[0]
    s = re.sub(r"(?:的)?(?:目标|要求|任务)$", "", s)
    s = re.sub(r"的$", "", s)
    return s.strip(" ,、")


_PREDICATE_START = re.compile(
    r"全面|率先|逐步|积极|优先|开展|实施|实行|达到|超过|纳入|参与|参加|提供|承担|实现|作为|成为|在|到|赴|"
    r"进行|完成|推行|试行|探索|承接|覆盖|开设|用于|按照|负责|从事|派驻|下沉|入驻|签约"
)


_LOCATIVE_SCOPE = re.compile(
    rf"在\s*(?!每)([^,;。在]{{0,14}}?(?:省|市|县|区|地区|城市|乡镇|村|社区|医院|机构|单位|试点|(?:\([^)]{{1,10}}\))))"
    r"\s*(?:各|分别|均|都|中|内)?\s*$"
)


def _counted_noun(obj: str) -> str:
    """The thing counted, without the predicate that follows it (trimmed of verbs):
    1所乡镇卫生院开展医养结合服务 → 乡镇卫生院; 1至2个临床重点专科达到… → 临床重点专科.
    Modifiers before the last 的 stay (…为成员单位的紧密型医疗集团作为医共体 → …医疗集团)."""
    after_de = obj.rfind("的") + 1
    for match in _PREDICATE_START.finditer(obj, after_de):
        if match.start() >= after_de + 1:
            return obj[:match.start()].rstrip("、,")
    return obj


def _split_scope(subject: str, *, need_rest: bool) -> tuple[str | None, str]:
    """(scope, rest): the longest leading phrase naming who/where the target applies to."""
    best: tuple[str | None, str] = (None, subject)
    pattern = _SCOPE_HEAD if need_rest else _SCOPE_HEAD_BROAD
    for match in pattern.finditer(subject):
        scope = subject[:match.end()]
        rest = subject[match.end():]
        if "的" in scope or len(scope) > 24 or re.search(r"\d", scope):
            break
        if _GOVERNOR_RE.search(scope.replace("所有", "")):
            break
        if need_rest and not rest.strip():
            break
        if rest[:1] in ("级", "域", "内", "外", "间", "之", "和", "、", "及", "或", "与", "(") or \
                rest.startswith(("改革", "试点", "综合", "集团", "联合体", "共同体")):
            continue  # 公立医院改革试点城市 is one name
        best = (scope, rest.lstrip("的"))
    return best


def _remove_spans(text: str, lo: int, hi: int, spans: list[tuple[int, int]]) -> str:
    pieces = []
    pos = lo
    for a, b in sorted(spans):
        if b <= pos or a >= hi:
            continue
        pieces.append(text[pos:max(pos, a)])
        pos = max(pos, b)
    if pos < hi:
        pieces.append(text[pos:hi])
    return "".join(pieces)


@dataclass(slots=True)
class _Read:
    """A target and how it was read (later values in a list inherit from it)."""

    target: Target | None
    kind: str
    consumed_end: int
    base_indicator: str = ""  # the indicator without a change verb (补助标准 of 补助标准新增)


@dataclass(slots=True)
class _Context:
    text: str
    clause: tuple[int, int]
    sentence: tuple[int, int]
    clauses: list[tuple[int, int]]
    deadlines: list[Deadline]
    deadline_spans: list[tuple[int, int]]


def extract_targets(text: str) -> list[Target]:
    """Every quantitative target in `text` (a measure, a paragraph or a whole document)."""
    blocked = _bracketed_mask(text)
    deadlines = list(_deadlines(text))
    deadline_spans = [(d.start, d.end) for d in deadlines]
    value_blocked = bytearray(blocked)
    for pattern, required in (*_NON_VALUE_PATTERNS, (_PER_POPULATION, "每")):
        if _contains_any(text, required):
            for match in pattern.finditer(text):
                _fill(value_blocked, *match.span())
    for a, b in deadline_spans:
        _fill(value_blocked, a, b)
    # A value without a unit, or counting how often, is never read (`_analyse` drops it first).
    mentions = [
        m for m in _find_mentions(text, value_blocked) if m.unit is not None and m.unit not in _FREQUENCY_UNITS
    ]
    if not mentions:
        return []

    targets: list[Target] = []
    mention_index = 0
    for s_start, s_end in _split(text, 0, len(text), _SENTENCE_DELIMS):
        if not any(s_start <= m.start < s_end for m in mentions):
            continue  # no value in the sentence: nothing to read, no clauses to split
        clauses = _split(text, s_start, s_end, _CLAUSE_DELIMS)
        previous_in_sentence: _Read | None = None
        for clause in clauses:
            c_start, c_end = clause
            in_clause = []
            while mention_index < len(mentions) and mentions[mention_index].start < c_end:
                if mentions[mention_index].start >= c_start:
                    in_clause.append(mentions[mention_index])
                mention_index += 1
            context = _Context(text, clause, (s_start, s_end), clauses, deadlines, deadline_spans)
            previous_in_clause: _Read | None = None
            for mention in in_clause:
                read = _analyse(context, mention, previous_in_clause, previous_in_sentence)
                if read is None or read.target is None:
                    continue
                targets.append(read.target)
                previous_in_clause = previous_in_sentence = read
    return targets


_BASELINE_FOLLOWS = re.compile(
    r"\s*(?:的水平)?\s*(?:提高|提升|增加|增长|上升|扩大|降低|下降|减少|调整|降|增)(?:到|至|为)"
)
_PROVISION_VERB = re.compile(r"(?:提供|安排|给予|配备|保障|保证|预留|留出|提取|拿出|划出|用于|开展|组织)$")
_SELF_REFERENCE = re.compile(r"(?:以下|下列|上述|如下|前述|本|这|该|此|其中)\s*$")
_DE_NOT_CONDITION = re.compile(r"\s*的(?!目标|要求|基础|标准|比例|水平|上限|下限)")
_STANDARD_PHRASE = re.compile(
    r"\s*的(?:标准|比例)\s*(?:给予|予以|发放|安排|核定|拨付|落实|配备|配置|提取|核定)?\s*([^,;。]*)"
)


def _analyse(ctx: _Context, m: _Mention, prev_in_clause: _Read | None, prev_in_sentence: _Read | None) -> _Read | None:
    text = ctx.text
    c_start, c_end = ctx.clause
    s_start, s_end = ctx.sentence
    unit = m.unit
    if unit is None or unit in _FREQUENCY_UNITS:
        return None
    if re.match(r"\s*(?:截至|截止)", text[s_start:s_end]):
        return None  # a status report, not a plan
    post = text[m.end:c_end]
    lo = c_start if prev_in_clause is None else max(c_start, prev_in_clause.consumed_end)
    head = text[lo:m.start]

    # The base of a change (由每人每年430元提高到470元) belongs to the value after it.
    if _BASE_MARK_AT_END.search(head) and _BASELINE_FOLLOWS.match(post):
        return _Read(target=None, kind="baseline", consumed_end=m.end)
    if _SELF_REFERENCE.search(head):
        return None  # 以下四个指标: the document describing itself
    example_total = False
    if head.rstrip().endswith("等"):
        # 分级诊疗、…、综合监管等五项制度 counts the names listed: not a target;
        # 尿毒症等8类大病, 神经外科等四大类耗材 give examples of a larger set of categories
        # (of diseases, drugs, consumables) the measure covers: a count it sets.
        listed = len(re.split(r"、|和|及|与|以及", head.rstrip()[:-1]))
        if unit not in _CATEGORY_UNITS or m.value_max is not None or m.value <= listed:
            return None
        example_total = True

    # 1. What governs the value: the nearest governing word, when only per-phrases, adverbs,
    #    a "X的" base (达到人均纯收入的8倍) or the indicator itself (实现就诊率90%) separate them.
    governor = _last_governor(text, lo, m.start)
    explicit: Comparator | None = None
    per = unit_suffix = None
    mid_indicator = ""
    subject_end = m.start
    standard_object = ""
    if governor is not None:
        rest, per, unit_suffix = _peel_end(text[governor.end:m.start])
        if governor.kind == "cmp":
            explicit = governor.comparator
            before, per2, unit_suffix2 = _peel_end(text[lo:governor.start])
            per, unit_suffix = per or per2, unit_suffix or unit_suffix2
            verb = _last_governor(text, lo, lo + len(before))
            if verb is not None and verb.end == lo + len(before) and verb.kind != "cmp" and not rest.strip():
                governor = _Governor(verb.kind, explicit, verb.start, governor.end)  # 提高到不低于
        else:
            # 至少配备1名, 最多设置2个: a comparator before the verb
            before, _, _ = _peel_end(text[lo:governor.start])
            adverbial = _last_governor(text, lo, lo + len(before))
            if adverbial is not None and adverbial.kind == "cmp" and adverbial.end == lo + len(before):
                explicit = adverbial.comparator
                governor = _Governor(governor.kind, explicit, adverbial.start, governor.end)
        if not rest.strip() or (example_total and rest.rstrip().endswith("等")):
            subject_end = governor.start  # 建成50个; 新增神经外科等四大类
        elif rest.endswith("的") and governor.kind in ("cmp", "set", "goal", "cap"):
            subject_end = governor.start  # 达到当地农村居民人均纯收入的8倍: the base is the per
            if unit in _RELATIVE_UNITS and not per:
                per = _clean_subject(rest[:-1]) or None
        elif governor.kind in ("goal", "count", "have") and not re.search(r"[\d%]", rest) and \
                re.match(r"\s*(?:$|的目标|的要求|、|和|及)", text[m.end:c_end]):
            mid_indicator = rest
            subject_end = governor.start
        else:
            governor = None
            explicit = None
            per = unit_suffix = None
    standard = _STANDARD_PHRASE.match(post)
    if standard:
        # 按每行政村平均1万元的标准给予定额补助; 按每人每年不低于5元的标准安排专项资金
        rest = head
        if governor is not None and governor.kind == "cmp":
            rest = text[lo:governor.start]
        rest, per_adjacent, unit_suffix_adjacent = _peel_end(rest)
        according = re.search(r"按照?([^,;。按]{0,12})$", rest)
        if according:
            # 按照服务人口1‰—1.5‰的比例配备乡村医生: what stands between 按照 and the value is the base
            at = lo + according.start()
            base = _clean_subject(according.group(1))
            governor = _Governor("standard", explicit or "=", at, at + 1)
            per, unit_suffix = per or per_adjacent or base or None, unit_suffix or unit_suffix_adjacent
            standard_object = standard.group(1).strip() or " "
            subject_end = at

    # 2. What follows: a counted object (建成50个示范乡镇卫生院), a share (100%的县级医院…).
    is_time = unit in _TIME_UNITS
    amount_extension = 0
    if is_time:
        amount = _AMOUNT_AFTER_TIME.match(post)
        if amount and amount.group():
            unit += amount.group()
            amount_extension = amount.end()
            post = post[amount.end():]
    countable = unit not in _RATE_UNITS and not is_time and "元" not in unit
    if governor is not None and governor.kind == "count" and "元" in unit:
        governor = _Governor("change", governor.comparator, governor.start, governor.end)  # 补助标准新增30元
    count_object = ""
    if countable:
        obj = _COUNTED_OBJECT.match(post)
        if obj and not re.match(r"\s*(?:的|以上|以下|左右|以内)", post):
            count_object = _clean_object(obj.group(1))
        elif post.startswith(")"):
            obj = _COUNTED_OBJECT_AFTER_NOTE.match(post)  # 若干个(一般不超过4个)医疗集团
            if obj:
                count_object = _clean_object(obj.group(1))
    if mid_indicator and count_object:
        return None
    if re.match(r"半天|次|批次|轮", count_object):
        return None  # 每周安排2个半天出诊: how often, not how much
    count_object = _counted_noun(count_object)
    followed_by_de = bool(_DE_NOT_CONDITION.match(post)) and not count_object
    if followed_by_de and governor is not None and governor.kind == "cmp" and \
            _PROVISION_VERB.search(_peel_end(text[lo:governor.start])[0]):
        # 提供不少于2周的免费培训: a quantity of what is provided, not a condition
        count_object = _counted_noun(_clean_object(re.sub(r"^\s*的", "", post)))
        followed_by_de = False

    # 3. Facts and selecting conditions are not goals.
    governed_from = governor.start if governor else m.start
    if _describes_a_year(text, s_start, m.start, governor, ctx.deadline_spans):
        return None  # 2016年,全省县域内就诊率为85%: a fact about that year
    if re.search(r"(?:已经|已|均已|业已)\s*$", text[c_start:governed_from]):
        return None
    if post.lstrip().startswith("的基础上") and not (governor is not None and governor.kind == "cmp"):
        return None  # 在50%的基础上: a base, unless stated as a floor (在不低于50%的基础上有所提高)
    if followed_by_de and governor is not None and governor.kind in ("cmp", "goal", "set", "cap", "have", "change"):
        return None  # 病床使用率低于85%的公立医院
    if followed_by_de and text[c_start:m.start].lstrip().startswith("对"):
        return None
    if re.search(r"(?:^|[^每])每\s*(?:\d+|[一二三四五六七八九十两半])?\s*个?(?:年|月|周|天|日|季度)\s*$",
                 _peel_end(head)[0]) and (is_time or governor is None):
        return None  # a frequency
    if re.search(r"每\s*(?:\d+|[一二三四五六七八九十两半])\s*个?(?:年|月|周|天)", head) and governor is None:
        return None

    # 4. Values in a list under one governor: 县域内就诊率90%、基层就诊率65%的目标.
    inherit: _Read | None = None
    if governor is None and prev_in_clause is not None:
        gap = text[prev_in_clause.consumed_end:m.start]
        coordinated = _COORDINATOR.match(gap)
        if coordinated or gap.rstrip().endswith("的") or not gap.strip():
            inherit = prev_in_clause
            mid_indicator = "" if gap.rstrip().endswith("的") or not coordinated else gap[coordinated.end():]
            subject_end = m.start if mid_indicator else lo
            if gap.rstrip().endswith("的") and unit in _RELATIVE_UNITS:
                base = gap.rstrip()[:-1]
                base = base[coordinated.end():] if coordinated else base
                per = _clean_subject(base) or None  # 不超过…和当年筹资总额的20%

    framing = bool(_FRAMING.search(text[s_start:m.start])) or bool(re.match(r"\s*的目标", post))
    share_object = ""
    selecting = False
    if governor is not None and governor.kind == "count" and unit == "%" and followed_by_de:
        share_object = re.sub(r"^\s*的", "", post)  # 选择50%的统筹地区开展…
        selecting = True
    elif governor is None and inherit is None:
        if m.suffix in (None, "以上") and unit == "%" and followed_by_de:
            share_object = re.sub(r"^\s*的", "", post)  # 力争100%的县级中心医院达到…
        elif unit == "%" and framing and _HANZI_NEXT.match(post) and not post.lstrip().startswith("的"):
            share_object = post  # 确保符合条件的参合人员100%纳入保障范围
        elif not (m.suffix and count_object) and not (example_total and count_object):
            return None

    # 5. Comparator: a range, else an explicit word, else the governing verb's default.
    if m.value_max is not None:
        comparator: Comparator = "between"
    elif m.suffix:
        comparator = _APPROX_SUFFIX[m.suffix]  # type: ignore[assignment]
    elif explicit:
        comparator = explicit
    elif inherit is not None and inherit.target is not None:
        comparator = inherit.target.comparator
    elif governor is not None:
        comparator = governor.comparator
    elif example_total:
        comparator = "="
    else:
        comparator = ">="  # a share with no verb: 力争100%的县级医院达到…
    if selecting and not m.suffix and m.value_max is None:
        comparator = "="
    if (governor is not None and governor.kind in ("count", "set", "have") and comparator == "=" and not explicit
            and re.search(r"实现[^,;。]*$", text[c_start:governor.start]) and re.match(r"[^,;。]*的目标", post)):
        comparator = ">="  # 实现…拥有2名全科医生的目标: a floor
    if m.cn_article and not explicit and m.value_max is None and unit not in _RATE_UNITS:
        return None  # 建立一个平台: 一 is an article here, not a count
    if is_time and not (explicit or m.suffix in ("以内", "以下", "之内", "左右", "以上")
                        or (governor is not None and governor.kind in ("cap", "set"))):
        return None  # 24小时内, 3个月后: time limits on an action, not targets

    # 6. Indicator, scope, per.
    subject = _remove_spans(text, lo, subject_end, ctx.deadline_spans)
    subject, per_subject, unit_suffix_subject = _peel_end(subject)
    per = per or per_subject
    unit_suffix = unit_suffix or unit_suffix_subject
    per_in_subject = None
    for pattern in (_PER_POPULATION, _PER_DISTRIBUTIVE):
        for candidate in pattern.finditer(subject):
            per_in_subject = candidate
        if per_in_subject:
            break
    if per_in_subject is not None:
        per_start, per_end = per_in_subject.span()
        time_tail = re.match(r"每(?:天|日|周|月|年)", subject[per_end:])
        if time_tail:
            per_end += time_tail.end()  # 每个县(市)每天有…派驻的不少于10名
        joined = re.fullmatch(r"(?:范围内?|内)?\s*(?:或|和|、|及)\s*", subject[per_end:])
        if per and joined:
            per = subject[per_start:] + per  # 每个街道办事处范围或每3—10万居民
        else:
            per = per or subject[per_start:per_end]
        subject = subject[:per_start] + (subject[per_end:] if not joined else "")
    subject = _clean_subject(subject)

    scope: str | None = None
    base_indicator = ""
    if share_object:
        if followed_by_de:
            indicator = _clean_object(share_object)
            head_phrase = _clean_subject(_remove_spans(text, lo, m.start, ctx.deadline_spans))
            if head_phrase and not selecting and not _split_scope(head_phrase, need_rest=False)[0]:
                indicator = head_phrase + indicator  # 医共体建设覆盖90%以上的县 → …覆盖县
                subject = ""
        else:
            indicator = _clean_object(_clean_indicator(subject) + share_object.strip())
            subject = ""
        scope, _ = _split_scope(subject, need_rest=False) if subject else (None, "")
    elif standard_object.strip():
        indicator = _clean_object(standard_object)
        scope, _ = _split_scope(subject, need_rest=False)
    elif standard_object:
        scope, rest = _split_scope(subject, need_rest=True)
        indicator = _clean_indicator(rest)
    elif count_object and not mid_indicator:
        indicator = count_object
        scope, _ = _split_scope(subject, need_rest=False)
    elif mid_indicator:
        indicator = _clean_indicator(mid_indicator)
        scope, _ = _split_scope(subject, need_rest=False)
    elif governor is not None and governor.kind == "change":
        scope, rest = _split_scope(subject, need_rest=True)
        indicator = _clean_indicator(rest + text[governor.start:governor.end])
        base_indicator = _clean_indicator(rest)
    else:
        scope, rest = _split_scope(subject, need_rest=True)
        indicator = _clean_indicator(rest)
        whole_scope, remainder = _split_scope(subject, need_rest=False)
        if whole_scope and not remainder.strip() and prev_in_sentence is not None:
            scope, indicator = whole_scope, ""  # 预约挂号率不低于50%,三级医院不低于70%

    text_start = c_start
    if not indicator or inherit is not None:
        source = inherit or prev_in_sentence
        if source is None or source.target is None:
            return None
        if not indicator:
            indicator = source.base_indicator or source.target.indicator
        scope = scope or source.target.scope
        if inherit is not None and unit == source.target.unit:
            per = per or source.target.per
        text_start = min(text_start, source.target.start)
    if not scope:
        locative = _LOCATIVE_SCOPE.search(_remove_spans(text, lo, subject_end, ctx.deadline_spans))
        if locative:
            scope = locative.group(1)  # 在11个市各选择1个县
    if not scope:
        dui = _scope_from_dui_clause(text, ctx.clauses, c_start)
        if dui is not None:
            scope, dui_start = dui
            text_start = min(text_start, dui_start)
    if not scope and prev_in_sentence is not None and prev_in_sentence.target is not None:
        scope = prev_in_sentence.target.scope  # 城市公立医院药占比…,百元医疗收入…: one subject

    value, value_max = _tidy(m.value), (_tidy(m.value_max) if m.value_max is not None else None)

    if unit_suffix and "/" not in unit:
        unit += unit_suffix

    baseline = None
    if governor is not None and governor.kind == "set":
        base = _BASELINE.search(text, c_start, governor.start)
        if base is not None:
            baseline_value = parse_chinese_number(base["n"])
            baseline = _tidy(baseline_value) if baseline_value is not None else None
            per_words = _BASE_PER_WORDS.match(base.group())
            if per_words and per_words.group(1) and "/" not in unit:
                unit += _per_unit_suffix(per_words.group(1))
            indicator = _clean_indicator(re.split(r"由|从", indicator)[0]) or indicator

    deadline = _deadline_for(text, m, s_start, s_end, ctx.deadlines)
    if deadline is not None and s_start <= deadline.start < text_start:
        text_start = _clause_start_of(ctx.clauses, deadline.start, text_start)
    raw = text[text_start:c_end]
    start = text_start + len(raw) - len(raw.lstrip())
    end = text_start + len(raw.rstrip())
    target = Target(
        indicator=indicator,
        comparator=comparator,
        value=value,
        value_max=value_max,
        unit=unit,
        per=per,
        baseline=baseline,
        deadline=deadline,
        scope=scope,
        text=text[start:end],
        start=start,
        end=end,
    )
    consumed = m.end + amount_extension
    if count_object:
        at = text.find(count_object, m.end)
        if at != -1:
            consumed = at + len(count_object)
    kind = governor.kind if governor else (inherit.kind if inherit else "bare")
    return _Read(target=target, kind=kind, consumed_end=consumed, base_indicator=base_indicator or indicator)


_COPULA = frozenset({"为", "是", "均为", "分别为"})
_YEAR_NAMED = re.compile(rf"{_YEAR} *年")
_PLAN_WORDS = re.compile(r"力争|争取|确保|实现|达到|要|将|应|须|目标|计划|预计")


def _describes_a_year(text: str, s_start: int, value_start: int, governor: _Governor | None,
                      deadline_spans: list[tuple[int, int]]) -> bool:
    """A year named (not as a deadline) before a value stated with a bare copula, in a
    sentence without any word of planning, dates a fact rather than setting a goal."""
    if governor is not None and text[governor.start:governor.end] not in _COPULA:
        return False
    head = text[s_start:value_start]
    if _PLAN_WORDS.search(head):
        return False
    for match in _YEAR_NAMED.finditer(head):
        at = s_start + match.start()
        spans = [(a, b) for a, b in deadline_spans if a <= at < b]
        if not spans or _YEAR_NAMED.fullmatch(text[spans[0][0]:spans[0][1]]):
            return True  # a year named bare, even where it may time what follows
    return False


def _clause_start_of(clauses: list[tuple[int, int]], pos: int, default: int) -> int:
    for a, b in clauses:
        if a <= pos < b:
            return min(a, default)
    return default


def _scope_from_dui_clause(text: str, clauses: list[tuple[int, int]], c_start: int) -> tuple[str, int] | None:
    """对经济薄弱地区的村卫生室,…按…标准给予补助: a clause of just 对 + a group names the scope."""
    for a, b in clauses:
        if b > c_start:
            break
        clause = text[a:b].strip()
        if clause.startswith("对") and not re.search(r"\d", clause) and len(clause) <= 30 \
                and _DUI_GROUP_END.search(clause):
            return clause[1:].strip(), a
    return None


_DUI_GROUP_END = re.compile(
    r"(?:" + _SCOPE_HEAD.pattern + r"|人员|人群|对象|患者|群众|家庭|老人|老年人|儿童|妇女|医生|机构|企业|单位|中心)$"
)


def _deadline_for(text: str, m: _Mention, s_start: int, s_end: int, deadlines: list[Deadline]) -> Deadline | None:
    """The deadline nearest before the value in its sentence, else the first after it there,
    else (in a table row) the first later on the same line."""
    before = [d for d in deadlines if s_start <= d.start < m.start]
    if before:
        return before[-1]
    after = [d for d in deadlines if m.end <= d.start < s_end]
    if after:
        return after[0]
    line_start = text.rfind("\n", 0, m.start) + 1
    line_end = text.find("\n", m.end)
    line_end = len(text) if line_end == -1 else line_end
    if "\t" in text[line_start:line_end]:
        later = [d for d in deadlines if m.end <= d.start < line_end]
        if later:
            return later[0]
    return None


__all__ = [
    "Comparator",
    "Deadline",
    "DeadlineKind",
    "Target",
    "extract_deadlines",
    "extract_targets",
    "measure_deadline",
]
