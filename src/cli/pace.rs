//! Progress for loops of solves (sweep points, `--find` steps): nothing on a quick run, and a
//! word on stderr as soon as the first steps show that the loop will take a while, so a huge
//! model never keeps a terminal or a CI log silent for minutes.

use super::interrupt;
use crate::model::units::format_duration_hours;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{self, IsTerminal, Write};
use std::time::{Duration, Instant};

/// How long the loop runs before the estimate is trusted (and a bar may appear).
const SETTLE: Duration = Duration::from_secs(1);

/// Loops estimated to run at least this long in all get a note.
const LONG: Duration = Duration::from_secs(10);

/// The estimated total time of a loop of `total` steps, of which `done` took `elapsed`; `None`
/// until the loop has run [`SETTLE`] or when the total is short of [`LONG`].
fn long_estimate(elapsed: Duration, done: u64, total: u64) -> Option<Duration> {
    if done == 0 || elapsed < SETTLE {
        return None;
    }
    let estimate = elapsed.mul_f64(total.max(done) as f64 / done as f64);
    (estimate >= LONG).then_some(estimate)
}

/// Counts the steps of a loop and speaks up when it is slow.
pub(super) struct Pace {
    what: String,
    hint: &'static str,
    total: u64,
    done: u64,
    started: Instant,
    noted: bool,
    bar: Option<ProgressBar>,
}

impl Pace {
    /// A loop of about `total` steps of `what` (e.g. "solves"); `hint` says how to make it
    /// quicker.
    pub(super) fn new(what: impl Into<String>, total: u64, hint: &'static str) -> Self {
        Self {
            what: what.into(),
            hint,
            total,
            done: 0,
            started: Instant::now(),
            noted: false,
            bar: None,
        }
    }

    /// One step is done.
    pub(super) fn step(&mut self) {
        self.done += 1;
        if let Some(bar) = &self.bar {
            bar.set_position(self.done.min(self.total));
            return;
        }
        if self.noted || interrupt::requested() {
            return;
        }
        let elapsed = self.started.elapsed();
        let Some(estimate) = long_estimate(elapsed, self.done, self.total) else {
            return;
        };
        self.noted = true;
        let each = elapsed.as_secs_f64() / self.done as f64;
        say!(
            "note: about {} {} of {} each, about {} in all; {}",
            self.total,
            self.what,
            seconds_text(each),
            format_duration_hours(estimate.as_secs_f64() / 3600.0),
            self.hint
        );
        if io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(Some(self.total), ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(
                "{spinner} {pos}/{len} {msg} [{elapsed_precise}, ~{eta} left]",
            ) {
                bar.set_style(style);
            }
            bar.set_message(self.what.clone());
            bar.set_position(self.done);
            self.bar = Some(bar);
        }
    }
}

impl Drop for Pace {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// A watch over one exact solve: silent when it ends within a second; otherwise it says so on
/// stderr at the first second, and on a terminal shows a spinner with the time spent until
/// the solve ends (the solver cannot tell how far it is, only that it is working).
pub(super) struct SlowSolve {
    done: Option<std::sync::mpsc::Sender<()>>,
    watcher: Option<std::thread::JoinHandle<()>>,
}

impl SlowSolve {
    /// Starts watching the solve of `file`.
    pub(super) fn watch(file: &str) -> Self {
        let (done, finished) = std::sync::mpsc::channel::<()>();
        let file = file.to_string();
        let watcher = std::thread::spawn(move || {
            use std::sync::mpsc::RecvTimeoutError;
            // The sender is dropped (or sends) when the solve ends.
            if !matches!(
                finished.recv_timeout(SETTLE),
                Err(RecvTimeoutError::Timeout)
            ) {
                return;
            }
            say!(
                "note: {file}: the exact solve is taking more than a second (many shared units, or a large chain); Ctrl-C stops it, and `nines simulate` estimates the model instead"
            );
            if !io::stderr().is_terminal() {
                let _ = finished.recv();
                return;
            }
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template("{spinner} solving {msg} [{elapsed}]") {
                bar.set_style(style);
            }
            bar.set_message(file);
            while matches!(
                finished.recv_timeout(Duration::from_millis(120)),
                Err(RecvTimeoutError::Timeout)
            ) {
                bar.tick();
            }
            bar.finish_and_clear();
        });
        Self {
            done: Some(done),
            watcher: Some(watcher),
        }
    }
}

impl Drop for SlowSolve {
    fn drop(&mut self) {
        // Closing the channel ends the watcher's wait whether or not it has spoken.
        drop(self.done.take());
        if let Some(watcher) = self.watcher.take() {
            let _ = watcher.join();
        }
    }
}

/// A short duration as people read it: `0.45 s`, `12 ms`.
fn seconds_text(seconds: f64) -> String {
    if seconds >= 1.0 {
        format!("{seconds:.1} s")
    } else if seconds >= 0.001 {
        format!("{:.0} ms", seconds * 1000.0)
    } else {
        format!("{:.0} µs", seconds * 1e6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loops_estimated_long_get_a_note() {
        let ms = Duration::from_millis;
        // Too early to trust: under a second of evidence.
        assert_eq!(long_estimate(ms(900), 2, 1_000), None);
        // 2 steps in 1.2 s of 126: 0.6 s each, 75.6 s in all.
        assert_eq!(long_estimate(ms(1_200), 2, 126), Some(ms(75_600)));
        // 1,000 steps in 1 s of 5,000: 5 s in all, not worth a word.
        assert_eq!(long_estimate(ms(1_000), 1_000, 5_000), None);
        // 10 s exactly is long; more steps done than expected count as the total.
        assert_eq!(long_estimate(ms(2_000), 10, 50), Some(ms(10_000)));
        assert_eq!(long_estimate(ms(12_000), 200, 126), Some(ms(12_000)));
    }

    #[test]
    fn step_times_read_naturally() {
        assert_eq!(seconds_text(0.45), "450 ms");
        assert_eq!(seconds_text(2.34), "2.3 s");
        assert_eq!(seconds_text(0.000_08), "80 µs");
    }
}
