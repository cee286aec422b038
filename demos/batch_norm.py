"""Batch normalisation widens the range of learning rates a deep MLP trains at.

Claim: at the same high learning rate (0.2), a 10-layer ReLU MLP with BatchNorm trains to
a low loss while the identical net without it diverges or stalls; the net without it is
not incapable, since at a 10x lower rate (0.02, same steps) it trains too; and the BN
layers' outputs have ~zero mean and unit variance per feature (measured at initialisation,
before the learnt gamma and beta move them). What is measured is tolerance of a high
learning rate, one of BatchNorm's effects on the *hidden* layers; it is not the input
standardisation of the notes' 标准化+归一化 card (a different concept).

Why: BatchNorm normalises each feature over the mini-batch, x_hat = (x - mean_B) /
sqrt(var_B + eps), then rescales it with learnt gamma and beta. Two consequences: every
layer sees inputs of a fixed scale however the weights before it have grown or shrunk
(so a large step in one layer cannot blow up the signal in all the layers after it),
and a layer's output becomes invariant to the scale of its weights, so large weights
get proportionally smaller gradients, a built-in brake. Without BN, each update changes
the scale of every later layer's input multiplicatively; at a high learning rate those
changes compound over 10 layers, the loss explodes (NaN) or the ReLUs die and the net
is stuck predicting the class prior. Both nets start from the same Kaiming init, so the
difference is not a bad initialisation, and the third run (no BN, lr 0.02) shows that
the plain net can fit these data when its steps are small enough.
"""

ID = "batch_norm"
TITLE = "Batch normalisation in a deep MLP"
CLAIM = ("At the same high learning rate a deep MLP with BatchNorm trains to a low loss while the same net "
         "without it diverges or stalls (though it trains at a 10x lower rate), and the BN layers output ~zero "
         "mean, unit variance per feature.")
# the notes list batch normalization as a cure under 梯度消失; 标准化+归一化 is about the inputs
CARD_TERMS = [("梯度消失",), ("batch norm",), ("batchnorm",), ("批归一化",), ("批量归一化",)]

DEPTH = 10
WIDTH = 64
CLASSES = 3
SAMPLES = 512  # a 3-arm spiral, so the net needs its depth
BATCH = 128
LEARNING_RATE = 0.2  # SGD with momentum; the plain net is stable only well below this
LOW_LEARNING_RATE = 0.02  # the plain net's third run: small enough steps
MOMENTUM = 0.9
STEPS_QUICK = 200
STEPS_FULL = 600
EVAL_EVERY = 10
BN_REACHES_BELOW = 0.3  # the BN net's final training loss is below this (chance is ln 3 = 1.10)
PLAIN_STUCK_ABOVE = 0.8  # ... while the plain net's stays above this, or it diverges
MEAN_TOLERANCE = 0.05  # BN outputs: every feature's batch mean within this of 0
STD_TOLERANCE = 0.05  # ... and its batch standard deviation within this of 1

from ._draws import Draws  # noqa: E402
from ._result import Result, Progress, no_progress  # noqa: E402

import math  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402


def spirals(generator: torch.Generator, device: str) -> tuple[torch.Tensor, torch.Tensor]:
    labels = torch.randint(0, CLASSES, (SAMPLES,), generator=generator)
    radius = torch.rand(SAMPLES, generator=generator)
    angle = labels * 2 * math.pi / CLASSES + 3.0 * radius + 0.2 * torch.randn(SAMPLES, generator=generator)
    x = torch.stack([radius * torch.cos(angle), radius * torch.sin(angle)], dim=1)
    return x.to(device), labels.to(device)


def deep_mlp(batch_norm: bool) -> nn.Sequential:
    """DEPTH x (Linear -> [BatchNorm] -> ReLU), Kaiming-initialised, then a linear readout."""
    layers: list[nn.Module] = []
    width_in = 2
    for _ in range(DEPTH):
        linear = nn.Linear(width_in, WIDTH)
        nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
        nn.init.zeros_(linear.bias)
        layers += [linear, nn.BatchNorm1d(WIDTH) if batch_norm else nn.Identity(), nn.ReLU()]
        width_in = WIDTH
    return nn.Sequential(*layers, nn.Linear(WIDTH, CLASSES))


def normalised_outputs(model: nn.Sequential, x: torch.Tensor) -> list[torch.Tensor]:
    """What the layers in the BatchNorm slots output on x (training mode, batch statistics)."""
    slots = [layer for layer in model if isinstance(layer, (nn.BatchNorm1d, nn.Identity))]
    captured: list[torch.Tensor] = []
    hooks = [slot.register_forward_hook(lambda _m, _i, out: captured.append(out.detach())) for slot in slots]
    model.train()
    with torch.no_grad():
        model(x)
    for hook in hooks:
        hook.remove()
    return captured


def full_data_loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()  # BN uses its running statistics, as at test time
    with torch.no_grad():
        return nn.functional.cross_entropy(model(x), y).item()


def train(model: nn.Module, x, y, lr: float, steps: int, generator: torch.Generator,
          report) -> tuple[list[float], bool]:
    """Mini-batch SGD; returns the full-data loss at the start and every EVAL_EVERY steps (until
    it stops being finite), and whether it diverged. Divergence is read at those evaluations
    only (a non-finite loss stays non-finite), so no step waits on the device."""
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=MOMENTUM)
    batches = Draws(lambda: torch.randint(0, SAMPLES, (BATCH,), generator=generator), x.device)
    curve = [full_data_loss(model, x, y)]
    for step in range(1, steps + 1):
        model.train()
        index = batches.next()
        loss = nn.functional.cross_entropy(model(x[index]), y[index])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % EVAL_EVERY == 0:
            full_loss = full_data_loss(model, x, y)
            if not math.isfinite(full_loss):
                report(step, full_loss)
                return curve, True
            curve.append(full_loss)
            if step % (steps // 5) == 0:
                report(step, full_loss)
    return curve, False


def run(device: str = "cpu", seed: int = 0, quick: bool = True, progress: Progress = no_progress,
        ablate: bool = False) -> Result:
    steps = STEPS_QUICK if quick else STEPS_FULL
    x, y = spirals(torch.Generator().manual_seed(seed), device)
    # ablated: the BN net lacks BN too
    variants = {"plain": (False, LEARNING_RATE), "batchnorm": (not ablate, LEARNING_RATE),
                "plain, lr / 10": (False, LOW_LEARNING_RATE)}

    metrics: dict[str, float] = {}
    series: dict[str, list[float]] = {}
    for index, (name, (use_bn, lr)) in enumerate(variants.items()):
        torch.manual_seed(seed)  # identical weights: BN layers add no randomness of their own
        model = deep_mlp(use_bn).to(device)
        if name == "batchnorm":
            outputs = normalised_outputs(model, x)
            metrics["BN outputs at init: max |feature mean|"] = max(
                o.mean(0).abs().max().item() for o in outputs)
            metrics["BN outputs at init: max |feature std - 1|"] = max(
                (o.std(0, unbiased=False) - 1).abs().max().item() for o in outputs)

        def report(step: int, loss: float) -> None:
            progress((index + step / steps) / len(variants), f"{name}: step {step}/{steps} loss {loss:.3f}")

        curve, diverged = train(model, x, y, lr, steps, torch.Generator().manual_seed(seed), report)
        series[f"{name} training loss"] = curve
        metrics[f"{name}: diverged"] = float(diverged)
        metrics[f"{name}: final training loss"] = curve[-1]  # the last finite one, if it diverged
    progress(1.0, "done")

    plain_failed = (metrics["plain: diverged"] == 1.0
                    or metrics["plain: final training loss"] > PLAIN_STUCK_ABOVE)
    bn_trained = (metrics["batchnorm: diverged"] == 0.0
                  and metrics["batchnorm: final training loss"] < BN_REACHES_BELOW)
    plain_can_train = (metrics["plain, lr / 10: diverged"] == 0.0
                       and metrics["plain, lr / 10: final training loss"] < BN_REACHES_BELOW)
    normalised = (metrics["BN outputs at init: max |feature mean|"] < MEAN_TOLERANCE
                  and metrics["BN outputs at init: max |feature std - 1|"] < STD_TOLERANCE)
    return Result(claim=CLAIM, claim_holds=plain_failed and bn_trained and plain_can_train and normalised, metrics=metrics,
                  series=series, x_label=f"step / {EVAL_EVERY}", y_label="training loss (cross-entropy)",
                  log_y=True)


if __name__ == "__main__":
    print(run())
