//! What-if speed: importance measures, a 21-point sweep, a boundary search, and drawing the
//! charts, on the three-tier example and the 1,100-unit rack model.

use criterion::{Criterion, criterion_group, criterion_main};
use nines::chart::sweep::{SweepChart, SweepPoint, SweepSeries};
use nines::chart::{ImageFormat, render};
use nines::model::load::load_model;
use nines::model::overrides::Override;
use nines::solve::solve;
use nines::whatif::rates::{self, MeanTime};
use nines::whatif::sensitivity::importances;
use nines::whatif::vary::AxisUnit;
use std::hint::black_box;

const THREE_TIER: &str = include_str!("../models/three-tier.toml");
const RACKS: &str = include_str!("../tests/fixtures/racks-100.toml");

fn chart() -> SweepChart {
    SweepChart {
        title: "three-tier: availability vs component.db_node.mttr".into(),
        x_label: "component.db_node.mttr (duration)".into(),
        x_unit: AxisUnit::Hours,
        log_x: true,
        series: vec![SweepSeries {
            label: String::new(),
            points: (0..21)
                .map(|i| SweepPoint {
                    x: 0.5 * 1.3f64.powi(i),
                    nines: 5.0 - 0.1 * f64::from(i),
                    interval: None,
                })
                .collect(),
        }],
        target: Some((4.0, "99.99%".into())),
        crossings: vec![(3.0, 4.0)],
    }
}

fn benchmarks(criterion: &mut Criterion) {
    let three_tier = load_model("three-tier.toml", THREE_TIER, &[])
        .ok()
        .expect("the example model is valid")
        .model;
    let racks = load_model("racks-100.toml", RACKS, &[])
        .ok()
        .expect("the fixture is valid")
        .model;
    criterion.bench_function("sensitivity/three-tier", |b| {
        b.iter(|| importances(black_box(&three_tier)).unwrap())
    });
    criterion.bench_function("sensitivity/racks-100", |b| {
        b.iter(|| importances(black_box(&racks)).unwrap())
    });
    criterion.bench_function("sweep/three-tier-21-points", |b| {
        b.iter(|| {
            for count in 0..21 {
                let set = Override::parse(&format!("block.web.count={}", 4 + count)).unwrap();
                let model = load_model("three-tier.toml", THREE_TIER, &[set])
                    .ok()
                    .unwrap()
                    .model;
                black_box(solve(&model).unwrap());
            }
        })
    });
    let db_node = rates::Subject::component(
        &three_tier,
        three_tier
            .components
            .iter()
            .position(|c| c.name == "tor_switch")
            .unwrap(),
    );
    criterion.bench_function("find/three-tier-tor-switch-mttr", |b| {
        b.iter(|| {
            rates::boundary(
                black_box(&three_tier),
                &db_node,
                MeanTime::Mttr,
                (0.004, 4000.0),
                1e-4,
            )
            .unwrap()
        })
    });
    let drawing = chart();
    criterion.bench_function("chart/sweep-svg", |b| {
        b.iter(|| render(black_box(&drawing), ImageFormat::Svg).unwrap())
    });
    criterion.bench_function("chart/sweep-png", |b| {
        b.iter(|| render(black_box(&drawing), ImageFormat::Png).unwrap())
    });
}

criterion_group!(benches, benchmarks);
criterion_main!(benches);
