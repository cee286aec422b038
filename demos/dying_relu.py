"""Dying ReLU: a unit that is negative on every input gets no gradient and never recovers.

Claim: an MLP whose hidden biases start at -3 has every ReLU unit output 0 on every
training point, and it stays that way: the net sits at chance accuracy. The same net
with LeakyReLU, same data, same seed, same optimiser, has no dead unit and learns the
two spirals (a straight line gets only ~75% of them).

Why: ReLU(z) = max(0, z) has gradient exactly 0 for z < 0. A unit whose pre-activation
is negative on *every* input outputs 0 everywhere and passes back exactly 0 to its
weights and bias, so no optimiser can move it: it is dead for good (the demo checks that
the ReLU net's hidden weights never change at all). In real training units get there by
one big update (a high learning rate, a large gradient) that shoves the bias far
negative; a bias of -3 at initialisation puts every unit there at once, so the effect is
plain to see. LeakyReLU(z) = max(0.01 z, z) keeps a small slope for z < 0: its output is
never exactly 0 and its gradient is 100x smaller but never 0. Adam divides each gradient
by its own running scale, so even that small signal moves weights at ~lr per step, and
the units the task needs climb back across 0 and bend the decision boundary. Not all of
them do: the metric "negative on every input" shows many leaky units still dormant in the
negative region at the end. They are not dead (they still learn and carry the linear
part), the task just did not need them; a dead ReLU unit has no such choice.
"""

ID = "dying_relu"
TITLE = "Dying ReLU vs LeakyReLU"
CLAIM = ("With hidden biases started at -3, >= 95% of an MLP's ReLU units output zero on every "
         "training input and it stays near chance (<= 0.6 accuracy), while LeakyReLU on the same data "
         "and seed keeps <= 5% dead and reaches >= 0.88.")
CARD_TERMS = [("relu", "缺点"), ("死亡relu",), ("dying relu",)]

TRAIN_POINTS_QUICK = 512
TRAIN_POINTS_FULL = 2048
TEST_POINTS = 2048
SPIRAL_TURNS = 1.0  # each class is a spiral arm winding once around the origin
SPIRAL_RADIUS = 2.0
SPIRAL_NOISE = 0.1
HIDDEN = 64
HIDDEN_BIAS_INIT = -3.0  # with |w| <= 1 and |x| <= ~2, every pre-activation starts negative
LEAKY_SLOPE = 0.01
LEARNING_RATE = 1e-2  # Adam, full batch
STEPS_QUICK = 500
STEPS_FULL = 1500
EVAL_EVERY = 10
RELU_MIN_DEAD = 0.95
RELU_MAX_ACCURACY = 0.6
LEAKY_MAX_DEAD = 0.05
LEAKY_MIN_ACCURACY = 0.88

from ._result import Result, Progress, no_progress  # noqa: E402

import math  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402


def two_spirals(points: int, generator: torch.Generator, device: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Two interleaved spiral arms (class 1 is class 0 turned by 180 degrees), with noise."""
    labels = torch.randint(0, 2, (points,), generator=generator)
    along = torch.rand(points, generator=generator).sqrt()  # sqrt: points spread evenly over the area
    angle = along * SPIRAL_TURNS * 2 * math.pi + labels * math.pi
    x = SPIRAL_RADIUS * along[:, None] * torch.stack([torch.cos(angle), torch.sin(angle)], dim=1)
    x = x + SPIRAL_NOISE * torch.randn(points, 2, generator=generator)
    return x.to(device), labels.float().to(device)


class MLP(nn.Module):
    """2 -> HIDDEN -> 1 with the chosen activation; hidden biases start at HIDDEN_BIAS_INIT."""

    def __init__(self, activation: nn.Module):
        super().__init__()
        self.hidden = nn.Linear(2, HIDDEN)
        self.activation = activation
        self.out = nn.Linear(HIDDEN, 1)
        with torch.no_grad():
            self.hidden.bias.fill_(HIDDEN_BIAS_INIT)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.activation(self.hidden(x))).squeeze(1)


def unit_shares(model: MLP, x: torch.Tensor) -> tuple[float, float]:
    """(dead, negative): shares of hidden units that output exactly 0 on every input in x,
    and whose pre-activation is <= 0 on every input in x (for ReLU the two are the same)."""
    with torch.no_grad():
        pre_activation = model.hidden(x)
        dead = (model.activation(pre_activation) == 0).all(dim=0)
        negative = (pre_activation <= 0).all(dim=0)
        return dead.float().mean().item(), negative.float().mean().item()


def accuracy(model: MLP, x: torch.Tensor, y: torch.Tensor) -> float:
    with torch.no_grad():
        return ((model(x) > 0).float() == y).float().mean().item()


def activations(ablate: bool) -> dict[str, nn.Module]:
    """name -> activation; ablated, LeakyReLU is replaced by ReLU too."""
    leaky = nn.ReLU() if ablate else nn.LeakyReLU(LEAKY_SLOPE)
    return {"relu": nn.ReLU(), "leaky relu": leaky}


def run(device: str = "cpu", seed: int = 0, quick: bool = True, progress: Progress = no_progress,
        ablate: bool = False) -> Result:
    steps = STEPS_QUICK if quick else STEPS_FULL
    generator = torch.Generator().manual_seed(seed)
    train_x, train_y = two_spirals(TRAIN_POINTS_QUICK if quick else TRAIN_POINTS_FULL, generator, device)
    test_x, test_y = two_spirals(TEST_POINTS, generator, device)

    metrics: dict[str, float] = {}
    series: dict[str, list[float]] = {}
    chosen = activations(ablate)
    for index, (name, activation) in enumerate(chosen.items()):
        torch.manual_seed(seed)  # both nets start from the same weights
        model = MLP(activation).to(device)
        initial_hidden = model.hidden.weight.detach().clone()
        optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
        dead_curve = [unit_shares(model, train_x)[0]]
        for step in range(1, steps + 1):
            loss = nn.functional.binary_cross_entropy_with_logits(model(train_x), train_y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if step % EVAL_EVERY == 0:
                dead_curve.append(unit_shares(model, train_x)[0])
            if step % (steps // 5) == 0:
                progress((index + step / steps) / len(chosen),
                         f"{name}: step {step}/{steps} loss {loss.item():.3f} dead {dead_curve[-1]:.0%}")
        dead, negative = unit_shares(model, train_x)
        series[f"{name}: dead share"] = dead_curve
        metrics[f"{name}: dead share"] = dead
        metrics[f"{name}: negative on every input"] = negative
        metrics[f"{name}: largest hidden weight change"] = (
            (model.hidden.weight.detach() - initial_hidden).abs().max().item())
        metrics[f"{name}: test accuracy"] = accuracy(model, test_x, test_y)
    progress(1.0, "done")

    claim_holds = (metrics["relu: dead share"] >= RELU_MIN_DEAD
                   and metrics["relu: test accuracy"] <= RELU_MAX_ACCURACY
                   and metrics["leaky relu: dead share"] <= LEAKY_MAX_DEAD
                   and metrics["leaky relu: test accuracy"] >= LEAKY_MIN_ACCURACY)
    return Result(claim=CLAIM, claim_holds=claim_holds, metrics=metrics, series=series,
                  x_label=f"training step / {EVAL_EVERY}", y_label="share of dead hidden units", log_y=False)


if __name__ == "__main__":
    print(run())
