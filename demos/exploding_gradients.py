"""Exploding gradients: one oversized step wrecks the weights; clipping the gradient norm prevents it.

Claim: a deep ReLU net whose layers each amplify the signal (weights at 1.5x the Kaiming
scale) has a gradient so large that plain SGD turns the loss into inf/NaN within a few
steps, while the same net, data, seed and learning rate with the gradient norm clipped
to 1 trains (loss below a quarter of where it started).

Why: backprop multiplies the gradient by every layer's weights on its way down, so when
each layer amplifies by g the first layers receive a gradient ~g^depth times too large
(the notes: "梯度爆炸 ... 权值更新幅度过大"). An SGD step of lr * gradient is then not a
small move downhill but a jump that scales the weights up by orders of magnitude; the
next forward pass overflows float32 and the loss becomes inf, then NaN. Clipping
rescales the whole gradient vector to norm <= MAX_NORM whenever it is longer: the
direction is kept, the step length is bounded by lr * MAX_NORM, so training creeps
downhill until the gradients come back to a sane size and clipping stops acting.
Clipping treats the symptom; a sane init (see the weight_init demo), normalisation and
residual paths treat the cause.
"""

ID = "exploding_gradients"
TITLE = "Exploding gradients and gradient clipping"
CLAIM = ("A deep ReLU net initialised 1.5x too large makes plain SGD's loss inf/NaN within 20 steps, while "
         "clipping the gradient norm to 1 (same net, data, seed and learning rate) brings the loss below "
         "0.25x its initial value.")
CARD_TERMS = [("梯度爆炸",), ("梯度裁剪",), ("gradient clipping",)]

DEPTH = 12
WIDTH = 64
INIT_GAIN = 1.5  # times the Kaiming std: the signal grows ~1.5x per layer, ~130x over the stack
POINTS = 512
LEARNING_RATE = 1e-3  # plain SGD, full batch
MAX_NORM = 1.0  # torch.nn.utils.clip_grad_norm_ threshold
STEPS_QUICK, STEPS_FULL = 300, 1500
NON_FINITE_WITHIN = 20  # the unclipped loss must be inf/NaN by this step
TRAINED_BELOW = 0.25  # clipped: final loss / initial loss

from ._result import Result, Progress, no_progress  # noqa: E402

import math  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402


def regression_data(generator: torch.Generator, device: str) -> tuple[torch.Tensor, torch.Tensor]:
    """y = a smooth nonlinear function of 8 Gaussian inputs."""
    x = torch.randn(POINTS, 8, generator=generator)
    y = torch.sin(x[:, :4].sum(dim=1)) + 0.5 * x[:, 4] * x[:, 5]
    return x.to(device), y.to(device)


def deep_relu_net() -> nn.Sequential:
    """DEPTH Linear+ReLU layers whose weights are INIT_GAIN times the Kaiming scale."""
    layers: list[nn.Module] = []
    for i in range(DEPTH):
        linear = nn.Linear(8 if i == 0 else WIDTH, WIDTH)
        nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
        with torch.no_grad():
            linear.weight.mul_(INIT_GAIN)
        nn.init.zeros_(linear.bias)
        layers += [linear, nn.ReLU()]
    return nn.Sequential(*layers, nn.Linear(WIDTH, 1), nn.Flatten(0))


def train(clip: bool, x, y, steps: int, seed: int, device: str, report) -> tuple[list[float], list[float]]:
    """Full-batch SGD; returns the loss and gradient-norm curves, cut where the loss stops being finite."""
    torch.manual_seed(seed)  # both runs start from the same weights
    model = deep_relu_net().to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    losses: list[float] = []
    grad_norms: list[float] = []
    for step in range(1, steps + 1):
        loss = nn.functional.mse_loss(model(x), y)
        if not math.isfinite(loss.item()):
            report(step, f"loss is {loss.item()} at step {step}: the weights have blown up")
            break
        optimizer.zero_grad()
        loss.backward()
        # clip_grad_norm_ returns the norm before clipping; max_norm=inf measures without clipping
        norm = nn.utils.clip_grad_norm_(model.parameters(), MAX_NORM if clip else math.inf).item()
        optimizer.step()
        losses.append(loss.item())
        grad_norms.append(norm)
        if step % (steps // 5) == 0 or step <= 3:
            report(step, f"step {step}/{steps} loss {loss.item():.3g} gradient norm {norm:.3g}")
    return losses, grad_norms


def run(device: str = "cpu", seed: int = 0, quick: bool = True, progress: Progress = no_progress,
        ablate: bool = False) -> Result:
    steps = STEPS_QUICK if quick else STEPS_FULL
    x, y = regression_data(torch.Generator().manual_seed(seed), device)
    # ablated, the "unclipped" run is clipped too: no contrast left
    runs = {"unclipped": ablate, "clipped": True}

    metrics: dict[str, float] = {}
    series: dict[str, list[float]] = {}
    for index, (name, clip) in enumerate(runs.items()):
        def report(step: int, message: str) -> None:
            progress((index + step / steps) / len(runs), f"{name}: {message}")

        losses, grad_norms = train(clip, x, y, steps, seed, device, report)
        series[f"{name}: loss"] = losses
        metrics[f"{name}: finite steps"] = float(len(losses))
        metrics[f"{name}: initial loss"] = losses[0]
        metrics[f"{name}: last finite loss"] = losses[-1]
        metrics[f"{name}: largest finite gradient norm"] = max(filter(math.isfinite, grad_norms), default=0.0)
    progress(1.0, "done")

    # the loss at step s is finite for s <= finite steps, so it first fails at finite steps + 1
    went_non_finite = metrics["unclipped: finite steps"] < steps
    claim_holds = (
        went_non_finite
        and metrics["unclipped: finite steps"] + 1 <= NON_FINITE_WITHIN
        and metrics["clipped: finite steps"] == steps
        and metrics["clipped: last finite loss"] < TRAINED_BELOW * metrics["clipped: initial loss"]
    )
    return Result(claim=CLAIM, claim_holds=claim_holds, metrics=metrics, series=series,
                  x_label="SGD step", y_label="training loss (MSE)", log_y=True)


if __name__ == "__main__":
    print(run())
