//! Exact-solver speed on many shared units (issue 13's goals, each ≤ 1 s): all 560
//! three-broker partitions over 16 shared brokers, 60 partitions placed round-robin over 20
//! brokers, and an erasure-coded store over 100 shared racks. The models are generated as
//! TOML text, as a user's generator would write them.

use criterion::{Criterion, criterion_group, criterion_main};
use nines::model::Model;
use nines::model::load::load_model;
use nines::solve::solve;
use std::hint::black_box;

/// `count` shared brokers, one 2-of-3 block per partition, all partitions in series.
fn partitions_model(count: usize, partitions: &[[usize; 3]]) -> String {
    let mut text = String::from("name = \"cluster\"\ntop = \"cluster\"\n");
    for i in 0..count {
        text.push_str(&format!(
            "[component.b{i}]\nmtbf = \"2000h\"\nmttr = \"6h\"\nshared = true\n"
        ));
    }
    let mut names = Vec::new();
    for (index, [a, b, c]) in partitions.iter().enumerate() {
        text.push_str(&format!(
            "[block.p{index}]\nkind = \"k-of-n\"\nk = 2\nmembers = [\"b{a}\", \"b{b}\", \"b{c}\"]\n"
        ));
        names.push(format!("\"p{index}\""));
    }
    text.push_str(&format!(
        "[block.cluster]\nkind = \"series\"\nmembers = [{}]\n",
        names.join(", ")
    ));
    text
}

/// 100 shared racks (each a series of a switch and a power feed) on a ring; 10-of-14
/// stripes over 14 consecutive racks, one starting every `stride` racks; all stripes in
/// series.
fn erasure_coded_store(stride: usize) -> String {
    let mut text = String::from(
        "name = \"object store\"\ntop = \"store\"\n\
         [component.tor]\nmtbf = \"100000h\"\nmttr = \"4h\"\n\
         [component.power]\nmtbf = \"50000h\"\nmttr = \"2h\"\n",
    );
    for rack in 0..100 {
        text.push_str(&format!(
            "[block.rack{rack}]\nkind = \"series\"\nmembers = [\"tor\", \"power\"]\nshared = true\n"
        ));
    }
    let mut stripes = Vec::new();
    for start in (0..100).step_by(stride) {
        let racks: Vec<String> = (0..14)
            .map(|i| format!("\"rack{}\"", (start + i) % 100))
            .collect();
        text.push_str(&format!(
            "[block.stripe{start}]\nkind = \"k-of-n\"\nk = 10\nmembers = [{}]\n",
            racks.join(", ")
        ));
        stripes.push(format!("\"stripe{start}\""));
    }
    text.push_str(&format!(
        "[block.store]\nkind = \"series\"\nmembers = [{}]\n",
        stripes.join(", ")
    ));
    text
}

fn load(text: &str) -> Model {
    load_model("bench.toml", text, &[])
        .ok()
        .expect("valid")
        .model
}

fn benchmarks(criterion: &mut Criterion) {
    let mut triples = Vec::new();
    for a in 0..16 {
        for b in a + 1..16 {
            for c in b + 1..16 {
                triples.push([a, b, c]);
            }
        }
    }
    let all_560 = load(&partitions_model(16, &triples));
    let ring: Vec<[usize; 3]> = (0..60)
        .map(|i| [i % 20, (i + 1) % 20, (i + 2) % 20])
        .collect();
    let ring_60 = load(&partitions_model(20, &ring));
    let store = load(&erasure_coded_store(7));
    let dense_store = load(&erasure_coded_store(4));
    let mut group = criterion.benchmark_group("solve/many-shared");
    group.sample_size(10);
    group.bench_function("560 partitions over 16 brokers", |bench| {
        bench.iter(|| solve(black_box(&all_560)).expect("solves"))
    });
    group.bench_function("60 partitions over 20 brokers", |bench| {
        bench.iter(|| solve(black_box(&ring_60)).expect("solves"))
    });
    group.bench_function("erasure-coded store over 100 racks, 15 stripes", |bench| {
        bench.iter(|| solve(black_box(&store)).expect("solves"))
    });
    group.bench_function("erasure-coded store over 100 racks, 25 stripes", |bench| {
        bench.iter(|| solve(black_box(&dense_store)).expect("solves"))
    });
    group.finish();
}

criterion_group!(benches, benchmarks);
criterion_main!(benches);
