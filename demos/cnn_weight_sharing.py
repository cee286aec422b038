"""CNN parameter sharing: far fewer weights than an MLP, and a shifted input gives a shifted output.

Claim: on 28x28 images, a 3x3 convolution with 8 output channels has 80 parameters while
a fully connected layer producing the same 8x26x26 output has >= 40,000x as many; shifting
the input by a few pixels shifts the convolution's output by the same amount (equal to
float precision away from the border), while the fully connected layer's output for the
shifted input is as different from the shifted output as two unrelated outputs are
(relative difference >= 0.5).

Why: a convolution slides one small kernel over every position, so its weights are the
kernel's k * k * in_channels * out_channels plus one bias per output channel, whatever
the image size: the same feature detector is reused everywhere (the notes' CNN card:
卷积操作在不同位置共享参数, the problem of too many parameters that CNNs solve). A fully
connected layer gives every (input pixel, output unit) pair its own weight:
(28 * 28) * (8 * 26 * 26) of them. Because the same kernel is applied at every position,
convolving a shifted image equals shifting the convolved image (translation
equivariance); only the border, where the kernel meets padding or the shifted-in pixels,
differs. A fully connected layer has no such structure: each output unit has its own
weights for each input position, so moving the input changes what every unit sees.
"""

ID = "cnn_weight_sharing"
TITLE = "CNN parameter sharing and translation equivariance"
CLAIM = ("A 3x3, 8-channel convolution on 28x28 images has 80 parameters, a fully connected layer with the same "
         "output >= 40,000x as many; shifting the input shifts the convolution's output exactly (away from the "
         "border) but changes the fully connected layer's output completely.")
CARD_TERMS = [("cnn",), ("卷积",), ("convolution",)]

SIZE = 28
KERNEL = 3
CHANNELS = 8
IMAGES = 16
SHIFTS = ((2, 0), (0, 3), (1, 1), (-2, 2))  # (rows, columns)
PARAMETER_RATIO_AT_LEAST = 40_000
EQUIVARIANT_WITHIN = 1e-5  # conv: max |conv(shift(x)) - shift(conv(x))| / max |conv(x)|, interior only
DIFFERENT_AT_LEAST = 0.5  # fully connected: ||fc(shift(x)) - shift(fc(x))|| / ||shift(fc(x))||

from ._result import Result, Progress, no_progress  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402


def shift(images: torch.Tensor, rows: int, columns: int) -> torch.Tensor:
    """Move the content down/right by (rows, columns); the pixels moved in are zero."""
    out = torch.zeros_like(images)
    height, width = images.shape[-2:]
    out[..., max(rows, 0):height + min(rows, 0), max(columns, 0):width + min(columns, 0)] = (
        images[..., max(-rows, 0):height - max(rows, 0), max(-columns, 0):width - max(columns, 0)])
    return out


def interior(maps: torch.Tensor, rows: int, columns: int) -> torch.Tensor:
    """The part of a map that no shifted-in pixel can reach (the kernel's reach included)."""
    reach = KERNEL
    height, width = maps.shape[-2:]
    return maps[..., abs(rows) + reach:height - abs(rows) - reach, abs(columns) + reach:width - abs(columns) - reach]


def run(device: str = "cpu", seed: int = 0, quick: bool = True, progress: Progress = no_progress,
        ablate: bool = False) -> Result:
    torch.manual_seed(seed)  # the layers' initial weights; the images come from the generator below
    generator = torch.Generator().manual_seed(seed)
    images = torch.randn(IMAGES, 1, SIZE, SIZE, generator=generator).to(device)
    out_size = SIZE - KERNEL + 1
    conv = nn.Conv2d(1, CHANNELS, KERNEL).to(device)
    fully_connected = nn.Linear(SIZE * SIZE, CHANNELS * out_size * out_size).to(device)

    def conv_layer(x: torch.Tensor) -> torch.Tensor:
        return conv(x)

    def fc_layer(x: torch.Tensor) -> torch.Tensor:
        return fully_connected(x.flatten(1)).view(-1, CHANNELS, out_size, out_size)

    # ablated, the "convolution" is the fully connected layer too: no sharing left to show
    layers = {"convolution": fc_layer if ablate else conv_layer, "fully connected": fc_layer}
    parameters = {"convolution": fully_connected if ablate else conv, "fully connected": fully_connected}
    metrics: dict[str, float] = {name: float(sum(p.numel() for p in layer.parameters()))
                                 for name, layer in (("convolution: parameters", parameters["convolution"]),
                                                     ("fully connected: parameters", parameters["fully connected"]))}
    metrics["fully connected / convolution: parameters"] = (
        metrics["fully connected: parameters"] / metrics["convolution: parameters"])
    series: dict[str, list[float]] = {}
    with torch.no_grad():
        for index, (name, layer) in enumerate(layers.items()):
            errors = []
            output = layer(images)
            for rows, columns in SHIFTS:
                expected = interior(shift(output, rows, columns), rows, columns)
                got = interior(layer(shift(images, rows, columns)), rows, columns)
                if name == "convolution":
                    errors.append(((got - expected).abs().max() / output.abs().max()).item())
                else:
                    errors.append(((got - expected).norm() / expected.norm()).item())
            series[f"{name}: output error per shift"] = errors
            key = ("max |f(shift x) - shift f(x)| / max |f(x)|" if name == "convolution"
                   else "||f(shift x) - shift f(x)|| / ||shift f(x)||")
            metrics[f"{name}: {key} (worst shift)"] = max(errors)
            progress((index + 1) / len(layers), f"{name}: worst shift error {max(errors):.2g}")

    claim_holds = (
        metrics["convolution: parameters"] == KERNEL * KERNEL * CHANNELS + CHANNELS
        and metrics["fully connected / convolution: parameters"] >= PARAMETER_RATIO_AT_LEAST
        and metrics["convolution: max |f(shift x) - shift f(x)| / max |f(x)| (worst shift)"] <= EQUIVARIANT_WITHIN
        and min(series["fully connected: output error per shift"]) >= DIFFERENT_AT_LEAST
    )
    return Result(claim=CLAIM, claim_holds=claim_holds, metrics=metrics, series=series,
                  x_label="shift " + ", ".join(f"{r},{c}" for r, c in SHIFTS), y_label="output error", log_y=True)


if __name__ == "__main__":
    print(run())
