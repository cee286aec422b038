"""Exploding gradients: clipping stops the blow-up; it does not fix the net that caused it.

Claim: a deep ReLU net whose layers each amplify the signal (weights at 1.5x the Kaiming
scale) makes plain SGD's loss inf/NaN within 20 steps; the same net, data, seed and
learning rate with the gradient norm clipped to 1 stays finite and its loss falls >= 10x,
yet after the same steps it is still worse than predicting the mean of the targets (the
constant predictor); the same net at the Kaiming scale, unclipped, ends below 0.7x the
constant predictor's loss.

Why: backprop multiplies the gradient by every layer's weights on its way down, so when
each layer amplifies by g the first layers receive a gradient ~g^depth times too large
(the notes: "梯度爆炸 ... 权值更新幅度过大"). An SGD step of lr * gradient is then not a
small move downhill but a jump that scales the weights up by orders of magnitude; the
next forward pass overflows float32 and the loss becomes inf, then NaN. Clipping
rescales the whole gradient vector to norm <= MAX_NORM whenever it is longer: the
direction is kept, the step length is bounded by lr * MAX_NORM, so the weights cannot
jump and the loss creeps down from its huge start. But the loss's huge start is a
measure of how far off the over-scaled net is, and the amplification is still there in
every layer: the steps stay short, the curvature stays extreme, and in the same budget the
clipped net does not get as far as the trivial model that outputs the mean (its MSE is
the variance of the targets, ~0.75 here). Judging clipping against its own initial loss
would hide that. Clipping treats the symptom; a sane init (see the weight_init demo),
normalisation and residual paths treat the cause, as the third run shows.
"""

ID = "exploding_gradients"
TITLE = "Exploding gradients and gradient clipping"
CLAIM = ("A deep ReLU net initialised 1.5x too large makes plain SGD's loss inf/NaN within 20 steps; clipping "
         "the gradient norm to 1 keeps it finite and cuts the loss >= 10x, yet it ends worse than predicting the "
         "mean, while the same net at the Kaiming scale ends below 0.7x the mean predictor's loss.")
CARD_TERMS = [("梯度爆炸",), ("梯度裁剪",), ("exploding gradient",), ("gradient clipping",)]
PREDICT = {
    "question": "The over-scaled net with its gradient norm clipped to 1 trains as long as the others: where "
                "does its loss end?",
    "choices": {"a": "below the mean predictor's: clipping fixes training",
                "b": "finite, but above the mean predictor's", "c": "inf/NaN anyway"},
}

DEPTH = 12
WIDTH = 64
INIT_GAIN = 1.5  # times the Kaiming std: the signal grows ~1.5x per layer, ~130x over the stack
SANE_GAIN = 1.0  # the Kaiming scale itself: the cause removed
POINTS = 512
LEARNING_RATE = 1e-2  # plain SGD, full batch, the same for all three runs
MAX_NORM = 1.0  # torch.nn.utils.clip_grad_norm_ threshold
STEPS_QUICK, STEPS_FULL = 300, 1500
NON_FINITE_WITHIN = 20  # the unclipped loss must be inf/NaN by this step
CHECK_EVERY = 10  # steps between the host's looks at the loss
CLIPPED_FALLS_BY = 10.0  # clipped: initial loss / final loss at least this (seeds 0-9: 15-300x)
SANE_BELOW = 0.7  # the Kaiming-scale net: final loss / constant predictor's at most this

from ._result import Result, Progress, no_progress  # noqa: E402

import math  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402


def regression_data(generator: torch.Generator, device: str) -> tuple[torch.Tensor, torch.Tensor]:
    """y = a smooth nonlinear function of 8 Gaussian inputs."""
    x = torch.randn(POINTS, 8, generator=generator)
    y = torch.sin(x[:, :4].sum(dim=1)) + 0.5 * x[:, 4] * x[:, 5]
    return x.to(device), y.to(device)


def deep_relu_net(gain: float) -> nn.Sequential:
    """DEPTH Linear+ReLU layers whose weights are `gain` times the Kaiming scale."""
    layers: list[nn.Module] = []
    for i in range(DEPTH):
        linear = nn.Linear(8 if i == 0 else WIDTH, WIDTH)
        nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
        with torch.no_grad():
            linear.weight.mul_(gain)
        nn.init.zeros_(linear.bias)
        layers += [linear, nn.ReLU()]
    return nn.Sequential(*layers, nn.Linear(WIDTH, 1), nn.Flatten(0))


def train(gain: float, clip: bool, x, y, steps: int, seed: int, device: str,
          report) -> tuple[list[float], list[float]]:
    """Full-batch SGD; returns the loss and gradient-norm curves, cut where the loss stops being finite.

    Losses and norms stay on the device and are read every CHECK_EVERY steps (no host sync per step).
    """
    torch.manual_seed(seed)  # every run starts from the same weights (up to the gain)
    model = deep_relu_net(gain).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    losses: list[torch.Tensor] = []
    grad_norms: list[torch.Tensor] = []
    for step in range(1, steps + 1):
        loss = nn.functional.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        # clip_grad_norm_ returns the norm before clipping; max_norm=inf measures without clipping
        grad_norms.append(nn.utils.clip_grad_norm_(model.parameters(), MAX_NORM if clip else math.inf))
        optimizer.step()
        losses.append(loss.detach())
        if step % CHECK_EVERY == 0 or step == steps:
            if not torch.isfinite(torch.stack(losses[-CHECK_EVERY:])).all():
                break
            if step % (steps // 5) == 0:
                report(step, f"step {step}/{steps} loss {loss.item():.3g} gradient norm {grad_norms[-1].item():.3g}")
    loss_values = torch.stack(losses).tolist()
    finite = next((i for i, value in enumerate(loss_values) if not math.isfinite(value)), len(loss_values))
    if finite < steps:
        report(finite + 1, f"loss is {loss_values[finite]} at step {finite + 1}: the weights have blown up")
    return loss_values[:finite], torch.stack(grad_norms).tolist()[:finite]


def run(device: str = "cpu", seed: int = 0, quick: bool = True, progress: Progress = no_progress,
        ablate: bool = False) -> Result:
    steps = STEPS_QUICK if quick else STEPS_FULL
    x, y = regression_data(torch.Generator().manual_seed(seed), device)
    # ablated, the "unclipped" run is clipped too: no contrast left
    runs = {"unclipped": (INIT_GAIN, ablate), "clipped": (INIT_GAIN, True), "kaiming scale": (SANE_GAIN, False)}

    series: dict[str, list[float]] = {}
    constant = y.var(unbiased=False).item()  # the MSE of always predicting the mean of y
    metrics: dict[str, float] = {"constant predictor (mean of y): loss": constant}
    for index, (name, (gain, clip)) in enumerate(runs.items()):
        def report(step: int, message: str) -> None:
            progress((index + step / steps) / len(runs), f"{name}: {message}")

        losses, grad_norms = train(gain, clip, x, y, steps, seed, device, report)
        series[f"{name}: loss"] = losses
        metrics[f"{name}: finite steps"] = float(len(losses))
        metrics[f"{name}: initial loss"] = losses[0]
        metrics[f"{name}: last finite loss"] = losses[-1]
        metrics[f"{name}: largest finite gradient norm"] = max(filter(math.isfinite, grad_norms), default=0.0)
    progress(1.0, "done")

    # the loss at step s is finite for s <= finite steps, so it first fails at finite steps + 1
    went_non_finite = metrics["unclipped: finite steps"] < steps
    metrics["clipped: initial / final loss"] = metrics["clipped: initial loss"] / metrics["clipped: last finite loss"]
    for name in ("clipped", "kaiming scale"):
        metrics[f"{name}: final loss / constant predictor's"] = metrics[f"{name}: last finite loss"] / constant
    claim_holds = (
        went_non_finite
        and metrics["unclipped: finite steps"] + 1 <= NON_FINITE_WITHIN
        and metrics["clipped: finite steps"] == steps
        and metrics["clipped: initial / final loss"] >= CLIPPED_FALLS_BY
        and metrics["clipped: final loss / constant predictor's"] > 1.0
        and metrics["kaiming scale: finite steps"] == steps
        and metrics["kaiming scale: final loss / constant predictor's"] <= SANE_BELOW
    )
    if metrics["clipped: finite steps"] < steps:
        answer = "c"
    else:
        answer = "a" if metrics["clipped: final loss / constant predictor's"] <= 1.0 else "b"
    return Result(claim=CLAIM, claim_holds=claim_holds, metrics=metrics, series=series, answer=answer,
                  x_label="SGD step", y_label="training loss (MSE)", log_y=True)


if __name__ == "__main__":
    print(run())
