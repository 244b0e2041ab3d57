//! Evidence and uncertainty speed: `nines fit` of 100,000 incidents of 100 components (1,000
//! each, log-normal repairs, some still open), read from CSV text and fitted (rates,
//! intervals and four repair-time fits per component); and `nines uncertainty` of
//! `models/three-tier.toml` with a 90 % range on every component's MTBF and MTTR: 10,000
//! Latin-hypercube samples, each solved exactly, on 2 threads.

use criterion::{Criterion, criterion_group, criterion_main};
use nines::fit::incidents::parse_log;
use nines::fit::{fit_log, period_of};
use nines::model::load::load_model;
use nines::whatif::uncertainty::{Settings, uncertainty};
use std::fmt::Write;
use std::hint::black_box;

/// 100 components × 1,000 incidents, a deterministic pseudo-random log over about 11 years.
fn log_text() -> String {
    let mut text = String::from("component,start,end,units\n");
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut uniform = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let epoch = 1_735_689_600i64; // 2025-01-01T00:00:00Z
    for component in 0..100 {
        let mut time = epoch;
        for incident in 0..1000 {
            time += (uniform() * 200_000.0) as i64 + 1;
            let repair = ((uniform() * 2.0 - 1.0) * 1.5).exp() * 3600.0;
            let end = time + repair as i64 + 60;
            let start_text = jiff_like(time);
            // The last incident of every third component is still open at the end of the log.
            if incident == 999 && component % 3 == 0 {
                writeln!(text, "c{component},{start_text},,1").unwrap();
            } else {
                writeln!(text, "c{component},{start_text},{},1", jiff_like(end)).unwrap();
            }
            time = end;
        }
    }
    text
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ` (civil-from-days, Howard Hinnant).
fn jiff_like(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let second_of_day = seconds.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60
    )
}

fn benchmarks(criterion: &mut Criterion) {
    let text = log_text();
    let mut group = criterion.benchmark_group("fit");
    group.sample_size(10);
    group.bench_function("100k-incidents", |bench| {
        bench.iter(|| {
            let log = parse_log(black_box(&text)).expect("valid log");
            let period = period_of(&log, None, None).expect("period");
            black_box(fit_log(&log, period, 0.9))
        })
    });
    group.finish();

    // Every component's figures known to a factor of two either way.
    let mut model_text = include_str!("../models/three-tier.toml").to_string();
    for component in ["lb_host", "tor_switch", "web_node", "app_node", "db_node"] {
        model_text.push_str(&format!(
            "\n[component.{component}.uncertainty]\nmtbf = [\"1000h\", \"20000h\"]\nmttr = [\"30m\", \"8h\"]\n"
        ));
    }
    let model = load_model("three-tier.toml", &model_text, &[])
        .ok()
        .expect("valid model")
        .model;
    let mut group = criterion.benchmark_group("uncertainty");
    group.sample_size(10);
    group.bench_function("three-tier-10k-samples-2-threads", |bench| {
        bench.iter(|| {
            let settings = Settings {
                samples: 10_000,
                seed: 1,
                threads: 2,
            };
            black_box(uncertainty(black_box(&model), settings).expect("solvable"))
        })
    });
    group.finish();
}

criterion_group!(benches, benchmarks);
criterion_main!(benches);
