"""The matching view of a document's text, with a map back to the original.

Extraction rules match against one normalised form of the text; evidence is always quoted
from the original. `NormalisedText` keeps, for every character it holds, the index of the
original character it came from, so a span found in the view maps back exactly.

The view:
- traditional characters → simplified (character by character, so offsets stay aligned);
- full-width ASCII forms → ASCII: （）→ ()  ，→ ,  ：→ :  ；→ ;  ０-９ → 0-9  ％ → %  Ａ → A;
- ideographic space (U+3000) and no-break spaces → space; ○/〇 kept (dates need them);
- markdown emphasis (``**``) and pinyin glosses after a character (``關(guan)``) dropped.
CJK punctuation that has no ASCII twin (、。〔〕【】“”《》—…) is kept as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

# Pinyin gloss a web page prints after a character for screen readers: 關(guan) 醫(yi1).
# (The bracket comes first and the hanzi before it is checked behind: a pattern that begins with
# a character class lets `re` skip ahead to the brackets instead of trying every position.)
_PINYIN_GLOSS = re.compile(r"[(（](?<=[\u4e00-\u9fff][(（])[a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]{1,6}[1-5]?[)）]")
_MARKDOWN_EMPHASIS = re.compile(r"\*\*")


@lru_cache(maxsize=1)
def _t2s_table() -> dict[int, str]:
    """Single-character traditional→simplified map from OpenCC's data (length-preserving)."""
    table: dict[int, str] = {}
    # OpenCC's character dictionary: one traditional character → its first simplified form.
    for trad, simp in _opencc_char_pairs():
        if len(trad) == 1 and len(simp) == 1 and trad != simp:
            table[ord(trad)] = simp
    return table


def _opencc_char_pairs():
    """(traditional, simplified) pairs from opencc-python-reimplemented's TSCharacters table."""
    from importlib import resources

    table = resources.files("opencc").joinpath("dictionary", "TSCharacters.txt")
    for line in table.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 2:
            yield parts[0], parts[1].split(" ")[0]


# Spaces that are layout, not text: ideographic, no-break, en/em, thin, narrow no-break.
_LAYOUT_SPACES = "\u3000\u00a0\u2002\u2003\u2009\u202f"


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, str]:
    """One `str.translate` table for the whole fold. Every entry maps one character to one, so
    offsets stay aligned; a full-width form wins over a space, a space over a t2s entry."""
    table: dict[int, str] = dict(_t2s_table())
    table.update((ord(ch), " ") for ch in _LAYOUT_SPACES)
    table.update((code, chr(code - 0xFEE0)) for code in range(0xFF01, 0xFF5F))  # full-width ASCII
    return table


@dataclass(frozen=True, slots=True)
class NormalisedText:
    """`text` is the matching view; `origin[i]` is the original index of `text[i]`."""

    original: str
    text: str
    origin: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of the view to the matching half-open span of the original."""
        if start >= end:
            pos = self.origin[start] if start < len(self.origin) else len(self.original)
            return pos, pos
        return self.origin[start], self.origin[end - 1] + 1

    def quote(self, start: int, end: int) -> str:
        """The original text behind a span of the view (what evidence shows a reader)."""
        a, b = self.original_span(start, end)
        return self.original[a:b]


def normalise(original: str) -> NormalisedText:
    """Build the matching view of `original` (see the module docstring for what changes)."""
    kept = _kept_spans(original)
    text = "".join(original[start:end] for start, end in kept).translate(_fold_table())
    origin = tuple(chain.from_iterable(range(start, end) for start, end in kept))
    return NormalisedText(original=original, text=text, origin=origin)


def _kept_spans(original: str) -> list[tuple[int, int]]:
    """The spans of `original` left once pinyin glosses and emphasis marks are dropped."""
    dropped = sorted(m.span() for p in (_PINYIN_GLOSS, _MARKDOWN_EMPHASIS) for m in p.finditer(original))
    kept: list[tuple[int, int]] = []
    cursor = 0
    for start, end in dropped:
        if start > cursor:
            kept.append((cursor, start))
        cursor = max(cursor, end)
    if len(original) > cursor:
        kept.append((cursor, len(original)))
    return kept


def to_simplified(text: str) -> str:
    """Fold one string the same way as `normalise` (for vocabulary cues and user input)."""
    # str.replace drops "**" left to right without overlap, exactly as `_MARKDOWN_EMPHASIS` does.
    return text.replace("**", "").translate(_fold_table())


@lru_cache(maxsize=None)
def characters_folding_to(targets: str) -> frozenset[str]:
    """Every character that `to_simplified` turns into one of `targets`: a string holding none
    of them holds none of `targets` once folded either (a cheap test that spares the fold)."""
    table = _fold_table()
    folding = {chr(code) for code, folded in table.items() if folded in targets}
    return frozenset(folding | {ch for ch in targets if ord(ch) not in table})


_SENTENCE_END = set("。！？；;!?:：")


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or "\u4e00" <= ch <= "\u9fff" or ch in "“”《》()、,%"


def join_wrapped(view: NormalisedText, start: int = 0, end: int | None = None) -> NormalisedText:
    """A sub-view of `view.text[start:end]` with layout noise removed: a line break inside a
    sentence (web copies wrap mid-word: "紧密型\\n\\n医联体") and spaces next to hanzi
    ("从 2020 年起") are dropped; a real paragraph break becomes one "\\n". The result's
    `origin` still points into the whole original text."""
    end = len(view.text) if end is None else end
    text, origin = view.text, view.origin
    pieces: list[str] = []
    origins: list[tuple[int, ...]] = []
    cursor = start
    previous = ""  # the last character kept so far
    # Whole runs of whitespace at a time (`\s` is exactly `str.isspace`); text between runs is copied.
    for run in _WHITESPACE_RUN.finditer(text, start, end):
        run_start, run_end = run.span()
        if run_start > cursor:
            pieces.append(text[cursor:run_start])
            origins.append(origin[cursor:run_start])
            previous = text[run_start - 1]
        following = text[run_end] if run_end < end else ""
        separator = _separator(run.group(), previous, following)
        if separator:
            pieces.append(separator)
            origins.append((origin[run_start],))
            previous = separator
        cursor = run_end
    if end > cursor:
        pieces.append(text[cursor:end])
        origins.append(origin[cursor:end])
    return NormalisedText(original=view.original, text="".join(pieces), origin=tuple(chain.from_iterable(origins)))


_WHITESPACE_RUN = re.compile(r"\s+")


def _separator(run: str, previous: str, following: str) -> str:
    """What a whitespace run between `previous` and `following` becomes in a joined view."""
    if not previous:
        return ""  # layout before the first character
    if "\n" in run:
        wrapped = (
            following
            and previous not in _SENTENCE_END
            and _is_word_char(previous)
            and _is_word_char(following)
        )
        return "" if wrapped else "\n"
    if following and (_is_cjk(previous) or _is_cjk(following)):
        return ""  # layout space beside hanzi
    return " " if following else ""


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or ch in "“”《》、，。"
