"""GAN failure on eight Gaussians: a discriminator that lags behind leaves modes uncovered.

Claim: on eight Gaussians around a ring, in the same 1,200 steps, on the same data and
noise and from the same initial weights, a GAN whose discriminator learns ten times
slower than its generator covers at most 3 of the 8 modes, while the same networks with
balanced learning rates cover at least 7 modes loosely and 5 well, with at least 30% of
the samples of high quality. The demo tells the two ways of covering few modes apart by
sample quality, and reports which one it saw: *collapse* (at least half the samples near
a mode, on <= 3 modes) or *not learned* (most samples near no mode at all). Full mode
adds WGAN-GP (penalty weight 10), which covers at least 7 modes too.

Why: the generator is trained to fool the discriminator as it is *now*. The cheapest
way to do that is to put all samples on whatever point the discriminator currently
rates most "real": one mode. A discriminator that keeps up learns within a few steps
that this mode is over-supplied and pushes the generator off it, and over many rounds
the generator has to spread over every mode to stay safe. A discriminator that learns
too slowly gives a stale, blurry judgement: the generator either piles onto one spot
(mode collapse, the notes' "生成器只生成某些特定类型的样本") or never gets a sharp enough
signal to reach any mode (not learned). Counting covered modes alone cannot tell these
apart, so the demo also measures how many samples lie near any mode. The fixes change
the game rather than the speeds: a Wasserstein critic with a gradient penalty (WGAN-GP,
run in full mode) gives the generator a signal from the whole distance between the two
distributions instead of from the critic's current favourite point, so mass on a missing
mode always pays.

GAN training is a game, not a descent, and which failure the slow discriminator
produces is a matter of chance. Measured in quick mode on seeds 0-9 (CPU, one thread):
the slow discriminator's GAN collapsed on 4 seeds (4, 6, 7, 9: 70-91% of its samples
near one or two modes) and had not learned on 6 (0-18% near any mode); it covered 0-2
modes loosely on every seed. The balanced GAN covered all 8 modes loosely on every seed,
7-8 well, with 40-76% high-quality samples. The thresholds below are set from these
numbers, with a margin, and each can fail: an untrained or collapsed generator has no
high-quality samples and covers few modes, and the ablated demo (the same learning rate
for both) fails the "at most 3" one.

All randomness comes from seeded CPU generators (see _draws.py): the real batches and
the noise of every step are the same on every device, and the same for the two runs of
one seed, so the contrast is the learning rate alone.

The quality measures are the ones of the unrolled-GAN and VEEGAN papers: a sample is of
high quality when it lies within 3 standard deviations of its nearest mode; a mode is
covered well when it holds at least a tenth of its fair share of high-quality samples,
and loosely when it holds as much of the samples within a wider radius.
"""

ID = "gan_mode_collapse"
TITLE = "GAN mode collapse on eight Gaussians"
CLAIM = ("On 8 Gaussians on a ring (std 0.05), in the same steps on the same data, a GAN whose discriminator learns "
         "10x slower than its generator covers <= 3 modes (reported as collapse or not-learned by sample quality), "
         "while balanced learning rates cover >= 7 modes loosely and >= 5 well with >= 30% high-quality samples.")
CARD_TERMS = [("模式崩溃",), ("mode collapse",), ("gan", "训练中", "问题")]

MODES = 8
RADIUS = 2.0
MODE_STD = 0.05
NOISE_DIM = 2
HIDDEN = 96
BATCH = 256
GENERATOR_LR = 1e-3  # Adam, betas (0.5, 0.999) as in DCGAN
UNBALANCED_DISCRIMINATOR_LR = GENERATOR_LR / 10
STEPS_QUICK, STEPS_FULL = 1200, 3000  # every run gets the same number of generator steps
WGAN_CRITIC_STEPS = 5  # critic updates per generator update
WGAN_PENALTY = 10.0  # weight of the gradient penalty (lambda = 10, as in Gulrajani et al.)
SAMPLES = 2500  # drawn from the generator to measure coverage
CHECKPOINTS = 10  # coverage measured this many times during each run (the plotted curve)
HIGH_QUALITY_WITHIN = 3 * MODE_STD
LOOSELY_WITHIN = 0.5  # a third of the distance between neighbouring modes (1.53)
COVERED_SHARE = 0.1  # of the fair share SAMPLES / MODES
# Thresholds, from the seeds 0-9 sweep in the docstring (quick mode):
COLLAPSED_AT_MOST = 3  # modes the unbalanced GAN covers loosely (measured 0-2; balanced: 8 on every seed)
BALANCED_LOOSE_AT_LEAST = 7  # measured 8 on every seed; one mode of margin
BALANCED_WELL_AT_LEAST = 5  # measured 7-8
HIGH_QUALITY_AT_LEAST = 0.3  # measured 0.40-0.76; the unbalanced GAN's 0-0.16, an untrained one's ~0
# collapse or not learned: measured 0.70-0.91 near a mode when collapsed, 0-0.18 when not learned
COLLAPSE_NEAR_A_MODE_AT_LEAST = 0.5
PROBE_SEED = 1_000_003  # the probe's generator: apart from the training draws of every seed

from ._draws import Draws  # noqa: E402
from ._result import Result, Progress, no_progress  # noqa: E402

import math  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402

bce = nn.functional.binary_cross_entropy_with_logits


def mode_centres() -> torch.Tensor:
    angles = torch.arange(MODES) * 2 * math.pi / MODES
    return RADIUS * torch.stack([torch.cos(angles), torch.sin(angles)], dim=1)


def real_samples(centres: torch.Tensor, shape: tuple[int, ...], generator: torch.Generator) -> torch.Tensor:
    """Points of the eight-Gaussian mixture, `shape` batches of them (on the CPU)."""
    picks = torch.randint(0, MODES, shape, generator=generator)
    return centres[picks] + MODE_STD * torch.randn(*shape, 2, generator=generator)


def gan_draws(seed: int, centres: torch.Tensor, device: str) -> Draws:
    """Each step's real batch and noise batch, from the run's own generator: the same on every device,
    and the same for every run of one seed (the contrasts differ in nothing but their learning rates)."""
    generator = torch.Generator().manual_seed(seed)
    return Draws(lambda: (real_samples(centres, (BATCH,), generator),
                          torch.randn(BATCH, NOISE_DIM, generator=generator)), device)


def wgan_draws(seed: int, centres: torch.Tensor, device: str) -> Draws:
    """Per generator step: WGAN_CRITIC_STEPS real batches, noise batches and interpolation weights
    for the critic, and one more noise batch for the generator."""
    generator = torch.Generator().manual_seed(seed)
    return Draws(lambda: (real_samples(centres, (WGAN_CRITIC_STEPS, BATCH), generator),
                          torch.randn(WGAN_CRITIC_STEPS + 1, BATCH, NOISE_DIM, generator=generator),
                          torch.rand(WGAN_CRITIC_STEPS, BATCH, 1, generator=generator)), device)


def mlp(inputs: int, outputs: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(inputs, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, HIDDEN), nn.ReLU(),
                         nn.Linear(HIDDEN, outputs))


def networks(seed: int, device: str) -> tuple[nn.Module, nn.Module]:
    """A generator and a discriminator (critic), the same initial weights for every run of one seed."""
    torch.manual_seed(seed)  # nn.Linear initialises from the CPU's global generator: seeded here, then moved
    return mlp(NOISE_DIM, 2).to(device), mlp(2, 1).to(device)


def descend(optimizer: torch.optim.Optimizer, loss: torch.Tensor) -> None:
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()


def coverage(samples: torch.Tensor, centres: torch.Tensor) -> dict[str, float]:
    """How many modes the samples reach, loosely and well, and the share of high-quality samples."""
    distance, nearest = torch.cdist(samples, centres).min(dim=1)
    enough = COVERED_SHARE * len(samples) / MODES
    high_quality = distance <= HIGH_QUALITY_WITHIN
    loose = distance <= LOOSELY_WITHIN
    per_mode_well = torch.bincount(nearest[high_quality], minlength=MODES)
    per_mode_loose = torch.bincount(nearest[loose], minlength=MODES)
    return {"modes covered loosely": float((per_mode_loose >= enough).sum()),
            "modes covered well": float((per_mode_well >= enough).sum()),
            "high-quality share": high_quality.float().mean().item(),
            "near-a-mode share": loose.float().mean().item()}


def train_gan(discriminator_lr: float, steps: int, draws: Draws, seed: int, device: str, report) -> nn.Module:
    """The standard non-saturating GAN: one discriminator step, then one generator step."""
    generator, discriminator = networks(seed, device)
    g_optimizer = torch.optim.Adam(generator.parameters(), lr=GENERATOR_LR, betas=(0.5, 0.999))
    d_optimizer = torch.optim.Adam(discriminator.parameters(), lr=discriminator_lr, betas=(0.5, 0.999))
    real_label, fake_label = torch.ones(BATCH, 1, device=device), torch.zeros(BATCH, 1, device=device)
    for step in range(1, steps + 1):
        real, latent = draws.next()
        fake = generator(latent)
        d_loss = bce(discriminator(real), real_label) + bce(discriminator(fake.detach()), fake_label)
        descend(d_optimizer, d_loss)

        descend(g_optimizer, bce(discriminator(fake), real_label))  # non-saturating: maximise log D(G(z))
        if step % (steps // CHECKPOINTS) == 0:
            report(step, steps, generator)
    return generator


def train_wgan_gp(steps: int, draws: Draws, seed: int, device: str, report) -> nn.Module:
    """WGAN-GP: a critic scoring realness without a sigmoid, kept 1-Lipschitz by a gradient penalty."""
    generator, critic = networks(seed, device)
    g_optimizer = torch.optim.Adam(generator.parameters(), lr=GENERATOR_LR, betas=(0.5, 0.9))
    c_optimizer = torch.optim.Adam(critic.parameters(), lr=GENERATOR_LR, betas=(0.5, 0.9))
    for step in range(1, steps + 1):
        reals, latents, mixes = draws.next()
        for real, latent, mix in zip(reals, latents, mixes):
            fake = generator(latent).detach()
            between = (mix * real + (1 - mix) * fake).requires_grad_(True)
            slope = torch.autograd.grad(critic(between).sum(), between, create_graph=True)[0]
            penalty = ((slope.norm(dim=1) - 1) ** 2).mean()
            descend(c_optimizer, critic(fake).mean() - critic(real).mean() + WGAN_PENALTY * penalty)
        descend(g_optimizer, -critic(generator(latents[-1])).mean())
        if step % (steps // CHECKPOINTS) == 0:
            report(step, steps, generator)
    return generator


def run(device: str = "cpu", seed: int = 0, quick: bool = True, progress: Progress = no_progress,
        ablate: bool = False) -> Result:
    centres = mode_centres()  # on the CPU, where the training draws are made
    on_device = centres.to(device)
    # one fixed set of noise vectors measures every checkpoint, drawn apart from training's random stream
    probe = torch.randn(SAMPLES, NOISE_DIM, generator=torch.Generator().manual_seed(PROBE_SEED + seed)).to(device)
    steps = STEPS_QUICK if quick else STEPS_FULL
    # ablated, the "unbalanced" GAN is trained exactly like the balanced one: no contrast left
    runs = {"unbalanced": GENERATOR_LR if ablate else UNBALANCED_DISCRIMINATOR_LR, "balanced": GENERATOR_LR}
    total_steps = steps * (len(runs) + (0 if quick else 1))

    metrics: dict[str, float] = {}
    series: dict[str, list[float]] = {}
    done_before = 0

    def measure(name: str, generator: nn.Module) -> None:
        with torch.no_grad():
            found = coverage(generator(probe), on_device)
        metrics.update({f"{name}: {key}": value for key, value in found.items()})

    def reporter(name: str):
        curve = series.setdefault(f"{name}: modes covered loosely", [])

        def report(step: int, steps: int, generator: nn.Module) -> None:
            with torch.no_grad():
                found = coverage(generator(probe), on_device)
            curve.append(found["modes covered loosely"])
            progress((done_before + step) / total_steps,
                     f"{name}: step {step}/{steps}, modes covered {found['modes covered loosely']:.0f} loosely "
                     f"{found['modes covered well']:.0f} well, high quality {found['high-quality share']:.0%}")
        return report

    for name, discriminator_lr in runs.items():
        trained = train_gan(discriminator_lr, steps, gan_draws(seed, centres, device), seed, device, reporter(name))
        measure(name, trained)
        done_before += steps
    if not quick:
        trained = train_wgan_gp(steps, wgan_draws(seed, centres, device), seed, device, reporter("wgan-gp"))
        measure("wgan-gp", trained)
    progress(1.0, "done")

    # 1.0: the unbalanced samples sit on few modes (collapse); 0.0: mostly near none (not learned)
    metrics["unbalanced: collapsed (1) or not learned (0)"] = float(
        metrics["unbalanced: near-a-mode share"] >= COLLAPSE_NEAR_A_MODE_AT_LEAST)
    claim_holds = (
        metrics["unbalanced: modes covered loosely"] <= COLLAPSED_AT_MOST
        and metrics["balanced: modes covered loosely"] >= BALANCED_LOOSE_AT_LEAST
        and metrics["balanced: modes covered well"] >= BALANCED_WELL_AT_LEAST
        and metrics["balanced: high-quality share"] >= HIGH_QUALITY_AT_LEAST
        and (quick or metrics["wgan-gp: modes covered loosely"] >= BALANCED_LOOSE_AT_LEAST)
    )
    return Result(claim=CLAIM, claim_holds=claim_holds, metrics=metrics, series=series,
                  x_label=f"checkpoint (every 1/{CHECKPOINTS} of a run)", y_label="modes covered (of 8)", log_y=False)


if __name__ == "__main__":
    print(run())
