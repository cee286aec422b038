"""Dying ReLU: a unit that is negative on every input gets no gradient and never recovers.

Claim: an MLP whose hidden biases start at -3 has >= 95% of its ReLU units output 0 on
every training point; trained with Adam its hidden weights never change at all and it
stays near chance. LeakyReLU gives those units a gradient, but the recovery is the
optimiser's: with the same Adam >= 25% of the units climb back above 0 on some input and
the net learns the two spirals (>= 0.88, >= 0.1 above a straight line), while with plain
SGD (lr 1.0, 500 steps like the others) the units stay negative and the net does no
better than a straight line (a linear model trained with the same Adam, ~0.75).

Why: ReLU(z) = max(0, z) has gradient exactly 0 for z < 0. A unit whose pre-activation
is negative on *every* input outputs 0 everywhere and passes back exactly 0 to its
weights and bias, so no optimiser can move it: it is dead for good (the demo checks that
the ReLU net's hidden weights never change at all). In real training units get there by
one big update (a high learning rate, a large gradient) that shoves the bias far
negative; a bias of -3 at initialisation puts every unit there at once, so the effect is
plain to see. LeakyReLU(z) = max(0.01 z, z) keeps a slope of 0.01 for z < 0: the unit is
never dead, but its gradient is 100x smaller, and with every unit in its negative branch
the whole net is a linear map times 0.01, a straight-line classifier. Plain SGD moves
each weight by lr times that 100x-smaller gradient: the biases creep up far too slowly to
cross 0 in 500 steps, so the net stays a straight line. Adam divides each gradient by its
own running scale, so even that small signal moves weights at ~lr per step, and the units
the task needs climb back across 0 and bend the decision boundary. "Dead" (output exactly
0 on every input) cannot happen to a leaky unit at all, so the demo measures what can:
the share of units whose pre-activation is <= 0 on every input ("negative").
"""

ID = "dying_relu"
TITLE = "Dying ReLU vs LeakyReLU (and the optimiser's part)"
CLAIM = ("With hidden biases started at -3, >= 95% of an MLP's ReLU units output zero on every training input "
         "and, trained with Adam, it stays near chance (<= 0.6); LeakyReLU with the same Adam revives >= 25% of "
         "the units and reaches >= 0.88, while LeakyReLU with plain SGD stays no better than a straight line.")
CARD_TERMS = [("relu", "缺点"), ("死亡relu",), ("dying relu",)]
PREDICT = {
    "question": "After 500 Adam steps with hidden biases at -3, what share of the ReLU units is dead "
                "(zero on every training input)?",
    "choices": {"a": "under 10%: Adam revives them", "b": "about half", "c": "95% or more: they never come back"},
}

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
SGD_LEARNING_RATE = 1.0  # plain SGD, full batch: 100x Adam's, and still the leaky units stay negative
STEPS_QUICK = 500
STEPS_FULL = 1500
EVAL_EVERY = 10
RELU_MIN_DEAD = 0.95
RELU_MAX_ACCURACY = 0.6  # chance is 0.5; a straight line gets ~0.75
LEAKY_ADAM_MIN_REVIVED = 0.25  # share of units positive on some input at the end (seeds 0-9: 0.5-0.7)
LEAKY_ADAM_MIN_ACCURACY = 0.88
LEAKY_ADAM_MIN_GAIN = 0.1  # over the straight line
LEAKY_SGD_MAX_GAIN = 0.05  # "no better than a straight line": within this of it

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


def variants(ablate: bool) -> dict[str, tuple[nn.Module, str]]:
    """name -> (activation, optimiser); ablated, LeakyReLU is replaced by ReLU."""
    leaky = nn.ReLU() if ablate else nn.LeakyReLU(LEAKY_SLOPE)
    return {"relu + adam": (nn.ReLU(), "adam"), "leaky relu + adam": (leaky, "adam"),
            "leaky relu + sgd": (leaky, "sgd"), "straight line + adam": (nn.Identity(), "adam")}


def make_optimizer(kind: str, parameters) -> torch.optim.Optimizer:
    if kind == "adam":
        return torch.optim.Adam(parameters, lr=LEARNING_RATE)
    return torch.optim.SGD(parameters, lr=SGD_LEARNING_RATE)


def run(device: str = "cpu", seed: int = 0, quick: bool = True, progress: Progress = no_progress,
        ablate: bool = False) -> Result:
    steps = STEPS_QUICK if quick else STEPS_FULL
    generator = torch.Generator().manual_seed(seed)
    train_x, train_y = two_spirals(TRAIN_POINTS_QUICK if quick else TRAIN_POINTS_FULL, generator, device)
    test_x, test_y = two_spirals(TEST_POINTS, generator, device)

    metrics: dict[str, float] = {}
    series: dict[str, list[float]] = {}
    chosen = variants(ablate)
    for index, (name, (activation, optimizer_kind)) in enumerate(chosen.items()):
        torch.manual_seed(seed)  # every net starts from the same weights
        model = MLP(activation).to(device)
        initial_hidden = model.hidden.weight.detach().clone()
        optimizer = make_optimizer(optimizer_kind, model.parameters())
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
        if name != "straight line + adam":  # a unit without activation is never "dead"
            series[f"{name}: dead share"] = dead_curve
        metrics[f"{name}: dead share"] = dead
        metrics[f"{name}: negative on every input"] = negative
        metrics[f"{name}: largest hidden weight change"] = (
            (model.hidden.weight.detach() - initial_hidden).abs().max().item())
        metrics[f"{name}: test accuracy"] = accuracy(model, test_x, test_y)
    progress(1.0, "done")

    line = metrics["straight line + adam: test accuracy"]
    metrics["leaky relu + adam: revived share"] = 1.0 - metrics["leaky relu + adam: negative on every input"]
    claim_holds = (metrics["relu + adam: dead share"] >= RELU_MIN_DEAD
                   and metrics["relu + adam: largest hidden weight change"] == 0.0
                   and metrics["relu + adam: test accuracy"] <= RELU_MAX_ACCURACY
                   and metrics["leaky relu + adam: revived share"] >= LEAKY_ADAM_MIN_REVIVED
                   and metrics["leaky relu + adam: test accuracy"] >= LEAKY_ADAM_MIN_ACCURACY
                   and metrics["leaky relu + adam: test accuracy"] >= line + LEAKY_ADAM_MIN_GAIN
                   and metrics["leaky relu + sgd: test accuracy"] <= line + LEAKY_SGD_MAX_GAIN)
    dead = metrics["relu + adam: dead share"]
    return Result(claim=CLAIM, claim_holds=claim_holds, metrics=metrics, series=series,
                  answer="c" if dead >= 0.9 else "b" if dead >= 0.3 else "a",
                  x_label=f"training step / {EVAL_EVERY}", y_label="share of dead hidden units", log_y=False)


if __name__ == "__main__":
    print(run())
