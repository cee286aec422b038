"""The parser on the user's real notes and on the shapes those notes use."""

from __future__ import annotations

import pytest
from repo_paths import BUNDLED
from hypothesis import given, settings
from hypothesis import strategies as st

from studyapp.notes.parse import parse_markdown


@pytest.fixture(scope="module")
def bundled_cards():
    return parse_markdown(BUNDLED.read_text(encoding="utf-8"), str(BUNDLED))


def by_front(cards, front):
    matches = [card for card in cards if card.front == front]
    assert matches, f"no card with front {front!r}; fronts: {[c.front for c in cards]}"
    return matches[0]


def test_every_question_in_the_notes_becomes_a_card(bundled_cards):
    questions = [
        "如何寻找超参数的最优值？",
        "解释GAN的训练过程。",
        "什么是生成器和判别器的损失函数？",
        "GAN的训练中可能遇到的问题是什么？",
        "解释GAN中的模式崩溃是什么？",
        "什么是条件生成对抗网络（cGAN）？有什么优势？",
        "GAN和VAE（变分自动编码器）之间有什么区别？",
        "如何评估生成对抗网络的性能？",
        "解释动态计算图和静态计算图的区别。",
        "PyTorch中张量（Tensor）是什么？",
        "如何在PyTorch中定义神经网络模型？",
        "什么是PyTorch中的Autograd？",
        "解释PyTorch中的DataLoader的作用。",
        "如何在PyTorch中实现模型参数的共享？",
        "什么是PyTorch中的优化器？",
        "如何在PyTorch中保存和加载模型？",
        "解释PyTorch中的CUDA和如何将模型迁移到GPU上。",
        "如何判断模型是否收敛",
        "如何选择合适的评估指标",
        "如何调整学习率",
        "如何调整批量大小",
        "如何选择优化算法",
        "如何调整网络结构",
        "为什么引入非线性激励函数",
        "激活函数Sigmoid, Tanh, ReLu 三个激活函数的缺点或不足",
    ]
    fronts = {card.front for card in bundled_cards}
    assert [q for q in questions if q not in fronts] == []
    assert len(bundled_cards) >= 60


def test_concepts_terms_and_headings_become_cards(bundled_cards):
    for front in ["过拟合Overfitting", "欠拟合", "正则化", "激活函数", "梯度消失", "梯度爆炸", "GRU", "CNN",
                  "PyTorch", "超参数搜索一般过程", "多层感知机（Multilayer Perceptron，MLP）", "TensorFlow",
                  "前馈神经网络（FNN）", "标准化+归一化"]:
        by_front(bundled_cards, front)


def test_no_empty_or_junk_cards(bundled_cards):
    for card in bundled_cards:
        assert card.front.strip() and card.back.strip(), card
        assert "**" not in card.front and not card.front.endswith(("：", ":"))
        assert len(card.front) < 80, card.front
    fronts = [card.front for card in bundled_cards]
    # bare labels with nothing under them, and a lone word in a back, are not cards
    for junk in ["梯度弥散", "优化器", "纳什均衡", "区别", "深度学习八股", "基础知识"]:
        assert junk not in fronts


def test_answers_carry_the_notes_text(bundled_cards):
    collapse = by_front(bundled_cards, "解释GAN中的模式崩溃是什么？")
    assert collapse.back.startswith("模式崩溃是指生成器倾向于生成相似的样本")
    assert "```" not in collapse.back  # unlabelled fences are prose, unwrapped
    shortcomings = by_front(bundled_cards, "激活函数Sigmoid, Tanh, ReLu 三个激活函数的缺点或不足")
    assert "死亡ReLU" in shortcomings.back and "Tanh函数：" in shortcomings.back
    assert "$$\n\\begin{aligned}" in shortcomings.back  # display math kept verbatim
    why = by_front(bundled_cards, "为什么引入非线性激励函数")
    assert why.back.startswith("深度学习的前提是神经网络的隐层加上了非线性激活函数")
    assert "Sigmoid 函数" not in why.back


def test_generic_labels_take_their_heading_as_context(bundled_cards):
    structure = by_front(bundled_cards, "CNN · 结构")
    assert "卷积层（Convolutional Layer）" in structure.back
    assert by_front(bundled_cards, "RNN · 问题").back.startswith("梯度消失")
    by_front(bundled_cards, "RNN · 应用")
    by_front(bundled_cards, "CNN · 应用")


def test_deck_path_and_tags_come_from_headings(bundled_cards):
    vanishing = by_front(bundled_cards, "梯度消失")
    assert vanishing.deck == "深度学习八股::梯度问题"
    assert vanishing.tags == ["深度学习八股", "梯度问题"]
    lstm = [c for c in bundled_cards if "LSTM" in c.front and "长短时记忆网络" in c.front][0]
    assert lstm.deck == "深度学习常用模型" and "LSTM" in lstm.tags


def test_the_formula_card_keeps_the_latex_as_written(bundled_cards):
    formula = by_front(bundled_cards, "$outputsize$ = ?")
    assert formula.back.startswith(r"$outputsize = \frac{inputsize+2*padding-kernel}{stride+1}$")
    assert "卷积向下取整，池化向上取整" in formula.back


def test_source_lines_point_at_the_question(bundled_cards):
    lines = BUNDLED.read_text(encoding="utf-8").split("\n")
    for card in bundled_cards:
        assert card.front.split(" · ")[-1].strip("$ =?")[:4] in lines[card.line - 1] or card.kind == "formula"


def test_fenced_code_with_a_language_stays_code():
    notes = "# Deck\n**How do I sum a list?**\n```python\nsum([1, 2])\n```\n"
    (card,) = parse_markdown(notes)
    assert card.back == "```python\nsum([1, 2])\n```"


def test_explicit_q_a_syntax_and_demo_lines():
    notes = ("# 激活\n\nQ: What kills a ReLU unit?\nA: A large negative bias.\n\nIt then outputs 0 forever.\n"
             "demo: dying_relu\n\nQ：第二个问题\nA：答案 $x^2$\n")
    first, second = parse_markdown(notes, "mine.md")
    assert first.front == "What kills a ReLU unit?" and first.kind == "explicit"
    assert first.back == "A large negative bias.\n\nIt then outputs 0 forever."
    assert first.demos == ["dying_relu"] and first.deck == "激活"
    assert second.front == "第二个问题" and second.back == "答案 $x^2$"


def test_html_comment_names_a_demo():
    (card,) = parse_markdown("**梯度消失**\n\n深层 sigmoid 网络。\n\n<!-- demo: vanishing_gradients -->\n")
    assert card.demos == ["vanishing_gradients"] and "demo" not in card.back


def test_cards_before_any_heading_use_the_file_name_as_deck():
    (card,) = parse_markdown("**什么是过拟合？**\n训练好，测试差。", "/notes/ml-basics.md")
    assert card.deck == "ml-basics" and card.line == 1


def test_a_list_that_answers_a_question_is_not_split_into_cards():
    notes = "### 如何调整学习率\n\n- **学习率衰减：** 逐渐减小\n- **网格搜索：** 多试几个\n"
    (card,) = parse_markdown(notes)
    assert card.front == "如何调整学习率" and "网格搜索" in card.back


PAGE = "# My ML interview notes\n\nQuestions I was asked, with answers.\n\n## What is overfitting?\nFitting noise.\n\n" \
       "## Regularization\n\n**L1**: sparse weights.\n"


def test_a_page_title_names_the_deck_and_is_no_card():
    cards = parse_markdown(PAGE, "/notes/ml.md")
    assert [(c.front, c.deck) for c in cards] == [("What is overfitting?", "My ML interview notes"),
                                                 ("L1", "My ML interview notes::Regularization")]
    assert cards[1].tags == ["My_ML_interview_notes", "Regularization"]
    titled = parse_markdown("---\ntitle: ML prep\n---\n" + PAGE, "/notes/ml.md")  # the visible title stays
    assert [c.deck for c in titled] == ["My ML interview notes", "My ML interview notes::Regularization"]
    decked = parse_markdown("---\ndeck: ML\n---\n" + PAGE, "/notes/ml.md")  # an explicit deck replaces it
    assert [c.deck for c in decked] == ["ML", "ML::Regularization"]


def test_a_top_heading_among_others_or_one_that_asks_is_no_page_title():
    two = parse_markdown("# CNN\n\nConvolutions share weights.\n\n# RNN\n\n## LSTM\nGates.\n")
    assert [c.front for c in two] == ["CNN", "LSTM"]  # several "#": topics, each a concept card with text
    asking = parse_markdown("# What is attention?\n\n## Formula\nsoftmax(QK^T/√d)V\n")
    assert [c.front for c in asking] == ["What is attention?"] and "## Formula" in asking[0].back


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("#*-`$>_ \n\t1.：:？?Qademo<!-|[]()\\xy中文")
                                + ["```", "**", "$$", "\n- ", "\n1. ", "Q: ", "A: ", "demo: x"]),
                max_size=120).map("".join))
def test_parser_never_crashes_on_markdown_shaped_noise(text):
    for card in parse_markdown(text):
        assert card.front.strip() and card.back.strip() and card.line >= 1


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_parser_never_crashes_on_arbitrary_text(text):
    parse_markdown(text)
