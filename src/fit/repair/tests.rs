//! Fits against closed forms and against scipy (values printed by `scipy_reference.py`
//! beside this file, scipy 1.17.1; the test itself does not need scipy).

use super::*;

const PLAIN: [f64; 9] = [0.5, 1.25, 2.0, 3.5, 4.0, 6.0, 9.5, 14.0, 26.0];
const COMPLETED: [f64; 8] = [0.5, 1.25, 2.0, 3.5, 4.0, 6.0, 9.5, 14.0];
const RIGHT: [f64; 2] = [5.0, 30.0];

fn observations(completed: &[f64], right: &[f64]) -> Vec<Observation> {
    let done = completed.iter().map(|&hours| Observation {
        hours,
        censored: false,
    });
    let open = right.iter().map(|&hours| Observation {
        hours,
        censored: true,
    });
    done.chain(open).collect()
}

fn fit_of(fits: &[RepairFit], family: Family) -> &RepairFit {
    fits.iter().find(|fit| fit.family == family).unwrap()
}

fn parameter(fit: &RepairFit, name: &str) -> f64 {
    fit.parameters.iter().find(|p| p.0 == name).unwrap().1
}

fn close(actual: f64, expected: f64, tolerance: f64, what: &str) {
    let error = ((actual - expected) / expected).abs();
    assert!(
        error <= tolerance,
        "{what}: {actual} against {expected} ({error:e})"
    );
}

/// (family, first parameter, second parameter, scipy's log-likelihood, KS distance).
type Expected = (Family, f64, f64, f64, f64);

fn check(fits: &[RepairFit], expected: &[Expected], parameter_tolerance: f64) {
    for (family, first, second, log_likelihood, ks) in expected {
        let fit = fit_of(fits, *family);
        let names = match family {
            Family::LogNormal => ["mu", "sigma"],
            _ => ["shape", "scale"],
        };
        let what = family.name();
        close(parameter(fit, names[0]), *first, parameter_tolerance, what);
        close(parameter(fit, names[1]), *second, parameter_tolerance, what);
        // Ours is the maximum: never below scipy's, and equal to its digits.
        assert!(
            fit.log_likelihood >= log_likelihood - 1e-9,
            "{what}: ℓ {}",
            fit.log_likelihood
        );
        close(fit.log_likelihood, *log_likelihood, 1e-7, what);
        close(fit.ks, *ks, 10.0 * parameter_tolerance, what);
        assert!((fit.aic - (4.0 - 2.0 * fit.log_likelihood)).abs() < 1e-12);
    }
}

#[test]
fn exponential_and_log_normal_have_closed_forms() {
    // Exponential: m̂ = Σt/n = 66.75/9; ℓ = −n ln m̂ − Σt/m̂ = −9 ln(66.75/9) − 9.
    let fits = fit_repairs(&observations(&PLAIN, &[]));
    let exponential = fit_of(&fits, Family::Exponential);
    let mean = 66.75 / 9.0;
    close(parameter(exponential, "mean"), mean, 1e-15, "mean");
    close(
        exponential.log_likelihood,
        -9.0 * mean.ln() - 9.0,
        1e-14,
        "ℓ",
    );
    close(exponential.aic, 2.0 + 18.0 * mean.ln() + 18.0, 1e-14, "AIC");
    // Log-normal: μ̂ and σ̂ are the mean and (population) standard deviation of ln t.
    let logs: Vec<f64> = PLAIN.iter().map(|t| t.ln()).collect();
    let mu = logs.iter().sum::<f64>() / 9.0;
    let sigma = (logs.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / 9.0).sqrt();
    let log_normal = fit_of(&fits, Family::LogNormal);
    close(parameter(log_normal, "mu"), mu, 1e-14, "mu");
    close(parameter(log_normal, "sigma"), sigma, 1e-14, "sigma");
    close(
        log_normal.mean_hours,
        (mu + sigma * sigma / 2.0).exp(),
        1e-14,
        "mean",
    );
}

#[test]
fn uncensored_fits_match_scipy() {
    let fits = fit_repairs(&observations(&PLAIN, &[]));
    check(
        &fits,
        &[
            (
                Family::LogNormal,
                1.4224895573778622,
                1.1618553511851881,
                -26.92301632771251,
                0.10859484667454905,
            ),
            // The exact roots of the profile equations (Brent's method in the script):
            // scipy's own `fit` stops about 2e-6 short of them.
            (
                Family::Weibull,
                0.9713343525266186,
                7.3169662621256535,
                -27.02705995522828,
                0.12892750272081865,
            ),
            (
                Family::Gamma,
                0.9938019278627004,
                7.462922398044817,
                -27.03345497767416,
                0.1375978691780766,
            ),
        ],
        1e-9,
    );
}

#[test]
fn censored_fits_match_scipy() {
    // scipy maximises the censored likelihoods with a simplex of tolerance 1e-4: its
    // parameters carry about four digits, its log-likelihood many more.
    let fits = fit_repairs(&observations(&COMPLETED, &RIGHT));
    check(
        &fits,
        &[
            (
                Family::LogNormal,
                1.6233728229823694,
                1.3266374941527739,
                -25.044077184130852,
                0.09695474031220885,
            ),
            (
                Family::Weibull,
                0.8421644672342081,
                9.120013527684177,
                -25.773298413086366,
                0.12017637795597813,
            ),
            (
                Family::Gamma,
                0.8442848484617527,
                11.54139689953842,
                -25.900519589752978,
                0.13867531719230985,
            ),
        ],
        1e-3,
    );
    // The exponential with censoring: m̂ = (Σ completed + Σ censored) / d = 75.75 / 8.
    let exponential = fit_of(&fits, Family::Exponential);
    close(parameter(exponential, "mean"), 75.75 / 8.0, 1e-15, "mean");
}

#[test]
fn kaplan_meier_steps_down_at_censored_times() {
    // Times 1, 2+ (censored), 3, 4: S drops to 3/4 at 1; at 3 two are at risk: S = 3/4 · 1/2;
    // at 4: 0. So F = 1/4, 5/8, 1.
    let data = observations(&[1.0, 3.0, 4.0], &[2.0]);
    let steps = empirical_cdf(&data);
    assert_eq!(
        steps,
        vec![(1.0, 0.0, 0.25), (3.0, 0.25, 0.625), (4.0, 0.625, 1.0)]
    );
}

#[test]
fn too_little_data_fits_what_it_can() {
    assert!(fit_repairs(&observations(&[], &[3.0])).is_empty());
    let one = fit_repairs(&observations(&[2.0, 2.0], &[]));
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].family, Family::Exponential);
}
