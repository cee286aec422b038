"""The conv/pool output-size formula, checked against PyTorch's own layers.

Claim: over thousands of (input, kernel, stride, padding) combinations, nn.Conv2d's and
nn.MaxPool2d's output sizes equal floor((in + 2p - k) / s) + 1 every time; the formula as
the notes write it, (in + 2p - k) / (stride + 1), is wrong on every convolution shape (and,
rounded up as the notes say for pooling, on ~95% of pooling shapes); and PyTorch pooling
rounds *down* like convolution unless ceil_mode=True asks it to round up.

Why: a kernel of size k fits in a padded input of size in + 2p at the positions 0, s, 2s,
... up to the last start that still leaves room for k cells, in + 2p - k. That is
floor((in + 2p - k) / s) windows after the first: out = floor((in + 2p - k) / s) + 1. The
"+ 1" counts the first window and belongs outside the fraction: the notes' denominator
(stride + 1) is a typo for "/ stride, then + 1", and because (in + 2p - k) / (s + 1) is
never more than (in + 2p - k) / s, it always comes out at least one short. The notes'
rounding rule, "卷积向下取整，池化向上取整" (conv rounds down, pooling rounds up), is Caffe's
convention; in PyTorch nn.MaxPool2d rounds down by default and rounds up only with
ceil_mode=True, and then with one more rule: the last window must start inside the input
or its left padding (start < in + p), else it is dropped, because a window lying entirely
in the right padding would pool nothing but padding.
"""

ID = "conv_output_size"
TITLE = "Conv/pool output size"
CLAIM = ("nn.Conv2d and nn.MaxPool2d output sizes match floor((in+2p-k)/s)+1 on thousands of shapes "
         "(pooling rounds up only with ceil_mode=True), while the notes' (in+2p-k)/(stride+1) is wrong "
         "on nearly all of them.")
CARD_TERMS = [("outputsize",), ("output size",), ("输出尺寸",)]

INPUT_SIZES_QUICK = range(1, 41)
INPUT_SIZES_FULL = range(1, 101)
KERNELS_QUICK = range(1, 11)  # progress is reported once per kernel size
KERNELS_FULL = range(1, 14)
STRIDES_QUICK = range(1, 5)
STRIDES_FULL = range(1, 7)
PADDINGS_QUICK = range(0, 5)  # pooling further needs padding <= kernel // 2
PADDINGS_FULL = range(0, 8)
PLOT_SETTING = (3, 2, 1)  # (kernel, stride, padding): the setting drawn as output size vs input size
CORRECT_MAX_MISMATCHES = 0
NOTES_MIN_WRONG_SHARE = 0.9  # "nearly all"

from ._result import Result, Progress, no_progress  # noqa: E402

import math  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402


def correct_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """Convolution, and pooling with ceil_mode=False: count the window starts, rounding down."""
    return (size + 2 * padding - kernel) // stride + 1


def ceil_mode_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """Pooling with ceil_mode=True: round up, but drop a last window that starts in the right padding."""
    out = math.ceil((size + 2 * padding - kernel) / stride) + 1
    if (out - 1) * stride >= size + padding:
        out -= 1
    return out


def notes_size(size: int, kernel: int, stride: int, padding: int, round_up: bool) -> int:
    """The notes' formula, (in + 2p - k) / (stride + 1), rounded the notes' way (pooling up)."""
    fraction = (size + 2 * padding - kernel) / (stride + 1)
    return math.ceil(fraction) if round_up else math.floor(fraction)


def measured_sizes(layer: nn.Module, sizes, kernel: int, padding: int, device: str) -> dict[int, int]:
    """input size -> the output size the layer actually produces on a (1, 1, size, size) input."""
    found = {}
    for size in sizes:
        if size + 2 * padding < kernel:  # the kernel does not fit even once: PyTorch refuses
            continue
        output = layer(torch.empty(1, 1, size, size, device=device))
        found[size] = output.shape[-1]
    return found


def check_setting(kernel: int, stride: int, padding: int, sizes, device: str, notes_formula,
                  counts: dict[str, int]) -> dict[str, dict[int, int]]:
    """Run one (kernel, stride, padding) over every input size, add to counts, return the sizes seen."""
    conv = nn.Conv2d(1, 1, kernel, stride, padding, bias=False).to(device)  # weights from the seeded CPU RNG
    seen = {"conv": measured_sizes(conv, sizes, kernel, padding, device)}
    if padding <= kernel // 2:  # PyTorch's own limit for pooling
        for ceil_mode in (False, True):
            pool = nn.MaxPool2d(kernel, stride, padding, ceil_mode=ceil_mode)
            seen[f"pool ceil_mode={ceil_mode}"] = measured_sizes(pool, sizes, kernel, padding, device)
    for size, out in seen["conv"].items():
        counts["conv shapes"] += 1
        counts["conv mismatches"] += out != correct_size(size, kernel, stride, padding)
        counts["conv notes wrong"] += out != notes_formula(size, kernel, stride, padding, False)
    for size, out in seen.get("pool ceil_mode=False", {}).items():
        ceil_out = seen["pool ceil_mode=True"][size]
        plain_ceil = math.ceil((size + 2 * padding - kernel) / stride) + 1
        counts["pool shapes"] += 1
        counts["pool floor mismatches"] += out != correct_size(size, kernel, stride, padding)
        counts["pool ceil_mode mismatches"] += ceil_out != ceil_mode_size(size, kernel, stride, padding)
        counts["pool notes wrong"] += out != notes_formula(size, kernel, stride, padding, True)
        counts["pool rounded up, default pooling disagrees"] += out != plain_ceil
        counts["ceil_mode without the last-window rule wrong"] += ceil_out != plain_ceil
    return seen


def run(device: str = "cpu", seed: int = 0, quick: bool = True, progress: Progress = no_progress,
        ablate: bool = False) -> Result:
    torch.manual_seed(seed)  # the sweep is exhaustive: the seed only fixes the (irrelevant) conv weights
    sizes = INPUT_SIZES_QUICK if quick else INPUT_SIZES_FULL
    kernels = KERNELS_QUICK if quick else KERNELS_FULL

    def notes_formula(size: int, kernel: int, stride: int, padding: int, round_up: bool) -> int:
        # Ablated, the notes' formula is replaced by the correct one: nothing is left to contrast.
        if ablate:
            return correct_size(size, kernel, stride, padding)
        return notes_size(size, kernel, stride, padding, round_up)

    counts = dict.fromkeys([
        "conv shapes", "conv mismatches", "conv notes wrong",
        "pool shapes", "pool floor mismatches", "pool ceil_mode mismatches", "pool notes wrong",
        "pool rounded up, default pooling disagrees", "ceil_mode without the last-window rule wrong"], 0)
    series: dict[str, list[float]] = {}
    with torch.no_grad():
        for kernel in kernels:
            for stride in STRIDES_QUICK if quick else STRIDES_FULL:
                for padding in PADDINGS_QUICK if quick else PADDINGS_FULL:
                    seen = check_setting(kernel, stride, padding, sizes, device, notes_formula, counts)
                    if (kernel, stride, padding) == PLOT_SETTING:
                        series["nn.Conv2d"] = [float(out) for out in seen["conv"].values()]
                        series["nn.MaxPool2d ceil_mode=True"] = [
                            float(out) for out in seen["pool ceil_mode=True"].values()]
                        series["notes' formula"] = [float(notes_formula(size, kernel, stride, padding, False))
                                                    for size in seen["conv"]]
            progress(kernel / len(kernels),
                     f"kernel {kernel}: {counts['conv shapes']} conv and {counts['pool shapes']} pool shapes "
                     f"checked, {counts['conv mismatches'] + counts['pool floor mismatches']} mismatches")

    metrics = {name: float(value) for name, value in counts.items()}
    metrics["conv notes wrong share"] = counts["conv notes wrong"] / counts["conv shapes"]
    metrics["pool notes wrong share"] = counts["pool notes wrong"] / counts["pool shapes"]
    metrics["pool rounded up, default pooling disagrees share"] = (
        counts["pool rounded up, default pooling disagrees"] / counts["pool shapes"])
    correct_mismatches = (counts["conv mismatches"] + counts["pool floor mismatches"]
                          + counts["pool ceil_mode mismatches"])
    claim_holds = (correct_mismatches <= CORRECT_MAX_MISMATCHES
                   and metrics["conv notes wrong share"] >= NOTES_MIN_WRONG_SHARE
                   and metrics["pool notes wrong share"] >= NOTES_MIN_WRONG_SHARE)
    kernel, stride, padding = PLOT_SETTING
    return Result(claim=CLAIM, claim_holds=claim_holds, metrics=metrics, series=series,
                  x_label=f"input size minus 1 (kernel {kernel}, stride {stride}, padding {padding})",
                  y_label="output size", log_y=False)


if __name__ == "__main__":
    print(run())
