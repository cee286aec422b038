"""Without non-linear activations, a deep net is one linear map: depth buys nothing.

Claim: a 6-layer MLP with no activation computes exactly one matrix product (its output
equals x @ (W1 W2 ... W6) + b to float precision), and trained on points labelled by a
circle it stays at a straight line's accuracy (<= 0.7; the classes are half and half),
while the same net with ReLU between its layers, same data, seed and Adam, reaches >= 0.9.

Why: a Linear layer computes x W + b. Composing two, (x W1 + b1) W2 + b2 = x (W1 W2) +
(b1 W2 + b2), is again one Linear layer; by induction so is any stack, whatever its
depth and width. Its decision boundary (output = 0) is therefore a single straight line
(a hyperplane), and no line separates the inside of a circle from the outside. A
non-linear activation between the layers breaks the composition: ReLU folds the input
space along each unit's line, and the next layer combines the pieces into a curved
boundary. This is the notes' 为什么引入非线性激励函数: the activation is what gives depth
its expressive power. The demo computes the collapsed matrix explicitly and compares.
"""

ID = "linear_collapse"
TITLE = "A deep linear net is one linear map"
CLAIM = ("A 6-layer MLP without activations equals one matrix product to float precision and stays at a straight "
         "line's accuracy (<= 0.7) on points inside vs outside a circle, while the same net with ReLU reaches >= 0.9.")
CARD_TERMS = [("非线性",), ("nonlinear",), ("non-linear",)]

DEPTH = 6
WIDTH = 32
TRAIN_POINTS_QUICK, TRAIN_POINTS_FULL = 256, 4096
TEST_POINTS = 2048
LEARNING_RATE = 1e-2  # Adam, full batch
STEPS_QUICK, STEPS_FULL = 200, 1000
EVAL_EVERY = 10
COLLAPSE_TOLERANCE = 1e-4  # max |net(x) - collapsed(x)|, relative to the output's scale
LINEAR_AT_MOST = 0.7  # balanced labels: a half-plane cutting off part of the disc gets ~0.65 at best
RELU_AT_LEAST = 0.9

from ._result import Result, Progress, no_progress  # noqa: E402

import math  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402


def circle_data(points: int, generator: torch.Generator, device: str) -> tuple[torch.Tensor, torch.Tensor]:
    """2-D Gaussian points, label 1 inside the circle that splits them half and half."""
    x = torch.randn(points, 2, generator=generator)
    y = (x.norm(dim=1) < math.sqrt(2 * math.log(2))).float()  # the median radius of a 2-D normal
    return x.to(device), y.to(device)


def mlp(activation: bool) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i in range(DEPTH - 1):
        layers.append(nn.Linear(2 if i == 0 else WIDTH, WIDTH))
        if activation:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers, nn.Linear(WIDTH, 1), nn.Flatten(0))


def collapsed(model: nn.Sequential) -> tuple[torch.Tensor, torch.Tensor]:
    """The single (W, b) that the activation-free stack computes: x @ W + b."""
    weight, bias = None, None
    for layer in model:
        if isinstance(layer, nn.Linear):
            w, b = layer.weight.T, layer.bias
            weight, bias = (w, b) if weight is None else (weight @ w, bias @ w + b)
    return weight, bias


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    with torch.no_grad():
        return ((model(x) > 0).float() == y).float().mean().item()


def run(device: str = "cpu", seed: int = 0, quick: bool = True, progress: Progress = no_progress,
        ablate: bool = False) -> Result:
    steps = STEPS_QUICK if quick else STEPS_FULL
    generator = torch.Generator().manual_seed(seed)
    train_x, train_y = circle_data(TRAIN_POINTS_QUICK if quick else TRAIN_POINTS_FULL, generator, device)
    test_x, test_y = circle_data(TEST_POINTS, generator, device)
    # ablated, the ReLU net loses its activations too: no contrast left
    variants = {"no activation": False, "relu": not ablate}

    metrics: dict[str, float] = {}
    series: dict[str, list[float]] = {}
    for index, (name, activation) in enumerate(variants.items()):
        torch.manual_seed(seed)  # the same weights: ReLU layers have none of their own
        model = mlp(activation).to(device)
        optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
        curve = [accuracy(model, test_x, test_y)]
        for step in range(1, steps + 1):
            loss = nn.functional.binary_cross_entropy_with_logits(model(train_x), train_y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if step % EVAL_EVERY == 0:
                curve.append(accuracy(model, test_x, test_y))
            if step % (steps // 3) == 0:
                progress((index + step / steps) / len(variants),
                         f"{name}: step {step}/{steps} loss {loss.item():.3f} accuracy {curve[-1]:.2f}")
        series[f"{name}: test accuracy"] = curve
        metrics[f"{name}: test accuracy"] = curve[-1]
        with torch.no_grad():
            weight, bias = collapsed(model)
            output = model(test_x)
            gap = (output - (test_x @ weight + bias).squeeze(1)).abs().max() / output.abs().max()
        metrics[f"{name}: max |net - one linear map| / max |net|"] = gap.item()
    progress(1.0, "done")

    claim_holds = (metrics["no activation: max |net - one linear map| / max |net|"] <= COLLAPSE_TOLERANCE
                   and metrics["no activation: test accuracy"] <= LINEAR_AT_MOST
                   and metrics["relu: test accuracy"] >= RELU_AT_LEAST)
    return Result(claim=CLAIM, claim_holds=claim_holds, metrics=metrics, series=series,
                  x_label=f"training step / {EVAL_EVERY}", y_label="test accuracy", log_y=False)


if __name__ == "__main__":
    print(run())
