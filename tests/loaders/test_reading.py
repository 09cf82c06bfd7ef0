"""Decoding: each encoding a Chinese policy text arrives in, and each kind of bad input."""

from __future__ import annotations

import codecs

import pytest

from policykg.loaders.reading import LoaderError, decode, read_source, source_from_bytes

SAMPLE = "关于进一步深化医药卫生体制改革的实施意见\n一、总体要求\n各市卫生健康委员会要加快推进分级诊疗制度建设，确保目标实现。"
TRADITIONAL = "關於進一步深化醫藥衛生體制改革的實施意見\n一、總體要求\n各市衛生健康委員會要加快推進分級診療制度建設，確保目標實現。"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (SAMPLE.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + SAMPLE.encode("utf-8"), "utf-8-sig"),
        (SAMPLE.encode("gb18030"), "gb18030"),
        (SAMPLE.encode("gbk"), "gb18030"),
        (TRADITIONAL.encode("big5"), "big5"),
        (SAMPLE.encode("utf-16"), "utf-16-le"),  # Python writes a LE BOM
        (codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"), "utf-16-be"),
        (SAMPLE.encode("utf-16-le"), "utf-16-le"),  # no BOM
    ],
)
def test_encodings_are_detected_and_reported(data: bytes, expected: str) -> None:
    decoded = decode(source_from_bytes(data, path="doc.txt"))
    assert decoded.encoding == expected
    assert "医" in decoded.text or "醫" in decoded.text
    assert decoded.text.lstrip("\ufeff") in (SAMPLE, TRADITIONAL)


def test_big5_is_not_mistaken_for_gbk() -> None:
    decoded = decode(source_from_bytes(TRADITIONAL.encode("big5"), path="tw.txt"))
    assert decoded.text == TRADITIONAL


def test_empty_file_is_an_error(tmp_path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"  \n")
    with pytest.raises(LoaderError, match="empty.txt: empty file"):
        read_source(path)


def test_directory_is_an_error(tmp_path) -> None:
    with pytest.raises(LoaderError, match="is a directory"):
        read_source(tmp_path)


def test_binary_file_is_an_error() -> None:
    data = bytes(range(256)) * 8
    with pytest.raises(LoaderError, match="binary file"):
        decode(source_from_bytes(data, path="x.bin"))


def test_undecodable_bytes_name_the_position() -> None:
    data = SAMPLE.encode("utf-8")[:30] + b"\xff\xfe\xfd\x80\x81" * 3 + b"\x80"
    with pytest.raises(LoaderError) as info:
        decode(source_from_bytes(data, path="bad.txt"))
    assert "bad.txt" in str(info.value)
    assert "undecodable" in info.value.reason
