//! Reports: one canonical `report.json` (rewritten atomically at most every 200 ms while the run
//! goes, so a crash loses at most that much), and from it `report.md` grouped by draft and
//! section, `junit.xml`, and `report.html` (one self-contained page); `matrix` sets several
//! reports side by side.

mod budget;
mod diff;
mod junit;
mod markdown;
// report.html and the interop matrix (issue 13).
mod html;
pub mod matrix;
mod merge;
mod read;
mod readable;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use serde::{Deserialize, Serialize};

pub use budget::{Cut, REPORT_BUDGET, megabytes};
pub use diff::{Diff, diff};
pub use junit::junit_xml;
pub use markdown::markdown;
// report.html (issue 13).
pub use html::{TRANSCRIPT_CAP, anchor, html, section_anchor};
pub use merge::{MergeError, merge};
pub use read::{ReadError, read_report};

use crate::harness::run::IutInfo;
use crate::harness::{Cause, RunOutcome, Status, TestResult};
use crate::spec::{Basis, Catalogs, Level};

/// The report format's schema id.
pub const SCHEMA: &str = "mimi-conformance/report/v1";

/// The whole report, as `report.json` holds it (read back by [`read_report`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    #[serde(deserialize_with = "read::schema")]
    pub schema: read::Word,
    #[serde(deserialize_with = "read::suite_version")]
    pub suite_version: read::Word,
    /// Draft → revision tested.
    pub drafts: BTreeMap<String, String>,
    pub iut: Option<IutInfo>,
    pub started: String,
    /// `None` while the run is going (or if it crashed).
    pub finished: Option<String>,
    /// Why the run stopped before running its tests (unreachable implementation, nothing
    /// selected), or before all of them (`--deadline`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aborted: Option<String>,
    /// The shard of the selection this run ran (`run --partition K/N`); `None`: all of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<crate::harness::partition::Partition>,
    /// What the whole report's budget cut (`run --report-max`): transcripts, largest first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cut: Option<Cut>,
    pub summary: BTreeMap<Status, usize>,
    /// Whether every `fail` fails the run (`--strict`), or only those of `required` MUSTs.
    pub strict: bool,
    /// The `fail`s by the basis and level of the check that did not hold.
    pub failures: Vec<Weight>,
    /// Passes whose rejection named another rule or section than the one the input breaks.
    pub other_reason: usize,
    /// Failures that share a diagnosed cause, each cause with its tests.
    pub causes: Vec<CauseGroup>,
    /// How many tests were carried out (neither `skip` nor `unsupported`): a run that executed
    /// none is no pass (exit code 5).
    pub executed: usize,
    pub results: Vec<TestResult>,
    /// Every requirement of the tested drafts: which tests check it, or why none can.
    pub coverage: Vec<Coverage>,
}

/// How many `fail`s weigh one basis and level, and whether they fail the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Weight {
    pub basis: Basis,
    pub level: Level,
    pub count: usize,
    /// Whether these fail the run (exit 1).
    pub blocking: bool,
}

/// The failures one diagnosed cause explains.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CauseGroup {
    pub cause: Cause,
    /// Read back from the cause itself ([`read_report`]).
    #[serde(skip_deserializing)]
    pub title: &'static str,
    pub tests: Vec<String>,
}

/// `summary` as a run prints it: "1097 pass, 3 xfail", statuses with no test left out.
pub fn counts_line(summary: &BTreeMap<Status, usize>) -> String {
    summary
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where a result goes in a report: the draft its id names, the revision `drafts` records for
/// it, the id's short name and its section (`content/6.1/…`: draft-ietf-mimi-content, "content",
/// "6.1").
pub fn placed<'a>(id: &'a str, drafts: &BTreeMap<String, String>) -> (String, Option<String>, &'a str, &'a str) {
    let mut parts = id.splitn(3, '/');
    let (short, section) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let doc = crate::suites::draft_of(short).unwrap_or(short).to_owned();
    let rev = drafts.get(&doc).cloned();
    (doc, rev, short, section)
}

/// The `fail`s of `results` by basis and level, strongest first.
pub fn weights(results: &[TestResult], strict: bool) -> Vec<Weight> {
    let mut by: BTreeMap<(Basis, Level), usize> = BTreeMap::new();
    for r in results.iter().filter(|r| r.status == Status::Fail) {
        let w = (r.basis.unwrap_or_default(), r.level.unwrap_or(Level::Must));
        *by.entry(w).or_default() += 1;
    }
    by.into_iter()
        .map(|((basis, level), count)| Weight {
            basis,
            level,
            count,
            blocking: strict || (basis, level) == (Basis::Required, Level::Must),
        })
        .collect()
}

/// The failures (`fail`, `xfail`) grouped by diagnosed cause.
pub fn causes(results: &[TestResult]) -> Vec<CauseGroup> {
    let mut by: BTreeMap<Cause, Vec<String>> = BTreeMap::new();
    for r in results
        .iter()
        .filter(|r| matches!(r.status, Status::Fail | Status::Xfail))
    {
        if let Some(c) = r.cause {
            by.entry(c).or_default().push(r.id.clone());
        }
    }
    by.into_iter()
        .map(|(cause, tests)| CauseGroup {
            cause,
            title: cause.title(),
            tests,
        })
        .collect()
}

/// One line: the `fail`s by weight, saying which do not fail the run.
pub fn weights_line(weights: &[Weight]) -> Option<String> {
    if weights.is_empty() {
        return None;
    }
    let parts: Vec<String> = weights
        .iter()
        .map(|w| {
            format!(
                "{} {} {}{}",
                w.count,
                w.basis,
                w.level,
                if w.blocking { "" } else { " (advisory)" }
            )
        })
        .collect();
    Some(format!("fail by basis and level: {}", parts.join(", ")))
}

/// One requirement's coverage.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Coverage {
    pub doc: String,
    pub rev: String,
    pub req: String,
    pub section: String,
    pub level: Level,
    /// `tested`, `untestable` (with a reason), `deferred` (a later suite), or `not-yet`.
    #[serde(deserialize_with = "read::coverage")]
    pub coverage: read::Word,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tests: Vec<String>,
    /// Worst status among its tests (fail before pass).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
}

impl Report {
    pub fn new(drafts: BTreeMap<String, String>, started: SystemTime) -> Self {
        Report {
            schema: SCHEMA,
            suite_version: env!("CARGO_PKG_VERSION"),
            drafts,
            iut: None,
            started: timestamp(started),
            finished: None,
            aborted: None,
            partition: None,
            cut: None,
            summary: Status::ALL.iter().map(|&s| (s, 0)).collect(),
            strict: false,
            failures: Vec::new(),
            other_reason: 0,
            causes: Vec::new(),
            executed: 0,
            results: Vec::new(),
            coverage: Vec::new(),
        }
    }

    pub fn push(&mut self, iut: &IutInfo, r: &TestResult) {
        self.iut.get_or_insert_with(|| iut.clone());
        *self.summary.entry(r.status).or_default() += 1;
        self.executed += usize::from(r.status.executed());
        self.results.push(r.clone());
    }

    /// Completes the report from a finished run.
    pub fn finish(&mut self, outcome: &RunOutcome, catalogs: &Catalogs, finished: SystemTime) {
        self.iut = Some(outcome.iut.clone());
        self.results = outcome.results.clone();
        // The results come whole again: the budget cuts them afresh.
        self.cut = None;
        self.summary = outcome.counts();
        self.failures = weights(&self.results, self.strict);
        self.other_reason = self.results.iter().filter(|r| r.other_reason).count();
        self.causes = causes(&self.results);
        self.executed = outcome.executed();
        self.coverage = coverage(catalogs, &self.drafts, &self.results);
        if outcome.aborted.is_some() {
            self.aborted = outcome.aborted.clone();
        }
        self.finished = Some(timestamp(finished));
    }
}

/// RFC 3339 UTC with milliseconds.
pub fn timestamp(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}

fn coverage(catalogs: &Catalogs, drafts: &BTreeMap<String, String>, results: &[TestResult]) -> Vec<Coverage> {
    let mut out = Vec::new();
    for c in catalogs.catalogs.iter().filter(|c| drafts.get(&c.doc).is_some()) {
        for r in &c.requirements {
            let covering: Vec<&TestResult> = results
                .iter()
                .filter(|t| t.spec.iter().any(|s| s.req == r.id || r.parts.contains(&s.req)))
                .collect();
            let (coverage, reason) = match (covering.is_empty(), r.testable, &r.deferred, &r.reason) {
                (false, _, _, _) => ("tested", None),
                (true, false, Some(d), _) => ("deferred", Some(d.clone())),
                (true, false, None, reason) => ("untestable", reason.clone()),
                (true, true, _, _) => ("not-yet", None),
            };
            out.push(Coverage {
                doc: c.doc.clone(),
                rev: c.rev.clone(),
                req: r.id.clone(),
                section: r.section.clone(),
                level: r.level,
                coverage,
                reason,
                tests: covering.iter().map(|t| t.id.clone()).collect(),
                status: covering
                    .iter()
                    .map(|t| requirement_status(t, &r.id, &r.parts))
                    .max_by_key(|s| severity(*s)),
            });
        }
    }
    out.sort_by(|a, b| (&a.doc, section_key(&a.section), &a.req).cmp(&(&b.doc, section_key(&b.section), &b.req)));
    out
}

/// What test `t` says of requirement `req`: a failure charged to other requirements is a pass
/// of this one.
fn requirement_status(t: &TestResult, req: &str, parts: &[String]) -> Status {
    let charged = t.failed.iter().any(|f| f == req || parts.contains(f));
    match t.status {
        Status::Fail if !charged => Status::Pass,
        Status::Xfail if !charged => Status::Pass,
        s => s,
    }
}

/// Worse statuses rank higher.
fn severity(s: Status) -> u8 {
    match s {
        Status::Fail | Status::Error | Status::Timeout | Status::Xpass => 4,
        Status::Xfail => 3,
        Status::Unsupported => 2,
        Status::Pass => 1,
        Status::Skip => 0,
    }
}

pub use crate::suites::{id_order, section_key};

/// Writes the report files of one run into a directory.
pub struct ReportWriter {
    dir: PathBuf,
    pub report: Report,
    last_flush: Option<Instant>,
    /// `report.json` at most this many bytes ([`budget::fit`]).
    budget: usize,
}

/// Report files that cannot be written.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct WriteError {
    pub path: String,
    pub source: std::io::Error,
}

impl ReportWriter {
    /// Creates the directory and an initial `report.json`.
    pub fn create(dir: &Path, report: Report) -> Result<Self, WriteError> {
        std::fs::create_dir_all(dir).map_err(|source| WriteError {
            path: dir.display().to_string(),
            source,
        })?;
        // A previous run's files must not speak for a run that did not happen.
        for stale in ["report.md", "junit.xml", "report.html"] {
            match std::fs::remove_file(dir.join(stale)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(WriteError {
                        path: dir.join(stale).display().to_string(),
                        source: e,
                    });
                }
                _ => {}
            }
        }
        let mut w = ReportWriter {
            dir: dir.to_owned(),
            report,
            last_flush: None,
            budget: REPORT_BUDGET,
        };
        w.flush_json()?;
        Ok(w)
    }

    /// Keeps `report.json` within `bytes` from now on (default [`REPORT_BUDGET`]).
    pub fn set_budget(&mut self, bytes: usize) {
        self.budget = bytes;
    }

    /// Adds a result; `report.json` is rewritten at most every 200 ms while running.
    pub fn record(&mut self, iut: &IutInfo, r: &TestResult) -> Result<(), WriteError> {
        self.report.push(iut, r);
        if self.last_flush.is_none_or(|t| t.elapsed() > Duration::from_millis(200)) {
            self.flush_json()?;
        }
        Ok(())
    }

    fn flush_json(&mut self) -> Result<(), WriteError> {
        let json = serde_json::to_vec_pretty(&self.report).expect("the report serializes");
        let json = budget::fit(&mut self.report, json, self.budget);
        self.write_atomic("report.json", &json)?;
        self.last_flush = Some(Instant::now());
        Ok(())
    }

    fn write_atomic(&self, name: &str, bytes: &[u8]) -> Result<(), WriteError> {
        let path = self.dir.join(name);
        let tmp = self.dir.join(format!(".{name}.tmp"));
        let err = |source| WriteError {
            path: path.display().to_string(),
            source,
        };
        std::fs::write(&tmp, bytes).map_err(err)?;
        std::fs::rename(&tmp, &path).map_err(err)
    }

    /// Records why the run stopped before its tests, in `report.json`.
    pub fn abort(mut self, reason: &str) -> Result<(), WriteError> {
        self.report.aborted = Some(reason.to_owned());
        self.report.finished = Some(timestamp(SystemTime::now()));
        self.flush_json()
    }

    /// Writes the final `report.json`, `report.md`, `junit.xml` and `report.html`.
    pub fn finish(mut self, outcome: &RunOutcome, catalogs: &Catalogs) -> Result<Report, WriteError> {
        self.report.finish(outcome, catalogs, SystemTime::now());
        self.flush_json()?;
        self.write_atomic("report.md", markdown(&self.report, catalogs).as_bytes())?;
        self.write_atomic("junit.xml", junit_xml(&self.report).as_bytes())?;
        self.write_atomic("report.html", html(&self.report, catalogs).as_bytes())?;
        Ok(self.report)
    }
}

/// The level and, unless `required`, the basis: of the check that failed, else the test's
/// strongest (`MUST`, `SHOULD · robustness`, `MUST · reading PROT-X12`).
pub(crate) fn weight_label(r: &TestResult) -> String {
    use crate::spec::Basis;
    match r.weighing() {
        None => String::new(),
        Some(s) => match (s.basis, &s.reading) {
            (Basis::Required, _) => s.level.to_string(),
            (Basis::Reading, Some(x)) => format!("{} · reading {x}", s.level),
            (b, _) => format!("{} · {b}", s.level),
        },
    }
}

/// The `fail`s by basis and level, as the report templates take them.
pub(crate) fn weights_context(report: &Report) -> Vec<minijinja::Value> {
    report
        .failures
        .iter()
        .map(|w| minijinja::context! { basis => w.basis.as_str(), level => w.level.to_string(), count => w.count, blocking => w.blocking })
        .collect()
}

/// The drafts and revisions tested, as the report templates take them.
pub(crate) fn drafts_context(report: &Report) -> Vec<minijinja::Value> {
    report
        .drafts
        .iter()
        .map(|(d, r)| minijinja::context! { doc => d, rev => r })
        .collect()
}
