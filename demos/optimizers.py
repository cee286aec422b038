"""SGD vs momentum vs Adam on the Rosenbrock valley.

Claim: with the same step budget, momentum and Adam settle at the minimum (1, 1) of the
Rosenbrock function (within 0.01 from some step to the end of the budget, not merely
passing through: 500 steps in a row or to the end) in >= 3x fewer steps than plain SGD.

Why: f(x, y) = (1 - x)^2 + 100 (y - x^2)^2 is a long, curved, narrow valley. Across the
valley the curvature is huge (~1000), along its floor it is tiny (~1). Plain SGD must
keep its learning rate below 2 / (largest curvature) or it blows up, so along the floor
it creeps. Momentum accumulates the small, consistent along-valley gradient into a
velocity (an effective step ~1 / (1 - beta) times larger) while the across-valley
zig-zags cancel out. Adam divides each coordinate's step by a running RMS of its
gradient, so the flat direction gets a step as large as the steep one. The same scaling
keeps its steps ~lr long near the minimum, where the gradient is tiny: Adam can enter the
target ball and bounce out again (at lr 0.1 it hovers at distance ~0.01 for thousands of
steps), so a run is only counted as arrived once it stays, and Adam's lr is 0.02.
"""

ID = "optimizers"
TITLE = "SGD vs momentum vs Adam on Rosenbrock"
CLAIM = ("With the same budget, momentum and Adam settle at the Rosenbrock minimum (1, 1) (within 0.01 to the "
         "end of the budget) in >= 3x fewer steps than plain SGD.")
CARD_TERMS = [("优化算法",), ("优化器",), ("momentum",), ("adam",)]

START = (-1.2, 1.0)  # the classic starting point on the far side of the valley
START_JITTER = 0.2  # each seed starts somewhere in a box of this half-width around START
TOLERANCE = 1e-2  # settled once the distance to (1, 1) stays below this to the end of the budget
BUDGET_QUICK = 4000  # steps; plain SGD needs ~11000, so in quick mode it runs out
BUDGET_FULL = 20000
# a run inside TOLERANCE this many steps in a row has settled and stops early (Adam at lr 0.1,
# which bounces in and out of the ball, never stays in it for this long)
SETTLED_FOR = 500
RECORD_EVERY_QUICK = 20
RECORD_EVERY_FULL = 60
SGD_LR = 1e-3  # close to the stability limit 2 / curvature
MOMENTUM_LR = 1e-3
MOMENTUM = 0.95
ADAM_LR = 0.02  # at 0.1 Adam reaches the ball in ~300 steps but then hovers at ~0.01 and never stays
ADAM_BETAS = (0.9, 0.99)
SPEEDUP = 3.0  # "far fewer": SGD needs at least this many times the steps of the slower of the two

from ._result import Result, Progress, no_progress  # noqa: E402

import torch  # noqa: E402


def rosenbrock(p: torch.Tensor) -> torch.Tensor:
    x, y = p[0], p[1]
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def optimizer_factories(ablate: bool) -> dict:
    """name -> function(params) -> torch optimizer; ablated, all three are plain SGD."""
    factories = {
        "sgd": lambda params: torch.optim.SGD(params, lr=SGD_LR),
        "momentum": lambda params: torch.optim.SGD(params, lr=MOMENTUM_LR, momentum=MOMENTUM),
        "adam": lambda params: torch.optim.Adam(params, lr=ADAM_LR, betas=ADAM_BETAS),
    }
    if ablate:
        factories = {name: factories["sgd"] for name in factories}
    return factories


def descend(make_optimizer, start: torch.Tensor, budget: int, record_every: int, report):
    """Run the whole budget (every optimiser gets the same) and record the distance to (1, 1).

    Returns (steps to settle, final distance, distances recorded every `record_every` steps),
    where "settled" means inside TOLERANCE from that step on, for SETTLED_FOR steps in a row or
    to the end of the budget (budget + 1 if it never settles: a lower bound); calls
    report(step, distance) eight times.
    """
    p = start.clone().requires_grad_(True)
    optimizer = make_optimizer([p])
    target = torch.ones_like(start)
    outside = torch.zeros((), dtype=torch.long, device=start.device)  # last step spent outside, on device
    distances = []
    for step in range(1, budget + 1):
        optimizer.zero_grad()
        rosenbrock(p).backward()
        optimizer.step()
        distance = (p.detach() - target).norm()
        outside = torch.where(distance >= TOLERANCE, step, outside)  # no host sync per step
        if step % record_every == 0:
            distances.append(distance.item())
            if step - outside.item() >= SETTLED_FOR:
                break
        if step % (budget // 8) == 0:
            report(step, distances[-1])
    return outside.item() + 1, distance.item(), distances


def run(device: str = "cpu", seed: int = 0, quick: bool = True, progress: Progress = no_progress,
        ablate: bool = False) -> Result:
    budget = BUDGET_QUICK if quick else BUDGET_FULL
    record_every = RECORD_EVERY_QUICK if quick else RECORD_EVERY_FULL
    generator = torch.Generator().manual_seed(seed)
    jitter = (torch.rand(2, generator=generator) * 2 - 1) * START_JITTER
    start = (torch.tensor(START) + jitter).to(device)

    metrics: dict[str, float] = {"start x": start[0].item(), "start y": start[1].item()}
    series: dict[str, list[float]] = {}
    factories = optimizer_factories(ablate)
    for index, (name, make_optimizer) in enumerate(factories.items()):
        def report(step: int, distance: float) -> None:
            fraction = (index + step / budget) / len(factories)
            progress(fraction, f"{name}: step {step}/{budget} distance {distance:.3f}")

        steps, distance, distances = descend(make_optimizer, start, budget, record_every, report)
        converged = steps <= budget
        metrics[f"{name} steps"] = float(steps)
        metrics[f"{name} converged"] = float(converged)
        metrics[f"{name} final distance"] = distance
        series[f"{name} distance to (1,1)"] = distances
        verdict = (f"settled within {TOLERANCE:g} from step {steps}" if converged
                   else f"not settled, distance {distance:.3f}")
        progress((index + 1) / len(factories), f"{name}: {verdict}")

    # An unsettled run counts as its budget + 1: a lower bound on the steps it needs.
    slower_fast = max(metrics["momentum steps"], metrics["adam steps"])
    metrics["sgd / slower of momentum, adam"] = metrics["sgd steps"] / slower_fast
    claim_holds = (
        metrics["momentum converged"] == 1.0
        and metrics["adam converged"] == 1.0
        and metrics["sgd / slower of momentum, adam"] >= SPEEDUP
    )
    return Result(claim=CLAIM, claim_holds=claim_holds, metrics=metrics, series=series,
                  x_label=f"step / {record_every}", y_label="distance to (1, 1)", log_y=True)


if __name__ == "__main__":
    print(run())
