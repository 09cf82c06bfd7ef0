from __future__ import annotations

import pytest

from policykg.loaders.noise import find_spam, is_chrome_line, strip_spam


@pytest.mark.parametrize(
    "line",
    [
        "无障碍浏览 长者模式",
        "来源: 某某市人民政府   2018-05-10 17:31   字号: [ 大 中 小 ]",
        "发布时间：2020-01-02 浏览次数：1024",
        "当前位置：首页 > 政务公开 > 政策文件",
        "打印本页",
        "关闭窗口",
        "【字体：大 中 小】",
    ],
)
def test_portal_chrome_lines(line: str) -> None:
    assert is_chrome_line(line)


@pytest.mark.parametrize("line", ["各市、县（市、区）人民政府：", "一、总体要求", "浙江省人民政府办公厅"])
def test_document_lines_are_not_chrome(line: str) -> None:
    assert not is_chrome_line(line)


@pytest.mark.parametrize(
    ("text", "spam"),
    [
        ("中共某某市委办公厅、365bet娱乐_365bet体育在线APP官网@办公厅印发", "365bet娱乐_365bet体育在线APP官网@"),
        ("来源：ag真人百家乐-官方网站", "ag真人百家乐-官方网站"),
        ("威尼斯人彩票平台入口", "威尼斯人彩票平台入口"),
    ],
)
def test_injected_spam_is_found(text: str, spam: str) -> None:
    assert [s.text for s in find_spam(text)] == [spam]


def test_policy_words_about_sports_and_entertainment_are_not_spam() -> None:
    text = "推动健康与旅游、体育等相关产业融合发展（省体育局、省旅游局负责），丰富群众文化娱乐活动。"
    assert find_spam(text) == []
    assert strip_spam(text) == text
