//! Helpers shared by the CLI tests: the binary, model files in temporary folders.
#![allow(dead_code)]

pub mod random_models;

use assert_cmd::Command;
use std::path::PathBuf;

/// The `nines` binary under test, with colour off.
pub fn nines() -> Command {
    let mut command = Command::cargo_bin("nines").expect("binary built");
    command.env("NO_COLOR", "1");
    command
}

/// A path under the crate root.
pub fn path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// A model file with `text`, in a temporary folder that lives as long as the returned guard.
pub fn model_file(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let folder = tempfile::tempdir().expect("temporary folder");
    let file = folder.path().join(name);
    std::fs::write(&file, text).expect("write model");
    (folder, file)
}

/// Example models the exact solver refuses on this branch: their shared zones are inside a
/// joint chain and used elsewhere too, which needs the decision-diagram structure solver to
/// read the chain's exposed nodes. `nines simulate` runs them (tests/suite/standby_blocks.rs).
pub const AWAITING_EXPOSED_NODES: &[&str] = &["k8s-three-zones.toml"];

/// Whether `path` is one of [`AWAITING_EXPOSED_NODES`].
pub fn awaits_exposed_nodes(path: &std::path::Path) -> bool {
    path.file_name()
        .is_some_and(|name| AWAITING_EXPOSED_NODES.iter().any(|n| name == *n))
}

/// Every example model in `models/` that the exact solver solves, sorted.
pub fn example_models() -> Vec<PathBuf> {
    let mut models: Vec<PathBuf> = std::fs::read_dir(path("models"))
        .expect("models folder")
        .map(|entry| entry.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .filter(|p| !awaits_exposed_nodes(p))
        .collect();
    models.sort();
    models
}

/// Parses every stdout line as JSON.
pub fn json_lines(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is one JSON object"))
        .collect()
}

/// Runs `validate` on `text`; requires exit 2, no panic, and every needle in stderr.
pub fn rejects(text: &str, needles: &[&str]) -> String {
    let (_dir, file) = model_file("bad.toml", text);
    let output = nines().arg("validate").arg(&file).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(
        output.status.code(),
        Some(2),
        "expected exit 2 for:\n{text}\nstderr:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "missing `{needle}` in:\n{stderr}");
    }
    stderr
}
