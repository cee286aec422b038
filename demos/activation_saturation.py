"""Sigmoid and tanh saturate; ReLU does not (for positive inputs).

Claim: the gradients of sigmoid and tanh vanish for large |x| (sigmoid'(10) < 1e-4,
tanh'(5) < 1e-3), while ReLU's gradient is exactly 1 for every positive input.

Why: sigmoid(x) = 1 / (1 + e^-x) flattens to 0 or 1 as |x| grows, and its derivative
sigmoid(x) (1 - sigmoid(x)) ~ e^-|x| decays exponentially; even at its best (x = 0) it
is only 0.25, so every sigmoid layer shrinks a back-propagated gradient at least 4x.
tanh = 2 sigmoid(2x) - 1 has derivative 1 - tanh^2 ~ 4 e^-2|x|: steeper at 0 (1.0) but
saturating twice as fast. ReLU is the identity on x > 0, so its gradient there is 1 no
matter how large x gets (its own problem, zero gradient for x < 0, is the dying-ReLU
demo). A second, smaller flaw: sigmoid outputs are all positive (mean ~0.5 for
zero-mean inputs), so the next layer's weight gradients all share one sign; tanh's
outputs are centred on zero.
"""

ID = "activation_saturation"
TITLE = "Sigmoid/tanh saturation vs ReLU"
CLAIM = ("Sigmoid and tanh gradients vanish for large |x| (sigmoid'(10) < 1e-4, tanh'(5) < 1e-3) "
         "while ReLU's gradient stays exactly 1 for every positive input.")
CARD_TERMS = [("激活函数",), ("sigmoid",), ("tanh",)]

X_MAX = 10.0  # inputs swept over [-X_MAX, X_MAX]
POINTS = 201  # grid points of the sweep (step 0.1, so x = 5 and x = 10 are on the grid)
SAMPLES_QUICK = 10_000  # random N(0, 1) pre-activations for the output-mean comparison
SAMPLES_FULL = 1_000_000
SIGMOID_AT_10_MAX = 1e-4  # sigmoid'(10) = 4.5e-5
TANH_AT_5_MAX = 1e-3  # tanh'(5) = 1.8e-4
RELU_POSITIVE_GRADIENT = 1.0  # exactly, for every x > 0
SATURATED_BELOW = 1e-2  # a gradient smaller than this counts as "saturated" in the metrics

from ._result import Result, Progress, no_progress  # noqa: E402

import torch  # noqa: E402


def activations(ablate: bool) -> dict:
    """name -> function; ablated, sigmoid and tanh are replaced by ReLU (no saturation)."""
    chosen = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}
    if ablate:
        chosen = {name: torch.relu for name in chosen}
    return chosen


def gradient_of(function, x: torch.Tensor) -> torch.Tensor:
    """d function(x) / dx elementwise, by autograd (the same numbers backprop would use)."""
    x = x.detach().clone().requires_grad_(True)
    function(x).sum().backward()
    return x.grad.detach()


def run(device: str = "cpu", seed: int = 0, quick: bool = True, progress: Progress = no_progress,
        ablate: bool = False) -> Result:
    generator = torch.Generator().manual_seed(seed)
    samples = SAMPLES_QUICK if quick else SAMPLES_FULL
    x = torch.linspace(-X_MAX, X_MAX, POINTS, device=device)
    at = {value: int(torch.argmin((x - value).abs())) for value in (0.0, 5.0, 10.0)}
    positive = x > 0

    metrics: dict[str, float] = {}
    series: dict[str, list[float]] = {}
    chosen = activations(ablate)
    for index, (name, function) in enumerate(chosen.items()):
        grad = gradient_of(function, x)
        series[f"{name}'(x)"] = grad.tolist()
        at_0, at_10 = grad[at[0.0]].item(), grad[at[10.0]].item()
        metrics[f"{name}'(0)"] = at_0
        metrics[f"{name}'(5)"] = grad[at[5.0]].item()
        metrics[f"{name}'(10)"] = at_10
        metrics[f"{name}: share of [-10,10] with gradient < {SATURATED_BELOW:g}"] = (
            (grad < SATURATED_BELOW).float().mean().item())
        metrics[f"{name}: min gradient for x > 0"] = grad[positive].min().item()
        metrics[f"{name}: max gradient for x > 0"] = grad[positive].max().item()
        progress((index + 1) / (len(chosen) + 1), f"{name}: f'(0) = {at_0:.3g}, f'(10) = {at_10:.2e}")

    # The non-zero-centred side effect: outputs of zero-mean inputs.
    pre_activations = torch.randn(samples, generator=generator).to(device)
    for name, function in chosen.items():
        metrics[f"{name}: mean output for N(0,1) inputs"] = function(pre_activations).mean().item()
    progress(1.0, "measured output means")

    relu_positive = (metrics["relu: min gradient for x > 0"] == RELU_POSITIVE_GRADIENT
                     and metrics["relu: max gradient for x > 0"] == RELU_POSITIVE_GRADIENT)
    claim_holds = (metrics["sigmoid'(10)"] < SIGMOID_AT_10_MAX
                   and metrics["tanh'(5)"] < TANH_AT_5_MAX
                   and relu_positive)
    return Result(claim=CLAIM, claim_holds=claim_holds, metrics=metrics, series=series,
                  x_label=f"x (grid index; x from -{X_MAX:g} to {X_MAX:g})", y_label="f'(x)", log_y=False)


if __name__ == "__main__":
    print(run())
