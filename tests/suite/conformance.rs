//! The published conformance models (exact answers computed independently by exact-arithmetic
//! Markov chains) solved through the real binary, matched to 1e-9 relative.

use crate::common;
use common::{json_lines, nines, path};

#[test]
fn conformance_models_match_their_exact_answers() {
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(path("tests/fixtures/conformance/expected.json")).unwrap(),
    )
    .unwrap();
    let expected = expected.as_object().unwrap();
    assert_eq!(expected.len(), 6);
    for (name, answer) in expected {
        let output = nines()
            .args(["solve", "--format", "json"])
            .arg(path(&format!("tests/fixtures/conformance/{name}.toml")))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let result = &json_lines(&output.stdout)[0];
        for key in ["unavailability", "availability", "failures_per_year"] {
            let exact: f64 = answer[key].as_str().unwrap().parse().unwrap();
            let actual = result[key].as_f64().unwrap();
            let error = ((actual - exact) / exact).abs();
            assert!(
                error < 1e-9,
                "{name} {key}: nines {actual:e}, exact {exact:e}, relative error {error:e}"
            );
        }
    }
}
