"""Remembering 30 steps back: the LSTM's cell can do it, and its forget-gate bias decides when.

Claim: on a sequence whose label is its first token (the 29 steps after it are noise),
trained the same way for the same 150 steps, a plain RNN and an LSTM at PyTorch's default
initialisation both stay near chance, while the same LSTM with its forget-gate bias set
to 3 reaches >= 0.9 accuracy; at initialisation the gradient that reaches step 0
(relative to the last step's) is >= 100x larger with the forget bias than without.

Why: the RNN's only memory is h_t = tanh(W h_(t-1) + U x_t). The gradient that tells it
how the first token should have been stored is a product of 29 Jacobians
W^T diag(tanh'), each shrinking it (W's spectral radius starts below 1 and tanh' <= 1),
so at initialisation it arrives many orders of magnitude weaker than the gradient from
the last step: the RNN learns nothing about the distant past (the vanishing gradient).
The LSTM keeps a separate cell state c_t = f_t * c_(t-1) + i_t * g_t that is updated
additively, so the gradient along c is multiplied by the forget gate f at each step. At
PyTorch's default init the forget bias is ~0 and f ~ sigmoid(0) = 0.5: 29 steps scale
the gradient along the cell by ~0.5^29 ~ 2e-9 (the measured input-gradient ratio,
~5e-7, is of the same order as the RNN's), and within this budget the
default LSTM learns nothing either (the architecture alone is not the fix). Setting the
forget bias to 3 (f ~ 0.95, the trick of Gers et al. and Jozefowicz et al.) makes the
cell remember by default: 0.95^29 ~ 0.23, the gradient flows back almost undamped, and
the input gate learns to write the first token and ignore the noise. With far more
steps the picture blurs (a review's sweeps of 1,500 steps found the plain RNN solving
the task on one seed of three and the default LSTM on none), so the claim is about this
budget.
"""

ID = "rnn_vs_lstm"
TITLE = "RNN vs LSTM (and the forget-gate bias) on a long-range dependency"
CLAIM = ("When the label is the first token of a 30-step sequence, in the same 150 steps a plain RNN and an LSTM "
         "at PyTorch's default init both stay near chance (<= 0.35, 4 classes), while the LSTM with forget-gate "
         "bias 3 reaches >= 0.9.")
CARD_TERMS = [("lstm",), ("rnn", "问题"), ("长短时记忆",)]
PREDICT = {
    "question": "Trained the same 150 steps, what accuracy does an LSTM at PyTorch's default init reach "
                "(4 classes)?",
    "choices": {"a": "near chance, like the plain RNN", "b": "somewhere in between",
                "c": ">= 0.9, like the LSTM with forget bias 3"},
}

SEQUENCE_LENGTH = 30
CLASSES = 4  # chance accuracy is 1/4
NOISE_CHANNELS = 4  # steps 1..T-1 carry Gaussian noise here; the label channels stay 0
NOISE_SCALE = 1.0
HIDDEN = 32
BATCH = 64
LEARNING_RATE = 3e-3  # Adam
FORGET_BIAS = 3.0  # sigmoid(3) = 0.95: the LSTM starts out remembering (PyTorch's default: ~0)
STEPS_QUICK = 150
STEPS_FULL = 400
EVAL_EVERY = 10
EVAL_SAMPLES = 512
CHANCE_AT_MOST = 0.35  # the RNN and the default LSTM (chance is 0.25; seeds 0-9: 0.22-0.28)
FORGET_BIAS_MIN_ACCURACY = 0.9
GRADIENT_GAIN_AT_LEAST = 100.0  # forget-bias LSTM's step-0 gradient ratio over the default LSTM's

from ._draws import Draws  # noqa: E402
from ._result import Result, Progress, no_progress  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402


def make_batch(size: int, generator: torch.Generator, device: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Sequences (size, T, CLASSES + NOISE_CHANNELS): a one-hot label at step 0, then noise."""
    labels = torch.randint(0, CLASSES, (size,), generator=generator)
    x = torch.zeros(size, SEQUENCE_LENGTH, CLASSES + NOISE_CHANNELS)
    x[:, 0, :CLASSES] = nn.functional.one_hot(labels, CLASSES).float()
    x[:, 1:, CLASSES:] = NOISE_SCALE * torch.randn(size, SEQUENCE_LENGTH - 1, NOISE_CHANNELS,
                                                   generator=generator)
    return x.to(device), labels.to(device)


class SequenceClassifier(nn.Module):
    """A one-layer recurrent net ("rnn" or "lstm") read out at the last step."""

    def __init__(self, kind: str):
        super().__init__()
        recurrent = nn.RNN if kind == "rnn" else nn.LSTM
        self.recurrent = recurrent(CLASSES + NOISE_CHANNELS, HIDDEN, batch_first=True)
        self.head = nn.Linear(HIDDEN, CLASSES)
        if kind == "lstm + forget bias":
            # PyTorch orders the LSTM gates (input, forget, cell, output) in the bias.
            with torch.no_grad():
                self.recurrent.bias_hh_l0[HIDDEN:2 * HIDDEN].fill_(FORGET_BIAS)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        outputs, _ = self.recurrent(x)
        return self.head(outputs[:, -1])


def first_over_last_input_gradient(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """How strongly the loss 'feels' step 0 compared with the last step (at this moment)."""
    x = x.clone().requires_grad_(True)
    nn.functional.cross_entropy(model(x), y).backward()
    per_step = x.grad.norm(dim=(0, 2))
    model.zero_grad()
    return (per_step[0] / per_step[-1]).item()


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    with torch.no_grad():
        return (model(x).argmax(dim=1) == y).float().mean().item()


def run(device: str = "cpu", seed: int = 0, quick: bool = True, progress: Progress = no_progress,
        ablate: bool = False) -> Result:
    steps = STEPS_QUICK if quick else STEPS_FULL
    # ablated, the forget-bias LSTM is an LSTM at PyTorch's default init
    kinds = {"rnn": "rnn", "lstm": "lstm", "lstm + forget bias": "lstm" if ablate else "lstm + forget bias"}
    test_x, test_y = make_batch(EVAL_SAMPLES, torch.Generator().manual_seed(10_000 + seed), device)

    metrics: dict[str, float] = {}
    series: dict[str, list[float]] = {}
    for index, (name, kind) in enumerate(kinds.items()):
        torch.manual_seed(seed)
        generator = torch.Generator().manual_seed(seed)  # both see the same training batches
        batches = Draws(lambda: make_batch(BATCH, generator, "cpu"), device)
        model = SequenceClassifier(kind).to(device)
        optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
        metrics[f"{name}: |grad step 0| / |grad step {SEQUENCE_LENGTH - 1}| at init"] = (
            first_over_last_input_gradient(model, test_x, test_y))
        curve = [accuracy(model, test_x, test_y)]
        for step in range(1, steps + 1):
            x, y = batches.next()
            loss = nn.functional.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if step % EVAL_EVERY == 0:
                curve.append(accuracy(model, test_x, test_y))
            if step % 25 == 0:
                progress((index + step / steps) / len(kinds),
                         f"{name}: step {step}/{steps} loss {loss.item():.3f} accuracy {curve[-1]:.2f}")
        series[f"{name} test accuracy"] = curve
        metrics[f"{name}: test accuracy"] = curve[-1]

    ratio = f"|grad step 0| / |grad step {SEQUENCE_LENGTH - 1}| at init"
    metrics["forget bias / default lstm: step-0 gradient ratio"] = (
        metrics[f"lstm + forget bias: {ratio}"] / max(metrics[f"lstm: {ratio}"], 1e-30))
    claim_holds = (metrics["rnn: test accuracy"] <= CHANCE_AT_MOST
                   and metrics["lstm: test accuracy"] <= CHANCE_AT_MOST
                   and metrics["lstm + forget bias: test accuracy"] >= FORGET_BIAS_MIN_ACCURACY
                   and metrics["forget bias / default lstm: step-0 gradient ratio"] >= GRADIENT_GAIN_AT_LEAST)
    default_lstm = metrics["lstm: test accuracy"]
    return Result(claim=CLAIM, claim_holds=claim_holds, metrics=metrics, series=series,
                  answer="a" if default_lstm <= CHANCE_AT_MOST else "c" if default_lstm >= 0.9 else "b",
                  x_label=f"training step / {EVAL_EVERY}", y_label="test accuracy", log_y=False)


if __name__ == "__main__":
    print(run())
