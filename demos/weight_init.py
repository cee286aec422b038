"""Weight initialisation decides whether signals survive a deep stack.

Claim: in a 30-layer stack (50 in full mode), weights at half the right scale make
activations and gradients vanish; at twice the right scale ReLU activations and gradients
explode, and tanh units saturate while tanh's gradients *explode* on their way to the
input (>= 100x, ~3e4x measured); Kaiming (ReLU) and Xavier (tanh) initialisation keep the
activation scale roughly constant.

Why: a layer computes h_out = f(W h_in) with n inputs per unit. If each weight has
variance s^2, each pre-activation sums n terms and has variance n s^2 Var(h_in): the
layer multiplies the signal's scale by a fixed factor, and L layers multiply it by that
factor to the L-th power. Anything but ~1 vanishes or explodes exponentially with
depth, and backprop runs the same weights in reverse, so gradients follow suit (the
vanishing/exploding gradient problem, caused here by nothing but the initial scale).
Kaiming picks s^2 = 2 / n for ReLU (ReLU zeroes half the signal, so double it); Xavier
picks s^2 = 1 / n (times gain^2, 25/9 for tanh) for activations that are linear near
zero. Too large a scale cannot explode tanh's *activations*, which are bounded: it pushes
the units into their flat, saturated tails (|tanh| ~ 1). Saturation is often said to make
the gradients vanish, but that is not what happens here: each layer's backward gain is
s^2 n E[tanh'(z)^2], and at twice the scale the 4x larger weight variance outweighs the
slopes lost in the tails (enough units still sit in the steep middle), so the gain per
layer exceeds 1 and the gradient grows ~1.4x per layer towards the input (the "chaotic"
phase of mean-field theory). Saturation shrinks the gradient only when the weights do
not also grow, e.g. when the inputs alone are huge (see activation_saturation). No scale
preserves both directions exactly through a nonlinearity: at Xavier's tanh gain the
forward signal holds steady while the gradients still grow ~1.1x per layer on the way back.
"""

ID = "weight_init"
TITLE = "Weight initialisation in a deep stack"
CLAIM = ("In a 30-50 layer stack, half the right weight scale makes activations and gradients vanish; twice it "
         "makes ReLU activations and gradients explode, and tanh units saturate while tanh's gradients explode "
         "towards the input; Kaiming (ReLU) and Xavier (tanh) keep the activation scale roughly constant.")
CARD_TERMS = [("梯度消失",), ("梯度弥散",), ("梯度爆炸",), ("初始化",), ("initiali",)]  # initialize, -isation, ...
PREDICT = {
    "question": "Tanh at twice Xavier's scale, 30 layers: what happens to the gradient on its way back to the "
                "first layer?",
    "choices": {"a": "it vanishes: saturated units have tanh' ~ 0", "b": "it stays about the same size",
                "c": "it explodes"},
}

DEPTH_QUICK, DEPTH_FULL = 30, 50
WIDTH_QUICK, WIDTH_FULL = 256, 512
BATCH_QUICK, BATCH_FULL = 512, 2048
SCALES = {"half": 0.5, "right": 1.0, "double": 2.0}  # times the Kaiming / Xavier standard deviation
VANISH_BELOW = 1e-2  # last/first layer ratio (of activation std or gradient std) below this = vanished
EXPLODE_ABOVE = 1e2  # ... above this = exploded
KEPT_WITHIN = (0.25, 4.0)  # the well-initialised stack keeps the activation std ratio inside this band
SATURATION = 0.99  # a tanh unit with |output| above this is saturated (tanh' < 0.02)
SATURATED_SHARE_ABOVE = 0.2  # twice-too-large tanh: at least this share of last-layer units saturated

from ._result import Result, Progress, no_progress  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402

ACTIVATIONS = {"relu": torch.relu, "tanh": torch.tanh}


def init_weights(activation: str, scale: float, depth: int, width: int, generator: torch.Generator):
    """`depth` square weight matrices: Kaiming (ReLU) or Xavier with tanh's gain, times `scale`."""
    weights = []
    for _ in range(depth):
        w = torch.empty(width, width)
        if activation == "relu":
            nn.init.kaiming_normal_(w, nonlinearity="relu", generator=generator)
        else:
            nn.init.xavier_normal_(w, gain=nn.init.calculate_gain("tanh"), generator=generator)
        weights.append(w * scale)
    return weights


def propagate(activation: str, weights: list[torch.Tensor], x: torch.Tensor, generator: torch.Generator):
    """Forward x through the stack and backprop a random readout.

    Returns the per-layer std of the activations and of their gradients, and the share of
    saturated units in the last layer.
    """
    function = ACTIVATIONS[activation]
    h, outputs = x, []
    for w in weights:
        h = function(h @ w.T)
        h.retain_grad()
        outputs.append(h)
    readout = torch.randn(h.shape[1], generator=generator).to(h.device)
    (h @ readout).sum().backward()
    activation_std = [out.std().item() for out in outputs]
    gradient_std = [out.grad.std().item() for out in outputs]
    saturated = (outputs[-1].abs() > SATURATION).float().mean().item()
    return activation_std, gradient_std, saturated


def run(device: str = "cpu", seed: int = 0, quick: bool = True, progress: Progress = no_progress,
        ablate: bool = False) -> Result:
    depth = DEPTH_QUICK if quick else DEPTH_FULL
    width = WIDTH_QUICK if quick else WIDTH_FULL
    batch = BATCH_QUICK if quick else BATCH_FULL
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, width, generator=generator).to(device).requires_grad_(True)
    scales = {name: (1.0 if ablate else scale) for name, scale in SCALES.items()}  # ablated: all "right"

    metrics: dict[str, float] = {}
    series: dict[str, list[float]] = {}
    runs = [(activation, name) for activation in ACTIVATIONS for name in scales]
    for index, (activation, name) in enumerate(runs):
        weights = [w.to(device) for w in init_weights(activation, scales[name], depth, width, generator)]
        activation_std, gradient_std, saturated = propagate(activation, weights, x, generator)
        key = f"{activation} {name} scale"
        series[f"{key}: activation std"] = activation_std
        # Both ratios compare the layer nearest the output with the layer nearest the input,
        # in the direction the signal travels: forward for activations, backward for gradients.
        metrics[f"{key}: activation std, last / first layer"] = activation_std[-1] / activation_std[0]
        metrics[f"{key}: gradient std, first / last layer"] = gradient_std[0] / gradient_std[-1]
        if activation == "tanh":  # ReLU has no flat tail for large inputs
            metrics[f"{key}: saturated share, last layer"] = saturated
        progress((index + 1) / len(runs), f"{key}: activation std layer 1 {activation_std[0]:.3g} -> "
                                          f"layer {depth} {activation_std[-1]:.3g}")

    def forward_ratio(activation: str, name: str) -> float:
        return metrics[f"{activation} {name} scale: activation std, last / first layer"]

    def backward_ratio(activation: str, name: str) -> float:
        return metrics[f"{activation} {name} scale: gradient std, first / last layer"]

    low, high = KEPT_WITHIN
    claim_holds = (
        all(forward_ratio(a, "half") < VANISH_BELOW and backward_ratio(a, "half") < VANISH_BELOW
            for a in ACTIVATIONS)
        and forward_ratio("relu", "double") > EXPLODE_ABOVE
        and backward_ratio("relu", "double") > EXPLODE_ABOVE
        and metrics["tanh double scale: saturated share, last layer"] > SATURATED_SHARE_ABOVE
        and backward_ratio("tanh", "double") > EXPLODE_ABOVE
        and all(low < forward_ratio(a, "right") < high for a in ACTIVATIONS)
    )
    tanh_double = backward_ratio("tanh", "double")
    return Result(claim=CLAIM, claim_holds=claim_holds, metrics=metrics, series=series,
                  answer="a" if tanh_double < VANISH_BELOW else "c" if tanh_double > EXPLODE_ABOVE else "b",
                  x_label="layer", y_label="activation std", log_y=True)


if __name__ == "__main__":
    print(run())
