"""Scaled dot-product attention: dividing the scores by sqrt(d_k) keeps the softmax out of saturation.

Claim: with queries and keys of unit-variance entries, the raw scores q.k have variance
d_k (measured within 20%); unscaled, at d_k = 512 the softmax over 32 keys puts >= 0.9 of
its weight on one key on average, its entropy falls to <= 0.3 nats (uniform is
log 32 = 3.47) and the gradient reaching the scores is below 0.8x the scaled softmax's,
while scores divided by sqrt(d_k) keep the top weight, the entropy and the gradient at
the same size for every d_k (within 2x of d_k = 16's).

Why: q.k = sum_i q_i k_i is a sum of d_k independent terms of variance 1, so its variance
is d_k and its spread sqrt(d_k). Softmax turns score gaps into weight ratios exponentially:
exp(s_1 - s_2). With gaps of order sqrt(512) ~ 23 the largest score takes nearly all the
weight: the softmax behaves like an argmax. Its Jacobian, diag(p) - p p^T, vanishes when
p is one-hot, so less and less gradient reaches the scores, and through them the query
and key projections (at d_k = 512 the top weight is ~0.94, not 1, so the measured gradient
is ~0.6-0.7x the scaled one's, not zero: the squeeze grows with d_k). Dividing by sqrt(d_k) brings the scores back
to variance 1 whatever d_k is ("Attention Is All You Need", section 3.2.1). The demo
draws random q and k (no training needed: the effect is there at initialisation) and
backpropagates a random upstream gradient through the softmax to measure what reaches
the scores.
"""

ID = "attention_scaling"
TITLE = "Attention: why scores are divided by sqrt(d_k)"
CLAIM = ("Unit-variance q, k give scores of variance d_k; unscaled, at d_k = 512 the softmax over 32 keys puts "
         ">= 0.9 of its weight on one key (entropy <= 0.3 nats) and passes back < 0.8x the scaled one's gradient, "
         "while scaling by 1/sqrt(d_k) keeps weights, entropy and gradient the same size for every d_k.")
CARD_TERMS = [("注意力",), ("attention",), ("transformer",)]
PREDICT = {
    "question": "Unscaled scores at d_k = 512, softmax over 32 keys: how much weight does the top key get on average?",
    "choices": {"a": "about 1/32, like uniform", "b": "about 0.3", "c": "above 0.9: nearly one-hot"},
}

HEAD_DIMS = (16, 64, 256, 512)
KEYS = 32
QUERIES_QUICK, QUERIES_FULL = 512, 16384
VARIANCE_TOLERANCE = 0.2  # measured score variance within 20% of d_k
SATURATED_TOP_WEIGHT = 0.9  # unscaled at the largest d_k: mean top weight at least this
ENTROPY_AT_MOST = 0.3  # unscaled at the largest d_k, in nats (seeds 0-9: ~0.13)
GRADIENT_BELOW = 0.8  # unscaled / scaled gradient reaching the scores at the largest d_k (seeds: ~0.6)
SCALED_WITHIN = 2.0  # scaled: top weight, entropy and gradient within this factor of d_k = 16's

from ._result import Result, Progress, no_progress  # noqa: E402

import torch  # noqa: E402


def attention_statistics(d_k: int, scaled: bool, queries: int, generator: torch.Generator,
                         device: str) -> dict[str, float]:
    """Score variance, mean top weight, mean entropy and the gradient that reaches the scores."""
    q = torch.randn(queries, 1, d_k, generator=generator).to(device)
    k = torch.randn(queries, KEYS, d_k, generator=generator).to(device)
    upstream = torch.randn(queries, KEYS, generator=generator).to(device)  # dLoss/dweights, random
    scores = (q @ k.transpose(1, 2)).squeeze(1)
    variance = scores.var().item()
    if scaled:
        scores = scores / d_k ** 0.5
    scores = scores.detach().requires_grad_(True)
    weights = torch.softmax(scores, dim=1)
    (weights * upstream).sum().backward()
    entropy = -(weights * torch.log(weights.clamp_min(1e-30))).sum(dim=1)
    return {"score variance": variance,
            "mean top weight": weights.max(dim=1).values.mean().item(),
            "mean entropy (nats)": entropy.mean().item(),
            "gradient reaching the scores (rms)": scores.grad.pow(2).mean().sqrt().item()}


def run(device: str = "cpu", seed: int = 0, quick: bool = True, progress: Progress = no_progress,
        ablate: bool = False) -> Result:
    queries = QUERIES_QUICK if quick else QUERIES_FULL
    metrics: dict[str, float] = {}
    series: dict[str, list[float]] = {}
    # ablated, the "unscaled" scores are scaled too: no contrast left
    variants = {"unscaled": ablate, "scaled by 1/sqrt(d_k)": True}
    for index, (name, scaled) in enumerate(variants.items()):
        generator = torch.Generator().manual_seed(seed)  # both variants see the same q and k
        top_weights = []
        for d_k in HEAD_DIMS:
            found = attention_statistics(d_k, scaled, queries, generator, device)
            metrics.update({f"{name}, d_k={d_k}: {key}": value for key, value in found.items()})
            top_weights.append(found["mean top weight"])
            progress((index + (HEAD_DIMS.index(d_k) + 1) / len(HEAD_DIMS)) / len(variants),
                     f"{name}, d_k={d_k}: top weight {found['mean top weight']:.2f}")
        series[f"{name}: mean top weight"] = top_weights

    small, large = HEAD_DIMS[0], HEAD_DIMS[-1]

    def at(name: str, d_k: int, key: str) -> float:
        return metrics[f"{name}, d_k={d_k}: {key}"]

    gradient = "gradient reaching the scores (rms)"
    scaled = "scaled by 1/sqrt(d_k)"
    metrics[f"d_k={large}: unscaled / scaled gradient"] = at("unscaled", large, gradient) / at(scaled, large, gradient)
    variance_right = all(abs(at("unscaled", d_k, "score variance") / d_k - 1) <= VARIANCE_TOLERANCE
                         for d_k in HEAD_DIMS)
    scaled_steady = all(1 / SCALED_WITHIN <= at(scaled, d_k, key) / at(scaled, small, key) <= SCALED_WITHIN
                        for d_k in HEAD_DIMS for key in ("mean top weight", "mean entropy (nats)", gradient))
    top = at("unscaled", large, "mean top weight")
    claim_holds = (variance_right
                   and top >= SATURATED_TOP_WEIGHT
                   and at("unscaled", large, "mean entropy (nats)") <= ENTROPY_AT_MOST
                   and metrics[f"d_k={large}: unscaled / scaled gradient"] < GRADIENT_BELOW
                   and scaled_steady)
    return Result(claim=CLAIM, claim_holds=claim_holds, metrics=metrics, series=series,
                  answer="c" if top > 0.6 else "b" if top > 0.1 else "a",
                  x_label="d_k = " + ", ".join(str(d) for d in HEAD_DIMS), y_label="mean top softmax weight",
                  log_y=False)


if __name__ == "__main__":
    print(run())
