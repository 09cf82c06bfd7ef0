"""Web noise in copies of government pages: page chrome and injected spam.

Documents saved from government portals carry the portal's chrome (accessibility toolbar,
font-size switcher, "来源/发布时间" lines, print/close buttons, breadcrumbs) and, on hacked or
mirrored pages, injected advertising — typically gambling-site names such as
"xxbet体育_xx体育投注-在线APP官网@" pasted where the site's own name was, i.e. over the
government's name in titles and signatures. Both are recognised here so they never become a
title or an issuer; they stay in the original text (evidence offsets are unaffected).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Whole lines that are portal chrome (matched against the normalised view of one line).
_CHROME_LINE = re.compile(
    r"""^\s*(?:
        图片|打印(?:本页)?|关闭(?:窗口|本页)?|返回顶部|分享到.*|扫一扫.*|【?打印】?|【?关闭】?|
        联合发文|无障碍(?:浏览|阅读)?.*|长者模式.*|适老化.*|
        (?:当前位置|您(?:现在)?的位置|所在位置)\s*[:：].*|首页\s*[>›»].*|
        .*字号\s*[:：]?\s*[\[【]?\s*(?:大\s*中\s*小)?\s*[\]】]?\s*$|
        .*(?:来源|发布时间|发布日期|浏览次数|访问量|点击数|阅读次数|责任编辑|信息来源)\s*[:：].*|
        【?字体\s*[:：].*|
        (?:上一篇|下一篇)\s*[:：].*|
        相关(?:链接|文件|阅读|解读)\s*[:：]?\s*$
    )\s*$""",
    re.X,
)

# Gambling / betting / casino spam names; the brand may be Latin, digits or hanzi, and the
# string usually ends in a site word (官网, APP, 入口, 平台…) and sometimes "@"/"#".
_SPAM_CORE_WORDS = (
    "体育投注", "体育", "投注", "博彩", "彩票", "棋牌", "真人", "娱乐城", "娱乐", "电竞", "赌场", "百家乐", "老虎机",
    "casino", "bet", "金沙", "葡京", "威尼斯人", "太阳城", "永利", "新濠", "皇冠", "亚博", "开云", "必赢",
    "app", "APP", "App",
)
_SPAM_CORE = "(?:" + "|".join(_SPAM_CORE_WORDS) + ")"
_SPAM_SITE = r"(?:官网|官方网站|官方|网站|入口|平台|下载|手机版|网页版|APP|App|app|[@#])"
_SPAM = re.compile(
    rf"(?:[\u4e00-\u9fff]{{0,3}}[A-Za-z0-9]{{1,12}}[\u4e00-\u9fff]{{0,3}}|[\u4e00-\u9fff]{{0,4}}){_SPAM_CORE}"
    rf"[A-Za-z0-9_\-|·.\u4e00-\u9fff]{{0,30}}?{_SPAM_SITE}+",
    re.I,
)
# Every spam match contains a core word, so a text without one is passed over at once (the full
# pattern, with its optional leading runs, is slow to try at every position). Words without
# cased letters are looked for on their own, which lets `re` skip ahead to their first
# characters (an IGNORECASE alternation cannot); the Latin words only where a letter they may
# begin with occurs (a character class under IGNORECASE folds case as the words do).
_UNCASED_CORE_WORDS = tuple(w for w in _SPAM_CORE_WORDS if w.lower() == w == w.upper())
_CASED_CORE_WORDS = tuple(w for w in _SPAM_CORE_WORDS if w not in _UNCASED_CORE_WORDS)
_UNCASED_CORE = re.compile("|".join(_UNCASED_CORE_WORDS))
_CASED_CORE = re.compile("|".join(_CASED_CORE_WORDS), re.I)
_CASED_CORE_START = re.compile("[" + re.escape("".join(sorted({w[0] for w in _CASED_CORE_WORDS}))) + "]", re.I)
_ASCII_BRAND = re.compile(r"[A-Za-z0-9]{2,}")
_STRONG_SPAM_WORD = re.compile(r"官网|入口|APP|app|@|投注|博彩|百家乐|娱乐城|赌场|老虎机|casino", re.I)


@dataclass(frozen=True, slots=True)
class SpamSpan:
    text: str
    start: int
    end: int


def is_chrome_line(line: str) -> bool:
    """True for a line that is portal chrome rather than document text."""
    return bool(_CHROME_LINE.match(line))


def find_spam(text: str) -> list[SpamSpan]:
    """Injected advertising strings in `text`. A candidate must look like a site name — it
    carries a Latin/digit brand or a site word — so ordinary phrases such as 体育局 or
    全民健身娱乐活动 in a policy text are not taken for spam."""
    spans: list[SpamSpan] = []
    if not _has_spam_core(text):
        return spans
    for match in _SPAM.finditer(text):
        found = match.group(0)
        if not (_ASCII_BRAND.search(found) or _STRONG_SPAM_WORD.search(found)):
            continue
        spans.append(SpamSpan(found, match.start(), match.end()))
    return spans


def _has_spam_core(text: str) -> bool:
    if _UNCASED_CORE.search(text):
        return True
    return bool(_CASED_CORE_START.search(text) and _CASED_CORE.search(text))


def strip_spam(text: str) -> str:
    """`text` with spam strings removed (for candidate titles and issuer lines)."""
    for span in reversed(find_spam(text)):
        text = text[: span.start] + text[span.end :]
    return text
