"""Shapes met in interview notes written by others (issue 11, item 8), each in a fixture
written in that style (tests/notes/fixtures/unseen/): the cards a user would expect."""

from __future__ import annotations

from pathlib import Path

from studyapp.notes.parse import parse_notes
from studyapp.notes.syntax import cloze_prompt

UNSEEN = Path(__file__).parent / "fixtures" / "unseen"


def parse(name: str):
    path = UNSEEN / name
    return parse_notes(path.read_text(encoding="utf-8"), str(path))


def pairs(result) -> list[tuple[str, str]]:
    return [(c.front, c.back) for c in result.cards]


def test_an_obsidian_answer_that_asks_stays_the_answer():
    result = parse("obsidian_multiline_asks.md")
    assert pairs(result) == [
        ("What does early stopping watch?", "Does the validation loss still fall, epoch after epoch?"),
        ("Which checks come before a long run?", "- Does the loss fall on one batch?\n- Is the learning rate finite?"),
        ("Why clip gradients?", "To stop one exploding step from wrecking the weights."),
    ]
    assert not result.unanswered
    assert [c.sr.interval if c.sr else None for c in result.cards] == [9, 3, None]  # schedules kept


def test_a_heading_that_asks_in_bold_or_by_its_q_label_takes_its_section():
    result = parse("bold_and_labelled_headings.md")
    assert [(c.front, c.kind) for c in result.cards] == [
        ("为什么要用小批量训练？", "question"), ("什么是权重衰减？", "question"),
        ("Define label smoothing.", "question"), ("Why warm up the learning rate?", "question")]
    batches = result.cards[0]
    assert batches.back.startswith("**一、显存**") and batches.back.endswith("有助于跳出尖锐的极小值。")  # no 解析 label
    assert result.cards[1].back == "在损失里加上权重的 L2 范数。"
    assert result.cards[2].back == "Train on targets like 0.9/0.1 instead of hard 1/0.\n\nMore reading: the Inception-v3 paper."
    assert result.cards[3].back == "Early steps with Adam have noisy moment estimates."


def test_star_begging_credits_escaped_bold_and_derivations():
    result = parse("credits_stars_escaped_bold.md")
    assert pairs(result) == [
        ("What does dropout do?", "It zeroes random activations while training."),
        ("What is weight decay?", "An L2 penalty on the weights."),  # the converter escaped its bold
        ("Why does data augmentation regularise?", "It shows the model more of the input distribution."),
        ("交叉熵推导", "神经元的输出是 a = σ(z)。\n\n$C=-\\frac{1}{n}\\sum[y\\ln a+(1-y)\\ln(1-a)]$\n\n对 w 求导即得梯度。"),
    ]  # no title card of a banner, no credit line, no "$C$ = ?" card cut out of the derivation
    assert {s.reason for s in result.skipped} >= {"sponsor line", "credit line"}


def test_obsidian_highlights_are_clozes_in_a_flashcards_note():
    result = parse("obsidian_highlight_clozes.md")
    clozes = [c for c in result.cards if c.kind == "cloze"]
    assert [cloze_prompt(c.front) for c in clozes] == [
        "Adam keeps an [...] per weight.",
        "The [...] and the batch size trade off against each other.",
        "The learning rate and the [...] trade off against each other."]
    assert clozes[0].back == "Adam keeps an **exponential average of squared gradients** per weight."
    assert [c.sr.interval for c in clozes] == [6, 2, 5]  # the plugin's schedules, one per deletion
    assert clozes[1].sibling and clozes[1].sibling == clozes[2].sibling
    assert len(result.cards) == 4  # the momentum card; the comparison in code is no card
    untagged = parse_notes("# Adam\nAdam keeps an ==average== per weight.\n").cards
    assert [c.kind for c in untagged] == ["concept"]  # a highlight in a note not tagged for flashcards


def test_multiple_choice_letters_stay_and_a_list_of_questions_stays_apart():
    result = parse("choices_and_question_lists.md")
    overfit, order, val_test, batchnorm = result.cards
    assert overfit.back == "A.增加模型参数\n\nB.数据增强\n\nC.去掉正则项\n\n解析：正确答案**B**，数据增强相当于扩充了训练集。"
    assert order.back.startswith("a.计算损失") and "A.abc B.cba C.bac" in order.back  # no choice lost its letter
    assert (val_test.front, val_test.back) == (
        "What is the difference between a validation set and a test set?",
        "- the validation set picks the model, the test set reports its error once")
    assert batchnorm.front.startswith("Explain why batch normalization")  # a long question is still one
    assert batchnorm.back == "- training uses the batch statistics, inference the running averages"
    assert [u.text for u in result.unanswered] == ["Define label smoothing.", "What is teacher forcing?"]


def test_details_answers_cut_by_blank_lines_stay_whole():
    result = parse("details_answers_with_blank_lines.md")
    assert pairs(result) == [
        ("正则化：哪一项最能缓解过拟合：\n\n- A 增大学习率\n- B 加入 L2 正则", "**B** 正则项限制了权重的大小。"),
        ("什么是 AUC？", "- ROC 曲线下的面积。\n- 随机猜测为 0.5。"),
        ("Why shuffle the training set each epoch?",
         "**Short version:** so that batches are not correlated.\n\nCorrelated batches bias each step."),
    ]  # the "Q1 …" headings are no decks, the bold inside an answer is no term card
    assert {c.deck for c in result.cards} == {"机器学习选择题"}


def test_a_hashcards_cloze_runs_over_lines_and_blank_lines_up_to_the_next_card():
    result = parse("hashcards_long_clozes.md")
    clozes = [c for c in result.cards if c.kind == "cloze"]
    assert [cloze_prompt(c.front) for c in clozes] == [
        "Adam divides each step by the square root of a running\naverage of [...].\n\n"
        "— so its step size is roughly the learning rate whatever the gradient scale.",
        "Adam divides each step by the square root of a running\naverage of squared gradients.\n\n"
        "— so its step size is roughly [...] whatever the gradient scale."]
    assert len({c.sibling for c in clozes}) == 1
    weight_decay = [c for c in result.cards if c.kind == "explicit"]
    assert [(c.front, c.back) for c in weight_decay] == [("What does weight decay add to the loss?",
                                                          "An L2 penalty on the weights.")]


def test_bold_question_items_without_answers_are_reported_and_quoted_answer_labels_go():
    result = parse("bold_question_items_and_quoted_answers.md")
    assert pairs(result) == [
        ("为什么 Adam 需要偏差修正？", "* 一阶、二阶矩都从 0 开始，前几步被低估。"),
        ("What is a validation set for?", "> * Choosing hyper-parameters without touching the test set."),
        ("What is early stopping?", "> * Stopping when the validation loss stops improving."),
    ]
    assert [u.text for u in result.unanswered] == ["为什么学习率要预热", "学习率衰减有哪些方式？"]


def test_a_banner_blurb_and_an_assistant_sign_off_are_no_cards():
    result = parse("banner_blurbs.md")
    assert pairs(result) == [
        ("What is a residual connection?", "Adding a block's input to its output, so gradients reach early layers."),
        ("Why scale dot-product attention by the square root of d?",
         "Without it the logits grow with d and the softmax saturates. This list uses d for the key size."),
    ]
    assert [(s.line, s.reason) for s in result.skipped] == [(2, "about the page"), (8, "about the page"),
                                                        (13, "a chat assistant's sign-off")]


def test_a_question_bank_without_answers_gives_no_cards_and_reports_every_question():
    result = parse("question_bank_without_answers.md")
    assert pairs(result) == [("Why clip gradients?", "To keep one exploding step from wrecking the weights.")]
    assert [(u.line, u.text) for u in result.unanswered] == [
        (3, "Explain the difference between momentum and Nesterov momentum, and when the second one helps in practice."),
        (5, "Why decay the learning rate at all?"), (6, "What does a warm restart do?"),
        (7, "Why can Adam generalise worse than SGD?"),
        (9, "What’s the link between batch size and the best learning rate."),
        (10, "How does a larger batch change the gradient noise?")]  # no [E]/[M]/[H] difficulty tags


def test_anki_notes_laid_out_as_headings_give_their_cards_and_no_field_cards():
    result = parse("heading_laid_anki_notes.md")
    first, second, basic = result.cards
    assert [c.kind for c in result.cards] == ["cloze", "cloze", "explicit"]
    assert cloze_prompt(first.front) == ("Section: Regularisation\n\nDropout zeroes each activation with probability [...] "
                                         "during training.\n\nAt test time the weights are [...] instead.")
    assert first.back.endswith("are **scaled by 1 - p** instead.\n\nInverted dropout scales during training instead.")
    assert cloze_prompt(second.front).count("[...]") == 1 and first.sibling == second.sibling
    assert (basic.front, basic.back) == ("What does label smoothing replace the one-hot target with?",
                                         "A mix of the one-hot target and the uniform distribution.")
    assert all(c.front not in ("Note", "Text", "Front", "Back") for c in result.cards)


def test_vitepress_details_containers_and_answer_labels():
    result = parse("vitepress_containers.md")
    assert pairs(result) == [
        ("BatchNorm 在训练和推理时有什么不同？", "训练时用当前 batch 的均值和方差，推理时用滑动平均。"),
        ("为什么 LayerNorm 适合 Transformer？", "它不依赖 batch 大小，每个 token 自己归一化。\n\n- 变长序列也没问题。"),
        ("LayerNorm 的参数有哪些？", "每个特征一个缩放 γ 和一个偏移 β。"),
    ]  # no ":" fronts from the ::: markers; the tip container is no card; no 参考回答/解答 labels


def test_resource_sections_citations_and_versus_headings():
    result = parse("resources_citations_versus.md")
    kernels, versus = result.cards  # no title blurb, no "Preparation Resources" or "Contributions" card
    assert (kernels.front, kernels.back) == ("Why use 3x3 kernels?", "Two stacked 3x3 layers see 5x5 with fewer weights.")
    assert versus.front == "Precision vs. recall." and versus.kind == "question"  # one card, not one per term
    assert "**Precision**: how many predicted positives are right" in versus.back
    assert versus.back.endswith("**Recall**: how many real positives are found")
    assert [u.text for u in result.unanswered] == ["Implement non-maximum suppression."]  # a task with no answer


def test_a_page_title_keeps_the_count_that_is_part_of_its_name():
    result = parse("counted_title.md")
    assert [(c.deck, c.front) for c in result.cards] == [
        ("50 Vision Questions::Convolutions", "Why use a 1x1 convolution?"),
        ("50 Vision Questions::Convolutions", "3D卷积和2D卷积有什么区别？"),
    ]


def test_a_bold_term_line_then_bold_term_items_is_one_card_per_term():
    result = parse("term_line_then_term_items.md")
    assert pairs(result) == [
        ("L1", "pushes weights to exactly zero, so it selects features."),
        ("L2", "shrinks every weight a little, none to zero."),
        ("Dropout", "switches random units off while training."),
        # a term whose answer announces a list with its colon: the list is that answer
        ("Momentum methods", "two are common:\n\n- **Nesterov**: looks ahead before the step.\n"
                             "- **Heavy ball**: adds the last step again."),
    ]


def test_a_closing_paragraph_after_a_list_of_answered_questions_is_no_answer():
    result = parse("faq_list_with_closing_remark.md")
    assert [c.front for c in result.cards] == [
        "损失为什么变成 NaN？", "显存不够怎么办？", "What does a warm-up do?"]
    nan, memory, warmup = result.cards
    assert nan.back.startswith("学习率太大")
    assert memory.back.startswith("减小批量") and memory.back.endswith("loss.backward()\n```")
    assert "少走弯路" not in memory.back
    assert [(s.line, s.reason) for s in result.skipped] == [
        (16, "closing remark after a list of answered questions")]
    # one question with an indented answer is no list of them: the paragraph after it still answers
    assert warmup.back == "It ramps the learning rate up over the first steps.\n\nThis also holds for fine-tuning."


def test_a_task_whose_only_answer_is_a_link_is_a_card_with_that_link():
    result = parse("task_with_answer_link.md")
    assert pairs(result) == [
        ("Implement non-maximum suppression for boxes.", "[[Answer]](https://example.org/nms-walkthrough)"),
        ("What does a 1x1 convolution do?",
         "[[Answer]](https://example.org/one-by-one)\n\nIt mixes channels at each pixel."),
    ]
    assert [(s.line, s.text) for s in result.unanswered] == [(7, "Write a function that flattens nested lists.")]


def test_more_reading_lines_and_dangling_site_citations_leave_answers():
    result = parse("reading_links_and_site_citations.md")
    assert pairs(result) == [
        ("What is weight decay?", "Adding a penalty on the weights' size to the loss, so large weights cost more."),
        ("What does `x([a][0])` return in this snippet?",
         "```python\nx([a][0])\n```\n\nIt calls x with the first item of a one-item list."),  # code untouched
        # nothing else answers it: the reading link is the answer, as an [[Answer]](url) link would be
        ("What is label smoothing?", "_More reading: [Label smoothing (Example Wiki)](https://example.org/label-smoothing)_"),
    ]
    assert [(s.line, s.reason) for s in result.skipped] == [(5, "further reading link")]


def test_lists_of_places_to_look_and_interview_tips_are_no_cards():
    result = parse("places_and_interview_tips.md")
    assert [c.front for c in result.cards] == [
        "What is a validation set for?",
        "Where can I find open data repositories?",  # a heading that asks about them is a question
        "Two time-scales",  # tips about the subject are content
    ]
    skipped = {s.text for s in result.skipped if "heading" in s.reason}
    assert skipped == {"Well-known image data repositories:", "✨ Tips for the interview day"}


def test_a_labelled_question_keeps_its_setup_and_question_line_in_one_front():
    result = parse("labelled_prompt_with_setup.md")
    assert [(c.line, c.kind) for c in result.cards] == [(1, "question"), (24, "question")]
    kmeans, relu = result.cards
    assert kmeans.front.startswith("聚类：给定下面六个二维点") and "请问，收敛后的两个中心大约在哪里？" in kmeans.front
    assert kmeans.front.endswith("- B (0, 0) 和 (9, 9)")
    assert kmeans.back == "**A** 每个中心是它那一簇点的均值。"
    # no <details> below: the question line is the card, its answer the text after it
    assert (relu.front, relu.back) == ("为什么 ReLU 能缓解梯度消失？", "它在正区间的梯度恒为 1。")


def test_a_line_introducing_a_list_of_questions_is_no_card_of_its_own():
    result = parse("section_intro_over_questions.md")
    assert [c.front for c in result.cards] == [
        "验证集损失上升怎么办？", "训练很慢怎么办？",
        "激活函数"]  # over a list of terms the topic's line and the list stay its concept card
    assert result.cards[-1].back.startswith("常见的激活函数有：")
    assert [(s.line, s.reason) for s in result.skipped] == [(1, "introduces the questions below")]


def test_a_bold_item_with_nothing_under_it_is_reported_as_unanswered():
    result = parse("bold_prompts_without_answers.md")
    assert [c.front for c in result.cards] == ["Why share weights across positions?", "Depthwise separable convolution"]
    assert [(s.line, s.text) for s in result.unanswered] == [(5, "1*1卷积的作用"), (11, "介绍一下生成模型和判别模型的关系")]
