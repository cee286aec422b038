"""Dropout: inverted scaling keeps train and eval outputs on the same scale; eval is the ensemble mean.

Claim: with p = 0.5, dropout that rescales the kept units by 1 / (1 - p) keeps a layer's
mean output within 5% of the eval-mode output (dropout off), while masking without the
rescaling halves it (off by >= 40%); in training mode two passes over the same input
differ, in eval mode they are identical; and the eval-mode output equals the average over
1,000 random sub-networks: for a linear readout of the dropped units within 4 standard
errors of that average, and after a further ReLU layer within 0.5 of one sub-network's
spread.

Why: dropout keeps each unit with probability 1 - p, so the expected value of a kept-or-
zeroed unit is (1 - p) x. Inverted dropout (what nn.Dropout does) divides the kept units
by 1 - p during training, making the expectation exactly x, so at test time the layer
can simply be switched off (model.eval()) with nothing rescaled; the original paper
instead scaled the weights by 1 - p at test time, the same thing done the other way
round. Each training step samples a different mask, a different "thinned" sub-network
sharing the same weights: dropout trains an ensemble of 2^n sub-networks at once. For a
linear function of the dropped units, the eval output is exactly the ensemble's mean
(linearity of expectation), which the demo checks against a Monte Carlo average; after a
non-linearity the mean of the outputs is no longer the output of the mean, so the eval
pass is only an approximation of the ensemble (the "weight scaling inference rule"),
close but not exact, which is what the second measure shows.
"""

ID = "dropout_scaling"
TITLE = "Dropout: inverted scaling, train vs eval, the ensemble view"
CLAIM = ("With p = 0.5, inverted dropout keeps the mean output within 5% of eval mode while unscaled masking is off "
         "by >= 40%; train passes differ, eval passes do not; eval equals the average of 1,000 sub-networks exactly "
         "for a linear readout and approximately after a ReLU.")
CARD_TERMS = [("dropout",), ("过拟合",)]

P_DROP = 0.5
WIDTH = 256
BATCH = 64
SUBNETWORKS_QUICK, SUBNETWORKS_FULL = 1000, 50000
SCALE_WITHIN = 0.05  # inverted dropout: |train mean / eval mean - 1| (one mask over 64 x 256 units: ~2% noise)
UNSCALED_OFF_BY = 0.4  # masking without 1 / (1 - p): |train mean / eval mean - 1| at least this
LINEAR_WITHIN_SE = 4.0  # linear readout: |ensemble mean - eval| within this many standard errors
RELU_WITHIN_SPREAD = 0.5  # after a ReLU: mean |ensemble mean - eval| / one sub-network's spread (seeds 0-9: 0.13-0.39)

from ._draws import Draws  # noqa: E402
from ._result import Result, Progress, no_progress  # noqa: E402

import torch  # noqa: E402


def dropout(h: torch.Tensor, keep: torch.Tensor, rescale: bool) -> torch.Tensor:
    """Zero the units where `keep` is False (each with probability P_DROP); rescale the kept ones."""
    return h * keep / (1 - P_DROP) if rescale else h * keep


def run(device: str = "cpu", seed: int = 0, quick: bool = True, progress: Progress = no_progress,
        ablate: bool = False) -> Result:
    subnetworks = SUBNETWORKS_QUICK if quick else SUBNETWORKS_FULL
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(BATCH, WIDTH, generator=generator).to(device)
    w1 = (torch.randn(WIDTH, WIDTH, generator=generator) * (2 / WIDTH) ** 0.5).to(device)
    w2 = (torch.randn(WIDTH, WIDTH, generator=generator) * (2 / WIDTH) ** 0.5).to(device)
    readout = (torch.randn(WIDTH, generator=generator) / WIDTH ** 0.5).to(device)
    hidden = torch.relu(x @ w1)  # the units dropout acts on
    # masks from the seeded generator, drawn ahead and copied in blocks (no host wait per sub-network)
    masks = Draws(lambda: torch.rand(hidden.shape, generator=generator) >= P_DROP, device)
    metrics: dict[str, float] = {}

    # 1. scale: train-mode mean over eval-mode mean, with and without the 1 / (1 - p)
    eval_mean = hidden.mean().item()
    for name, rescale in {"inverted (1 / (1 - p))": not ablate, "unscaled mask": False}.items():
        train_mean = dropout(hidden, masks.next(), rescale).mean().item()
        metrics[f"{name}: train mean / eval mean"] = train_mean / eval_mean
    progress(0.2, f"train/eval mean: inverted {metrics['inverted (1 / (1 - p)): train mean / eval mean']:.3f}, "
                  f"unscaled {metrics['unscaled mask: train mean / eval mean']:.3f}")

    # 2. train vs eval mode of the real nn.Dropout
    layer = torch.nn.Dropout(P_DROP)  # global RNG: this part is about nn.Dropout itself, its masks unread
    layer.train()
    metrics["train mode: two passes differ"] = float(not torch.equal(layer(hidden), layer(hidden)))
    layer.eval()
    metrics["eval mode: two passes identical"] = float(torch.equal(layer(hidden), layer(hidden)))

    # 3. the ensemble: average over many sub-networks (masks) vs the single eval pass
    linear_sum = torch.zeros(BATCH, device=device)
    linear_squares = torch.zeros(BATCH, device=device)
    relu_sum = torch.zeros(BATCH, device=device)
    relu_squares = torch.zeros(BATCH, device=device)
    for index in range(subnetworks):
        dropped = dropout(hidden, masks.next(), rescale=not ablate)
        linear_out = dropped @ readout
        relu_out = torch.relu(dropped @ w2) @ readout
        linear_sum += linear_out
        linear_squares += linear_out ** 2
        relu_sum += relu_out
        relu_squares += relu_out ** 2
        if (index + 1) % (subnetworks // 4) == 0:
            progress(0.2 + 0.8 * (index + 1) / subnetworks, f"{index + 1} sub-networks averaged")
    linear_mean, relu_mean = linear_sum / subnetworks, relu_sum / subnetworks
    linear_std = (linear_squares / subnetworks - linear_mean ** 2).clamp_min(0).sqrt()
    relu_std = (relu_squares / subnetworks - relu_mean ** 2).clamp_min(0).sqrt()
    linear_eval, relu_eval = hidden @ readout, torch.relu(hidden @ w2) @ readout
    metrics["linear readout: max |ensemble - eval| in standard errors"] = (
        ((linear_mean - linear_eval).abs() / (linear_std / subnetworks ** 0.5)).max().item())
    metrics["after a ReLU: mean |ensemble - eval| / one sub-network's spread"] = (
        ((relu_mean - relu_eval).abs() / relu_std).mean().item())

    claim_holds = (
        abs(metrics["inverted (1 / (1 - p)): train mean / eval mean"] - 1) <= SCALE_WITHIN
        and abs(metrics["unscaled mask: train mean / eval mean"] - 1) >= UNSCALED_OFF_BY
        and metrics["train mode: two passes differ"] == 1.0
        and metrics["eval mode: two passes identical"] == 1.0
        and metrics["linear readout: max |ensemble - eval| in standard errors"] <= LINEAR_WITHIN_SE
        and metrics["after a ReLU: mean |ensemble - eval| / one sub-network's spread"] <= RELU_WITHIN_SPREAD
    )
    series = {"ensemble mean (ReLU net)": relu_mean.tolist(), "eval pass (ReLU net)": relu_eval.tolist()}
    return Result(claim=CLAIM, claim_holds=claim_holds, metrics=metrics, series=series,
                  x_label="input in the batch", y_label="output", log_y=False)


if __name__ == "__main__":
    print(run())
