"""An independent oracle for the standard library's uncertainty and gradient measures:
each metric, standard error, interval and simulation restated from its textbook or WHO form
in plain Python (floats and ``math``, ``statistics.NormalDist`` for normal quantiles).

Nothing here imports eqlang or reads a ``.eq`` file. Where eqlang uses a simplified form
(the slope of a weighted regression as Σ c_j y_j, the Theil index's error term as
ln r_j − T), this file uses the long one (the least-squares normal equations, the WHO's
1 + ln r_j − Σ p_k r_k (1 + ln r_k)), and every delta-method standard error is checked a
second way, by differentiating the metric numerically (``delta_method``). Agreement to
floating-point precision is the test.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from statistics import NormalDist

#: One group with data: its name as the table spells it, numerator and denominator.
Group = tuple[str, float, float]


def z_value(level: float) -> float:
    return NormalDist().inv_cdf(0.5 + level / 2)


def variance(y: float, n: float) -> float:
    return y * (1 - y) / n


def rates(groups: Sequence[Group]) -> list[float]:
    return [x / n for _, x, n in groups]


def shares(groups: Sequence[Group]) -> list[float]:
    total = sum(n for _, _, n in groups)
    return [n / total for _, _, n in groups]


def variances(groups: Sequence[Group]) -> list[float]:
    return [variance(x / n, n) for _, x, n in groups]


def mean(ys: Sequence[float], ps: Sequence[float]) -> float:
    return sum(p * y for p, y in zip(ps, ys, strict=True))


def delta_method(metric: Callable[[list[float]], float], ys: Sequence[float],
                 vs: Sequence[float], step: float = 1e-6) -> float:
    """√(Σ (∂metric/∂y_j)² v_j), the derivatives by central differences."""
    total = 0.0
    for j, v in enumerate(vs):
        up = list(ys)
        down = list(ys)
        up[j] += step
        down[j] -= step
        derivative = (metric(up) - metric(down)) / (2 * step)
        total += derivative * derivative * v
    return math.sqrt(total)


# ---- metrics of unordered groups (rates as fractions) ---------------------------------------


def bgv(ys: Sequence[float], ps: Sequence[float]) -> float:
    """Between-group variance in squared percentage points."""
    mu = mean(ys, ps)
    return sum(p * ((y - mu) * 100) ** 2 for p, y in zip(ps, ys, strict=True))


def bgv_standard_error(ys: Sequence[float], ps: Sequence[float], vs: Sequence[float]) -> float:
    """The WHO's formula (Harper and Lynch), in squared points."""
    mu = mean(ys, ps)
    se2 = [v * 10000 for v in vs]
    first = 4 * sum(p * p * s * ((y - mu) * 100) ** 2
                    for p, s, y in zip(ps, se2, ys, strict=True))
    s2 = sum(p * p * s for p, s in zip(ps, se2, strict=True))
    s4 = sum(p ** 4 * s * s for p, s in zip(ps, se2, strict=True))
    mixed = sum(p * p * (1 - p) ** 2 * s * s for p, s in zip(ps, se2, strict=True))
    return math.sqrt(first + 2 * (s2 * s2 - s4 + mixed))


def theil(ys: Sequence[float], ps: Sequence[float]) -> float:
    mu = mean(ys, ps)
    return sum(p * (y / mu) * math.log(y / mu) for p, y in zip(ps, ys, strict=True) if y > 0)


def theil_standard_error(ys: Sequence[float], ps: Sequence[float],
                         vs: Sequence[float]) -> float:
    """The WHO's form: (1 + ln r_j − Σ p_k r_k (1 + ln r_k))² p_j² se_j² / μ²."""
    mu = mean(ys, ps)
    r = [y / mu for y in ys]
    s_u = sum(p * x * (1 + math.log(x)) for p, x in zip(ps, r, strict=True))
    return math.sqrt(sum((1 + math.log(x) - s_u) ** 2 * p * p * v / (mu * mu)
                         for p, x, v in zip(ps, r, vs, strict=True)))


def mld(ys: Sequence[float], ps: Sequence[float]) -> float:
    mu = mean(ys, ps)
    return sum(p * -math.log(y / mu) for p, y in zip(ps, ys, strict=True))


def mld_standard_error(ys: Sequence[float], ps: Sequence[float], vs: Sequence[float]) -> float:
    """The WHO's form: p_j² se_j² / μ² · (1 − 1/r_j)²."""
    mu = mean(ys, ps)
    return math.sqrt(sum(p * p * v / (mu * mu) * (1 - mu / y) ** 2
                         for p, y, v in zip(ps, ys, vs, strict=True)))


def index_of_disparity(ys: Sequence[float], ps: Sequence[float]) -> float:
    """Unweighted, against the weighted mean, as a fraction (×100 for percent)."""
    mu = mean(ys, ps)
    return sum(abs(y - mu) for y in ys) / len(ys) / mu


def weighted_index_of_disparity(ys: Sequence[float], ps: Sequence[float]) -> float:
    mu = mean(ys, ps)
    return sum(p * abs(y - mu) for p, y in zip(ps, ys, strict=True)) / mu


def mean_difference_from_mean(ys: Sequence[float], ps: Sequence[float],
                              weighted: bool) -> float:
    mu = mean(ys, ps)
    if weighted:
        return sum(p * abs(y - mu) for p, y in zip(ps, ys, strict=True))
    return sum(abs(y - mu) for y in ys) / len(ys)


def par(ys: Sequence[float], ps: Sequence[float], reference: int, higher: bool) -> float:
    """The reference group's rate minus the mean (the other way round where lower is
    better), not truncated at 0."""
    mu = mean(ys, ps)
    return ys[reference] - mu if higher else mu - ys[reference]


# ---- gradients over ordered groups (listed least advantaged first) --------------------------


def ridits(ps: Sequence[float]) -> list[float]:
    found = []
    below = 0.0
    for p in ps:
        found.append(below + p / 2)
        below += p
    return found


def weighted_regression(xs: Sequence[float], ys: Sequence[float], ws: Sequence[float]
                        ) -> tuple[float, float]:
    """Intercept and slope of y on x by least squares with weights w (normal equations)."""
    sw = sum(ws)
    sx = sum(w * x for w, x in zip(ws, xs, strict=True))
    sy = sum(w * y for w, y in zip(ws, ys, strict=True))
    sxx = sum(w * x * x for w, x in zip(ws, xs, strict=True))
    sxy = sum(w * x * y for w, x, y in zip(ws, xs, ys, strict=True))
    slope = (sw * sxy - sx * sy) / (sw * sxx - sx * sx)
    return (sy - slope * sx) / sw, slope


def sii(ys: Sequence[float], ps: Sequence[float]) -> float:
    return weighted_regression(ridits(ps), ys, ps)[1]


def rii(ys: Sequence[float], ps: Sequence[float]) -> float:
    intercept, slope = weighted_regression(ridits(ps), ys, ps)
    return (intercept + slope) / intercept


def aci(ys: Sequence[float], ps: Sequence[float]) -> float:
    return sum(p * (2 * x - 1) * y for p, x, y in zip(ps, ridits(ps), ys, strict=True))


def rci(ys: Sequence[float], ps: Sequence[float]) -> float:
    return aci(ys, ps) / mean(ys, ps)


def rci_standard_error(ys: Sequence[float], ps: Sequence[float], vs: Sequence[float]) -> float:
    """The WHO's form: √(Σ p_j² ((2X_j − 1) − RCI)² se_j²) / μ."""
    c = rci(ys, ps)
    return math.sqrt(sum(p * p * ((2 * x - 1) - c) ** 2 * v for p, x, v in
                         zip(ps, ridits(ps), vs, strict=True))) / mean(ys, ps)


# ---- the WHO's conventions -------------------------------------------------------------------
# Written from the WHO's own definitions, on the indicator's scale (percent, y × 100), with
# its multipliers, its reference on top of a ratio, 10^-6 put in place of an estimate of 0,
# and its mean μ given (the national average); docs/statistics.md (section 6) says how
# eqlang's metrics convert to these.

#: What the WHO puts in place of an estimate of 0 before taking a logarithm.
WHO_TINY = 1e-6


def who_difference(y_reference: float, y: float) -> float:
    """The reference's estimate minus the other's, in points, whatever the direction."""
    return y_reference * 100 - y * 100


def who_ratio(y_top: float, n_top: float, y: float, n: float, level: float
              ) -> tuple[float, float, float]:
    """The disparity ratio, with its interval on the log scale: the advantaged group's rate
    over the other's where higher is better, the other way round where lower is better, so
    that above 1 is a disparity."""
    ratio = y_top / y
    se = math.sqrt((1 - y_top) / (n_top * y_top) + (1 - y) / (n * y))
    z = z_value(level)
    return ratio, ratio * math.exp(-z * se), ratio * math.exp(z * se)


def who_mean_difference_from_reference(ys: Sequence[float], reference: int) -> float:
    """Σ_j |y_j − y_ref| / J in points, over all J groups (the reference adds 0)."""
    return sum(abs(y - ys[reference]) * 100 for y in ys) / len(ys)


def _who_scale(ys: Sequence[float]) -> list[float]:
    return [y * 100 if y > 0 else WHO_TINY for y in ys]


def who_theil(ys: Sequence[float], ps: Sequence[float], mu: float) -> float:
    """1,000 × Σ p_j r_j ln r_j with r_j = y_j / μ."""
    m = mu * 100
    return 1000 * sum(p * (y / m) * math.log(y / m) for p, y in zip(ps, _who_scale(ys),
                                                                    strict=True))


def who_mld(ys: Sequence[float], ps: Sequence[float], mu: float) -> float:
    """1,000 × Σ p_j (−ln r_j)."""
    m = mu * 100
    return 1000 * sum(p * -math.log(y / m) for p, y in zip(ps, _who_scale(ys), strict=True))


def who_bgv(ys: Sequence[float], ps: Sequence[float], mu: float) -> float:
    """Σ p_j (y_j − μ)², in squared points."""
    return sum(p * (y * 100 - mu * 100) ** 2 for p, y in zip(ps, ys, strict=True))


def who_rci(ys: Sequence[float], ps: Sequence[float]) -> float:
    """100 × Σ p_j (2X_j − 1) y_j / μ, the groups least advantaged first."""
    m = mean(ys, ps) * 100
    return 100 * sum(p * (2 * x - 1) * y * 100 for p, x, y in zip(ps, ridits(ps), ys,
                                                                  strict=True)) / m


def who_par(y_reference: float, mu: float, favourable: bool) -> float:
    """y_ref − μ in points, 0 where the reference is on the wrong side of μ: never negative
    for a favourable indicator, never positive for an adverse one."""
    difference = (y_reference - mu) * 100
    return max(0.0, difference) if favourable else min(0.0, difference)


# ---- simulation -----------------------------------------------------------------------------


def uniform(seed: int, draw: int, cell: Sequence[str]) -> float:
    """The documented uniform number: the first 16 bytes of the SHA-256 of
    SEED|DRAW|MEASURE|GROUP|PERIOD, as k, then (k + ½) / 2^128."""
    text = "|".join((str(seed), str(draw), *cell))
    k = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:16], "big")
    return (2 * k + 1) / 2 ** 129


def drawn_rates(groups: Sequence[Group], seed: int, draw: int, measure: str,
                period: str) -> list[float]:
    """Each group's rate in one draw: y + z·√(y(1 − y)/n), within 0 and 1."""
    found = []
    for name, x, n in groups:
        y = x / n
        z = NormalDist().inv_cdf(uniform(seed, draw, (measure, name, period)))
        found.append(min(1.0, max(0.0, y + z * math.sqrt(y * (1 - y) / n))))
    return found


def percentile(values: Sequence[float], share: float) -> float:
    """Linear interpolation between closest ranks, as eqlang's `percentile`."""
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    lower = int(position)
    if lower + 1 >= len(ordered):
        return ordered[-1]
    return ordered[lower] + (position - lower) * (ordered[lower + 1] - ordered[lower])


def simulate(metric: Callable[[list[float]], float | None], groups: Sequence[Group],
             seed: int, draws: int, measure: str, period: str, level: float
             ) -> tuple[float, float, float, int]:
    """Lower bound, upper bound, standard error and the number of draws left out."""
    values = []
    for draw in range(1, draws + 1):
        value = metric(drawn_rates(groups, seed, draw, measure, period))
        if value is not None:
            values.append(value)
    tail = (1 - level) / 2
    average = sum(values) / len(values)
    spread = math.sqrt(sum((v - average) ** 2 for v in values) / (len(values) - 1))
    return (percentile(values, tail), percentile(values, 1 - tail), spread,
            draws - len(values))
