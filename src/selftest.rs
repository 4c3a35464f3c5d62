//! Mutation testing of the suite itself: run every test against the reference implementation
//! with each fault switched on, and show which tests catch it. A fault no test catches, or an
//! implementation test no fault ever trips, is a hole: a test that cannot fail is a defect.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use crate::codec::content::ContentRev;
use crate::harness::scenario::BuiltinIut;
use crate::harness::{Check, Family};
use crate::harness::{Expectations, RunPlan, Status, Target, Test, run};
use crate::provider::{Area, Fault, FaultSet, Reference};
use crate::spec::Catalogs;

/// What one fault did.
#[derive(Debug, Clone)]
pub struct FaultResult {
    pub fault: Fault,
    /// Tests that failed (or errored) with the fault on.
    pub caught_by: Vec<String>,
}

/// The whole self-test.
#[derive(Debug, Clone)]
pub struct SelftestReport {
    /// Tests that did not pass against the fault-free reference (must be none).
    pub baseline_failures: Vec<String>,
    pub faults: Vec<FaultResult>,
    /// Implementation tests that no fault made fail.
    pub never_failed: Vec<String>,
    pub iut_tests: usize,
    pub search: Search,
}

impl SelftestReport {
    pub fn faults_caught(&self) -> usize {
        self.faults.iter().filter(|f| !f.caught_by.is_empty()).count()
    }

    /// Every fault caught, every check tripped, and a clean baseline.
    pub fn ok(&self) -> bool {
        self.baseline_failures.is_empty() && self.faults_caught() == self.faults.len() && self.never_failed.is_empty()
    }
}

async fn failing(tests: &[Test], reference: Reference, timeout: Duration) -> Vec<String> {
    if tests.is_empty() {
        return Vec::new();
    }
    let iut = BuiltinIut::new(reference);
    let plan = RunPlan {
        tests: tests.to_vec(),
        filters: Vec::new(),
        expectations: Expectations::default(),
        timeout,
        iut_endpoint: Some(iut.endpoint),
        jobs: std::thread::available_parallelism().map_or(2, |n| n.get()),
    };
    match run(plan, &iut.driver, |_, _| {}).await {
        Ok(outcome) => outcome
            .results
            .into_iter()
            // A rejection for another reason is noticed too: the result is marked `other-reason`.
            .filter(|r| matches!(r.status, Status::Fail | Status::Error | Status::Timeout) || r.other_reason)
            .map(|r| r.id)
            .collect(),
        Err(e) => vec![format!("(run failed: {e})")],
    }
}

/// How much of a fault's area `selftest` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Search {
    /// Every test of the area: `caught` counts every test that catches the fault.
    Exhaustive,
    /// The tests no fault has tripped yet, then the others a few at a time until one catches the
    /// fault (as cargo-mutants stops a mutant at its first failing test). It proves the same
    /// score in a fraction of the time; `caught` counts only the tests that ran.
    FirstCatch,
}

/// How many already-tripped tests a first-catch search runs at a time.
const CHUNK: usize = 8;

/// Where a self-test is, for a progress line.
#[derive(Debug, Clone, Copy)]
pub enum Step<'a> {
    /// Running the fault-free baseline.
    Baseline,
    /// Trying this fault.
    Trying(&'a Fault),
    /// Done with this fault: whether a test caught it.
    Tried(&'a Fault, bool),
}

/// Runs the implementation tests of `tests` once clean and once per fault.
pub async fn selftest(tests: &[Test], catalogs: Arc<Catalogs>, rev: ContentRev, search: Search) -> SelftestReport {
    selftest_observed(tests, catalogs, rev, search, |_| {}).await
}

/// [`selftest`], telling `step` where it is.
pub async fn selftest_observed(
    tests: &[Test],
    catalogs: Arc<Catalogs>,
    rev: ContentRev,
    search: Search,
    mut step: impl FnMut(Step),
) -> SelftestReport {
    let tests: Vec<Test> = tests.iter().filter(|t| t.target == Target::Iut).cloned().collect();
    let timeout = Duration::from_secs(10);
    step(Step::Baseline);
    let baseline_failures = failing(&tests, Reference::new(rev, FaultSet::NONE, catalogs.clone()), timeout).await;
    let mut faults = Vec::new();
    let mut tripped = BTreeSet::new();
    for fault in Fault::all() {
        step(Step::Trying(&fault));
        let faulty = || Reference::new(rev, FaultSet::NONE.with(fault), catalogs.clone());
        let area = tests.iter().filter(|t| sees(t, fault.area())).cloned();
        let caught_by = match search {
            Search::Exhaustive => failing(&area.collect::<Vec<_>>(), faulty(), timeout).await,
            Search::FirstCatch => {
                let (fresh, tried): (Vec<Test>, Vec<Test>) = area.partition(|t| !tripped.contains(&t.id));
                let mut caught = failing(&fresh, faulty(), timeout).await;
                for chunk in tried.chunks(CHUNK) {
                    if !caught.is_empty() {
                        break;
                    }
                    caught = failing(chunk, faulty(), timeout).await;
                }
                caught
            }
        };
        tripped.extend(caught_by.iter().cloned());
        step(Step::Tried(&fault, !caught_by.is_empty()));
        faults.push(FaultResult { fault, caught_by });
    }
    let never_failed = tests
        .iter()
        .map(|t| t.id.clone())
        .filter(|id| !tripped.contains(id))
        .collect();
    SelftestReport {
        baseline_failures,
        faults,
        never_failed,
        iut_tests: tests.len(),
        search,
    }
}

/// Whether test `t` looks at the part of the implementation `area` (content tests need not run
/// under a fault of the hub, nor scenarios under one of the content decoder).
fn sees(t: &Test, area: Area) -> bool {
    match (&t.check, area) {
        (Check::Driver(c), area) => matches!(
            (c.family(), area),
            (Family::Content, Area::Content) | (Family::Wire, Area::Wire) | (Family::Policy, Area::Policy)
        ),
        (Check::Scenario(..), Area::Https) => t.id.starts_with("protocol/"),
        (Check::Scenario(..), Area::Policy) => t.id.starts_with("policy/"),
        _ => false,
    }
}

/// The human-readable summary `selftest` prints.
pub fn render(r: &SelftestReport) -> String {
    let mut out = String::new();
    let caught_checks = r.iut_tests - r.never_failed.len();
    out.push_str(&format!(
        "baseline (no fault): {}\n\n",
        if r.baseline_failures.is_empty() {
            "every test passes".to_owned()
        } else {
            format!("FAILING {:?}", r.baseline_failures)
        }
    ));
    if r.search == Search::FirstCatch {
        out.push_str("first catch: each fault ran until a test caught it; `caught` counts the tests that ran\n\n");
    }
    out.push_str(&format!(
        "{:<40} {:>7}  first tests that caught it\n",
        "fault", "caught"
    ));
    for f in &r.faults {
        let first: Vec<&str> = f.caught_by.iter().take(3).map(String::as_str).collect();
        let more = if f.caught_by.len() > 3 {
            format!(" (+{})", f.caught_by.len() - 3)
        } else {
            String::new()
        };
        out.push_str(&format!(
            "{:<40} {:>7}  {}{}\n",
            f.fault.name(),
            f.caught_by.len(),
            if first.is_empty() {
                "NOT CAUGHT".to_owned()
            } else {
                first.join(", ")
            },
            more
        ));
    }
    out.push_str(&format!(
        "\nmutation score: {}/{} faults caught; {}/{} implementation checks fail under at least one fault\n",
        r.faults_caught(),
        r.faults.len(),
        caught_checks,
        r.iut_tests
    ));
    for id in &r.never_failed {
        out.push_str(&format!("  never failed: {id}\n"));
    }
    out
}
