"""Mini-batch gradient noise falls like 1/B.

Claim: the variance of a mini-batch gradient around the full-data gradient falls like
1/B (slope ~ -1 on a log-log plot), and training with small batches gives a visibly
noisier loss curve than training with large ones.

Why: a mini-batch gradient is the average of B per-example gradients drawn at random.
Each has the full gradient as its mean and some spread sigma^2 (examples disagree about
which way is downhill); the average of B independent draws has the same mean and
variance sigma^2 / B. So halving the noise's standard deviation costs 4x the batch.
During training that noise never averages away at a fixed learning rate: each step is
knocked off course by an amount ~ lr * sigma / sqrt(B), so small-batch SGD jitters
around the minimum while large-batch SGD settles. (The flip side, in the notes: small
batches are cheap per step and their noise can help escape sharp minima.)
"""

ID = "batch_size_noise"
TITLE = "Mini-batch gradient noise vs batch size"
CLAIM = ("The variance of the mini-batch gradient around the full gradient falls like 1/B, "
         "and small-batch training curves are noisier than large-batch ones.")
CARD_TERMS = [("批量大小",), ("小批量",), ("mini-batch",), ("batch size",)]

SAMPLES = 4096
FEATURES = 10
LABEL_NOISE = 1.0  # makes examples disagree, so per-example gradients spread
BATCH_SIZES = [1, 2, 4, 8, 16, 32, 64, 128, 256]
ABLATED_BATCH = 16  # ablated: every nominal batch size actually draws this many examples
DRAWS_QUICK = 200  # mini-batches drawn per batch size to estimate the variance
DRAWS_FULL = 1000
SMALL_BATCH, LARGE_BATCH = 4, 256  # the two training runs
TRAIN_STEPS_QUICK = 200
TRAIN_STEPS_FULL = 200
TRAIN_LR = 0.05
SLOPE_TOLERANCE = 0.15  # the fitted log-log slope must lie within -1 +- this
NOISIER_FACTOR = 3.0  # small-batch loss jitter must be at least this many times the large-batch one

from ._draws import Draws  # noqa: E402
from ._result import Result, Progress, no_progress  # noqa: E402

import math  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402


def make_data(generator: torch.Generator, device: str) -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.randn(SAMPLES, FEATURES, generator=generator)
    true_weights = torch.randn(FEATURES, 1, generator=generator)
    y = x @ true_weights + LABEL_NOISE * torch.randn(SAMPLES, 1, generator=generator)
    return x.to(device), y.to(device)


def gradient(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The gradient of the mean squared error on (x, y), flattened into one vector."""
    model.zero_grad()
    nn.functional.mse_loss(model(x), y).backward()
    return torch.cat([p.grad.flatten() for p in model.parameters()])


def draw_size(batch: int, ablate: bool) -> int:
    return ABLATED_BATCH if ablate else batch


def gradient_variance(model, x, y, batch: int, draws: int, generator: torch.Generator) -> float:
    """E ||g_B - g||^2 over random mini-batches of `batch` examples (drawn with replacement).

    Every draw's indices are made at once and the sum stays on the device: one host read per B."""
    full = gradient(model, x, y)
    indices = torch.stack([torch.randint(0, SAMPLES, (batch,), generator=generator) for _ in range(draws)])
    indices = indices.to(x.device)
    total = torch.zeros((), device=x.device)
    for index in indices:
        total += (gradient(model, x[index], y[index]) - full).pow(2).sum()
    return total.item() / draws


def log_log_slope(batches: list[int], variances: list[float]) -> float:
    """Least-squares slope of log(variance) against log(B)."""
    xs = [math.log(b) for b in batches]
    ys = [math.log(v) for v in variances]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    covariance = sum((a - mean_x) * (b - mean_y) for a, b in zip(xs, ys))
    return covariance / sum((a - mean_x) ** 2 for a in xs)


def train_curve(x, y, batch: int, steps: int, seed: int, generator: torch.Generator) -> list[float]:
    """Full-data loss after each SGD step with mini-batches of `batch` examples (kept on the
    device and read once at the end)."""
    torch.manual_seed(seed)  # both runs start from the same weights
    model = nn.Linear(FEATURES, 1).to(x.device)
    optimizer = torch.optim.SGD(model.parameters(), lr=TRAIN_LR)
    batches = Draws(lambda: torch.randint(0, SAMPLES, (batch,), generator=generator), x.device)
    losses = []
    for _ in range(steps):
        index = batches.next()
        optimizer.zero_grad()
        nn.functional.mse_loss(model(x[index]), y[index]).backward()
        optimizer.step()
        with torch.no_grad():
            losses.append(nn.functional.mse_loss(model(x), y))
    return torch.stack(losses).tolist()


def jitter(losses: list[float]) -> float:
    """Mean absolute step-to-step change of the loss over the second half (after the descent)."""
    tail = losses[len(losses) // 2:]
    return sum(abs(b - a) for a, b in zip(tail, tail[1:])) / (len(tail) - 1)


def run(device: str = "cpu", seed: int = 0, quick: bool = True, progress: Progress = no_progress,
        ablate: bool = False) -> Result:
    draws = DRAWS_QUICK if quick else DRAWS_FULL
    steps = TRAIN_STEPS_QUICK if quick else TRAIN_STEPS_FULL
    generator = torch.Generator().manual_seed(seed)
    x, y = make_data(generator, device)
    torch.manual_seed(seed)
    model = nn.Linear(FEATURES, 1).to(device)  # the variance is measured at these (initial) weights

    metrics: dict[str, float] = {}
    variances = []
    for index, batch in enumerate(BATCH_SIZES):
        variances.append(gradient_variance(model, x, y, draw_size(batch, ablate), draws, generator))
        metrics[f"gradient variance, B={batch}"] = variances[-1]
        progress(0.7 * (index + 1) / len(BATCH_SIZES), f"B={batch}: gradient variance {variances[-1]:.4g}")
    slope = log_log_slope(BATCH_SIZES, variances)
    metrics["log-log slope"] = slope

    curves = {}
    for index, batch in enumerate((SMALL_BATCH, LARGE_BATCH)):
        curves[batch] = train_curve(x, y, draw_size(batch, ablate), steps, seed, generator)
        metrics[f"loss jitter, B={batch}"] = jitter(curves[batch])
        progress(0.7 + 0.15 * (index + 1), f"training with B={batch}: final loss {curves[batch][-1]:.3f}")
    jitter_ratio = metrics[f"loss jitter, B={SMALL_BATCH}"] / metrics[f"loss jitter, B={LARGE_BATCH}"]
    metrics[f"jitter ratio B={SMALL_BATCH} / B={LARGE_BATCH}"] = jitter_ratio

    claim_holds = abs(slope + 1) <= SLOPE_TOLERANCE and jitter_ratio >= NOISIER_FACTOR
    series = {
        "gradient variance (x = log2 B)": variances,
        f"training loss, B={SMALL_BATCH}": curves[SMALL_BATCH],
        f"training loss, B={LARGE_BATCH}": curves[LARGE_BATCH],
    }
    return Result(claim=CLAIM, claim_holds=claim_holds, metrics=metrics, series=series,
                  x_label="step (variance series: log2 of the batch size)", y_label="variance / loss",
                  log_y=True)


if __name__ == "__main__":
    print(run())
