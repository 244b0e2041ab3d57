//! Simulation speed: unit events per second on the 1,000-server model (a series of 100 racks,
//! each 8-of-10 servers plus a rack switch: 1,100 units), with exponential, Weibull and
//! log-normal times, on 1 and 2 threads.
//!
//! Criterion reports "elements" per second: each element is one simulated unit event (a
//! failure, a repair completion or a failover completion). Compare the 1- and 2-thread
//! figures of the same distribution for the parallel speed-up.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nines::model::TimeDist;
use nines::model::load::load_model;
use nines::simulate::{Quiet, Settings, Stop, simulate};
use std::hint::black_box;

const RACKS: &str = include_str!("../tests/fixtures/racks-100.toml");

/// Runs per benchmark iteration: enough that per-run set-up and thread start-up are a small
/// part, as in real use.
const RUNS: u64 = 400;

fn settings(threads: usize) -> Settings {
    Settings {
        horizon_hours: 8766.0,
        warmup_hours: 0.0,
        window_hours: 720.0,
        breach_hours: Some(0.0001 * 720.0),
        seed: 1,
        stop: Stop::Runs(RUNS),
        threads,
        shard: None,
    }
}

fn benchmarks(criterion: &mut Criterion) {
    let base = load_model("racks-100.toml", RACKS, &[])
        .unwrap_or_else(|_| panic!("the racks fixture loads"))
        .model;
    let variants = [
        ("exponential", TimeDist::Exponential, TimeDist::Exponential),
        (
            "weibull",
            TimeDist::Weibull { shape: 1.5 },
            TimeDist::Weibull { shape: 1.5 },
        ),
        (
            "lognormal",
            TimeDist::LogNormal { sigma: 0.8 },
            TimeDist::LogNormal { sigma: 0.8 },
        ),
    ];
    let mut group = criterion.benchmark_group("simulate_racks_100");
    group.sample_size(10);
    for (name, failure, repair) in variants {
        let mut model = base.clone();
        for component in &mut model.components {
            component.failure_dist = failure;
            component.repair_dist = repair;
        }
        for threads in [1, 2] {
            let settings = settings(threads);
            let events = simulate(&model, &settings, &Quiet)
                .expect("the racks model simulates")
                .tally
                .events;
            group.throughput(Throughput::Elements(events));
            group.bench_with_input(
                BenchmarkId::new(name, format!("{threads}-threads")),
                &settings,
                |bencher, settings| {
                    bencher.iter(|| simulate(black_box(&model), settings, &Quiet));
                },
            );
        }
    }
    group.finish();
}

criterion_group!(benches, benchmarks);
criterion_main!(benches);
