//! Where output goes and what input is read: a symbolic link stays a link and its target gets
//! the content, a device or FIFO is written in place (never replaced by a regular file), an
//! export of several models into one file is all or nothing, input files are read up to a
//! size limit, and a model's path shows faithfully in Markdown.
//!
//! No test touches a real device node in /dev: devices and FIFOs are made in temporary
//! folders (`mknod` needs root; those parts are skipped, saying so, without it).
#![cfg(unix)]

use crate::common;

use common::{nines, path};
use std::os::unix::fs::FileTypeExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Longest a command may take here; an unbounded read would take far longer.
const LIMIT: Duration = Duration::from_secs(120);

/// Makes a character device node `path` (major, minor) with `mknod`; false when not allowed.
fn make_char_device(path: &Path, major: u32, minor: u32) -> bool {
    let made = Command::new("mknod")
        .arg(path)
        .args(["c", &major.to_string(), &minor.to_string()])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !made {
        eprintln!("skipped: cannot make a device node (mknod needs root)");
    }
    made
}

/// Makes a FIFO at `path`.
fn make_fifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// Waits for a helper process started by the test; kills it (by its handle) when it is
/// still running after `LIMIT`, and returns whether it finished by itself.
fn finish(child: &mut Child) -> bool {
    let start = Instant::now();
    while start.elapsed() < LIMIT {
        if child.try_wait().expect("wait").is_some() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    false
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_full_device_is_an_error_and_stays_a_device() {
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("full");
    if !make_char_device(&full, 1, 7) {
        return;
    }
    let output = nines()
        .arg("sweep")
        .arg(path("models/three-tier.toml"))
        .args(["--vary", "component.db_node.mttr=1h..2h", "--steps", "2"])
        .arg("--plot")
        .arg(&full)
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert!(stderr.contains("full"), "{stderr}");
    assert!(!stderr.contains("note: wrote"), "{stderr}");
    let kind = std::fs::symlink_metadata(&full).unwrap().file_type();
    assert!(kind.is_char_device(), "{kind:?}");
}

#[test]
fn a_device_is_written_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let null = dir.path().join("null");
    if !make_char_device(&null, 1, 3) {
        return;
    }
    nines()
        .arg("export")
        .arg(path("models/redis-sentinel.toml"))
        .arg("-o")
        .arg(&null)
        .assert()
        .success();
    let kind = std::fs::symlink_metadata(&null).unwrap().file_type();
    assert!(kind.is_char_device(), "{kind:?}");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
}

/// Starts `cat FIFO > received`, the FIFO's reader.
fn read_fifo(fifo: &Path, received: &Path) -> Child {
    Command::new("cat")
        .arg(fifo)
        .stdout(std::fs::File::create(received).unwrap())
        .spawn()
        .expect("cat")
}

#[test]
fn a_fifo_gets_the_content_and_stays_a_fifo() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let received = dir.path().join("received");
    for (args, start) in [
        (
            vec![
                "simulate", "--runs", "20", "--seed", "1", "--quiet", "--save",
            ],
            "{\"format\":\"nines-simulate-shard/1\"",
        ),
        (vec!["export", "-o"], "// PRISM model"),
    ] {
        make_fifo(&fifo);
        let mut reader = read_fifo(&fifo, &received);
        let output = nines()
            .args(&args)
            .arg(&fifo)
            .arg(path("models/three-tier.toml"))
            .timeout(LIMIT)
            .output()
            .unwrap();
        let finished = finish(&mut reader);
        assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
        assert!(finished, "the reader never saw the end of the FIFO");
        let text = std::fs::read_to_string(&received).unwrap();
        assert!(text.starts_with(start), "{args:?}: {text:.200}");
        let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
        assert!(kind.is_fifo(), "{args:?}: {kind:?}");
        std::fs::remove_file(&fifo).unwrap();
    }
}

#[test]
fn a_symbolic_link_stays_a_link_and_its_target_gets_the_content() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("real.svg");
    let link = dir.path().join("link.svg");
    std::fs::write(&target, "old").unwrap();
    std::os::unix::fs::symlink("real.svg", &link).unwrap();
    nines()
        .arg("sweep")
        .arg(path("models/three-tier.toml"))
        .args(["--vary", "component.db_node.mttr=1h..2h", "--steps", "2"])
        .arg("--plot")
        .arg(&link)
        .assert()
        .success();
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    assert_eq!(std::fs::read_link(&link).unwrap(), Path::new("real.svg"));
    let svg = std::fs::read_to_string(&target).unwrap();
    assert!(svg.contains("<svg"), "{svg:.200}");
    // No temporary file left beside either.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn a_dangling_link_creates_the_file_it_points_to() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("model.prism");
    std::os::unix::fs::symlink("out/chain.prism", &link).unwrap();
    nines()
        .arg("export")
        .arg(path("models/redis-sentinel.toml"))
        .arg("-o")
        .arg(&link)
        .assert()
        .success();
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    let text = std::fs::read_to_string(dir.path().join("out/chain.prism")).unwrap();
    assert!(text.contains("ctmc"), "{text:.200}");
}

/// A link in the temporary folder to this process's stdout (never /dev/stdout itself, which
/// a broken build could replace).
#[cfg(target_os = "linux")]
#[test]
fn a_link_to_stdout_writes_to_stdout_and_appends_to_a_redirected_file() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("so");
    std::os::unix::fs::symlink("/proc/self/fd/1", &link).unwrap();
    // stdout a pipe.
    let output = nines()
        .arg("export")
        .arg(path("models/redis-sentinel.toml"))
        .arg("-o")
        .arg(&link)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("ctmc"));
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    // stdout a file opened for appending (`>> log`): the earlier line stays.
    let log = dir.path().join("log.txt");
    std::fs::write(&log, "earlier line\n").unwrap();
    let appending = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    let output = Command::new(assert_cmd::cargo::cargo_bin("nines"))
        .arg("export")
        .arg(path("models/redis-sentinel.toml"))
        .arg("-o")
        .arg(&link)
        .stdout(appending)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.starts_with("earlier line\n// PRISM model"),
        "{text:.200}"
    );
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
}

#[test]
fn a_shard_saved_to_stdout_is_a_line_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("so");
    std::os::unix::fs::symlink("/proc/self/fd/1", &link).unwrap();
    let output = nines()
        .args([
            "simulate", "--runs", "20", "--seed", "1", "-q", "--format", "json",
        ])
        .arg(path("models/redis-sentinel.toml"))
        .arg("--save")
        .arg(&link)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    // Two JSON lines: the shard, then the results; neither runs into the other.
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 2, "{stdout:.300}");
    assert_eq!(lines[0]["format"], "nines-simulate-shard/1");
    assert_eq!(lines[1]["runs"], 20);
}

#[test]
fn a_directory_is_not_an_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let output = nines()
        .arg("export")
        .arg(path("models/redis-sentinel.toml"))
        .arg("-o")
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("it is a directory"), "{stderr}");
    assert!(dir.path().is_dir());
}

#[test]
fn an_export_with_a_failing_model_leaves_the_output_file_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("keep.prism");
    std::fs::write(&file, "previous content").unwrap();
    let output = nines()
        .arg("export")
        .arg(path("models/redis-sentinel.toml"))
        .arg(path("models/racks-100.toml"))
        .arg("-o")
        .arg(&file)
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("export-limit"), "{stderr}");
    assert!(stderr.contains("keep.prism"), "{stderr}");
    assert!(stderr.contains("unchanged"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "previous content");
    // Every model exported: the file holds them all.
    nines()
        .arg("export")
        .arg(path("models/redis-sentinel.toml"))
        .arg(path("models/three-tier.toml"))
        .arg("-o")
        .arg(&file)
        .assert()
        .success();
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        text.matches("// ---- next model ----").count(),
        1,
        "{text:.200}"
    );
}

#[test]
fn an_endless_input_fails_fast_with_the_size_limit() {
    let dir = tempfile::tempdir().unwrap();
    let zero = dir.path().join("zero");
    if !make_char_device(&zero, 1, 5) {
        return;
    }
    for (command, limit) in [
        ("solve", "64 MiB"),
        ("validate", "64 MiB"),
        ("merge", "256 MiB"),
    ] {
        let output = nines()
            .arg(command)
            .arg(&zero)
            .timeout(LIMIT)
            .output()
            .unwrap();
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(2), "{command}: {stderr}");
        assert!(stderr.contains("zero"), "{command}: {stderr}");
        assert!(
            stderr.contains(&format!("larger than {limit}")),
            "{command}: {stderr}"
        );
    }
}

#[test]
fn a_model_file_over_the_limit_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.toml");
    // Sparse: takes no disk space.
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(3 << 30)
        .unwrap();
    let output = nines()
        .arg("validate")
        .arg(&huge)
        .timeout(LIMIT)
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("huge.toml"), "{stderr}");
    assert!(stderr.contains("larger than 64 MiB"), "{stderr}");
    assert!(stderr.contains("limit for a model file"), "{stderr}");
}

#[test]
fn a_model_is_read_from_a_fifo_until_its_writer_closes() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("model.toml");
    make_fifo(&fifo);
    let mut writer = Command::new("cp")
        .arg(path("models/three-tier.toml"))
        .arg(&fifo)
        .spawn()
        .expect("cp");
    let output = nines()
        .arg("validate")
        .arg(&fifo)
        .timeout(LIMIT)
        .output()
        .unwrap();
    let finished = finish(&mut writer);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert!(finished);
}

#[test]
fn non_utf8_input_keeps_its_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, b"name = \"\xff\xfe\"\n").unwrap();
    for command in ["validate", "merge"] {
        let output = nines().arg(command).arg(&bad).output().unwrap();
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(2), "{command}: {stderr}");
        assert!(stderr.contains("bad.toml"), "{command}: {stderr}");
        assert!(
            stderr.contains("it is not UTF-8 text"),
            "{command}: {stderr}"
        );
    }
}

#[test]
fn markdown_shows_a_path_with_backticks_and_newlines_faithfully() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("we`ird\nname");
    std::fs::create_dir(&folder).unwrap();
    let model = folder.join("m.toml");
    std::fs::copy(path("models/three-tier.toml"), &model).unwrap();
    // The path as shown: the newline as `\n`, the backtick kept.
    let shown = format!("{}/we`ird\\nname/m.toml", dir.path().display());
    let output = nines()
        .args(["solve", "--format", "markdown"])
        .arg(&model)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains(&format!("Model file: ``{shown}``\n")),
        "{text:.400}"
    );
    let reports = dir.path().join("reports");
    nines()
        .arg("report")
        .arg(&model)
        .arg("-o")
        .arg(&reports)
        .arg("--no-simulation")
        .assert()
        .success();
    let markdown = std::fs::read_to_string(reports.join("m.md")).unwrap();
    assert!(
        markdown.contains(&format!(
            "Generated by nines {} from ``{shown}``.",
            env!("CARGO_PKG_VERSION")
        )),
        "{markdown}"
    );
    assert!(
        markdown.contains(&format!("``nines sweep {shown} --set")),
        "{markdown}"
    );
    let html = std::fs::read_to_string(reports.join("m.html")).unwrap();
    assert!(
        html.contains(&format!("from <code>{shown}</code>")),
        "{html}"
    );
}
