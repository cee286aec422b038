"""Every built-in demo keeps its promise: its claim holds on its own numbers, and fails
when the contrast it is about is ablated (so the check can fail at all).

The demos are found through ``studyapp.runner.catalog.catalog()``, so a new file in
``demos/`` is covered without touching this test. Real demo runs are marked ``slow``;
the static checks (constants, imports) read the source only.
"""

from __future__ import annotations

import ast
import importlib
import math
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import pytest
import torch
from studyapp.demos._result import Result

from studyapp.runner.catalog import DemoInfo, catalog

torch.set_num_threads(1)  # the budget every demo is written for (one CPU core, quick mode)

DEMOS = [info for info in catalog().values() if info.path is None]  # built-ins, not $STUDYAPP_DEMOS_DIR
CLAIM_SEEDS = (0, 1, 2)
by_id = pytest.mark.parametrize("demo", DEMOS, ids=[info.id for info in DEMOS])


@dataclass
class Outcome:
    result: Result
    progress: list[tuple[float, str]]


@cache
def outcome(demo_id: str, seed: int, ablate: bool = False) -> Outcome:
    """One quick CPU run, shared by the tests that look at it."""
    module = importlib.import_module(catalog()[demo_id].module)
    calls: list[tuple[float, str]] = []
    result = module.run("cpu", seed, quick=True, progress=lambda fraction, message: calls.append(
        (fraction, message)), ablate=ablate)
    return Outcome(result, calls)


def source_of(demo: DemoInfo) -> ast.Module:
    file = files("studyapp.demos") / f"{demo.module.rsplit('.', 1)[1]}.py"
    return ast.parse(file.read_text(encoding="utf-8"))


def test_the_catalog_finds_the_demos():
    assert len(DEMOS) >= 11
    assert {"dying_relu", "l1_vs_l2_sparsity", "conv_output_size", "overfitting"} <= {d.id for d in DEMOS}


@by_id
def test_constants_name_the_demo(demo: DemoInfo):
    assert demo.id == demo.module.rsplit(".", 1)[1]  # the id is the file name: a stable contract
    assert demo.title.strip() and demo.claim.strip()
    assert demo.card_terms and all(group and all(term.strip() for term in group) for group in demo.card_terms)


@by_id
def test_demo_does_not_import_the_app(demo: DemoInfo):
    for node in ast.walk(source_of(demo)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level <= 1, f"{demo.id}: relative import reaches outside studyapp.demos"
            names = [node.module or ""] if node.level == 0 else []
        else:
            continue
        for name in names:
            inside_demos = name == "studyapp.demos" or name.startswith("studyapp.demos.")
            assert name.split(".")[0] != "studyapp" or inside_demos, f"{demo.id} imports {name}"


@by_id
def test_demo_leaves_threads_and_stdout_alone(demo: DemoInfo):
    tree = source_of(demo)
    main_blocks = [node for node in tree.body if isinstance(node, ast.If)
                   and "__main__" in ast.unparse(node.test)]
    allowed = {id(inner) for block in main_blocks for inner in ast.walk(block)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and id(node) not in allowed:
            called = ast.unparse(node.func)
            assert called != "print" and not called.endswith("set_num_threads"), f"{demo.id} calls {called}"


@pytest.mark.slow
@by_id
@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_claim_holds(demo: DemoInfo, seed: int):
    result = outcome(demo.id, seed).result
    assert result.claim_holds is True, f"{demo.id} seed {seed}: {result.metrics}"


@pytest.mark.slow
@by_id
def test_claim_fails_when_ablated(demo: DemoInfo):
    result = outcome(demo.id, 0, ablate=True).result
    assert result.claim_holds is False, f"{demo.id} ablated: {result.metrics}"


def test_at_least_six_demos_ask_a_question_before_they_run():
    asking = [demo.id for demo in DEMOS if demo.predict is not None]
    assert len(asking) >= 6, asking
    for demo in DEMOS:
        if demo.predict is not None:
            assert demo.predict.question.strip() and len(demo.predict.keys) >= 2, demo.id


@pytest.mark.slow
@by_id
@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_the_run_answers_its_own_question(demo: DemoInfo, seed: int):
    """The measured numbers pick one of the choices (None for a demo without a question)."""
    answer = outcome(demo.id, seed).result.answer
    if demo.predict is None:
        assert answer is None, f"{demo.id} answers a question it does not ask"
    else:
        assert answer in demo.predict.keys, f"{demo.id} seed {seed}: answer {answer!r}"


@pytest.mark.slow
@by_id
def test_result_is_plottable_and_serialisable(demo: DemoInfo):
    run = outcome(demo.id, 0)
    result = run.result
    assert isinstance(result, Result)
    assert result.claim == demo.claim
    assert result.metrics
    for name, value in result.metrics.items():
        assert isinstance(name, str) and type(value) is float and math.isfinite(value), (name, value)
    assert result.series
    for label, values in result.series.items():
        assert isinstance(values, list) and values, label
        assert all(isinstance(v, (int, float)) and math.isfinite(v) for v in values), label
    assert run.progress, f"{demo.id} never reported progress"
    for fraction, message in run.progress:
        assert 0.0 <= fraction <= 1.0 and isinstance(message, str), (fraction, message)
