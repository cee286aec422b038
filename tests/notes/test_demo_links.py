"""Cards of the bundled deck link to the demos that answer them, and to no others."""

from __future__ import annotations

import json

from studyapp.runner.catalog import catalog

# Every linked card of the bundled notes, by front, with the demos it must link to.
EXPECTED_LINKS = {
    "激活函数Sigmoid, Tanh, ReLu 三个激活函数的缺点或不足": {"dying_relu", "activation_saturation",
                                                   "mse_vs_cross_entropy"},
    "激活函数": {"activation_saturation", "mse_vs_cross_entropy"},
    "梯度消失": {"vanishing_gradients", "weight_init", "batch_norm", "mse_vs_cross_entropy"},
    "RNN · 问题": {"vanishing_gradients", "rnn_vs_lstm"},
    "梯度爆炸": {"exploding_gradients", "weight_init"},
    "解释GAN中的模式崩溃是什么？": {"gan_mode_collapse"},
    "GAN的训练中可能遇到的问题是什么？": {"gan_mode_collapse"},
    "正则化": {"l1_vs_l2_sparsity"},
    "注意力模型": {"attention_scaling"},
    "为什么引入非线性激励函数": {"linear_collapse"},
    "标准化+归一化": {"feature_scaling"},
    "欠拟合": {"bias_variance"},
    "$outputsize$ = ?": {"conv_output_size"},
    "过拟合Overfitting": {"overfitting", "dropout_scaling"},
    "CNN": {"cnn_weight_sharing"},
    "交叉验证": {"cross_validation"},
    "CNN · 结构": {"cnn_weight_sharing"},
    "CNN · 应用": {"cnn_weight_sharing"},
    "长短时记忆网络（Long Short-Term Memory，LSTM）": {"rnn_vs_lstm"},
    "什么是PyTorch中的优化器？": {"optimizers"},
    "如何选择优化算法": {"optimizers"},
    "梯度下降的问题": {"learning_rate"},
    "如何调整学习率": {"learning_rate"},
    "小批量梯度下降（Mini-Batch Gradient Descent）": {"batch_size_noise"},
    "如何调整批量大小": {"batch_size_noise"},
}


def test_bundled_cards_link_exactly_the_demos_about_them(run_cli):
    cards = json.loads(run_cli("cards", "--json").stdout)
    linked = {card["front"]: set(card["demos"]) for card in cards if card["demos"]}
    assert linked == EXPECTED_LINKS


def test_every_demo_answers_at_least_one_card():
    answered = set().union(*EXPECTED_LINKS.values())
    assert set(catalog()) == answered


def test_notes_can_name_a_demo_explicitly(run_cli, tmp_path):
    notes = tmp_path / "mine.md"
    notes.write_text("# 我的\n\nQ: Why do my units never fire?\nA: Their bias went very negative.\n"
                     "demo: dying_relu\n\n**Another card**\n<!-- demo: conv_output_size -->\nWith a comment.\n",
                     encoding="utf-8")
    assert run_cli("import", str(notes)).returncode == 0
    mine = {c["front"]: c["demos"] for c in json.loads(run_cli("cards", "--json", "--deck", "我的").stdout)}
    assert mine == {"Why do my units never fire?": ["dying_relu"], "Another card": ["conv_output_size"]}
    listed = {d["id"]: [c["front"] for c in d["cards"]] for d in json.loads(run_cli("demo", "list", "--json").stdout)}
    assert "Why do my units never fire?" in listed["dying_relu"]


def test_links_follow_edits_of_the_notes(run_cli, tmp_path):
    notes = tmp_path / "edit.md"
    notes.write_text("**梯度爆炸**\n损失变成 NaN。\n", encoding="utf-8")
    run_cli("import", str(notes))
    assert json.loads(run_cli("cards", "--json", "--deck", "edit").stdout)[0]["demos"] == [
        "exploding_gradients", "weight_init"]
    notes.write_text("**梯度爆炸**\n损失变成 NaN。\ndemo: gan_mode_collapse\n", encoding="utf-8")
    run_cli("import", str(notes))
    assert json.loads(run_cli("cards", "--json", "--deck", "edit").stdout)[0]["demos"] == [
        "exploding_gradients", "gan_mode_collapse", "weight_init"]


def test_english_and_chinese_variants_link_from_the_cards_own_words():
    from studyapp.runner.catalog import demo_links

    def linked(front, back=""):
        return {demo for demo, _, _ in demo_links(front, back, [])}

    assert "vanishing_gradients" in linked("Why do vanishing gradients happen?")
    assert "vanishing_gradients" in linked("什么是梯度弥散？")
    assert "weight_init" in linked("How should I initialize weights?") == linked("Weight initialisation")
    assert "overfitting" in linked("How do you detect over-fitting?")
    assert "l1_vs_l2_sparsity" in linked("Why does Lasso give sparse weights?")
    assert linked("A question", "Exploding gradients: the loss becomes NaN.") == {"exploding_gradients"}
    assert linked("Explain it", "The answer mentions vanishing gradients later on.") == set()
    reasons = dict((demo, why) for demo, _, why in demo_links("梯度消失", "", ["dying_relu"]))
    assert reasons["dying_relu"] == "named in the notes" and reasons["vanishing_gradients"] == "front: '梯度消失'"


def test_the_deck_path_alone_links_nothing(run_cli, tmp_path):
    notes = tmp_path / "deck.md"
    notes.write_text("# 梯度消失\n\n## 实践\n\n**怎么办？**\n换 ReLU。\n", encoding="utf-8")
    run_cli("import", str(notes))
    (card,) = json.loads(run_cli("cards", "--json", "--deck", "梯度消失").stdout)
    assert card["front"] == "怎么办？" and card["demos"] == []
