"""Classification loss: cross-entropy keeps a confidently wrong model learning, MSE on a sigmoid does not;
and softmax must be computed stably.

Claim: a logistic model started confidently wrong (its weights pointing the wrong way)
gets >= 10x more gradient from cross-entropy than from MSE on its sigmoid output, and
at the same learning rate MSE needs >= 5x the gradient steps that cross-entropy needs to
reach 0.9 accuracy (counted as the budget + 1 if it never gets there). Separately, on logits of size ~1000 the textbook softmax
exp(z) / sum exp(z) returns NaN for >= 90% of rows, while subtracting the row maximum
first matches torch.softmax to 1e-6 on every row, and log-softmax by logsumexp keeps the
cross-entropy finite.

Why: with p = sigmoid(z), MSE's gradient with respect to the logit is 2 (p - y) p (1 - p):
when the model is confidently wrong (p ~ 0 for a positive example) the factor p (1 - p)
~ 0 kills it, exactly the sigmoid saturation of the notes' 梯度消失 card ("选择了不合适的
损失函数"). Cross-entropy -log p has gradient p - y with respect to the logit: the more
wrong the model, the larger the push. For softmax, exp(1000) overflows float32 (max ~3e38,
exp(89) already), giving inf / inf = NaN. Softmax is unchanged by subtracting a constant
from every logit, so subtracting the row's maximum makes the largest exponent exp(0) = 1
and nothing can overflow; log-softmax is z - logsumexp(z), computed the same way, which
is what nn.functional.cross_entropy does inside.
"""

ID = "mse_vs_cross_entropy"
TITLE = "MSE vs cross-entropy, and a stable softmax"
CLAIM = ("A confidently wrong logistic model gets >= 10x more gradient from cross-entropy than from MSE on its "
         "sigmoid, and MSE needs >= 5x the steps to reach 0.9 accuracy; on logits ~1000 the naive softmax is NaN "
         "on >= 90% of rows while the max-subtracted one matches torch.softmax.")
CARD_TERMS = [("梯度消失",), ("激活函数",), ("交叉熵",), ("cross-entropy",), ("softmax",)]

FEATURES = 10
POINTS = 1000
WRONG_SCALE = 5.0  # the starting weights: -WRONG_SCALE times the true direction (confidently wrong)
LEARNING_RATE = 1.0  # plain full-batch gradient descent, both losses
STEPS_QUICK, STEPS_FULL = 200, 1000
GRADIENT_RATIO_AT_LEAST = 10.0  # seeds 0-9: ~21x
TARGET_ACCURACY = 0.9
MSE_SLOWER_AT_LEAST = 5.0  # steps to TARGET_ACCURACY, MSE over cross-entropy (seeds 0-9: 8.5-10x)
LOGIT_SCALE = 1000.0
CLASSES = 10
ROWS_QUICK, ROWS_FULL = 1000, 100_000
NAIVE_NAN_AT_LEAST = 0.9
STABLE_WITHIN = 1e-6

from ._result import Result, Progress, no_progress  # noqa: E402

import math  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402


def make_data(generator: torch.Generator, device: str):
    direction = torch.randn(FEATURES, generator=generator)
    direction = direction / direction.norm()
    x = torch.randn(POINTS, FEATURES, generator=generator)
    y = (x @ direction > 0).float()
    return x.to(device), y.to(device), direction.to(device)


def loss_of(kind: str, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    if kind == "mse":
        return ((torch.sigmoid(logits) - y) ** 2).mean()
    return nn.functional.binary_cross_entropy_with_logits(logits, y)


def train(kind: str, x, y, direction, steps: int, report) -> tuple[float, list[float]]:
    """Gradient descent from the confidently wrong start; returns the gradient norm at the start and
    the accuracy curve."""
    w = (-WRONG_SCALE * direction).clone().requires_grad_(True)
    curve, first_gradient = [], None
    for step in range(steps + 1):
        logits = x @ w
        curve.append(((logits > 0).float() == y).float().mean())
        (gradient,) = torch.autograd.grad(loss_of(kind, logits, y), (w,))
        if first_gradient is None:
            first_gradient = gradient.norm()  # read after the loop: no host wait in it
        with torch.no_grad():
            w -= LEARNING_RATE * gradient
        if step % (steps // 4) == 0:
            report(step, curve[-1].item())
    return first_gradient.item(), torch.stack(curve).tolist()


def naive_softmax(z: torch.Tensor) -> torch.Tensor:
    return torch.exp(z) / torch.exp(z).sum(dim=1, keepdim=True)


def stable_softmax(z: torch.Tensor) -> torch.Tensor:
    shifted = z - z.max(dim=1, keepdim=True).values
    return torch.exp(shifted) / torch.exp(shifted).sum(dim=1, keepdim=True)


def run(device: str = "cpu", seed: int = 0, quick: bool = True, progress: Progress = no_progress,
        ablate: bool = False) -> Result:
    steps = STEPS_QUICK if quick else STEPS_FULL
    generator = torch.Generator().manual_seed(seed)
    x, y, direction = make_data(generator, device)
    losses = {"mse": "cross-entropy" if ablate else "mse", "cross-entropy": "cross-entropy"}
    metrics: dict[str, float] = {}
    series: dict[str, list[float]] = {}
    for index, (name, kind) in enumerate(losses.items()):
        def report(step: int, accuracy: float) -> None:
            progress((index + step / steps) / (len(losses) + 1), f"{name}: step {step}/{steps} accuracy {accuracy:.2f}")

        first_gradient, curve = train(kind, x, y, direction, steps, report)
        metrics[f"{name}: gradient norm at the start"] = first_gradient
        metrics[f"{name}: accuracy after {steps} steps"] = curve[-1]
        metrics[f"{name}: steps to {TARGET_ACCURACY} accuracy"] = float(next(
            (step for step, accuracy in enumerate(curve) if accuracy >= TARGET_ACCURACY), steps + 1))
        series[f"{name}: accuracy"] = curve
    metrics["mse / cross-entropy: steps to target"] = (metrics[f"mse: steps to {TARGET_ACCURACY} accuracy"]
                                                       / metrics[f"cross-entropy: steps to {TARGET_ACCURACY} accuracy"])
    metrics["cross-entropy / mse: gradient at the start"] = (
        metrics["cross-entropy: gradient norm at the start"] / metrics["mse: gradient norm at the start"])

    rows = ROWS_QUICK if quick else ROWS_FULL
    logits = (LOGIT_SCALE * torch.randn(rows, CLASSES, generator=generator)).to(device)
    naive = stable_softmax(logits) if ablate else naive_softmax(logits)  # ablated: no naive version left
    reference = torch.softmax(logits, dim=1)
    metrics["naive softmax: NaN rows share"] = torch.isnan(naive).any(dim=1).float().mean().item()
    metrics["stable softmax: max |difference from torch.softmax|"] = (
        (stable_softmax(logits) - reference).abs().max().item())
    targets = torch.randint(0, CLASSES, (rows,), generator=generator).to(device)
    metrics["cross-entropy by logsumexp: finite"] = float(
        math.isfinite(nn.functional.cross_entropy(logits, targets).item()))
    metrics["cross-entropy by log(naive softmax): finite"] = float(
        math.isfinite(-torch.log(naive.gather(1, targets[:, None])).mean().item()))
    progress(1.0, f"naive softmax NaN on {metrics['naive softmax: NaN rows share']:.0%} of rows")

    claim_holds = (metrics["cross-entropy / mse: gradient at the start"] >= GRADIENT_RATIO_AT_LEAST
                   and metrics[f"cross-entropy: steps to {TARGET_ACCURACY} accuracy"] <= steps
                   and metrics["mse / cross-entropy: steps to target"] >= MSE_SLOWER_AT_LEAST
                   and metrics["naive softmax: NaN rows share"] >= NAIVE_NAN_AT_LEAST
                   and metrics["stable softmax: max |difference from torch.softmax|"] <= STABLE_WITHIN
                   and metrics["cross-entropy by logsumexp: finite"] == 1.0)
    return Result(claim=CLAIM, claim_holds=claim_holds, metrics=metrics, series=series,
                  x_label="gradient step", y_label="training accuracy", log_y=False)


if __name__ == "__main__":
    print(run())
