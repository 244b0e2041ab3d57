//! Ctrl-C and SIGTERM: stop cleanly and say what happened.
//!
//! While a simulation runs, the first signal asks it to stop: the runs in progress are
//! abandoned within a few milliseconds (a run checks every 65,536 events) and not counted,
//! the rest are skipped, and the results of the runs completed are printed, marked partial
//! (exit code 130). At any other time, or on a second signal, `nines` removes the temporary
//! file it is writing (the file it would have replaced stays as it was) and exits with 130 at
//! once. Regular files are only ever replaced by renaming a complete temporary file over them
//! ([`super::files::write_atomically`]), so no file is left half-written; a device or named
//! pipe given as the destination is written in place and has no temporary file to remove.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// The exit code after an interruption: 128 + SIGINT, as shells report it.
pub const EXIT_CODE: i32 = 130;

static REQUESTED: AtomicBool = AtomicBool::new(false);
static GRACEFUL: AtomicBool = AtomicBool::new(false);
static IN_FLIGHT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Installs the handler once; a failure to install (no signal support) is ignored.
pub fn install() {
    let _ = ctrlc::set_handler(|| {
        if GRACEFUL.load(Ordering::SeqCst) && !REQUESTED.swap(true, Ordering::SeqCst) {
            eprintln_quietly(
                "\ninterrupted: abandoning the runs in progress, then printing the results of the runs completed (press Ctrl-C again to stop at once)",
            );
            return;
        }
        REQUESTED.store(true, Ordering::SeqCst);
        let removed = remove_in_flight();
        let what = if removed {
            "the file being written was discarded; files already written are whole"
        } else {
            "files already written are whole"
        };
        eprintln_quietly(&format!("\ninterrupted: stopped; {what}"));
        std::process::exit(EXIT_CODE);
    });
}

fn eprintln_quietly(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{text}");
}

fn remove_in_flight() -> bool {
    let Ok(paths) = IN_FLIGHT.lock() else {
        return false;
    };
    let mut removed = false;
    for path in paths.iter() {
        removed |= std::fs::remove_file(path).is_ok();
    }
    removed
}

/// Whether a stop was asked for.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// Runs `work` during which the first signal only asks for a stop ([`requested`]) instead of
/// exiting.
pub fn graceful<T>(work: impl FnOnce() -> T) -> T {
    GRACEFUL.store(true, Ordering::SeqCst);
    let result = work();
    GRACEFUL.store(false, Ordering::SeqCst);
    result
}

/// Registers a temporary file being written, so that an interruption removes it.
pub fn writing(path: PathBuf) {
    if let Ok(mut paths) = IN_FLIGHT.lock() {
        paths.push(path);
    }
}

/// The temporary file is gone (renamed into place or removed).
pub fn written(path: &std::path::Path) {
    if let Ok(mut paths) = IN_FLIGHT.lock() {
        paths.retain(|p| p != path);
    }
}
