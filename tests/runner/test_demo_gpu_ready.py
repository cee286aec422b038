"""The demos are ready for a GPU (issue 15, item 4), read from their source.

* Random numbers come from a seeded CPU ``torch.Generator``: every random tensor is drawn
  with ``generator=`` and without ``device=`` (the device's own generator gives other
  numbers for the same seed; a CPU generator with ``device="cuda"`` is an error that only
  a GPU run would find), no generator lives on a device, and nothing draws from the global
  RNG at all (``*_like`` factories, ``nn.Dropout``, ``F.dropout``). Module weights are
  initialised from the CPU's global generator under ``torch.manual_seed`` and then moved,
  so a layer must not be built with ``device=``.
* A training loop (one that steps an optimiser, calls ``backward()`` or
  ``torch.autograd.grad``) does not wait for the device at every step: ``.item()``,
  ``.tolist()``, ``.cpu()``, ``.numpy()``, ``float()``/``int()``/``bool()`` of a value, a
  ``torch`` call in an ``if`` test, or a call to a demo function that does any of these,
  only under an ``if`` that tests ``step % N`` (logging every N steps), or after an
  ``if step % N: continue``. Nor does it draw random numbers at every step (drawn on the
  CPU, they would be copied at every step, a wait too): ``_draws.Draws`` draws ahead.

The checks read the AST, so they run in milliseconds and never import torch.
"""

from __future__ import annotations

import ast
from importlib.resources import files

import pytest

RANDOM_FACTORIES = {"rand", "randn", "randint", "randperm", "normal", "bernoulli", "multinomial", "poisson"}
RANDOM_IN_PLACE = {"normal_", "uniform_", "random_", "bernoulli_", "exponential_", "geometric_", "cauchy_",
                   "log_normal_"}
GLOBAL_RNG_ONLY = {"rand_like", "randn_like", "randint_like", "Dropout", "Dropout1d", "Dropout2d", "Dropout3d",
                   "AlphaDropout", "FeatureAlphaDropout", "dropout", "dropout1d", "dropout2d", "dropout3d",
                   "alpha_dropout", "feature_alpha_dropout"}
LAYERS = {"Linear", "Conv1d", "Conv2d", "Conv3d", "RNN", "LSTM", "GRU", "Embedding", "Bilinear", "BatchNorm1d",
          "BatchNorm2d", "LayerNorm", "MultiheadAttention", "ConvTranspose2d"}
HOST_READS = {"item", "tolist", "cpu", "numpy"}
TORCH_NAMESPACES = ("torch.", "nn.", "F.", "functional.")
# a demo that is *about* a layer drawing from the global RNG says so on the line: `# global RNG: why`
ALLOWED_MARK = "# global RNG:"

DEMO_FILES = sorted((entry.name for entry in files("studyapp.demos").iterdir()
                     if entry.name.endswith(".py") and entry.name != "__init__.py"))
by_file = pytest.mark.parametrize("name", DEMO_FILES)


def source_of(name: str) -> str:
    return (files("studyapp.demos") / name).read_text(encoding="utf-8")


def calls(tree: ast.AST) -> list[ast.Call]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)]


def last_name(call: ast.Call) -> str:
    """`torch.randn` -> randn, `x.normal_` -> normal_, `mlp` -> mlp."""
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def keywords(call: ast.Call) -> set[str]:
    return {keyword.arg for keyword in call.keywords if keyword.arg}


def where(name: str, node: ast.AST) -> str:
    return f"{name}:{node.lineno}: {ast.unparse(node)}"


def random_draw_problems(name: str, source: str) -> list[str]:
    lines = source.splitlines()
    problems = []
    for call in calls(ast.parse(source)):
        called, head = last_name(call), ast.unparse(call.func)
        if ALLOWED_MARK in lines[call.lineno - 1]:
            continue
        if head.startswith("torch.") and called in RANDOM_FACTORIES or (
                called in RANDOM_IN_PLACE and not head.startswith(("nn.init.", "torch.nn.init."))):
            if "generator" not in keywords(call):
                problems.append(f"{where(name, call)} draws from the global RNG (pass generator=)")
            if "device" in keywords(call):
                problems.append(f"{where(name, call)} draws on the device (draw on the CPU, then .to(device))")
        elif called in GLOBAL_RNG_ONLY and head.startswith(TORCH_NAMESPACES):
            problems.append(f"{where(name, call)} can only draw from the device's global RNG")
        elif head.endswith("Generator") and (call.args or call.keywords):
            problems.append(f"{where(name, call)}: a generator on a device gives other numbers per device")
        elif called in LAYERS and "device" in keywords(call):
            problems.append(f"{where(name, call)} initialises its weights from the device's RNG (build, then .to())")
    return problems


@by_file
def test_random_numbers_come_from_seeded_cpu_generators(name: str):
    assert random_draw_problems(name, source_of(name)) == []


def functions(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    return {node.name: node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def is_update(call: ast.Call, step_helpers: set[str]) -> bool:
    head = ast.unparse(call.func)
    return (isinstance(call.func, ast.Attribute) and call.func.attr in ("step", "backward")
            or head in ("torch.autograd.grad", "autograd.grad") or head in step_helpers)


def body_calls(node: ast.AST, into_loops: bool = True) -> list[ast.Call]:
    """Calls made by `node` itself: not inside a nested function, lambda or class (nor, unless
    `into_loops`, inside a nested loop)."""
    found, todo = [], list(ast.iter_child_nodes(node))
    while todo:
        child = todo.pop()
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if not into_loops and isinstance(child, (ast.For, ast.While)):
            continue
        if isinstance(child, ast.Call):
            found.append(child)
        todo.extend(ast.iter_child_nodes(child))
    return found


def has_loop(function: ast.FunctionDef) -> bool:
    return any(isinstance(node, (ast.For, ast.While)) for node in ast.walk(function))


def reads_the_host(call: ast.Call, syncing: set[str]) -> bool:
    called = last_name(call)
    if isinstance(call.func, ast.Attribute) and called in HOST_READS:
        return True
    if isinstance(call.func, ast.Name) and called in ("float", "int", "bool"):
        return bool(call.args) and not isinstance(call.args[0], ast.Constant)
    return isinstance(call.func, ast.Name) and called in syncing


def draws_on_the_host(call: ast.Call, drawing: set[str]) -> bool:
    """A random draw (on the CPU, by the rule above): made at every step it is copied at every step."""
    called = last_name(call)
    return (ast.unparse(call.func).startswith("torch.") and called in RANDOM_FACTORIES
            or isinstance(call.func, ast.Name) and called in drawing)


def closure(tree: ast.Module, does) -> set[str]:
    """Demo functions that do something (`does(call, found_so_far)`), themselves or through another one."""
    defined = functions(tree)
    found: set[str] = set()
    while True:
        more = {name for name, function in defined.items() if name not in found
                and any(does(call, found) for call in body_calls(function))}
        if not more:
            return found
        found |= more


def checks_a_modulus(test: ast.expr) -> bool:
    return any(isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) for node in ast.walk(test))


def unguarded(statements: list[ast.stmt]) -> list[ast.AST]:
    """The parts of a loop body that run at every step: all but `if step % N:` blocks and what
    follows an `if step % N: continue`."""
    found = []
    for statement in statements:
        if isinstance(statement, ast.If) and checks_a_modulus(statement.test):
            if [type(s) for s in statement.body] == [ast.Continue]:
                break  # every later statement runs only when step % N == 0
            found += unguarded(statement.orelse)
            continue
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if isinstance(statement, (ast.If, ast.While)):
            found.append(statement.test)
            found += unguarded(statement.body) + unguarded(statement.orelse)
        elif isinstance(statement, ast.For):
            found.append(statement.iter)
            found += unguarded(statement.body)
        elif isinstance(statement, (ast.With, ast.Try)):
            found += unguarded(getattr(statement, "body", []))
        else:
            found.append(statement)
    return found


def per_step_syncs(name: str, tree: ast.Module) -> list[str]:
    defined = functions(tree)
    step_helpers = {fname for fname, function in defined.items() if not has_loop(function)
                    and any(isinstance(c.func, ast.Attribute) and c.func.attr == "step" for c in body_calls(function))}
    syncing, drawing = closure(tree, reads_the_host), closure(tree, draws_on_the_host)
    problems = []
    for loop in ast.walk(tree):
        if not isinstance(loop, (ast.For, ast.While)):
            continue
        # a training loop updates at every step itself; a loop over variants runs one inside it
        if not any(is_update(call, step_helpers) for call in body_calls(loop, into_loops=False)):
            continue
        for part in unguarded(loop.body):
            parts_calls = body_calls(part) + ([part] if isinstance(part, ast.Call) else [])
            for call in parts_calls:
                if reads_the_host(call, syncing):
                    problems.append(f"{where(name, call)} reads the device at every step")
                if draws_on_the_host(call, drawing):
                    problems.append(f"{where(name, call)} draws and copies at every step (use _draws.Draws)")
            if isinstance(part, ast.expr) and any(ast.unparse(c.func).startswith("torch.") for c in parts_calls):
                problems.append(f"{name}:{part.lineno}: `{ast.unparse(part)}` waits on the device at every step")
    return sorted(set(problems))


@by_file
def test_training_loops_read_the_device_only_when_logging(name: str):
    assert per_step_syncs(name, ast.parse(source_of(name))) == []


BAD_DEMO = '''
import torch
from torch import nn

def descend(optimizer, loss):
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

def accuracy(model, x):
    return model(x).mean().item()

def run(device, steps, generator):
    model = nn.Linear(2, 1, device=device)
    noise = torch.randn(8, 2, device=device)
    layer = nn.Dropout(0.5)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for step in range(steps):
        loss = model(torch.rand(8, 2, generator=generator)).pow(2).mean()
        if not torch.isfinite(loss):
            break
        descend(optimizer, loss)
        curve.append(accuracy(model, noise))
        if step % 10 == 0:
            print(loss.item())
    for step in range(steps):
        loss = model(noise + torch.randn(8, 2, generator=generator).to(device)).sum()
        loss.backward()
        losses.append(float(loss))
'''


def test_the_checks_catch_what_they_describe():
    """The rules above fail on a demo that breaks them (and pass the logging under `step % 10`):
    a per-step draw (19, 27), torch in an `if` test (20), a syncing helper (23), float(loss) (29)."""
    random_problems = random_draw_problems("bad.py", BAD_DEMO)
    assert len(random_problems) == 4, random_problems  # randn without generator and with device, Dropout, Linear
    assert any("nn.Linear(2, 1, device=device)" in p for p in random_problems)
    syncs = per_step_syncs("bad.py", ast.parse(BAD_DEMO))
    assert [p.split(":")[1] for p in syncs] == ["19", "20", "23", "27", "29"], syncs
