"""Learning rate: above 2 / lambda_max diverges, far below it crawls, near it converges.

Claim: on the same linear-regression model, data and step budget, full-batch gradient
descent at 1.2x the stability limit 2 / lambda_max diverges, while at 0.5x and at 0.02x it
converges (its excess loss over the least-squares optimum falls below 1% of its start),
the 0.02x run needing >= 10x as many steps to get there: too low a rate is slow, not stuck.

Why: near a minimum the loss is a bowl whose steepest curvature is lambda_max, the
largest eigenvalue of the Hessian (for mean squared error on inputs X it is the largest
eigenvalue of 2 X^T X / n). One gradient step multiplies the error along that direction
by (1 - lr * lambda_max). If lr > 2 / lambda_max that factor has magnitude > 1: every
step overshoots the valley floor by more than it started, the iterate oscillates from
side to side and the loss grows geometrically. If lr is tiny the factor is ~1 and
hundreds of steps change almost nothing. In between, every direction shrinks each step.
The demo computes lambda_max and sets every rate as a fraction of 2 / lambda_max, so the
three runs sit at the same place relative to the boundary on every seed; the too-low rate
is 1/50 of the limit (not thousands of times below it, where "barely moves" would be
guaranteed): it converges too, ~25x more slowly (1/25 of the good rate), which is what the ratio
of steps measures. Losses are
measured as excess over the least-squares optimum (solved exactly), so the label noise's
floor does not hide how far each run still has to go.
"""

ID = "learning_rate"
TITLE = "Learning rate: too high, too low, just right"
CLAIM = ("With the same model, data and steps, gradient descent at 1.2x the stability limit 2/lambda_max "
         "diverges, while at 0.5x and 0.02x it converges (excess loss over the optimum < 1% of its start), the "
         "0.02x run taking >= 10x as many steps.")
CARD_TERMS = [("学习率",), ("梯度下降的问题",), ("learning rate",)]
PREDICT = {
    "question": "At 1/50 of the stability limit, how many times the steps of a rate at 1/2 of it does gradient "
                "descent need to converge?",
    "choices": {"a": "about the same", "b": "2-5x", "c": "10x or more, but it gets there",
                "d": "it never converges"},
}

SAMPLES = 256
FEATURES = 8
LABEL_NOISE = 0.1
STEPS_QUICK = 150  # the too-low run needs ~70-100 steps: room to spare
STEPS_FULL = 300
# each learning rate as a fraction of the stability limit 2 / lambda_max (~0.7 on these data)
LIMIT_FRACTIONS = {"too high": 1.2, "good": 0.5, "too low": 0.02}
DIVERGED_AT = 1e6  # a loss this many times the starting loss counts as diverged; stop there
CHECK_EVERY = 10  # steps between reads of the loss (at 1.2x the limit it grows ~2x a step: no overflow)
CONVERGED_BELOW = 0.01  # "converged": excess loss below this share of its start
# "slow": the too-low run needs >= this many times the good run's steps to converge; at 1/25 of the
# good rate each of its steps shrinks every direction ~1/25 as much, so ~25x is expected
SLOW_AT_LEAST = 10.0

from ._result import Result, Progress, no_progress  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402


def make_data(generator: torch.Generator, device: str) -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.randn(SAMPLES, FEATURES, generator=generator)
    true_weights = torch.randn(FEATURES, 1, generator=generator)
    y = x @ true_weights + LABEL_NOISE * torch.randn(SAMPLES, 1, generator=generator)
    return x.to(device), y.to(device)


def train(lr: float, x: torch.Tensor, y: torch.Tensor, optimum: float, seed: int, steps: int,
          report) -> list[float]:
    """Full-batch gradient descent; returns the excess loss over `optimum` before each step,
    up to the first one past DIVERGED_AT times the start if it diverges. The losses stay on
    the device and are read every CHECK_EVERY steps (no host sync per step)."""
    torch.manual_seed(seed)  # every learning rate starts from the same weights
    model = nn.Linear(FEATURES, 1).to(x.device)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses: list[torch.Tensor] = []
    for step in range(steps + 1):
        loss = nn.functional.mse_loss(model(x), y)
        losses.append(loss.detach())
        if step % CHECK_EVERY == 0 or step % (steps // 4) == 0 or step == steps:
            latest = losses[-1].item() - optimum
            if step % (steps // 4) == 0:
                report(step, latest)
            if not latest <= DIVERGED_AT * (losses[0].item() - optimum):  # NaN counts as diverged too
                break
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    # the excess over the optimum in double precision, on the host: near the optimum it is a
    # difference of nearly equal numbers that float32 would round away
    values = [loss - optimum for loss in torch.stack(losses).tolist()]
    diverged = next((i for i, v in enumerate(values) if not v <= DIVERGED_AT * values[0]), len(values) - 1)
    return values[:diverged + 1]


def run(device: str = "cpu", seed: int = 0, quick: bool = True, progress: Progress = no_progress,
        ablate: bool = False) -> Result:
    steps = STEPS_QUICK if quick else STEPS_FULL
    x, y = make_data(torch.Generator().manual_seed(seed), device)
    # The Hessian of the mean squared error (bias column included) sets the stability limit.
    # (on the CPU: eigvalsh is not implemented on every backend)
    inputs = torch.cat([x, torch.ones(SAMPLES, 1, device=device)], dim=1).cpu()
    lambda_max = torch.linalg.eigvalsh(2 * inputs.T @ inputs / SAMPLES).max().item()
    solution = torch.linalg.lstsq(inputs.double(), y.cpu().double()).solution
    optimum = ((inputs.double() @ solution - y.cpu().double()) ** 2).mean().item()

    limit = 2 / lambda_max
    rates = {name: fraction * limit for name, fraction in LIMIT_FRACTIONS.items()}
    if ablate:  # one learning rate for all three runs: no contrast left
        rates = {name: rates["good"] for name in rates}

    metrics: dict[str, float] = {"lambda_max": lambda_max, "stability limit 2/lambda_max": 2 / lambda_max,
                                 "least-squares optimum (MSE)": optimum}
    series: dict[str, list[float]] = {}
    for index, (name, lr) in enumerate(rates.items()):
        def report(step: int, loss: float) -> None:
            progress((index + step / steps) / len(rates),
                     f"{name} (lr {lr:g}): step {step}/{steps} loss {loss:.3g}")

        losses = train(lr, x, y, optimum, seed, steps, report)
        series[f"{name} (lr {lr:g})"] = losses
        metrics[f"{name}: lr"] = lr
        metrics[f"{name}: lr / stability limit"] = lr / limit
        metrics[f"{name}: final / initial excess loss"] = losses[-1] / losses[0]
        metrics[f"{name}: diverged"] = float(losses[-1] > DIVERGED_AT * losses[0])
        # the first step whose excess loss is below CONVERGED_BELOW of the start (budget + 1 if never)
        metrics[f"{name}: steps to converge"] = float(next(
            (step for step, loss in enumerate(losses) if loss < CONVERGED_BELOW * losses[0]), steps + 1))
    progress(1.0, "done")

    metrics["too low / good: steps to converge"] = (metrics["too low: steps to converge"]
                                                    / metrics["good: steps to converge"])
    claim_holds = (
        metrics["too high: diverged"] == 1.0
        and metrics["good: steps to converge"] <= steps
        and metrics["too low: steps to converge"] <= steps
        and metrics["too low / good: steps to converge"] >= SLOW_AT_LEAST
    )
    slower = metrics["too low / good: steps to converge"]
    answer = ("d" if metrics["too low: steps to converge"] > steps else "c" if slower >= 10
              else "b" if slower >= 2 else "a")
    return Result(claim=CLAIM, claim_holds=claim_holds, metrics=metrics, series=series, answer=answer,
                  x_label="step", y_label="training loss above the optimum (MSE)", log_y=True)


if __name__ == "__main__":
    print(run())
