//! Reading input files with a size limit, and writing output files so that a crash or Ctrl-C
//! never leaves a half-written one.
//!
//! Regular files are written beside their destination under a temporary name, then renamed
//! over it. A symbolic link is followed first, so the link stays a link and its target gets
//! the new content. A device, FIFO or socket is written directly, as any Unix tool would.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// A size limit for one kind of input file, with what to tell the user when a file is larger.
#[derive(Debug, Clone, Copy)]
pub struct InputLimit {
    /// The largest size read, in bytes.
    pub bytes: u64,
    /// What the file is, for the message ("model file").
    pub kind: &'static str,
    /// How large real files get, and what to do, for the message.
    pub advice: &'static str,
}

/// The largest model file read: 64 MiB.
///
/// A model of 100,000 components is about 3.5 MB, so real models are far below it; the limit
/// only stops an endless input such as `/dev/zero`, or a huge file given by mistake, from
/// filling the memory.
pub const MODEL_FILE_LIMIT: InputLimit = InputLimit {
    bytes: 64 * 1024 * 1024,
    kind: "model file",
    advice: "a model of 100,000 components is about 3.5 MB; check that this is the model you meant",
};

/// The largest shard file `nines merge` reads: 256 MiB.
///
/// A shard's size does not grow with the runs: it holds about 30 KB of histograms and about
/// 250 bytes per reported block (a shard of `models/racks-100.toml` is 2.3 KB, one of a model
/// with 20,000 blocks 5 MB). The limit covers about a million blocks, more than a model file
/// within [`MODEL_FILE_LIMIT`] can practically simulate.
pub const SHARD_FILE_LIMIT: InputLimit = InputLimit {
    bytes: 256 * 1024 * 1024,
    kind: "shard file",
    advice: "a shard holds about 250 bytes per block of its model; check that this is a shard saved by `nines simulate --save`",
};

/// The largest incident log `nines fit` reads: 256 MiB (a million incidents are about 60 MB).
pub const INCIDENT_LOG_LIMIT: InputLimit = InputLimit {
    bytes: 256 * 1024 * 1024,
    kind: "incident log",
    advice: "a million incidents are about 60 MB; check that this is the incident export you meant",
};

/// Reads `path` as UTF-8 text of at most `limit.bytes` bytes.
///
/// A regular file larger than the limit is refused before it is read; anything else (a FIFO,
/// a device such as `/dev/zero`) is read up to one byte past the limit, so an endless input
/// fails fast instead of filling the memory. A FIFO is read until its writer closes it.
///
/// # Errors
/// The reason, to follow "could not read 'FILE': ": the I/O error, the size limit with what to
/// do, or that the file is not UTF-8 text.
pub fn read_text(path: &Path, limit: &InputLimit) -> Result<String, String> {
    let too_large = || {
        format!(
            "it is larger than {}, the limit for a {} ({})",
            mebibytes(limit.bytes),
            limit.kind,
            limit.advice
        )
    };
    let file = std::fs::File::open(path).map_err(|error| error.to_string())?;
    let metadata = file.metadata().map_err(|error| error.to_string())?;
    if metadata.is_dir() {
        return Err("it is a directory".into());
    }
    if metadata.is_file() && metadata.len() > limit.bytes {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    file.take(limit.bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| error.to_string())?;
    if bytes.len() as u64 > limit.bytes {
        return Err(too_large());
    }
    String::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_string())
}

/// A size in whole mebibytes when it is one ("64 MiB"), else in bytes.
fn mebibytes(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

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

    const SMALL: InputLimit = InputLimit {
        bytes: 8,
        kind: "test file",
        advice: "keep it short",
    };

    #[test]
    fn reads_up_to_the_limit_and_refuses_more() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("input");
        std::fs::write(&path, b"12345678").unwrap();
        assert_eq!(read_text(&path, &SMALL).unwrap(), "12345678");
        std::fs::write(&path, b"123456789").unwrap();
        let error = read_text(&path, &SMALL).unwrap_err();
        assert_eq!(
            error,
            "it is larger than 8 bytes, the limit for a test file (keep it short)"
        );
        std::fs::write(&path, b"\xff\xfe").unwrap();
        assert_eq!(
            read_text(&path, &SMALL).unwrap_err(),
            "it is not UTF-8 text"
        );
    }

    #[test]
    fn limits_are_shown_in_mebibytes() {
        assert_eq!(mebibytes(MODEL_FILE_LIMIT.bytes), "64 MiB");
        assert_eq!(mebibytes(1000), "1000 bytes");
    }
}
