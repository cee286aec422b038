"""Learning rate: too high diverges, too low barely moves, a good one converges.

Claim: on the same linear-regression model and data, plain gradient descent with a
too-high learning rate diverges, with a too-low one barely lowers the loss, and with a
good one converges.

Why: near a minimum the loss is a bowl whose steepest curvature is lambda_max, the
largest eigenvalue of the Hessian (for mean squared error on inputs X it is the largest
eigenvalue of 2 X^T X / n). One gradient step multiplies the error along that direction
by (1 - lr * lambda_max). If lr > 2 / lambda_max that factor has magnitude > 1: every
step overshoots the valley floor by more than it started, the iterate oscillates from
side to side and the loss grows geometrically. If lr is tiny the factor is ~1 and
hundreds of steps change almost nothing. In between, every direction shrinks each step.
The demo computes lambda_max, so you can see where the boundary 2 / lambda_max lies.
"""

ID = "learning_rate"
TITLE = "Learning rate: too high, too low, just right"
CLAIM = ("With the same model and data, a too-high learning rate diverges, a too-low one barely "
         "lowers the loss, and a good one converges.")
CARD_TERMS = [("学习率",), ("梯度下降的问题",), ("learning rate",)]

SAMPLES = 256
FEATURES = 8
LABEL_NOISE = 0.1
STEPS_QUICK = 100
STEPS_FULL = 200
LEARNING_RATES = {"too high": 1.0, "good": 0.2, "too low": 3e-4}  # 2 / lambda_max is ~0.7 here
DIVERGED_AT = 1e6  # a loss this many times the starting loss counts as diverged; stop there
TOO_LOW_KEEPS = 0.5  # "barely moves": the too-low run still has at least this share of its starting loss
GOOD_KEEPS = 0.01  # "converges": the good run ends below this share of its starting loss

from ._result import Result, Progress, no_progress  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402


def make_data(generator: torch.Generator, device: str) -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.randn(SAMPLES, FEATURES, generator=generator)
    true_weights = torch.randn(FEATURES, 1, generator=generator)
    y = x @ true_weights + LABEL_NOISE * torch.randn(SAMPLES, 1, generator=generator)
    return x.to(device), y.to(device)


def train(lr: float, x: torch.Tensor, y: torch.Tensor, seed: int, steps: int, report) -> list[float]:
    """Full-batch gradient descent; returns the loss before each step (stops once diverged)."""
    torch.manual_seed(seed)  # every learning rate starts from the same weights
    model = nn.Linear(FEATURES, 1).to(x.device)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses: list[float] = []
    for step in range(steps + 1):
        loss = nn.functional.mse_loss(model(x), y)
        losses.append(loss.item())
        if step % (steps // 4) == 0:
            report(step, losses[-1])
        if step == steps or losses[-1] > DIVERGED_AT * losses[0]:
            break
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses


def run(device: str = "cpu", seed: int = 0, quick: bool = True, progress: Progress = no_progress,
        ablate: bool = False) -> Result:
    steps = STEPS_QUICK if quick else STEPS_FULL
    x, y = make_data(torch.Generator().manual_seed(seed), device)
    # The Hessian of the mean squared error (bias column included) sets the stability limit.
    # (on the CPU: eigvalsh is not implemented on every backend)
    inputs = torch.cat([x, torch.ones(SAMPLES, 1, device=device)], dim=1).cpu()
    lambda_max = torch.linalg.eigvalsh(2 * inputs.T @ inputs / SAMPLES).max().item()

    rates = dict(LEARNING_RATES)
    if ablate:  # one learning rate for all three runs: no contrast left
        rates = {name: LEARNING_RATES["good"] for name in rates}

    metrics: dict[str, float] = {"lambda_max": lambda_max, "stability limit 2/lambda_max": 2 / lambda_max}
    series: dict[str, list[float]] = {}
    for index, (name, lr) in enumerate(rates.items()):
        def report(step: int, loss: float) -> None:
            progress((index + step / steps) / len(rates),
                     f"{name} (lr {lr:g}): step {step}/{steps} loss {loss:.3g}")

        losses = train(lr, x, y, seed, steps, report)
        series[f"{name} (lr {lr:g})"] = losses
        metrics[f"{name}: lr"] = lr
        metrics[f"{name}: final / initial loss"] = losses[-1] / losses[0]
        metrics[f"{name}: diverged"] = float(losses[-1] > DIVERGED_AT * losses[0])
    progress(1.0, "done")

    claim_holds = (
        metrics["too high: diverged"] == 1.0
        and metrics["too low: final / initial loss"] > TOO_LOW_KEEPS
        and metrics["good: final / initial loss"] < GOOD_KEEPS
    )
    return Result(claim=CLAIM, claim_holds=claim_holds, metrics=metrics, series=series,
                  x_label="step", y_label="training loss (MSE)", log_y=True)


if __name__ == "__main__":
    print(run())
