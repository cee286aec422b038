"""Bias-variance decomposition, measured: expected squared error = bias^2 + variance + noise.

Claim: fitting polynomials of degree 1, 3 and 9 to 500 independent training sets of 30
noisy points of a sine, the measured expected squared error on fresh points equals
bias^2 + variance + noise variance within 5% for every degree, while the notes' "误差=偏差+
方差" (bias not squared, no noise term) is off by >= 20% wherever bias or noise matter
(degrees 1 and 3; at degree 9 the variance is so large that it swamps both); degree 1's
error is mostly bias^2, degree 9's mostly variance, and degree 3 has the lowest error.

Why: for a fresh point y = f(x) + e, with noise e of variance sigma^2 independent of the
training set D, and a model trained on D predicting g_D(x), the expected squared error
E[(g_D(x) - y)^2] splits exactly into (E_D[g_D(x)] - f(x))^2 (bias^2: how far the average
model is from the truth), E_D[(g_D(x) - E_D g_D(x))^2] (variance: how much the model
moves with the training set) and sigma^2 (noise no model can remove): the cross terms
vanish because e has mean 0 and is independent of D. It is squares that add up, and
the noise term is part of the sum; the notes' "error = bias + variance" drops both. A
straight line cannot bend to the sine (high bias, underfitting: the notes' high bias =
欠拟合); a degree-9 polynomial through 20 noisy points follows the noise, and a new
training set gives a very different curve (high variance, overfitting). The demo
measures each term directly over many training sets, no formula assumed.
"""

ID = "bias_variance"
TITLE = "Bias-variance decomposition, measured"
CLAIM = ("Over 500 training sets, polynomial fits of degree 1, 3, 9 have expected squared error = bias^2 + "
         "variance + noise within 5%, while the notes' error = bias + variance is off by >= 20% at degrees 1 and 3; "
         "degree 1 is mostly bias^2, degree 9 mostly variance, degree 3 best.")
CARD_TERMS = [("欠拟合",), ("偏差",), ("bias-variance",), ("bias variance",)]

DEGREES = (1, 3, 9)
TRAIN_POINTS = 30
NOISE_STD = 0.3
TRAINING_SETS_QUICK, TRAINING_SETS_FULL = 500, 20000
TEST_POINTS = 200
DECOMPOSITION_WITHIN = 0.05  # |measured - (bias^2 + variance + noise)| / measured
NOTES_OFF_BY_AT_LEAST = 0.2  # |measured - (|bias| + variance)| / measured

from ._result import Result, Progress, no_progress  # noqa: E402

import math  # noqa: E402

import torch  # noqa: E402


def truth(x: torch.Tensor) -> torch.Tensor:
    return torch.sin(math.pi * x)


def features(x: torch.Tensor, degree: int) -> torch.Tensor:
    """1, x, ..., x^degree (x in [-1, 1], so the powers stay well scaled in float64)."""
    return torch.stack([x ** power for power in range(degree + 1)], dim=-1)


def decompose(degree: int, train_x, train_y, test_x, test_y) -> dict[str, float]:
    """Fit every training set by least squares; measure error, bias^2, variance on the test points."""
    coefficients = torch.linalg.lstsq(features(train_x, degree), train_y.unsqueeze(-1)).solution
    predictions = (features(test_x, degree) @ coefficients).squeeze(-1)  # (training sets, test points)
    mean_prediction = predictions.mean(dim=0)
    bias = mean_prediction - truth(test_x)
    return {"measured error": ((predictions - test_y) ** 2).mean().item(),
            "bias^2": (bias ** 2).mean().item(),
            "|bias|": bias.abs().mean().item(),
            "variance": predictions.var(dim=0, unbiased=False).mean().item()}


def run(device: str = "cpu", seed: int = 0, quick: bool = True, progress: Progress = no_progress,
        ablate: bool = False) -> Result:
    sets = TRAINING_SETS_QUICK if quick else TRAINING_SETS_FULL
    generator = torch.Generator().manual_seed(seed)
    double = torch.float64
    train_x = torch.rand(sets, TRAIN_POINTS, generator=generator, dtype=double) * 2 - 1
    train_y = truth(train_x) + NOISE_STD * torch.randn(sets, TRAIN_POINTS, generator=generator, dtype=double)
    test_x = torch.linspace(-1, 1, TEST_POINTS, dtype=double)
    # a fresh label per set
    test_y = truth(test_x) + NOISE_STD * torch.randn(sets, TEST_POINTS, generator=generator, dtype=double)
    train_x, train_y, test_x, test_y = (t.to(device) for t in (train_x, train_y, test_x, test_y))
    noise = NOISE_STD ** 2

    metrics: dict[str, float] = {"noise variance": noise}
    series: dict[str, list[float]] = {"measured error": [], "bias^2": [], "variance": []}
    for index, degree in enumerate(DEGREES):
        found = decompose(degree, train_x, train_y, test_x, test_y)
        decomposition = found["bias^2"] + found["variance"] + noise
        # ablated, the notes' sum is replaced by the full decomposition: no contrast left
        notes = decomposition if ablate else found["|bias|"] + found["variance"]
        metrics.update({f"degree {degree}: {key}": value for key, value in found.items()})
        metrics[f"degree {degree}: bias^2 + variance + noise"] = decomposition
        metrics[f"degree {degree}: decomposition off by"] = abs(found["measured error"] - decomposition) / found[
            "measured error"]
        metrics[f"degree {degree}: notes' |bias| + variance off by"] = abs(found["measured error"] - notes) / found[
            "measured error"]
        for key in series:
            series[key].append(found[key])
        progress((index + 1) / len(DEGREES), f"degree {degree}: error {found['measured error']:.3f} = bias^2 "
                                             f"{found['bias^2']:.3f} + variance {found['variance']:.3f} + noise {noise:.3f}")

    def at(degree: int, key: str) -> float:
        return metrics[f"degree {degree}: {key}"]

    low, middle, high = DEGREES
    claim_holds = (
        all(at(d, "decomposition off by") <= DECOMPOSITION_WITHIN for d in DEGREES)
        and all(at(d, "notes' |bias| + variance off by") >= NOTES_OFF_BY_AT_LEAST for d in (low, middle))
        and at(low, "bias^2") > at(low, "variance")
        and at(high, "variance") > at(high, "bias^2")
        and at(middle, "measured error") < min(at(low, "measured error"), at(high, "measured error"))
    )
    return Result(claim=CLAIM, claim_holds=claim_holds, metrics=metrics, series=series,
                  x_label="polynomial degree " + ", ".join(str(d) for d in DEGREES), y_label="squared error",
                  log_y=True)


if __name__ == "__main__":
    print(run())
