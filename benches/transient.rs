//! Speed of the exact time measures: the breach probability of a 30-day window of
//! `models/three-tier.toml` (99.99 %), and the window of a product chain of 1,000 states
//! (a series of three 6-of-9 blocks of different components; 10 counted states each), and the
//! time to first outage and one-year reliability of the same. (A 10,000-state product chain
//! with rates up to 1e3/h is past the window's work limit: see README, Speed.)

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use nines::model::Model;
use nines::model::load::load_model;
use nines::solve::transient::{WindowSettings, WindowStart, breach_probability, first_outage};
use std::hint::black_box;

const THREE_TIER: &str = include_str!("../models/three-tier.toml");

/// A series of `blocks` 6-of-9 blocks of distinct components, each block 10 counted states:
/// a joint chain of 10^blocks states, failure rates from 1e-5/h to 1e-3/h, repairs from 0.1/h
/// to 1/h.
fn product_model(blocks: usize) -> String {
    let mut text = String::from("top = \"system\"\n[target]\navailability = \"99.9%\"\n");
    let mut members = Vec::new();
    for block in 0..blocks {
        let failure = 1e-5 * 10f64.powf(2.0 * block as f64 / (blocks.max(2) - 1) as f64);
        let mttr = 1.0 + 9.0 * block as f64 / (blocks.max(2) - 1) as f64;
        text.push_str(&format!(
            "[component.c{block}]\nfailure_rate = {failure:e}\nmttr = \"{mttr}h\"\n\
             [block.b{block}]\nkind = \"k-of-n\"\nk = 6\nof = \"c{block}\"\ncount = 9\n"
        ));
        members.push(format!("\"b{block}\""));
    }
    text.push_str(&format!(
        "[block.system]\nkind = \"series\"\nmembers = [{}]\n",
        members.join(", ")
    ));
    text
}

fn load(name: &str, text: &str) -> Model {
    load_model(name, text, &[]).ok().expect("valid").model
}

fn benchmarks(criterion: &mut Criterion) {
    let three_tier = load("three-tier.toml", THREE_TIER);
    let month = 30.0 * 24.0;
    let settings = WindowSettings {
        hours: month,
        budget_hours: Some(1e-4 * month),
        start: WindowStart::Steady,
        work_limit: nines::solve::transient::MAX_WINDOW_WORK,
    };
    let mut group = criterion.benchmark_group("transient");
    group.sample_size(10);
    group.bench_function("breach/three-tier 30d 99.99%", |bench| {
        bench.iter(|| {
            breach_probability(black_box(&three_tier), three_tier.top, settings).expect("solves")
        })
    });
    group.bench_function("first outage + 1y mission/three-tier", |bench| {
        bench.iter(|| {
            first_outage(black_box(&three_tier), three_tier.top, Some(8766.0)).expect("solves")
        })
    });
    {
        let blocks = 3usize;
        let model = load("product.toml", &product_model(blocks));
        let states = 10usize.pow(blocks as u32);
        let new = WindowSettings {
            hours: month,
            budget_hours: Some(1e-3 * month),
            start: WindowStart::New,
            work_limit: nines::solve::transient::MAX_WINDOW_WORK,
        };
        group.bench_with_input(
            BenchmarkId::new("breach/product chain, new start", states),
            &model,
            |bench, model| {
                bench.iter(|| breach_probability(black_box(model), model.top, new).expect("solves"))
            },
        );
        group.bench_with_input(
            BenchmarkId::new("first outage + 1y mission/product chain", states),
            &model,
            |bench, model| {
                bench.iter(|| {
                    first_outage(black_box(model), model.top, Some(8766.0)).expect("solves")
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, benchmarks);
criterion_main!(benches);
