from __future__ import annotations

from policykg.loaders.text import join_wrapped, normalise, to_simplified


def test_view_folds_traditional_and_fullwidth_but_quotes_the_original() -> None:
    original = "（一）推進醫療聯合體建設，覆蓋率達到９０％。"
    view = normalise(original)
    assert view.text == "(一)推进医疗联合体建设,覆盖率达到90%。"
    start = view.text.index("医疗联合体")
    assert view.quote(start, start + 5) == "醫療聯合體"


def test_pinyin_glosses_and_markdown_are_dropped_from_the_view() -> None:
    view = normalise("關(guan)於**责任部门：省医保局**")
    assert view.text == "关于责任部门:省医保局"
    assert view.quote(0, 2) == "關(guan)於"


def test_join_wrapped_joins_mid_sentence_breaks_only() -> None:
    view = normalise("继续探索对紧密型\n\n医联体实行总额付费。\n\n从 2020 年起开展评估。")
    joined = join_wrapped(view)
    assert joined.text == "继续探索对紧密型医联体实行总额付费。\n从2020年起开展评估。"
    i = joined.text.index("医联体")
    assert joined.quote(i, i + 3) == "医联体"


def test_to_simplified_matches_the_view() -> None:
    assert to_simplified("醫保（DRG）") == "医保(DRG)"
