//! Exact-solver speed: the 100-rack model (1,100 units, pure algebra), and dependent blocks
//! whose Markov chains are as large as the solver accepts.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use nines::model::load::load_model;
use nines::solve::solve;
use std::hint::black_box;

const RACKS: &str = include_str!("../tests/fixtures/racks-100.toml");

/// A cold-standby block of `count` identical units with one crew: about 3·count states.
fn standby_model(count: u64) -> String {
    format!(
        "[component.node]\nmtbf = \"2000h\"\nmttr = \"8h\"\n\
         [block.system]\nkind = \"standby\"\nmode = \"warm\"\ndormant_factor = 0.1\n\
         failover = \"30s\"\ncoverage = 0.95\nmanual_failover = \"20m\"\n\
         of = \"node\"\ncount = {count}\nrepair_crews = 1\n"
    )
}

/// A crew block of two different unit types, 6 of each, with 2 crews: the FIFO queue of
/// failed types makes the chain grow combinatorially (2,508 states).
fn mixed_crew_model() -> String {
    let mut text = String::new();
    let mut members = Vec::new();
    for (index, (mtbf, mttr)) in [(1000, 8), (300, 4)].iter().enumerate() {
        text.push_str(&format!(
            "[component.t{index}]\nmtbf = \"{mtbf}h\"\nmttr = \"{mttr}h\"\n"
        ));
        members.extend(std::iter::repeat_n(format!("\"t{index}\""), 6));
    }
    text.push_str(&format!(
        "[block.system]\nkind = \"k-of-n\"\nk = 8\nmembers = [{}]\nrepair_crews = 2\n",
        members.join(", ")
    ));
    text
}

fn benchmarks(criterion: &mut Criterion) {
    let racks = load_model("racks-100.toml", RACKS, &[])
        .ok()
        .expect("valid")
        .model;
    criterion.bench_function("solve/racks-100 (1,100 units)", |bench| {
        bench.iter(|| solve(black_box(&racks)).expect("solves"))
    });
    criterion.bench_function("load+solve/racks-100", |bench| {
        bench.iter(|| {
            let model = load_model("racks-100.toml", black_box(RACKS), &[])
                .ok()
                .expect("valid")
                .model;
            solve(&model).expect("solves")
        })
    });
    let mut group = criterion.benchmark_group("solve/standby-chain");
    group.sample_size(20);
    for count in [10u64, 100, 500, 990] {
        let model = load_model("standby.toml", &standby_model(count), &[])
            .ok()
            .expect("valid")
            .model;
        group.bench_with_input(
            BenchmarkId::from_parameter(count),
            &model,
            |bench, model| bench.iter(|| solve(black_box(model)).expect("solves")),
        );
    }
    group.finish();
    let mixed = load_model("mixed.toml", &mixed_crew_model(), &[])
        .ok()
        .expect("valid")
        .model;
    let mut group = criterion.benchmark_group("solve/mixed-crew-chain");
    group.sample_size(10);
    group.bench_function("2 types x 6, 2 crews", |bench| {
        bench.iter(|| solve(black_box(&mixed)).expect("solves"))
    });
    group.finish();
}

criterion_group!(benches, benchmarks);
criterion_main!(benches);
