"""Checks for exercise 02, universal approximation: a sum of steep sigmoids, the
staircase that approximates a function, and the measured convergence rate."""
from __future__ import annotations

import numpy as np

import nnkit as nk

from ._check import Case, Check, Mistake


_sigma = nk.functional.sigmoid


# ------------------------------------------------------------------ sum_of_sigmoids
def _sum(x, centers, heights, steepness, offset=0.0):
    return offset + _sigma(steepness * (x[:, None] - centers[None, :])) @ heights


def _sum_cases(rng, hidden):
    def draw(n, N, s, offset=0.0):
        x = np.sort(rng.uniform(-2, 2, n))
        return (x, np.sort(rng.uniform(-2, 2, N)), rng.normal(size=N), s), {"offset": offset}

    def case(label, drawn):
        args, kwargs = drawn
        return Case(label, args, kwargs)

    fixed = [
        case("4 points and 4 sigmoids: x - centers then pairs them up instead of failing",
             draw(4, 4, 3.0)),
        Case("steep sigmoids (steepness 1000), whose exponent overflows if computed naively",
             (np.linspace(-1, 1, 7), np.array([-0.55, 0.05, 0.45]), np.array([1.0, -2.0, 0.5]),
              1000.0)),
        case("6 points, 3 sigmoids and an offset of 2", draw(6, 3, 2.0, offset=2.0)),
    ]
    sizes = [(50, 20), (200, 7), (3, 100)] if hidden else [
        tuple(rng.integers(1, 12, size=2)) for _ in range(3)]
    rand = [case(f"random: {n} points, {N} sigmoids", draw(n, N, float(rng.uniform(0.5, 50)),
                                                            float(rng.normal())))
            for n, N in sizes]
    return rand if hidden else fixed + rand


def _unsummed(x, c, h, s, offset=0.0):
    return offset + h * _sigma(s * (x[:, None] - c[None, :]))


sum_of_sigmoids = Check(
    "sum_of_sigmoids", _sum, _sum_cases,
    mistakes=[
        Mistake(lambda x, c, h, s, offset=0.0: offset + h * _sigma(s * (x - c)),
                "x - centers subtracted the two vectors elementwise (they happen to have the same "
                "length here, so numpy did not complain). You need every point against every "
                "centre, an (n, N) matrix: x[:, None] - centers[None, :]."),
        Mistake(lambda x, c, h, s, offset=0.0: offset + _sigma(s * (x - c)) @ h,
                "x - centers subtracted the two vectors elementwise (they happen to have the same "
                "length here, so numpy did not complain), and the product with heights then "
                "collapsed to one number. You need every point against every centre, an (n, N) "
                "matrix: x[:, None] - centers[None, :]."),
        Mistake(_unsummed,
                "the N sigmoids are not added up: sum the (n, N) matrix over axis 1 (or "
                "multiply it by heights with @)."),
        Mistake(lambda x, c, h, s, offset=0.0: offset + _sigma(s * x[:, None] - c[None, :]) @ h,
                "the steepness multiplies x only; it must scale the distance to the centre, "
                "sigma(steepness * (x - c_j))."),
        Mistake(lambda x, c, h, s, offset=0.0: _sum(x, c, h, s),
                "the offset is not added."),
        Mistake(lambda x, c, h, s, offset=0.0: offset + _sigma(-s * (x[:, None] - c[None, :])) @ h,
                "the steps go down instead of up: sigma(steepness * (x - c_j)) rises from 0 "
                "to 1 as x passes c_j."),
    ],
    on_warning=("A steep sigmoid has huge exponents: use a stable sigmoid such as "
                "nk.functional.sigmoid (or compute exp(-|z|), which never overflows)."),
    forbidden=["nnkit.Dense.forward", "nnkit.Sequential.forward"],
)


# ------------------------------------------------------------------ staircase
def _staircase(f, lo, hi, N):
    grid = np.linspace(lo, hi, N + 1)
    values = f(grid)
    return float(values[0]), (grid[:-1] + grid[1:]) / 2, np.diff(values)


def square(x):
    """x**2."""
    return np.asarray(x, dtype=float) ** 2


def bump(x):
    """exp(-x**2)."""
    return np.exp(-np.asarray(x, dtype=float) ** 2)


def _staircase_cases(rng, hidden):
    fixed = [
        Case("f = np.sin on [0, pi] with N = 4 steps", (np.sin, 0.0, np.pi, 4)),
        Case("f = square on [-1, 1] with N = 5 steps", (square, -1.0, 1.0, 5)),
        Case("f = np.cos on [0, 1] with a single step", (np.cos, 0.0, 1.0, 1)),
    ]
    count = 4 if hidden else 2
    rand = []
    for f in (bump, np.sin, square, np.cos)[:count]:
        lo = float(rng.uniform(-3, 0))
        hi = lo + float(rng.uniform(0.5, 4))
        N = int(rng.integers(30, 300) if hidden else rng.integers(2, 10))
        rand.append(Case(f"f = {f.__name__} on [{lo:.3f}, {hi:.3f}] with N = {N}", (f, lo, hi, N)))
    return rand if hidden else fixed + rand


def _values_not_increments(f, lo, hi, N):
    offset, centers, _ = _staircase(f, lo, hi, N)
    return offset, centers, f(np.linspace(lo, hi, N + 1))[1:]


def _n_points(f, lo, hi, N):
    grid = np.linspace(lo, hi, N)
    values = f(grid)
    return float(values[0]), (grid[:-1] + grid[1:]) / 2, np.diff(values)


staircase = Check(
    "staircase", _staircase, _staircase_cases,
    names=("offset", "centers", "heights"),
    mistakes=[
        Mistake(lambda f, lo, hi, N: (_staircase(f, lo, hi, N)[0], np.linspace(lo, hi, N + 1)[1:],
                                      _staircase(f, lo, hi, N)[2]),
                "the centres sit on the grid points x_1..x_N; put step j halfway between x_(j-1) "
                "and x_j, where the approximation has to switch from one value to the next."),
        Mistake(lambda f, lo, hi, N: (_staircase(f, lo, hi, N)[0], np.linspace(lo, hi, N + 1)[:-1],
                                      _staircase(f, lo, hi, N)[2]),
                "the centres sit on the grid points x_0..x_(N-1); put step j halfway between "
                "x_(j-1) and x_j."),
        Mistake(_values_not_increments,
                "the heights are the values f(x_j); each step must add the increment "
                "f(x_j) - f(x_(j-1)), because the steps before it already climbed to f(x_(j-1))."),
        Mistake(_n_points,
                "N steps need N + 1 grid points x_0..x_N: np.linspace(lo, hi, N + 1)."),
    ],
)


# ------------------------------------------------------------------ convergence_rate
def _rate(Ns, errors):
    slope = np.polyfit(np.log(np.asarray(Ns, dtype=float)), np.log(errors), 1)[0]
    return float(-slope)


def _rate_cases(rng, hidden):
    Ns = np.array([2, 4, 8, 16, 32, 64])
    uneven = np.array([2.0, 3.0, 5.0, 8.0, 20.0, 50.0, 64.0])
    fixed = [
        Case("noisy errors around 2 / N**1.5 at unevenly spaced N",
             (uneven, 2.0 / uneven ** 1.5 * np.array([1.2, 0.9, 1.1, 0.8, 1.3, 0.9, 1.1]))),
        Case("errors exactly 3 / N", (Ns, 3.0 / Ns)),
        Case("errors exactly 0.5 / N**2", (Ns, 0.5 / Ns ** 2.0)),
        Case("noisy errors around 2 / N**1.5 (the end points alone mislead)",
             (Ns, 2.0 / Ns ** 1.5 * np.array([1.3, 0.8, 1.1, 0.9, 1.2, 0.7]))),
    ]
    rand = []
    for _ in range(3):
        N = np.unique(rng.integers(2, 2000 if hidden else 200, size=8)).astype(float)
        p = float(rng.uniform(0.3, 3))
        rand.append(Case(f"random errors around N**-{p:.3f}",
                         (N, 5 * N ** -p * np.exp(0.2 * rng.normal(size=len(N))))))
    return rand if hidden else fixed + rand


def _mean_slope(Ns, e):
    slopes = np.diff(np.log(e)) / np.diff(np.log(np.asarray(Ns, dtype=float)))
    return float(-np.mean(slopes))


def _end_points(Ns, e):
    return float(-np.log(e[-1] / e[0]) / np.log(Ns[-1] / Ns[0]))


convergence_rate = Check(
    "convergence_rate", _rate, _rate_cases, rtol=1e-9,
    mistakes=[
        Mistake(lambda N, e: -_rate(N, e),
                "the sign is flipped: the error falls like N**(-p), so the fitted slope is -p and "
                "the rate p is positive."),
        Mistake(lambda N, e: float(-1.0 / np.polyfit(np.log(e), np.log(np.asarray(N, float)), 1)[0]),
                "the axes are swapped: fit log(error) as a function of log(N)."),
        Mistake(lambda N, e: float(1.0 / np.polyfit(np.log(e), np.log(np.asarray(N, float)), 1)[0]),
                "the axes are swapped (fit log(error) against log(N)) and the sign is flipped."),
        Mistake(lambda N, e: float(-np.polyfit(np.asarray(N, float), e, 1)[0]),
                "a power law is a straight line only on log-log axes: fit log(error) against "
                "log(N)."),
        Mistake(_end_points,
                "only the first and last points count. (The mean of the slopes between "
                "consecutive points comes to the same: on evenly spaced log N the slopes' sum "
                "telescopes to log(e_last / e_first), so the middle points cancel.) Fit one "
                "least-squares line through all the points (np.polyfit on the logs)."),
        Mistake(_mean_slope,
                "this averages the slopes between consecutive points. That sum telescopes, so "
                "the middle points barely count (on evenly spaced log N they cancel exactly), "
                "and unevenly spaced points are weighted oddly. Fit one least-squares line "
                "through all the points (np.polyfit on the logs)."),
    ],
)
