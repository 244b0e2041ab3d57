//! Importance sampling: wall time to a 10 % relative half-width (95 %) of the unavailability
//! on the database benchmark (Goyal et al. 1992; r = 3, 4, 5: exact U 4.661e-9, 7.654e-12,
//! 1.691e-14), one thread, as `nines simulate --sampling importance --precision 10%
//! --threads 1` does. Each iteration is one whole simulation with a fixed seed, so the time
//! is that of a fixed number of cycles; criterion reports its mean.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use nines::model::load::load_model;
use nines::simulate::importance::biasing::Scheme;
use nines::simulate::importance::{ImportanceSettings, simulate};
use nines::simulate::{Quiet, Stop, plan};
use std::hint::black_box;
use std::time::Duration;

const MODELS: [(&str, &str); 3] = [
    ("r3", include_str!("../models/database-r3.toml")),
    ("r4", include_str!("../models/database-r4.toml")),
    ("r5", include_str!("../models/database-r5.toml")),
];

fn benchmarks(criterion: &mut Criterion) {
    let mut group = criterion.benchmark_group("importance_database_to_10_percent");
    group.sample_size(10);
    for (name, text) in MODELS {
        let model = load_model(name, text, &[])
            .unwrap_or_else(|_| panic!("the database model loads"))
            .model;
        let plan = plan::expand(&model).expect("small");
        let settings = ImportanceSettings {
            seed: 1,
            stop: Stop::Precision {
                relative: 0.1,
                max_runs: 1_000_000_000,
                max_time: Duration::from_secs(3600),
            },
            threads: 1,
            scheme: Scheme::Distance,
            shard: None,
        };
        group.bench_with_input(BenchmarkId::from_parameter(name), &plan, |bench, plan| {
            bench.iter(|| black_box(simulate(plan, &settings, &Quiet).expect("qualifies")));
        });
    }
    group.finish();
}

criterion_group!(benches, benchmarks);
criterion_main!(benches);
