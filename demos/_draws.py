"""Random numbers for training loops: the same on every device, and no host wait per step.

A tensor drawn with ``device="cuda"`` comes from the GPU's own random number generator:
other numbers than on the CPU for the same seed, so a demo would not measure the same
experiment on both. A tensor drawn on the CPU and copied to the GPU at every step makes
the host wait for the GPU at every step (a copy from ordinary host memory blocks until the
device is done). :class:`Draws` does neither: it draws ``block`` steps' worth ahead from a
seeded CPU ``torch.Generator`` and copies them to the device in one go, so the host waits
at most once a block, like logging every N steps.
"""

from __future__ import annotations

from typing import Callable, Union

import torch

Drawn = Union[torch.Tensor, tuple[torch.Tensor, ...]]

BLOCK = 100  # steps drawn and copied at once


class Draws:
    """One step's random tensors at a time, drawn ``block`` steps ahead.

    ``draw()`` returns one step's tensor, or tuple of tensors, drawn from a seeded CPU
    generator (``generator=``); :meth:`next` returns the next step's, on ``device``. The
    numbers are exactly those of calling ``draw()`` once a step, only made earlier.
    """

    def __init__(self, draw: Callable[[], Drawn], device: str, block: int = BLOCK):
        self.draw, self.device, self.block = draw, device, block
        self.drawn: tuple[torch.Tensor, ...] = ()
        self.used = block
        self.single = True

    def next(self) -> Drawn:
        if self.used == self.block:
            steps = [self.draw() for _ in range(self.block)]
            self.single = isinstance(steps[0], torch.Tensor)
            columns = zip(*steps) if not self.single else [steps]
            self.drawn = tuple(torch.stack(column).to(self.device) for column in columns)
            self.used = 0
        step = tuple(tensor[self.used] for tensor in self.drawn)
        self.used += 1
        return step[0] if self.single else step
