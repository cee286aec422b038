"""Card text on screen: LaTeX as readable Unicode, markdown structure, CJK wrapping."""

from __future__ import annotations

import pytest
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
