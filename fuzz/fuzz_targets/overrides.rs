//! `--set PATH=VALUE` texts over the example models: the first line of the input picks a
//! model, every further line is one override, parsed with `Override::parse` and merged by
//! `load_model` before the rest of the path runs. See `src/lib.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

const MODELS: &[&str] = &[
    include_str!("../../models/three-tier.toml"),
    include_str!("../../models/etcd-3-nodes.toml"),
    include_str!("../../models/keepalived-vip.toml"),
    include_str!("../../models/erasure-6-3.toml"),
    include_str!("../../models/web-pool-sla.toml"),
    include_str!("../../models/multi-region.toml"),
];

fuzz_target!(|data: &[u8]| {
    let _ = nines_fuzz::run_override_bytes(data, MODELS);
});
