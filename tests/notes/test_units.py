"""The line units the parser reads: the shortcuts (a leading bold, no setext rule) agree with markdown-it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from studyapp.notes.units import _markdown_leading_bold, block_tokens, leading_bold, markdown

PIECES = st.sampled_from(["**", "*", "_", "__", " ", "\u00a0", "\u3000", "\t", "a", "Z", "9", "中", "文", "：", "？",
                          "。", "(", ")", ":", "?", ".", "-", "#", "$", "`", "\\", "<", ">", "[", "]", "!", "&",
                          "~", "'", '"', "🔴", "\u2002", "x**y", "**:", ":**", "** ", " **"])
BOLD_LINES = st.lists(PIECES, max_size=14).map(lambda parts: "**" + "".join(parts))


@settings(max_examples=3000, deadline=None)
@given(BOLD_LINES)
def test_fast_leading_bold_agrees_with_markdown_it(line):
    assert leading_bold(line) == _markdown_leading_bold(line.strip())


def test_leading_bold_reads_the_usual_shapes():
    assert leading_bold("**过拟合Overfitting**") == ("过拟合Overfitting", "")
    assert leading_bold("**TensorFlow：** 谷歌的框架") == ("TensorFlow：", "谷歌的框架")
    assert leading_bold("**如何判断？**后面") == ("", "")  # "？**后" cannot close: CommonMark's rule
    assert leading_bold("** not bold**") == ("", "")
    assert leading_bold("**a `b`** c") == ("a `b`", "c")  # markup inside: markdown-it reads it
    assert leading_bold("plain **bold**") == ("", "")


BLOCK_PIECES = st.sampled_from(["\n", "\n\n", "---", "===", "-", "=", " ", "  ", "    ", "\t", ">", "> ", "- ", "* ",
                                "1. ", "# ", "## ", "```", "~~~", "$$", "text", "中文", "**b**", "|a|b|", "<div>",
                                "[x]: /u", "?", "Q: ", "A: "])


@settings(max_examples=1500, deadline=None)
@given(st.lists(BLOCK_PIECES, max_size=30).map("".join))
def test_block_tokens_without_the_setext_rule_only_where_it_cannot_match(text):
    expected = [token.as_dict() for token in markdown().parse(text)]
    assert [token.as_dict() for token in block_tokens(text)] == expected
