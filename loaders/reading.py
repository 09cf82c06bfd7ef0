"""Reading a document: the only I/O of the loaders, then decoding with the encoding reported.

Chinese government pages reach researchers as UTF-8 (with or without BOM), GB18030/GBK
(mainland sites, older exports), Big5 (Hong Kong / Taiwan copies) and UTF-16 (Windows
"Unicode" text saved from Word). Decoding is strict: bytes that fit no candidate are an error
naming the file and the byte position, never silently replaced.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

Encoding = Literal["utf-8", "utf-8-sig", "utf-16-le", "utf-16-be", "gb18030", "big5"]


class LoaderError(Exception):
    """Bad input: the file and the reason, plus a position in the bytes or text where known."""

    def __init__(self, path: str, reason: str, *, position: int | None = None) -> None:
        self.path = path
        self.reason = reason
        self.position = position
        where = f" (at offset {position})" if position is not None else ""
        super().__init__(f"{path}: {reason}{where}")


@dataclass(frozen=True, slots=True)
class SourceBytes:
    path: str
    data: bytes
    sha256: str


@dataclass(frozen=True, slots=True)
class DecodedText:
    text: str
    encoding: Encoding


def read_source(path: str | os.PathLike[str]) -> SourceBytes:
    """Read a file's bytes; a directory, a missing file or an empty file is a `LoaderError`."""
    name = os.fspath(path)
    if os.path.isdir(name):
        raise LoaderError(name, "is a directory, not a document file")
    try:
        with open(name, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise LoaderError(name, "no such file") from None
    except OSError as exc:
        raise LoaderError(name, f"cannot be read: {exc.strerror or exc}") from None
    return source_from_bytes(data, path=name)


def source_from_bytes(data: bytes, *, path: str = "<bytes>") -> SourceBytes:
    if not data.strip():
        raise LoaderError(path, "empty file")
    return SourceBytes(path=path, data=data, sha256=hashlib.sha256(data).hexdigest())


_BOMS: tuple[tuple[bytes, Encoding, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)


def decode(source: SourceBytes) -> DecodedText:
    """Detect the encoding and decode strictly; binary or undecodable input is a `LoaderError`."""
    data = source.data
    for bom, label, codec in _BOMS:
        if data.startswith(bom):
            return DecodedText(_strict(source, data, codec), label)
    utf16 = _utf16_without_bom(data)
    if utf16:
        return DecodedText(_strict(source, data, utf16.replace("-", "_")), utf16)  # type: ignore[arg-type]
    try:
        return DecodedText(_check_text(source, data.decode("utf-8")), "utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    # Not UTF-8: weigh every candidate that decodes by how readable the result is. UTF-16
    # without a BOM is a candidate too (pure-Chinese UTF-16 has few NUL bytes to detect it by).
    codecs_to_try = ["gb18030", "big5"] + (["utf-16-le", "utf-16-be"] if len(data) % 2 == 0 else [])
    candidates: list[tuple[float, Encoding, str]] = []
    for codec in codecs_to_try:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        candidates.append((_plausibility(text), codec, text))  # type: ignore[arg-type]
    if not candidates:
        nul = data.find(b"\x00")
        if nul >= 0:
            raise LoaderError(source.path, "binary file (contains NUL bytes), not a text document", position=nul)
        raise LoaderError(
            source.path,
            "undecodable bytes: not valid UTF-8, UTF-16, GB18030 or Big5",
            position=utf8_error.start,
        )
    score, codec, text = max(candidates, key=lambda c: c[0])
    if score < 0.5:
        nul = data.find(b"\x00")
        if nul >= 0:
            raise LoaderError(source.path, "binary file (contains NUL bytes), not a text document", position=nul)
        raise LoaderError(source.path, "undecodable bytes: no encoding gives readable text")
    return DecodedText(_check_text(source, text), codec)


def _strict(source: SourceBytes, data: bytes, codec: str) -> str:
    try:
        return _check_text(source, data.decode(codec))
    except UnicodeDecodeError as exc:
        raise LoaderError(source.path, f"undecodable bytes for {codec}", position=exc.start) from None


# C0 control characters other than the whitespace ones (\t \n \v \f \r).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")


def _check_text(source: SourceBytes, text: str) -> str:
    controls = len(_CONTROL.findall(text))
    if controls > max(3, len(text) // 100):
        raise LoaderError(source.path, "binary file (control characters), not a text document")
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without BOM: Chinese text puts NUL in one byte of ASCII code units only, so look at
    the share of NUL bytes on even vs odd positions."""
    if len(data) < 4 or len(data) % 2:
        return None
    even = data[0::2].count(0)
    odd = data[1::2].count(0)
    half = len(data) // 2
    if odd > half * 0.2 and even < half * 0.02:
        return "utf-16-le"
    if even > half * 0.2 and odd < half * 0.02:
        return "utf-16-be"
    return None


@lru_cache(maxsize=1)
def _common_hanzi() -> frozenset[str]:
    """The 3,755 level-1 characters of GB 2312 (the most frequent simplified hanzi)."""
    chars = set()
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return frozenset(chars)


def _plausibility(text: str) -> float:
    """Share of characters that are common hanzi (once folded to simplified), printable ASCII,
    whitespace or CJK punctuation: real text scores ~0.95+, while a GBK file read as Big5 (or as
    UTF-16, or the reverse) gives rare characters and scores far lower."""
    from policykg.loaders.text import to_simplified

    if not text:
        return 0.0
    common = _common_hanzi()
    readable = 0
    for ch in to_simplified(text):
        if ch in common or (" " <= ch <= "~") or ch in "\n\r\t" or "\u3000" <= ch <= "\u303f" or ch in "，。、；：？！“”‘’（）《》—…·":
            readable += 1
    return readable / len(text)
