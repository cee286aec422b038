"""Feature scaling and gradient descent: standardised inputs make the loss bowl round.

Claim: linear regression on two informative features whose scales differ 100x: full-batch
gradient descent, each at its own best stable learning rate (1 / lambda_max of its own
Hessian), needs >= 100x more steps to get within 1% of the optimum on the raw features
(or does not get there in the budget) than on standardised ones (mean 0, std 1), which
get there in <= 50 steps; min-max normalisation to [0, 1] lies in between (faster than
raw, slower than standardised: its features are not centred).

Why: the mean squared error of a linear model is a quadratic bowl whose curvatures are
the eigenvalues of the Hessian 2 X^T X / n. A feature of scale s contributes a curvature
~s^2, so scales of 1 and 100 make curvatures ~1 and ~10,000: a long, narrow valley. The
learning rate must stay below 2 / lambda_max for the steep direction not to diverge, so
along the flat direction each step shrinks the error only by ~lambda_min / lambda_max,
and the number of steps grows with the condition number lambda_max / lambda_min.
Standardising makes every feature's scale 1 and its mean 0, so the Hessian is close to
2 x the features' correlation matrix: condition number near 1, a round bowl, a few steps.
Min-max scaling equalises the ranges but leaves the means at ~0.5, and an uncentred
feature is correlated with the bias column, which keeps the bowl stretched (the notes'
标准化 vs 归一化). The demo reports each variant's condition number beside its steps.
"""

ID = "feature_scaling"
TITLE = "Feature scaling speeds up gradient descent"
CLAIM = ("With two features 100x apart in scale, gradient descent at its best stable rate needs >= 100x more "
         "steps to reach 1% of the optimum on raw features than on standardised ones (<= 50 steps); min-max "
         "scaling falls in between.")
CARD_TERMS = [("标准化",), ("归一化",), ("feature scaling",), ("standardi",)]

SAMPLES = 512
SCALES = (1.0, 100.0)  # the two features' standard deviations
OFFSETS = (3.0, 200.0)  # and their means (raw data are rarely centred)
LABEL_NOISE = 0.1
BUDGET_QUICK, BUDGET_FULL = 2000, 20000
TARGET = 0.01  # excess loss over the optimum below this share of its start
RAW_SLOWER_AT_LEAST = 100.0
STANDARDISED_WITHIN = 50  # steps

from ._result import Result, Progress, no_progress  # noqa: E402

import torch  # noqa: E402


def make_data(generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    z = torch.randn(SAMPLES, 2, generator=generator, dtype=torch.float64)
    x = z * torch.tensor(SCALES, dtype=torch.float64) + torch.tensor(OFFSETS, dtype=torch.float64)
    y = z @ torch.tensor([1.0, -2.0], dtype=torch.float64) + LABEL_NOISE * torch.randn(
        SAMPLES, generator=generator, dtype=torch.float64)
    return x, y


def scalings(ablate: bool) -> dict[str, callable]:
    """name -> feature transform; ablated, every variant sees the raw features."""
    def standardise(x):
        return (x - x.mean(0)) / x.std(0)

    def min_max(x):
        return (x - x.min(0).values) / (x.max(0).values - x.min(0).values)

    chosen = {"raw": lambda x: x, "min-max [0, 1]": min_max, "standardised": standardise}
    return {name: chosen["raw"] for name in chosen} if ablate else chosen


def descend(x: torch.Tensor, y: torch.Tensor, budget: int) -> tuple[int, float, list[float]]:
    """GD at lr = 1 / lambda_max on [x, 1]; returns steps to TARGET (budget + 1 if never), the
    condition number, and the excess-loss curve (every budget // 100 steps)."""
    inputs = torch.cat([x, torch.ones(len(x), 1, dtype=x.dtype, device=x.device)], dim=1)
    hessian = 2 * inputs.T @ inputs / len(x)
    eigenvalues = torch.linalg.eigvalsh(hessian.cpu())
    lr = 1.0 / eigenvalues.max().item()
    solution = torch.linalg.lstsq(inputs.cpu(), y.cpu().unsqueeze(1)).solution.squeeze(1).to(x.device)
    optimum = ((inputs @ solution - y) ** 2).mean()
    w = torch.zeros(inputs.shape[1], dtype=x.dtype, device=x.device)
    start = ((inputs @ w - y) ** 2).mean() - optimum
    excess = torch.empty(budget + 1, dtype=x.dtype, device=x.device)  # kept on the device: no sync per step
    for step in range(budget + 1):
        residual = inputs @ w - y
        excess[step] = (residual ** 2).mean() - optimum
        w = w - lr * (2 * inputs.T @ residual / len(x))
    below = (excess < TARGET * start).nonzero()
    steps = int(below[0].item()) if len(below) else budget + 1
    curve = (excess[:: max(1, budget // 100)] / start).clamp_min(1e-16).tolist()
    return steps, (eigenvalues.max() / eigenvalues.min()).item(), curve


def run(device: str = "cpu", seed: int = 0, quick: bool = True, progress: Progress = no_progress,
        ablate: bool = False) -> Result:
    budget = BUDGET_QUICK if quick else BUDGET_FULL
    x, y = make_data(torch.Generator().manual_seed(seed))
    x, y = x.to(device), y.to(device)  # float64 throughout: the raw bowl's condition number is ~1e5
    metrics: dict[str, float] = {}
    series: dict[str, list[float]] = {}
    variants = scalings(ablate)
    for index, (name, transform) in enumerate(variants.items()):
        steps, condition, curve = descend(transform(x), y, budget)
        metrics[f"{name}: steps to 1% of the optimum"] = float(steps)
        metrics[f"{name}: condition number"] = condition
        series[f"{name}: excess loss / start"] = curve
        progress((index + 1) / len(variants), f"{name}: condition number {condition:.3g}, "
                                              f"{'not there' if steps > budget else steps} steps")

    def steps_of(name: str) -> float:
        return metrics[f"{name}: steps to 1% of the optimum"]

    metrics["raw / standardised: steps"] = steps_of("raw") / steps_of("standardised")
    claim_holds = (steps_of("standardised") <= STANDARDISED_WITHIN
                   and metrics["raw / standardised: steps"] >= RAW_SLOWER_AT_LEAST
                   and steps_of("standardised") < steps_of("min-max [0, 1]") < steps_of("raw"))
    return Result(claim=CLAIM, claim_holds=claim_holds, metrics=metrics, series=series,
                  x_label=f"step / {max(1, budget // 100)}", y_label="excess loss / its start", log_y=True)


if __name__ == "__main__":
    print(run())
