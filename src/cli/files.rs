//! Writing output files so that a crash or Ctrl-C never leaves a half-written one: each file is
//! written beside its destination under a temporary name, then renamed over it.

use std::path::Path;

/// Writes `bytes` to `path` atomically, creating missing parent directories.
///
/// # Errors
/// A message naming the path when a directory cannot be created or the file written.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let directory = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(directory).map_err(|error| {
        format!(
            "could not write '{}': cannot create its directory '{}': {error}",
            path.display(),
            directory.display()
        )
    })?;
    let name = path.file_name().map_or_else(
        || "output".into(),
        |name| name.to_string_lossy().into_owned(),
    );
    let temporary = directory.join(format!(".{name}.{}.tmp", std::process::id()));
    super::interrupt::writing(temporary.clone());
    let result = std::fs::write(&temporary, bytes)
        .and_then(|()| std::fs::rename(&temporary, path))
        .map_err(|error| {
            let _ = std::fs::remove_file(&temporary);
            format!(
                "could not write '{}': {error}; the file there before, if any, is unchanged",
                path.display()
            )
        });
    super::interrupt::written(&temporary);
    result
}

/// A file name made from a model's file stem: letters, digits, `-`, `_` and `.` kept, anything
/// else replaced by `_`, so that no part of a model can steer where a file goes.
pub fn safe_stem(model_file: &str) -> String {
    let stem = Path::new(model_file)
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();
    let cleaned: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let cleaned = cleaned.trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        "model".into()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_cannot_climb_out_of_the_output_directory() {
        assert_eq!(safe_stem("models/three-tier.toml"), "three-tier");
        assert_eq!(safe_stem("../../etc/..passwd.toml"), "passwd");
        assert_eq!(safe_stem("a b<c>.toml"), "a_b_c_");
        assert_eq!(safe_stem(".toml"), "toml");
        assert_eq!(safe_stem("/"), "model");
    }

    #[test]
    fn writes_replace_the_file_whole() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("new/sub/report.md");
        write_atomically(&path, b"first").unwrap();
        write_atomically(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let leftovers = std::fs::read_dir(path.parent().unwrap()).unwrap().count();
        assert_eq!(leftovers, 1);
    }
}
