//! Cost of one random duration: [`Sampler::sample`] for every shape, next to rand_distr's
//! Weibull, LogNormal and Gamma (the reference implementations it replaces) on the same RNG.
//!
//! Each iteration sums a batch of [`BATCH`] draws, so criterion's time per iteration in µs is
//! the cost per draw in ns (and its throughput is draws per second). `fixed`, which never
//! touches the RNG, shows what the loop and the `match` cost on their own.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nines::model::TimeDist;
use nines::simulate::sample::Sampler;
use rand::SeedableRng;
use rand_distr::Distribution;
use rand_xoshiro::Xoshiro256PlusPlus;
use std::hint::black_box;

/// Draws per measured iteration.
const BATCH: u64 = 1_000;

/// Mean duration, hours (the shapes are scale-free, so any value will do).
const MEAN: f64 = 4.0;

/// Sums `BATCH` draws of `draw_one`, so that no draw can be optimised away.
fn draw_batch(
    rng: &mut Xoshiro256PlusPlus,
    mut draw_one: impl FnMut(&mut Xoshiro256PlusPlus) -> f64,
) -> f64 {
    let mut sum = 0.0;
    for _ in 0..BATCH {
        sum += draw_one(rng);
    }
    sum
}

fn benchmarks(criterion: &mut Criterion) {
    let mut group = criterion.benchmark_group("sample");
    group.throughput(Throughput::Elements(BATCH));

    let shapes = [
        ("exponential", TimeDist::Exponential),
        ("weibull", TimeDist::Weibull { shape: 0.5 }),
        ("weibull", TimeDist::Weibull { shape: 1.5 }),
        ("lognormal", TimeDist::LogNormal { sigma: 1.0 }),
        ("gamma", TimeDist::Gamma { shape: 0.5 }),
        ("gamma", TimeDist::Gamma { shape: 2.0 }),
        ("fixed", TimeDist::Fixed),
    ];
    for (name, dist) in shapes {
        let parameter = match dist {
            TimeDist::Weibull { shape } | TimeDist::Gamma { shape } => format!("k={shape}"),
            TimeDist::LogNormal { sigma } => format!("sigma={sigma}"),
            TimeDist::Exponential | TimeDist::Fixed => String::new(),
        };
        // black_box: the simulator builds samplers at run time, so no constant folding here.
        let sampler = black_box(Sampler::new(dist, MEAN));
        group.bench_function(BenchmarkId::new(name, parameter), |bencher| {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
            bencher.iter(|| black_box(draw_batch(&mut rng, |rng| sampler.sample(rng))));
        });
    }

    // The same Weibull(k = 1.5) and LogNormal(σ = 1) with mean MEAN, drawn by rand_distr.
    let shape = 1.5;
    let scale = MEAN / statrs::function::gamma::gamma(1.0 + 1.0 / shape);
    let weibull = black_box(rand_distr::Weibull::new(scale, shape).unwrap());
    group.bench_function(BenchmarkId::new("rand_distr_weibull", "k=1.5"), |bencher| {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        bencher.iter(|| black_box(draw_batch(&mut rng, |rng| weibull.sample(rng))));
    });
    let sigma: f64 = 1.0;
    let lognormal =
        black_box(rand_distr::LogNormal::new(MEAN.ln() - sigma * sigma / 2.0, sigma).unwrap());
    group.bench_function(
        BenchmarkId::new("rand_distr_lognormal", "sigma=1"),
        |bencher| {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
            bencher.iter(|| black_box(draw_batch(&mut rng, |rng| lognormal.sample(rng))));
        },
    );
    // Gamma: the sampler runs its own Marsaglia–Tsang loop instead of rand_distr's.
    for shape in [0.5, 2.0] {
        let gamma = black_box(rand_distr::Gamma::new(shape, MEAN / shape).unwrap());
        group.bench_function(
            BenchmarkId::new("rand_distr_gamma", format!("k={shape}")),
            |bencher| {
                let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
                bencher.iter(|| black_box(draw_batch(&mut rng, |rng| gamma.sample(rng))));
            },
        );
    }
    group.finish();
}

criterion_group!(benches, benchmarks);
criterion_main!(benches);
