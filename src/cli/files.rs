//! Writing output files so that a crash or Ctrl-C never leaves a half-written one.
//!
//! Regular files are written beside their destination under a temporary name, then renamed
//! over it. A symbolic link is followed first, so the link stays a link and its target gets
//! the new content. A device, FIFO or socket is written directly, as any Unix tool would.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to the file at `path` without ever leaving it half-written.
///
/// - A new file or an existing regular file is written atomically: to a temporary file in the
///   same folder (missing folders are created), then renamed over the destination, so an
///   interruption or a full disk leaves the previous file whole. The temporary file is
///   registered with [`super::interrupt`] so that Ctrl-C removes it.
/// - A symbolic link is followed to its final target, which is then written as above: the
///   link stays a link and points at the new content. A dangling link creates the file it
///   points to.
/// - An existing device, FIFO or socket (a named pipe, `/dev/tty`) is opened and written
///   directly, with no temporary file and no rename; a write error such as "No space left on
///   device" (`/dev/full`) is reported. A reader that closes a pipe early is not an error.
/// - The file stdout or stderr already writes to (`-o /dev/stdout`, even when stdout is
///   redirected to a file with `>>`) is written through that stream, so that it keeps its
///   place and mode (appending) instead of being replaced.
/// - A directory is an error.
///
/// # Errors
/// A message naming the path when the destination is a directory, a folder cannot be created,
/// or the file cannot be written.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let written = match destination(path)? {
        Destination::Stream(stream) => write_stream(stream, bytes),
        Destination::Direct => std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|mut file| file.write_all(bytes)),
        Destination::Replace(target) => return replace(path, &target, bytes),
    };
    match written {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(format!("could not write '{}': {error}", path.display()))
        }
        _ => Ok(()),
    }
}

/// How a destination is written.
#[derive(Debug, PartialEq)]
enum Destination {
    /// The file stdout or stderr writes to: written through that stream.
    Stream(Stream),
    /// An existing device, FIFO or socket: opened and written in place.
    Direct,
    /// A regular file (existing or new) at this path, symbolic links resolved: replaced
    /// atomically.
    Replace(PathBuf),
}

/// A standard output stream.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stream {
    Stdout,
    Stderr,
}

/// Classifies `path`, following symbolic links.
fn destination(path: &Path) -> Result<Destination, String> {
    let cannot = |error: std::io::Error| format!("could not write '{}': {error}", path.display());
    match std::fs::metadata(path) {
        Ok(metadata) if metadata.is_dir() => Err(format!(
            "could not write '{}': it is a directory; give a file name",
            path.display()
        )),
        Ok(metadata) => {
            if let Some(stream) = standard_stream(&metadata) {
                Ok(Destination::Stream(stream))
            } else if !metadata.is_file() {
                Ok(Destination::Direct)
            } else if std::fs::symlink_metadata(path).is_ok_and(|link| link.is_symlink()) {
                std::fs::canonicalize(path)
                    .map(Destination::Replace)
                    .map_err(cannot)
            } else {
                Ok(Destination::Replace(path.to_path_buf()))
            }
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            dangling_target(path).map(Destination::Replace)
        }
        Err(error) => Err(cannot(error)),
    }
}

/// The standard stream that writes to the file described by `metadata`, if any.
#[cfg(unix)]
fn standard_stream(metadata: &std::fs::Metadata) -> Option<Stream> {
    use std::os::unix::fs::MetadataExt;
    let identity = |fd: std::os::fd::BorrowedFd<'_>| {
        let file = std::fs::File::from(fd.try_clone_to_owned().ok()?);
        let stream = file.metadata().ok()?;
        Some((stream.dev(), stream.ino()))
    };
    use std::os::fd::AsFd;
    let wanted = Some((metadata.dev(), metadata.ino()));
    if identity(std::io::stdout().as_fd()) == wanted {
        Some(Stream::Stdout)
    } else if identity(std::io::stderr().as_fd()) == wanted {
        Some(Stream::Stderr)
    } else {
        None
    }
}

/// The standard stream that writes to the file described by `metadata`: never known here.
#[cfg(not(unix))]
fn standard_stream(_metadata: &std::fs::Metadata) -> Option<Stream> {
    None
}

/// Writes through stdout or stderr (after what they have written so far).
fn write_stream(stream: Stream, bytes: &[u8]) -> std::io::Result<()> {
    match stream {
        Stream::Stdout => {
            let mut out = std::io::stdout();
            out.write_all(bytes)?;
            out.flush()
        }
        Stream::Stderr => std::io::stderr().write_all(bytes),
    }
}

/// Where `path` leads when it does not exist or is a dangling symbolic link: the last path in
/// its chain of links.
fn dangling_target(path: &Path) -> Result<PathBuf, String> {
    // Linux gives up after 40 links (ELOOP); a longer chain is a loop.
    const MOST_LINKS: usize = 40;
    let mut current = path.to_path_buf();
    for _ in 0..=MOST_LINKS {
        match std::fs::symlink_metadata(&current) {
            Ok(metadata) if metadata.is_symlink() => {
                let target = std::fs::read_link(&current)
                    .map_err(|error| format!("could not write '{}': {error}", path.display()))?;
                current = match current.parent() {
                    Some(parent) if target.is_relative() => parent.join(target),
                    _ => target,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(format!(
        "could not write '{}': too many levels of symbolic links",
        path.display()
    ))
}

/// Writes `bytes` to a temporary file beside `target`, then renames it over `target`;
/// `path` (as given) names the file in messages.
fn replace(path: &Path, target: &Path, bytes: &[u8]) -> Result<(), String> {
    let directory = target
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
    let name = target.file_name().map_or_else(
        || "output".into(),
        |name| name.to_string_lossy().into_owned(),
    );
    let temporary = directory.join(format!(".{name}.{}.tmp", std::process::id()));
    super::interrupt::writing(temporary.clone());
    let result = std::fs::write(&temporary, bytes)
        .and_then(|()| std::fs::rename(&temporary, target))
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

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_stays_a_link_and_its_target_gets_the_content() {
        let directory = tempfile::tempdir().unwrap();
        let target = directory.path().join("real.svg");
        let link = directory.path().join("link.svg");
        std::fs::write(&target, b"old").unwrap();
        std::os::unix::fs::symlink("real.svg", &link).unwrap();
        write_atomically(&link, b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        assert_eq!(std::fs::read_dir(directory.path()).unwrap().count(), 2);
    }

    #[cfg(unix)]
    #[test]
    fn a_dangling_link_creates_the_file_it_points_to() {
        let directory = tempfile::tempdir().unwrap();
        let link = directory.path().join("link");
        std::os::unix::fs::symlink("sub/missing.json", &link).unwrap();
        write_atomically(&link, b"{}").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(
            std::fs::read(directory.path().join("sub/missing.json")).unwrap(),
            b"{}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_loop_of_links_is_an_error() {
        let directory = tempfile::tempdir().unwrap();
        let a = directory.path().join("a");
        std::os::unix::fs::symlink("b", &a).unwrap();
        std::os::unix::fs::symlink("a", directory.path().join("b")).unwrap();
        let error = write_atomically(&a, b"x").unwrap_err();
        assert!(error.contains("symbolic links"), "{error}");
    }

    #[test]
    fn a_directory_is_not_replaced() {
        let directory = tempfile::tempdir().unwrap();
        let error = write_atomically(directory.path(), b"x").unwrap_err();
        assert!(error.contains("it is a directory"), "{error}");
        assert!(directory.path().is_dir());
    }
}
