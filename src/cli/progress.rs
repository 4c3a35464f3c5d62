//! The live progress line of `run` and `selftest`: on a terminal (stderr), one line rewritten in
//! place (done/total, failures so far, the test or fault at hand); anywhere else nothing, so
//! that CI logs hold only the results.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Redraws at most this often, unless a result line was printed over it.
const EVERY: Duration = Duration::from_millis(50);

pub struct Progress<W: Write> {
    out: Option<W>,
    /// What is counted (`tests`, `faults`), and what those that went wrong are (`failed`, `missed`).
    unit: &'static str,
    bad: &'static str,
    total: usize,
    done: usize,
    failed: usize,
    /// The test that just ended, or the fault being tried.
    current: String,
    width: usize,
    drawn: bool,
    last: Option<Instant>,
}

impl Progress<std::io::Stderr> {
    /// On stderr when it is a terminal and `quiet` is off; else a progress that prints nothing.
    pub fn stderr(unit: &'static str, bad: &'static str, total: usize, quiet: bool) -> Self {
        let err = std::io::stderr();
        let on = !quiet && err.is_terminal();
        Progress::new(on.then_some(err), (unit, bad), total, terminal_width())
    }
}

impl<W: Write> Progress<W> {
    pub fn new(out: Option<W>, (unit, bad): (&'static str, &'static str), total: usize, width: usize) -> Self {
        Progress {
            out,
            unit,
            bad,
            total,
            done: 0,
            failed: 0,
            current: String::new(),
            width: width.max(20),
            drawn: false,
            last: None,
        }
    }

    /// Takes the line away (before something else is printed).
    pub fn clear(&mut self) {
        if let Some(out) = self.out.as_mut().filter(|_| self.drawn) {
            let _ = out.write_all(b"\r\x1b[2K");
            let _ = out.flush();
            self.drawn = false;
        }
    }

    /// One more done (`failed`: it did not end as expected); `label` is what it was.
    pub fn advance(&mut self, label: &str, failed: bool) {
        self.done += 1;
        self.failed += usize::from(failed);
        label.clone_into(&mut self.current);
        self.draw(false);
    }

    /// What is at hand now (a fault starting), without counting it done; always shown.
    pub fn at(&mut self, label: &str) {
        label.clone_into(&mut self.current);
        self.draw(true);
    }

    /// The line as shown (cut to the terminal's width).
    pub fn line(&self) -> String {
        let w = self.total.to_string().len();
        let line = format!(
            "[{:>w$}/{} {}] {} {} · {}",
            self.done, self.total, self.unit, self.failed, self.bad, self.current
        );
        let max = self.width - 1;
        if line.chars().count() > max {
            let cut: String = line.chars().take(max - 1).collect();
            format!("{cut}…")
        } else {
            line
        }
    }

    fn draw(&mut self, always: bool) {
        let recent = self.drawn && self.last.is_some_and(|t| t.elapsed() < EVERY);
        if self.out.is_none() || (recent && !always) {
            return;
        }
        let line = self.line();
        if let Some(out) = self.out.as_mut() {
            let _ = write!(out, "\r\x1b[2K{line}");
            let _ = out.flush();
        }
        self.drawn = true;
        self.last = Some(Instant::now());
    }

    /// Leaves the terminal as it was.
    pub fn finish(&mut self) {
        self.clear();
    }
}

/// The terminal's columns (stderr), else `$COLUMNS`, else 80.
fn terminal_width() -> usize {
    // SAFETY: TIOCGWINSZ writes one `winsize` into the struct given; nothing else is touched.
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::ioctl(libc::STDERR_FILENO, libc::TIOCGWINSZ, &mut ws) } == 0;
    if ok && ws.ws_col > 0 {
        return usize::from(ws.ws_col);
    }
    std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).unwrap_or(80)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_counts_and_is_rewritten_in_place() {
        let mut p = Progress::new(Some(Vec::new()), ("tests", "failed"), 120, 60);
        p.advance("content/3.3/a", false);
        p.advance(
            "content/6.1/reject-a-rather-long-test-id-that-does-not-fit-the-terminal",
            true,
        );
        assert!(
            p.line().starts_with("[  2/120 tests] 1 failed · content/6.1/"),
            "{}",
            p.line()
        );
        assert_eq!(p.line().chars().count(), 59, "cut to the width: {}", p.line());
        p.clear();
        p.finish();
        let out = String::from_utf8(p.out.take().expect("a sink")).expect("utf-8");
        // Drawn once (the second within 50 ms of the first is not redrawn), then taken away.
        assert_eq!(out, "\r\x1b[2K[  1/120 tests] 0 failed · content/3.3/a\r\x1b[2K");
    }

    #[test]
    fn off_it_prints_nothing() {
        let mut p: Progress<Vec<u8>> = Progress::new(None, ("faults", "missed"), 3, 80);
        p.at("some-fault");
        p.advance("some-fault", true);
        p.finish();
        assert!(p.out.is_none());
    }
}
