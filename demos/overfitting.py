"""Overfitting, and three cures: they fix the confidence far more than the decisions.

Claim: a big MLP trained on 100 noisy two-moons points drives its training loss below a
fifth of its held-out loss; weight decay, dropout and early stopping each cut the
held-out loss (cross-entropy) below 0.7x of no cure's, while held-out *accuracy* moves
by less than 0.1 either way (on seeds 0-9: -0.01 to +0.08, and below no cure's for
weight decay on 2 seeds, for dropout on 1).

Why: with ~66,000 weights and 100 points the net can memorise every point, including
the ones the noise pushed across the true boundary. Cross-entropy keeps rewarding
larger logits on memorised points, so the net grows its weights, bends the boundary
around the noise, and becomes confidently wrong on fresh points: held-out loss rises
while training loss falls (the gap *is* overfitting). Weight decay (an L2 penalty)
keeps the weights, and hence the logits, small and the boundary smooth. Dropout trains
a random subnetwork (40% of the units) each step, so no unit can rely on co-adapted partners
to memorise a single point. Early stopping watches a separate validation split and
keeps the weights from before the held-out loss started to rise. Held-out numbers are
measured on a third, fresh test set, so early stopping gets no unfair advantage.
What the cures mostly remove is the confidence: an overfit net's mistakes cost it a loss
of ~log(1/p) each with p near 0, so shrinking the logits cuts the held-out loss several
times over, while the decisions (which side of the boundary a point falls on) change only
for the few points near the noisy boundary. That is why the demo reports both: judged on
loss alone, the cures look far stronger than they are on accuracy.
"""

ID = "overfitting"
TITLE = "Overfitting and its cures"
CLAIM = ("A big MLP on few noisy points fits its training set far better than held-out data; weight decay, "
         "dropout and early stopping each cut its held-out loss below 0.7x of no cure's, while its held-out "
         "accuracy moves by less than 0.1.")
CARD_TERMS = [("过拟合",), ("overfit",)]  # folded: overfit, overfitting, over-fitting

TRAIN_POINTS = 100
VALIDATION_POINTS = 200  # early stopping watches these
TEST_POINTS_QUICK = 1000  # the held-out loss every run is judged on
TEST_POINTS_FULL = 5000
MOON_NOISE = 0.35  # the two moons overlap: some points sit on the wrong side
HIDDEN = 256
STEPS_QUICK = 400
STEPS_FULL = 600
LEARNING_RATE = 3e-3  # Adam
WEIGHT_DECAY = 1e-2  # L2 penalty coefficient (Adam's coupled weight_decay)
DROPOUT = 0.6
EVAL_EVERY = 10
PATIENCE = 5  # early stopping: give up after this many evaluations without a new best
CURE_MAX_RATIO = 0.7  # each cure's held-out loss must be below this share of no cure's
GAP_MAX_RATIO = 0.2  # the uncured net's training loss must be below this share of its held-out loss
# "barely moves": each cure's held-out accuracy within this of no cure's (seeds 0-9: -0.014 to +0.077);
# a cure that truly fixed the decisions (e.g. a much better boundary) would fail it
ACCURACY_MOVES_LESS_THAN = 0.1

from ._draws import Draws  # noqa: E402
from ._result import Result, Progress, no_progress  # noqa: E402

import math  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402

bce = nn.functional.binary_cross_entropy_with_logits


def two_moons(points: int, generator: torch.Generator, device: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Two interleaved half circles with Gaussian noise; labels 0/1."""
    angle = torch.rand(points, generator=generator) * math.pi
    labels = torch.randint(0, 2, (points,), generator=generator)
    upper = torch.stack([torch.cos(angle), torch.sin(angle)], dim=1)
    lower = torch.stack([1 - torch.cos(angle), 0.5 - torch.sin(angle)], dim=1)
    x = torch.where(labels[:, None] == 1, lower, upper)
    x = x + MOON_NOISE * torch.randn(points, 2, generator=generator)
    return x.to(device), labels.float().to(device)


class SeededDropout(nn.Module):
    """Inverted dropout (as nn.Dropout: zero each unit with probability p, scale the rest by
    1 / (1 - p), identity in eval mode) whose masks come from a seeded CPU generator, drawn
    ahead in blocks: nn.Dropout draws from the device's own RNG, other masks on a GPU than on
    the CPU for the same seed. Training here is full-batch, so every mask has one shape."""

    def __init__(self, p: float, shape: tuple[int, int], generator: torch.Generator, device: str):
        super().__init__()
        self.p = p
        self.masks = Draws(lambda: torch.rand(shape, generator=generator) >= p, device)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0:
            return h
        return h * self.masks.next() / (1 - self.p)


def big_mlp(dropout: float, seed: int, device: str) -> nn.Sequential:
    torch.manual_seed(seed)  # every variant starts from the same weights
    masks = torch.Generator().manual_seed(seed)
    shape = (TRAIN_POINTS, HIDDEN)
    return nn.Sequential(
        nn.Linear(2, HIDDEN), nn.ReLU(), SeededDropout(dropout, shape, masks, device),
        nn.Linear(HIDDEN, HIDDEN), nn.ReLU(), SeededDropout(dropout, shape, masks, device),
        nn.Linear(HIDDEN, 1),
    ).to(device)


def loss_on(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()  # dropout off when measuring
    with torch.no_grad():
        return bce(model(x).squeeze(1), y).item()


def accuracy_on(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    with torch.no_grad():
        return ((model(x).squeeze(1) > 0).float() == y).float().mean().item()


def cures(ablate: bool) -> dict[str, dict]:
    """name -> training settings; ablated, every cure is switched off."""
    settings = {
        "no cure": dict(weight_decay=0.0, dropout=0.0, early_stopping=False),
        "weight decay": dict(weight_decay=WEIGHT_DECAY, dropout=0.0, early_stopping=False),
        "dropout": dict(weight_decay=0.0, dropout=DROPOUT, early_stopping=False),
        "early stopping": dict(weight_decay=0.0, dropout=0.0, early_stopping=True),
    }
    if ablate:
        settings = {name: settings["no cure"] for name in settings}
    return settings


def train(data: dict, seed: int, steps: int, weight_decay: float, dropout: float,
          early_stopping: bool, report) -> tuple[nn.Module, list[float], list[float]]:
    """Full-batch Adam.

    Returns the model (its best weights if early stopping) and its validation and training
    loss curves, sampled every EVAL_EVERY steps.
    """
    model = big_mlp(dropout, seed, data["train"][0].device)
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, weight_decay=weight_decay)
    curve = [loss_on(model, *data["validation"])]
    train_curve = [loss_on(model, *data["train"])]
    best_loss, best_state, since_best = curve[0], None, 0
    for step in range(1, steps + 1):
        model.train()
        loss = bce(model(data["train"][0]).squeeze(1), data["train"][1])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % EVAL_EVERY:
            continue
        curve.append(loss_on(model, *data["validation"]))
        train_curve.append(loss.item())
        if step % (steps // 4) == 0:
            report(step, curve[-1])
        if not early_stopping:
            continue
        if curve[-1] < best_loss:
            best_loss, since_best = curve[-1], 0
            best_state = {key: value.clone() for key, value in model.state_dict().items()}
        else:
            since_best += 1
        if since_best >= PATIENCE:
            report(step, curve[-1])
            break
    if early_stopping and best_state is not None:
        model.load_state_dict(best_state)
    return model, curve, train_curve


def run(device: str = "cpu", seed: int = 0, quick: bool = True, progress: Progress = no_progress,
        ablate: bool = False) -> Result:
    steps = STEPS_QUICK if quick else STEPS_FULL
    generator = torch.Generator().manual_seed(seed)
    data = {
        "train": two_moons(TRAIN_POINTS, generator, device),
        "validation": two_moons(VALIDATION_POINTS, generator, device),
        "test": two_moons(TEST_POINTS_QUICK if quick else TEST_POINTS_FULL, generator, device),
    }

    metrics: dict[str, float] = {}
    series: dict[str, list[float]] = {}
    variants = cures(ablate)
    for index, (name, settings) in enumerate(variants.items()):
        def report(step: int, validation_loss: float) -> None:
            progress((index + step / steps) / len(variants),
                     f"{name}: step {step}/{steps} validation loss {validation_loss:.3f}")

        model, curve, train_curve = train(data, seed, steps, report=report, **settings)
        series[f"{name}: validation loss"] = curve
        if index == 0:  # the overfitting gap, seen directly
            series[f"{name}: training loss"] = train_curve
        metrics[f"{name}: train loss"] = loss_on(model, *data["train"])
        metrics[f"{name}: held-out loss"] = loss_on(model, *data["test"])
        metrics[f"{name}: held-out accuracy"] = accuracy_on(model, *data["test"])
    progress(1.0, "done")

    baseline = metrics["no cure: held-out loss"]
    for name in list(variants)[1:]:
        metrics[f"{name}: held-out / no cure"] = metrics[f"{name}: held-out loss"] / baseline
        metrics[f"{name}: held-out accuracy - no cure's"] = (
            metrics[f"{name}: held-out accuracy"] - metrics["no cure: held-out accuracy"])
    metrics["no cure: train / held-out"] = metrics["no cure: train loss"] / baseline
    claim_holds = (
        metrics["no cure: train / held-out"] < GAP_MAX_RATIO
        and all(metrics[f"{name}: held-out / no cure"] < CURE_MAX_RATIO for name in list(variants)[1:])
        and all(abs(metrics[f"{name}: held-out accuracy - no cure's"]) < ACCURACY_MOVES_LESS_THAN
                for name in list(variants)[1:])
    )
    return Result(claim=CLAIM, claim_holds=claim_holds, metrics=metrics, series=series,
                  x_label=f"step / {EVAL_EVERY}", y_label="loss (BCE)", log_y=False)


if __name__ == "__main__":
    print(run())
