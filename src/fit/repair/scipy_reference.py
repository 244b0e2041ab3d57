"""Reference values for src/fit/repair/tests.rs, from scipy (an implementation independent
of nines). Run in a throwaway virtual environment:

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install scipy numpy
    /tmp/venv/bin/python src/fit/repair/scipy_reference.py

Each data set is repair times in hours; `right` are repairs still running (right-censored).
Fits are maximum likelihood with the location fixed at 0 (scipy's CensoredData), the
log-likelihood is Σ logpdf(completed) + Σ logsf(censored), and the KS distance is the
largest gap between the fitted CDF and the Kaplan–Meier estimate (scipy.stats.ecdf) on both
sides of each of its jumps.
"""
import numpy as np
from scipy import stats

DATA = {
    "plain": ([0.5, 1.25, 2.0, 3.5, 4.0, 6.0, 9.5, 14.0, 26.0], []),
    "censored": ([0.5, 1.25, 2.0, 3.5, 4.0, 6.0, 9.5, 14.0], [5.0, 30.0]),
}

FAMILIES = {
    "lognormal": stats.lognorm,
    "weibull": stats.weibull_min,
    "gamma": stats.gamma,
}


def ks(dist, completed, right):
    data = stats.CensoredData(uncensored=completed, right=right)
    km = stats.ecdf(data).cdf
    gap = 0.0
    previous = 0.0
    for t, value in zip(km.quantiles, km.probabilities):
        model = dist.cdf(t)
        gap = max(gap, abs(model - previous), abs(model - value))
        previous = value
    return gap


for name, (completed, right) in DATA.items():
    data = stats.CensoredData(uncensored=completed, right=right)
    for family, law in FAMILIES.items():
        params = law.fit(data, floc=0)
        dist = law(*params)
        ll = np.sum(dist.logpdf(completed)) + np.sum(dist.logsf(right))
        shape, _, scale = params
        if family == "lognormal":
            shown = f"mu={np.log(scale)!r}, sigma={shape!r}"
        else:
            shown = f"shape={shape!r}, scale={scale!r}"
        print(f"{name:9} {family:10} {shown}, loglik={ll!r}, ks={ks(dist, completed, right)!r}")

# scipy's `fit` stops its optimiser near 1e-6 relative even without censoring; the exact
# maximum-likelihood estimates solve the profile equations, here by Brent's method to 1e-15.
from scipy import optimize, special

t = np.array(DATA["plain"][0])
k = optimize.brentq(
    lambda k: np.sum(t**k * np.log(t)) / np.sum(t**k) - 1 / k - np.mean(np.log(t)),
    0.1, 10, xtol=1e-15)
scale = np.mean(t**k) ** (1 / k)
print("exact weibull", repr(k), repr(scale),
      repr(np.sum(stats.weibull_min(k, scale=scale).logpdf(t))),
      repr(ks(stats.weibull_min(k, scale=scale), t, [])))
a = optimize.brentq(
    lambda a: np.log(a) - special.digamma(a) - (np.log(t.mean()) - np.mean(np.log(t))),
    0.01, 100, xtol=1e-15)
print("exact gamma", repr(a), repr(t.mean() / a),
      repr(np.sum(stats.gamma(a, scale=t.mean() / a).logpdf(t))),
      repr(ks(stats.gamma(a, scale=t.mean() / a), t, [])))
