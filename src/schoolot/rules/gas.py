"""Goal Attainment Scaling (GAS): the summary T-score over a student's goals.

Sources:
- Kiresuk TJ, Sherman RE. Goal attainment scaling: a general method for evaluating
  comprehensive community mental health programs. Community Ment Health J. 1968;4:443-53.
- Turner-Stokes L. Goal attainment scaling (GAS) in rehabilitation: a practical guide.
  Clin Rehabil. 2009;23:362-70, and its erratum (the corrected formula, used here).

Each goal is rated on five levels, -2 .. +2 (0 = the expected outcome). The summary is

    T = 50 + 10 * sum(w_i * x_i) / sqrt((1 - rho) * sum(w_i^2) + rho * (sum(w_i))^2)

with rho = 0.3 (the assumed correlation between goal scores) and w_i = 1 unweighted, or
w_i = importance x difficulty (each rated 0-3). A partial "-0.5" rating ("partially
achieved", some progress short of the expected level) is analysed as -1.
"""

from __future__ import annotations

import math

#: The GAS levels, plus -0.5 (partial) which is analysed as -1.
LEVELS: frozenset[float] = frozenset({-2.0, -1.0, 0.0, 1.0, 2.0})
PARTIAL = -0.5
DEFAULT_RHO = 0.3


def analysed_score(score: float) -> float:
    """The score used in the T formula for one goal's rating.

    Contract: -2, -1, 0, +1, +2 are returned unchanged (as float); -0.5 (partial) becomes -1;
    anything else (or a bool, NaN, a non-number) raises ValueError.
    Source: Turner-Stokes 2009 (scoring of the -1 "partially achieved" level, as DOMAIN.md 3).
    """
    if isinstance(score, bool) or not isinstance(score, int | float):
        raise ValueError(f"A GAS score must be a number, got {score!r}.")
    value = float(score)
    if value == PARTIAL:
        return -1.0
    if value not in LEVELS:
        raise ValueError(
            f"A GAS score must be one of -2, -1, -0.5 (partial), 0, 1, 2; got {score!r}."
        )
    return value


def weight(*, importance: int, difficulty: int) -> int:
    """A goal's GAS weight: importance x difficulty, each rated 0-3 (so 0-9).

    Contract: both ratings integers 0..3, else ValueError. A weight of 0 leaves the goal out
    of the T-score. Source: Turner-Stokes 2009 (importance and difficulty 0-3 scales).
    """
    for name, value in (("importance", importance), ("difficulty", difficulty)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3:
            raise ValueError(f"GAS {name} must be an integer from 0 to 3, got {value!r}.")
    return importance * difficulty


def t_score(
    scores: list[float], weights: list[float] | None = None, rho: float = DEFAULT_RHO
) -> float:
    """The GAS summary T-score of a set of goals.

    Contract: ``T = 50 + 10 * sum(w*x) / sqrt((1 - rho) * sum(w^2) + rho * sum(w)^2)`` over
    the analysed scores x (``analysed_score``: -0.5 counts as -1) and weights w (all 1 when
    ``weights`` is None). T is 50 when every goal is met at the expected level, above 50 when
    goals are exceeded on balance, and a single unweighted goal gives 50 + 10x.
    Raises ValueError: no scores; a score not in {-2, -1, -0.5, 0, 1, 2}; weights of another
    length than scores; a negative or non-finite weight; all weights zero; rho outside [0, 1].
    Sources: Kiresuk & Sherman 1968; Turner-Stokes, Clin Rehabil 2009;23:362-70 (with erratum).
    """
    if not scores:
        raise ValueError("A GAS T-score needs at least one goal score.")
    xs = [analysed_score(s) for s in scores]
    if weights is None:
        ws = [1.0] * len(xs)
    else:
        if len(weights) != len(xs):
            raise ValueError(
                f"Got {len(xs)} goal scores but {len(weights)} weights: give one weight a goal."
            )
        ws = [_check_weight(w) for w in weights]
    if isinstance(rho, bool) or not isinstance(rho, int | float) or not 0 <= rho <= 1:
        raise ValueError(f"rho must be a number from 0 to 1 (usually 0.3), got {rho!r}.")
    if not any(ws):
        raise ValueError("All GAS weights are zero: at least one goal must carry weight.")
    numerator = math.fsum(w * x for w, x in zip(ws, xs, strict=True))
    sum_w = math.fsum(ws)
    sum_w2 = math.fsum(w * w for w in ws)
    denominator = math.sqrt((1 - rho) * sum_w2 + rho * sum_w * sum_w)
    return 50 + 10 * numerator / denominator


def _check_weight(value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"A GAS weight must be a number, got {value!r}.")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"A GAS weight must be a finite number of 0 or more, got {value!r}.")
    return float(value)


__all__ = ["DEFAULT_RHO", "LEVELS", "PARTIAL", "analysed_score", "t_score", "weight"]
