"""Choosing among many models by one small validation set overfits that set; K-fold CV overfits it less.

Claim: picking the best of 200 candidate models (least squares on random 5-feature subsets
of 20 noisy features) by one 20-point validation split, the winner's validation error
understates its error on fresh data (optimism) by >= 1.5x as much (1.6-3.5x on seeds 0-9) as picking by 5-fold
cross-validation on the same 60 points does, averaged over 40 datasets in one run; the
demo also reports how often CV's pick has the lower fresh-data error.

Why: a validation score is an estimate with noise. Taking the minimum of 200 noisy
estimates selects the candidate whose noise happened to be most favourable, so the
winning score is biased low: the more candidates and the smaller the validation set, the
larger the bias (the notes' 通过交叉验证来评估...防止模型对特定验证集过拟合). K-fold
cross-validation scores every candidate on all 60 points, each held out once, so each
estimate averages over three times as many validation points and its noise, and with it
the winner's optimism, shrinks. Neither removes the bias: only data never used for any
choice (a test set) gives an unbiased estimate, which is what the demo measures on 5,000
fresh points. What varies from dataset to dataset is stochastic, so the demo averages
over 40 datasets in one run and says how often each way wins.
"""

ID = "cross_validation"
TITLE = "Cross-validation vs overfitting the validation set"
CLAIM = ("Picking the best of 200 models by one 20-point validation split understates the winner's fresh-data error "
         ">= 1.5x as much as picking by 5-fold cross-validation on the same 60 points (mean over 40 datasets).")
CARD_TERMS = [("交叉验证",), ("cross-validation",), ("cross validation",)]

FEATURES = 20
SUBSET = 5
CANDIDATES = 200
POINTS = 60
VALIDATION_POINTS = 20  # the single split: train on 40, validate on 20
FOLDS = 5
SIGNAL = (1.0, 0.5, 0.25)  # the true weights of the first features; the rest are noise
NOISE_STD = 1.0
DATASETS_QUICK, DATASETS_FULL = 40, 400  # averaged in one run: one dataset alone is a coin toss
TEST_POINTS = 5000
OPTIMISM_RATIO_AT_LEAST = 1.5  # seeds 0-9: 1.6-3.5

from ._result import Result, Progress, no_progress  # noqa: E402

import torch  # noqa: E402


def draw(points: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.randn(points, FEATURES, generator=generator, dtype=torch.float64)
    weights = torch.zeros(FEATURES, dtype=torch.float64)
    weights[:len(SIGNAL)] = torch.tensor(SIGNAL, dtype=torch.float64)
    return x, x @ weights + NOISE_STD * torch.randn(points, generator=generator, dtype=torch.float64)


def fit_and_score(subsets: torch.Tensor, train_x, train_y, score_x, score_y) -> torch.Tensor:
    """Least squares of every candidate (its feature subset + a bias) on train; MSE on score."""
    def design(x):
        columns = x[:, subsets].permute(1, 0, 2)  # (candidates, points, SUBSET)
        return torch.cat([columns, torch.ones(*columns.shape[:2], 1, dtype=x.dtype, device=x.device)], dim=2)

    train = design(train_x)
    coefficients = torch.linalg.lstsq(train, train_y.expand(len(subsets), -1).unsqueeze(2)).solution
    return ((design(score_x) @ coefficients).squeeze(2) - score_y).pow(2).mean(dim=1)


def run(device: str = "cpu", seed: int = 0, quick: bool = True, progress: Progress = no_progress,
        ablate: bool = False) -> Result:
    datasets = DATASETS_QUICK if quick else DATASETS_FULL
    generator = torch.Generator().manual_seed(seed)
    subsets = torch.stack([torch.randperm(FEATURES, generator=generator)[:SUBSET] for _ in range(CANDIDATES)])
    subsets = subsets.to(device)
    test_x, test_y = (t.to(device) for t in draw(TEST_POINTS, generator))
    # every dataset drawn ahead and copied at once, results kept on the device: no host wait per dataset
    drawn = [draw(POINTS, generator) for _ in range(datasets)]
    all_x, all_y = (torch.stack(column).to(device) for column in zip(*drawn))
    optimism: dict[str, list[torch.Tensor]] = {"single split": [], "5-fold cv": []}
    cv_wins = torch.zeros((), device=device)
    for dataset, (x, y) in enumerate(zip(all_x, all_y)):
        train = slice(0, POINTS - VALIDATION_POINTS)
        validation = slice(POINTS - VALIDATION_POINTS, POINTS)
        folds = torch.arange(POINTS, device=device) % FOLDS
        cv_scores = torch.stack([fit_and_score(subsets, x[folds != k], y[folds != k], x[folds == k], y[folds == k])
                                 for k in range(FOLDS)]).mean(dim=0)
        # ablated, the single split is scored by cross-validation too: no contrast left
        split_scores = cv_scores if ablate else fit_and_score(subsets, x[train], y[train], x[validation],
                                                              y[validation])
        fresh = fit_and_score(subsets, x, y, test_x, test_y)  # each candidate refit on all 60 points
        for name, scores in (("single split", split_scores), ("5-fold cv", cv_scores)):
            winner = scores.argmin()
            optimism[name].append(fresh[winner] - scores[winner])
        cv_wins += fresh[cv_scores.argmin()] < fresh[split_scores.argmin()]
        if (dataset + 1) % (datasets // 4) == 0:
            progress((dataset + 1) / datasets, f"{dataset + 1}/{datasets} datasets")

    metrics = {f"{name}: mean optimism (fresh - selection error)": torch.stack(values).mean().item()
               for name, values in optimism.items()}
    metrics["single split / cv: optimism"] = (metrics["single split: mean optimism (fresh - selection error)"]
                                              / metrics["5-fold cv: mean optimism (fresh - selection error)"])
    metrics["share of datasets where cv's pick is better on fresh data"] = cv_wins.item() / datasets
    claim_holds = (metrics["5-fold cv: mean optimism (fresh - selection error)"] > 0
                   and metrics["single split / cv: optimism"] >= OPTIMISM_RATIO_AT_LEAST)
    return Result(claim=CLAIM, claim_holds=claim_holds, metrics=metrics,
                  series={f"{name}: optimism": torch.stack(values).tolist() for name, values in optimism.items()},
                  x_label="dataset", y_label="fresh-data MSE - selection MSE", log_y=False)


if __name__ == "__main__":
    print(run())
