//! Downtime budgets: the downtime an availability allows per period, the availability a
//! downtime allows, and the series product of several availabilities.
//!
//! The arithmetic of `nines budget`; parsing its options stays in `cli/budget.rs` and
//! printing in `report/budget.rs`.

use crate::model::units::HOURS_PER_YEAR;
use crate::solve::nines_of;

/// The fixed periods budgeted, as (name, also the JSON key; length shown; hours).
pub const PERIODS: [(&str, &str, f64); 5] = [
    ("year", "365.25d", HOURS_PER_YEAR),
    ("quarter", "91.3125d", HOURS_PER_YEAR / 4.0),
    ("month", "30.4375d", HOURS_PER_YEAR / 12.0),
    ("week", "7d", 168.0),
    ("day", "24h", 24.0),
];

/// One availability of a series, as written and as numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// The availability as written.
    pub text: String,
    /// A.
    pub availability: f64,
    /// U = 1 − A, exact from the decimal text.
    pub unavailability: f64,
}

/// Where the availability of a budget came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// One availability as written.
    Single(String),
    /// Several in series (all must be up).
    Series(Vec<Part>),
    /// `--downtime D` in `--window W`: (D as written, W as written).
    Downtime(String, String),
}

/// An availability and the downtime it allows.
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    /// Where the availability came from.
    pub source: Source,
    /// A.
    pub availability: f64,
    /// `1 − availability`, computed without cancellation.
    pub unavailability: f64,
    /// The extra window, as written, and its length in hours.
    pub window: Option<(String, f64)>,
}

impl Budget {
    /// The budget of one availability given as (A, U).
    pub fn single(text: String, part: (f64, f64), window: Option<(String, f64)>) -> Self {
        Self {
            source: Source::Single(text),
            availability: part.0,
            unavailability: part.1,
            window,
        }
    }

    /// The budget of several availabilities in series: their product.
    ///
    /// # Formula
    /// ```text
    /// A = Π Aᵢ        U = 1 − Π (1 − Uᵢ) = −expm1(Σ ln1p(−Uᵢ))
    /// ```
    /// U is computed from the Uᵢ directly, so tiny unavailabilities keep their digits.
    pub fn series(parts: Vec<Part>, window: Option<(String, f64)>) -> Self {
        let availability = parts.iter().map(|part| part.availability).product();
        let log_availability: f64 = parts
            .iter()
            .map(|part| (-part.unavailability).ln_1p())
            .sum();
        Self {
            source: Source::Series(parts),
            availability,
            unavailability: -log_availability.exp_m1(),
            window,
        }
    }

    /// The budget that allows `downtime_hours` in every `window_hours`.
    ///
    /// # Formula
    /// ```text
    /// U = D / W   where D is the downtime and W the window, in hours
    /// ```
    pub fn of_downtime(
        texts: (String, String),
        downtime_hours: f64,
        window_hours: f64,
        window: Option<(String, f64)>,
    ) -> Self {
        let unavailability = downtime_hours / window_hours;
        Self {
            source: Source::Downtime(texts.0, texts.1),
            availability: 1.0 - unavailability,
            unavailability,
            window,
        }
    }

    /// −log10 U, or `None` (infinite) when U = 0; never −0 (U = 1 gives 0).
    pub fn nines(&self) -> Option<f64> {
        (self.unavailability > 0.0).then(|| nines_of(self.unavailability))
    }

    /// Allowed downtime in seconds over a period of `hours`.
    ///
    /// # Formula
    /// ```text
    /// D = U · T · 3600   where U is the unavailability and T the period in hours
    /// ```
    pub fn downtime_seconds(&self, hours: f64) -> f64 {
        self.unavailability * hours * 3600.0
    }

    /// Every period budgeted: (name, length as written, hours), the window last when given.
    pub fn periods(&self) -> Vec<(String, String, f64)> {
        let mut periods: Vec<(String, String, f64)> = PERIODS
            .iter()
            .map(|(name, length, hours)| (name.to_string(), length.to_string(), *hours))
            .collect();
        if let Some((text, hours)) = &self.window {
            periods.push(("window".into(), text.trim().to_string(), *hours));
        }
        periods
    }

    /// For a series whose product underflows to 0: log10 of the true product, Σ log10 Aᵢ.
    pub fn underflowed_series_log10(&self) -> Option<f64> {
        match &self.source {
            Source::Series(parts) if self.availability == 0.0 => {
                Some(parts.iter().map(|part| part.availability.log10()).sum())
            }
            _ => None,
        }
    }
}

/// (A, U) of an availability parsed as a fraction `value` with exact complement
/// `complement` = 1 − value.
///
/// `99.9%` parses as 99.9 / 100 = 0.9990000000000001; 1 − U from the exact U is the nearest
/// double to 0.999 (the subtraction is exact to half an ulp of A while U < 1/2). A tiny
/// availability such as `1e-17` has U = 1 − A, which rounds to 1: the budgets are then the
/// whole period, as they are to every digit shown.
pub fn availability_pair(value: f64, complement: f64) -> (f64, f64) {
    let availability = if complement <= 0.5 {
        1.0 - complement
    } else {
        value
    };
    (availability, complement)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_keeps_the_digits_of_tiny_unavailabilities() {
        let part = |u: f64| Part {
            text: String::new(),
            availability: 1.0 - u,
            unavailability: u,
        };
        // U = 1 − (1 − 1e-12)(1 − 2e-12) = 3e-12 − 2e-24
        let budget = Budget::series(vec![part(1e-12), part(2e-12)], None);
        assert!((budget.unavailability - 3e-12).abs() / 3e-12 < 1e-12);
    }

    #[test]
    fn an_always_down_budget_has_zero_nines_not_minus_zero() {
        let budget = Budget::single("0%".into(), (0.0, 1.0), None);
        let nines = budget.nines().unwrap();
        assert!(nines == 0.0 && nines.is_sign_positive(), "{nines}");
        assert_eq!(
            Budget::single("100%".into(), (1.0, 0.0), None).nines(),
            None
        );
    }
}
