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

# Pinyin gloss a web page prints after a character for screen readers: 關(guan) 醫(yi1).
_PINYIN_GLOSS = re.compile(r"(?<=[\u4e00-\u9fff])[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]{1,6}[1-5]?[)）]")
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


def _fold_char(ch: str, t2s: dict[int, str]) -> str:
    code = ord(ch)
    if 0xFF01 <= code <= 0xFF5E:  # full-width ASCII forms
        return chr(code - 0xFEE0)
    if ch in "\u3000\u00a0\u2002\u2003\u2009\u202f":
        return " "
    return t2s.get(code, ch)


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
    t2s = _t2s_table()
    dropped = bytearray(len(original))
    for pattern in (_PINYIN_GLOSS, _MARKDOWN_EMPHASIS):
        for match in pattern.finditer(original):
            for i in range(match.start(), match.end()):
                dropped[i] = 1
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(original):
        if dropped[i]:
            continue
        chars.append(_fold_char(ch, t2s))
        origin.append(i)
    return NormalisedText(original=original, text="".join(chars), origin=tuple(origin))


def to_simplified(text: str) -> str:
    """Fold one string the same way as `normalise` (for vocabulary cues and user input)."""
    t2s = _t2s_table()
    return "".join(_fold_char(ch, t2s) for ch in _MARKDOWN_EMPHASIS.sub("", text))


_SENTENCE_END = set("。！？；;!?:：")


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or "\u4e00" <= ch <= "\u9fff" or ch in "“”《》()、,%"


def join_wrapped(view: NormalisedText, start: int = 0, end: int | None = None) -> NormalisedText:
    """A sub-view of `view.text[start:end]` with layout noise removed: a line break inside a
    sentence (web copies wrap mid-word: "紧密型\\n\\n医联体") and spaces next to hanzi
    ("从 2020 年起") are dropped; a real paragraph break becomes one "\\n". The result's
    `origin` still points into the whole original text."""
    end = len(view.text) if end is None else end
    text = view.text
    chars: list[str] = []
    origin: list[int] = []
    i = start
    while i < end:
        ch = text[i]
        if ch.isspace():
            j = i
            while j < end and text[j].isspace():
                j += 1
            run = text[i:j]
            prev = chars[-1] if chars else ""
            nxt = text[j] if j < end else ""
            if "\n" in run:
                if prev and nxt and prev not in _SENTENCE_END and _is_word_char(prev) and _is_word_char(nxt):
                    pass  # wrapped line: join
                elif chars:
                    chars.append("\n")
                    origin.append(view.origin[i])
            elif prev and nxt and (_is_cjk(prev) or _is_cjk(nxt)):
                pass  # layout space beside hanzi
            elif chars and nxt:
                chars.append(" ")
                origin.append(view.origin[i])
            i = j
            continue
        chars.append(ch)
        origin.append(view.origin[i])
        i += 1
    return NormalisedText(original=view.original, text="".join(chars), origin=tuple(origin))


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or ch in "“”《》、，。"
