"""Card text on screen: LaTeX as readable Unicode, markdown structure, CJK wrapping."""

from __future__ import annotations

import re

import pytest
from rich.cells import cell_len
from rich.console import Console

from studyapp.tui.render import latex_to_unicode, render_markdown


@pytest.mark.parametrize("latex, shown", [
    (r"x^2 + y_i \le \sqrt{x+1}", "x² + yᵢ ≤ √(x+1)"),
    (r"\frac{a}{b}", "a/b"),
    (r"\frac{1}{1+e^{-x}}", "1/(1+e⁻ˣ)"),
    (r"\alpha \beta + \Sigma \geq 0 \neq \infty", "α β + Σ ≥ 0 ≠ ∞"),
    (r"\hat{y} = \sigma(W^{T} x + b)", "ŷ = σ(Wᵀ x + b)"),
    (r"\mathbb{E}[x] \approx \sum_{i=1}^{n} x_i", "𝔼[x] ≈ Σᵢ₌₁ⁿ xᵢ"),
    (r"\sqrt[3]{8} = 2", "³√8 = 2"),
    (r"\text{loss} \cdot \nabla L", "loss · ∇L"),
    (r"\left( a \right)^{2k}", "( a )²ᵏ"),
    (r"x^{y+z_1}", "x^(y+z₁)"),
])
def test_latex_becomes_unicode(latex, shown):
    assert latex_to_unicode(latex) == shown


def plain(markdown: str, width: int = 40) -> str:
    console = Console(width=width, color_system=None, file=open("/dev/null", "w"))
    with console.capture() as capture:
        console.print(render_markdown(markdown))
    return capture.get()


def test_math_blocks_from_the_notes_have_no_raw_latex():
    notes = (
        "$$\n\\begin{aligned}\nLogistic: f(x)&=\\frac{1}{1+e^{-x}}\\\\\n"
        "ReLU: f(x)&=max(0,x)\\\\\n\\end{aligned}\n$$"
    )
    shown = plain(notes)
    assert "Logistic: f(x)=1/(1+e⁻ˣ)" in shown and "ReLU: f(x)=max(0,x)" in shown
    assert "\\" not in shown and "$" not in shown and "&" not in shown


def test_inline_math_bold_code_lists_and_headings():
    shown = plain("# 激活函数\n- **ReLU** 是 `max(0, x)`\n2. 梯度 $\\frac{\\partial L}{\\partial w}$")
    assert shown.splitlines() == ["激活函数", "• ReLU 是 max(0, x)", "2. 梯度 ∂L/∂w"]


def test_code_blocks_keep_their_lines():
    shown = plain("```\nfor x in xs:\n    print(x)\n```")
    assert shown.splitlines() == ["  for x in xs:", "      print(x)"]


def test_chinese_wraps_by_cell_width():
    lines = plain("长" * 30, width=20).splitlines()
    assert lines == ["长" * 10] * 3  # each character is two cells wide


MIXED = ("梯度消失：Sigmoid函数的梯度在输入很大或很小时趋近于0，反向传播时梯度逐层相乘，导致靠近输入层的梯度极小，"
         "参数几乎不更新。（3） 早停Early Stopping：在训练过程中监控验证集上的性能，当validation loss不再下降时停止训练，"
         "防止过拟合overfitting。")
WORDS = set(re.findall(r"[A-Za-z]+", MIXED))


def first_unit(line: str) -> str:
    """What the line breaker keeps together at a line start: a Latin word, or a character and the
    closing marks after it (，。：）may not begin a line)."""
    return re.match(r"(?:[A-Za-z0-9]+|.)[，。：）]*", line).group(0)


@pytest.mark.parametrize("width", [20, 33, 40, 57, 80, 96])
def test_mixed_chinese_and_latin_fills_each_line_and_keeps_words_whole(width):
    lines = plain(MIXED, width).splitlines()
    assert "".join(lines).replace(" ", "") == MIXED.replace(" ", "")
    for line, following in zip(lines, lines[1:]):
        # not shorter than it needs to be: the next line's first unit would not have fit
        assert cell_len(line) <= width < cell_len(line) + 1 + cell_len(first_unit(following)), (width, lines)
    assert cell_len(lines[-1]) <= width
    for line in lines:
        assert set(re.findall(r"[A-Za-z]+", line)) <= WORDS, (width, line)  # no Latin word cut in two


def test_the_testers_lines_no_longer_break_after_the_latin_word():
    lines = plain("梯度消失：Sigmoid函数的梯度在输入很大或很小时趋近于0。\n（3） 早停Early Stopping：在训练过程中", 30).splitlines()
    assert lines == ["梯度消失：Sigmoid函数的梯度在", "输入很大或很小时趋近于0。", "（3） 早停Early Stopping：在训", "练过程中"]


def test_no_line_starts_with_a_closing_mark():
    lines = plain("一二三四五六七八九十，一二三", 20).splitlines()
    assert lines == ["一二三四五六七八九", "十，一二三"]


def test_chinese_in_lists_and_headings_wraps_too_and_code_is_left_alone():
    shown = plain("# 标题Title很长很长很长很长\n- 列表项ReLU很长很长很长很长很长\n```\n代码很长很长很长很长很长很长很长很长很长很长\n```", 20)
    assert shown.splitlines() == [
        "标题Title很长很长很", "长很长",
        "• 列表项ReLU很长很长", "很长很长很长",
        "  代码很长很长很长很",  # a code line is folded by rich as before, not re-broken by us
        "长很长很长很长很长很",
        "长很长",
    ]


def test_tab_indented_items_from_the_notes_wrap_within_the_width():
    # the notes indent sub-items with a tab (content line 415): drawn as cells, so counted as cells
    card = render_markdown("4. 调参数\n\t1. 通常，可以从一个小的学习率开始，观察模型的训练进程和性能，逐渐调整学习率。")
    lines = [line.plain for line in card.wrap(Console(), 30)]
    assert lines[1].startswith("    1. 通常，可以") and all("\t" not in line for line in lines)
    assert all(cell_len(line) <= 30 for line in lines), lines
