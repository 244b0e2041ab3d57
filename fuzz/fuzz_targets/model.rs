//! Bytes → model text → validation and diagnostics → exact solution and reports → a tiny
//! simulation. See `src/lib.rs` for what is checked.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = nines_fuzz::run_bytes(data);
});
