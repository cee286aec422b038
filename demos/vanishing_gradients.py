"""Vanishing gradients in a deep sigmoid net, and the three fixes the notes name.

Claim: in a 20-layer sigmoid MLP the first layer's gradient is more than 1e10 times
smaller than the last layer's; ReLU with Kaiming init and residual connections each keep
that ratio between 0.1 and 10 (neither vanished nor exploded); BatchNorm removes the
vanishing but overshoots, the first layer's gradient ending larger than the last's (9-130x
on seeds 0-9); and all three let the same 20 layers train.

Why: backprop multiplies the gradient, layer by layer, by W^T diag(sigmoid'(z)). The
sigmoid's slope is at most 1/4 (at z = 0), and PyTorch's default init gives W^T a gain
of about 0.6, so each layer shrinks the gradient ~8x and 19 layers shrink it ~1e17x:
the early layers get no learning signal (the notes: "梯度更新以指数形式衰减"). The
forward pass collapses too: each sigmoid layer squeezes the variation between inputs,
so the top of the net sees nearly the same vector for every input. The fixes attack
the product from different sides. ReLU's slope is exactly 1 where a unit is on, and
Kaiming init (variance 2 / fan_in) doubles the weights to make up for the half of the
units that are off, so each factor has gain ~1. BatchNorm rescales every layer's
pre-activations to unit variance: the sigmoid then works in its near-linear middle,
and the rescaling divides the gradient by the same small spread it divides the
signal by. That division does more than cancel the shrinkage: the spread it divides by
is small at PyTorch's default init, and the measured ratio says its 1 / sigma boosts the
gradient a little more per layer than the sigmoid's slope and the weights take away (the
demo measures the net effect over the stack, not each factor); over 19 layers the
surplus compounds into growth towards the input. A one-sided
check ("above 0.1") would call that fixed; the band [0.1, 10] tells it apart. A residual block h + F(h) has Jacobian I + F',
so the gradient reaches the first layer through the identity path however small F' is.
"""

ID = "vanishing_gradients"
TITLE = "Vanishing gradients in a deep sigmoid net"
CLAIM = ("In a 20-layer sigmoid MLP the first layer's gradient is < 1e-10 of the last layer's; ReLU + Kaiming "
         "init and residual connections keep that ratio within [0.1, 10], BatchNorm overshoots it above 1 "
         "(the gradient grows towards the input), and all three train (loss < 0.3).")
CARD_TERMS = [("梯度消失",), ("梯度弥散",), ("vanishing gradient",), ("rnn", "问题")]

DEPTH = 20  # Linear layers between the input and the readout
WIDTH = 96
POINTS_QUICK, POINTS_FULL = 128, 1024  # the training set, used full-batch
STEPS_QUICK, STEPS_FULL = 150, 500
LEARNING_RATE = 3e-3  # Adam; at 1e-2 the 20-layer ReLU net sometimes stalls
VANISHED_BELOW = 1e-10  # |grad first layer| / |grad last layer| of the plain sigmoid net
KEPT_WITHIN = (0.1, 10.0)  # ... of ReLU + Kaiming and of the residual net: neither vanished nor exploded
BATCHNORM_ABOVE = 1.0  # ... of BatchNorm: grown towards the input (seeds 0-9: 9-130)
TRAINED_BELOW = 0.3  # every fix's final training loss (binary cross-entropy; chance is 0.69)

from ._result import Result, Progress, no_progress  # noqa: E402

import math  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402

bce = nn.functional.binary_cross_entropy_with_logits


@dataclass(frozen=True)
class Variant:
    """How each of the DEPTH layers is built."""

    activation: str  # "sigmoid" or "relu"
    kaiming: bool = False  # Kaiming-normal weights instead of PyTorch's default init
    batch_norm: bool = False  # Linear -> BatchNorm -> activation
    residual: bool = False  # layers 2..DEPTH compute h + Linear(activation(h))


PLAIN = Variant("sigmoid")
FIXES = {
    "relu + kaiming": Variant("relu", kaiming=True),
    "sigmoid + batchnorm": Variant("sigmoid", batch_norm=True),
    "sigmoid + residual": Variant("sigmoid", residual=True),
}


def inside_circle(points: int, generator: torch.Generator, device: str) -> tuple[torch.Tensor, torch.Tensor]:
    """2-D Gaussian points, label 1 inside the circle that splits them half and half."""
    x = torch.randn(points, 2, generator=generator)
    median_radius = math.sqrt(2 * math.log(2))  # the radius of a 2-D standard normal is Rayleigh
    y = (x.norm(dim=1) < median_radius).float()
    return x.to(device), y.to(device)


class DeepMLP(nn.Module):
    def __init__(self, variant: Variant):
        super().__init__()
        self.variant = variant
        self.layers = nn.ModuleList(nn.Linear(2 if i == 0 else WIDTH, WIDTH) for i in range(DEPTH))
        self.norms = nn.ModuleList(nn.BatchNorm1d(WIDTH) for _ in range(DEPTH)) if variant.batch_norm else None
        self.readout = nn.Linear(WIDTH, 1)
        self.activation = torch.sigmoid if variant.activation == "sigmoid" else torch.relu
        if variant.kaiming:
            for layer in self.layers:
                nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
                nn.init.zeros_(layer.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x
        for i, layer in enumerate(self.layers):
            if self.variant.residual:
                # layer 1 is a plain linear stem; after it, the identity path carries the gradient
                h = layer(h) if i == 0 else h + layer(self.activation(h))
                continue
            z = layer(h)
            if self.norms is not None:
                z = self.norms[i](z)
            h = self.activation(z)
        return self.readout(h).squeeze(1)


def layer_gradient_norms(model: DeepMLP, x: torch.Tensor, y: torch.Tensor) -> list[float]:
    """|dLoss/dW| of each of the DEPTH layers, first to last, at the model's current weights."""
    model.zero_grad()
    bce(model(x), y).backward()
    norms = [layer.weight.grad.norm().item() / layer.weight.numel() ** 0.5 for layer in model.layers]
    model.zero_grad()
    return norms


def train(model: DeepMLP, x: torch.Tensor, y: torch.Tensor, steps: int, report) -> None:
    """Full-batch Adam."""
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    for step in range(1, steps + 1):
        loss = bce(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % (steps // 3) == 0:
            report(step, loss.item())


def run(device: str = "cpu", seed: int = 0, quick: bool = True, progress: Progress = no_progress,
        ablate: bool = False) -> Result:
    steps = STEPS_QUICK if quick else STEPS_FULL
    x, y = inside_circle(POINTS_QUICK if quick else POINTS_FULL, torch.Generator().manual_seed(seed), device)
    variants = {"sigmoid": PLAIN, **{name: PLAIN if ablate else fix for name, fix in FIXES.items()}}

    metrics: dict[str, float] = {}
    series: dict[str, list[float]] = {}
    for index, (name, variant) in enumerate(variants.items()):
        def report(step: int, loss: float) -> None:
            progress((index + step / steps) / len(variants), f"{name}: step {step}/{steps} loss {loss:.3f}")

        torch.manual_seed(seed)
        model = DeepMLP(variant).to(device)
        norms = layer_gradient_norms(model, x, y)
        progress(index / len(variants), f"{name}: first/last layer gradient {norms[0] / norms[-1]:.1e} at init")
        series[f"{name}: |grad W| per layer"] = norms
        metrics[f"{name}: grad first / last layer"] = norms[0] / norms[-1]
        train(model, x, y, steps, report)
        with torch.no_grad():  # train mode: full batch, so BatchNorm uses the whole set's statistics
            metrics[f"{name}: final loss"] = bce(model(x), y).item()
    progress(1.0, "done")

    fixes = list(variants)[1:]
    low, high = KEPT_WITHIN
    claim_holds = (
        metrics["sigmoid: grad first / last layer"] < VANISHED_BELOW
        and all(low <= metrics[f"{name}: grad first / last layer"] <= high
                for name in ("relu + kaiming", "sigmoid + residual"))
        and metrics["sigmoid + batchnorm: grad first / last layer"] > BATCHNORM_ABOVE
        and all(metrics[f"{name}: final loss"] < TRAINED_BELOW for name in fixes)
    )
    return Result(claim=CLAIM, claim_holds=claim_holds, metrics=metrics, series=series,
                  x_label="layer (1 = next to the input)", y_label="|dLoss/dW| at init", log_y=True)


if __name__ == "__main__":
    print(run())
