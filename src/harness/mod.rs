//! The harness: tests, what each checks, running them against a driver, and expectations.
//!
//! ```text
//! spec/ + vectors/ ──► suites::* ──► Vec<Test> ──► run() ──► TestResult ──► report::*
//!                                          │          │
//!                                          │          └── Driver (builtin | HTTP | stdio)
//!                                          └── expectations (xfail / skip / unsupported)
//! ```

pub mod cause;
pub mod check;
pub mod expectations;
pub mod partition;
pub mod run;
pub mod scenario;

use serde::Serialize;

pub use cause::Cause;
pub use check::{Check, DriverCheck, Family, Running, call_failed};
pub use expectations::{Expectation, Expectations};
pub use run::{RunError, RunOutcome, RunPlan, run};

use crate::driver::Exchange;
use crate::driver::messages::Rejection;
use crate::spec::{Basis, Level, SpecRef};

/// The statuses a test can end with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    /// The implementation broke the requirement.
    Fail,
    /// The harness could not carry the test out (its bug, or a broken transport).
    Error,
    Timeout,
    /// Not selected (filter or expectations).
    Skip,
    /// The implementation said it does not do this.
    Unsupported,
    /// Failed, as an expectation said it would.
    Xfail,
    /// Passed, although an expectation said it would fail.
    Xpass,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::Pass,
        Status::Fail,
        Status::Error,
        Status::Timeout,
        Status::Skip,
        Status::Unsupported,
        Status::Xfail,
        Status::Xpass,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Error => "error",
            Status::Timeout => "timeout",
            Status::Skip => "skip",
            Status::Unsupported => "unsupported",
            Status::Xfail => "xfail",
            Status::Xpass => "xpass",
        }
    }

    /// Whether this status makes a run fail (exit code 1).
    pub fn is_unexpected(self) -> bool {
        matches!(self, Status::Fail | Status::Error | Status::Timeout | Status::Xpass)
    }

    /// Whether the test was carried out (not `skip`, not `unsupported`).
    pub fn executed(self) -> bool {
        !matches!(self, Status::Skip | Status::Unsupported)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a test exercises: the implementation through its driver, or the draft's own data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    Iut,
    Draft,
}

/// One test: a stable id, what it sends, the requirements it checks.
#[derive(Debug, Clone)]
pub struct Test {
    /// `<draft>/<section>/<slug>`, never renumbered.
    pub id: String,
    /// What the test sends or looks at.
    pub title: String,
    pub spec: Vec<SpecRef>,
    /// The driver operation it needs, if any.
    pub op: Option<&'static str>,
    pub target: Target,
    pub check: Check,
    /// A known error in the draft that makes this check fail today: a fail becomes xfail.
    pub known_erratum: Option<String>,
}

impl Test {
    /// The section of the first requirement, for grouping.
    pub fn section(&self) -> &str {
        self.spec.first().map(|s| s.section.as_str()).unwrap_or("")
    }
}

/// What one test ended with.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct TestResult {
    pub id: String,
    pub title: String,
    pub status: Status,
    pub target: Target,
    pub spec: Vec<SpecRef>,
    /// Why it did not pass (Expected / Actual), or why it was skipped.
    pub message: String,
    /// The requirements whose check did not hold (of a `fail` or `xfail`; the others held).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<String>,
    /// The strongest basis and level among `failed`: what the failure weighs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<Basis>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// What the implementation gave as its reason for refusing, pass or fail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejection: Option<Rejection>,
    /// A pass whose rejection named another rule or section than the one the input breaks.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub other_reason: bool,
    /// The diagnosed cause this failure shares with others, if one was recognised.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<Cause>,
    /// The role the implementation played, in a scenario.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<IutRole>,
    pub duration_ms: u64,
    /// The driver exchanges and notes (CBOR in diagnostic notation).
    #[serde(default, skip_serializing_if = "Transcript::is_empty")]
    pub transcript: Transcript,
}

/// The role an implementation plays in a scenario: the room's hub, or a follower provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IutRole {
    Hub,
    Follower,
}

/// Everything said during one test.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct Transcript {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exchanges: Vec<Exchange>,
}

impl Transcript {
    pub fn is_empty(&self) -> bool {
        self.notes.is_empty() && self.exchanges.is_empty()
    }

    /// Notes `bytes` in CBOR diagnostic notation (bounded, for hostile sizes).
    pub fn cbor(&mut self, label: &str, bytes: &[u8]) {
        const MAX: usize = 4096;
        let diag = crate::codec::cbor::diagnostic(bytes);
        let shown = if diag.len() > MAX {
            format!(
                "{}… ({} more chars)",
                &diag[..diag.floor_char_boundary(MAX)],
                diag.len() - MAX
            )
        } else {
            diag
        };
        self.notes.push(format!("{label} ({} bytes): {shown}", bytes.len()));
    }
}

/// Cuts `s` to 512 bytes, saying how much was left out.
fn clip(s: &str) -> String {
    clip_to(s, 512)
}

/// Cuts `s` to `max` bytes, saying how much was left out.
fn clip_to(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let cut = s.floor_char_boundary(max);
    format!("{}… ({} more bytes)", &s[..cut], s.len() - cut)
}

/// What one result keeps of its message and its transcript's notes: a hostile answer quoted
/// into every failing result must cost a report kilobytes each, not megabytes. (Exchanges are
/// cut where they are recorded, in the driver client.)
const MESSAGE_MAX: usize = 8 * 1024;
const NOTE_MAX: usize = 4 * 1024;
const NOTES_MAX: usize = 200;

impl Transcript {
    /// Each note cut to [`NOTE_MAX`] bytes, at most [`NOTES_MAX`] notes, the cut said.
    pub fn bounded(mut self) -> Self {
        let dropped = self.notes.len().saturating_sub(NOTES_MAX);
        self.notes.truncate(NOTES_MAX);
        for n in &mut self.notes {
            if n.len() > NOTE_MAX {
                *n = clip_to(n, NOTE_MAX);
            }
        }
        if dropped > 0 {
            self.notes.push(format!("… {dropped} more notes omitted"));
        }
        self
    }
}

impl TestResult {
    /// The reference that weighs the result: the strongest (basis, then level) of those whose
    /// check failed, or of all when none failed.
    pub fn weighing(&self) -> Option<&SpecRef> {
        self.spec
            .iter()
            .filter(|s| self.failed.is_empty() || self.failed.contains(&s.req))
            .min_by_key(|s| (s.basis, s.level))
    }

    /// Whether this result fails the run: an error, a timeout, an xpass, or a `fail` of a
    /// `required` MUST (`strict`: any `fail`).
    pub fn blocks(&self, strict: bool) -> bool {
        match self.status {
            Status::Fail => strict || (self.basis, self.level) == (Some(Basis::Required), Some(Level::Must)),
            s => s.is_unexpected(),
        }
    }
}

/// How a check ended, before expectations apply.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub status: Status,
    pub message: String,
    /// The test's requirements whose check did not hold; empty: all of them.
    pub failed: Vec<String>,
    pub rejection: Option<Rejection>,
    pub other_reason: bool,
    pub cause: Option<Cause>,
}

impl Default for Outcome {
    fn default() -> Self {
        Outcome::new(Status::Pass, String::new())
    }
}

impl Outcome {
    pub fn new(status: Status, message: impl Into<String>) -> Self {
        Outcome {
            status,
            message: message.into(),
            failed: Vec::new(),
            rejection: None,
            other_reason: false,
            cause: None,
        }
    }

    pub fn pass() -> Self {
        Outcome::new(Status::Pass, "")
    }

    pub fn fail(message: impl Into<String>) -> Self {
        Outcome::new(Status::Fail, message)
    }

    /// The same outcome, its failure charged to `reqs` (when it names none yet).
    pub fn charged_to(mut self, reqs: &[String]) -> Self {
        if self.failed.is_empty() {
            self.failed = reqs.to_vec();
        }
        self
    }

    pub fn with_cause(mut self, cause: Cause) -> Self {
        self.cause = Some(cause);
        self
    }

    /// A failure as Expected / Actual lines, each cut to a readable length.
    pub fn mismatch(what: &str, expected: impl std::fmt::Display, actual: impl std::fmt::Display) -> Self {
        Outcome::fail(format!(
            "{what}\nExpected: {}\nActual:   {}",
            clip(&expected.to_string()),
            clip(&actual.to_string())
        ))
    }

    pub fn error(message: impl Into<String>) -> Self {
        Outcome::new(Status::Error, message)
    }
}
