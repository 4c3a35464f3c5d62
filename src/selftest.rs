//! Mutation testing of the suite itself: run every test against the reference implementation
//! with each fault switched on, and show which tests catch it. A fault no test catches, or an
//! implementation test no fault ever trips, is a hole: a test that cannot fail is a defect.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use crate::codec::content::ContentRev;
use crate::driver::Driver;
use crate::harness::scenario::IutEndpoint;
use crate::harness::{Expectations, RunPlan, Status, Target, Test, run};
use crate::provider::{Area, Fault, Reference};
use crate::spec::Catalogs;
use crate::suites::Check;

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
    let iut_endpoint = Some(IutEndpoint::Builtin(reference.behaviour()));
    let driver = Driver::builtin(reference.name(), Arc::new(reference));
    let plan = RunPlan {
        tests: tests.to_vec(),
        filters: Vec::new(),
        expectations: Expectations::default(),
        timeout,
        iut_endpoint,
        jobs: std::thread::available_parallelism().map_or(2, |n| n.get()),
    };
    match run(plan, &driver, |_, _| {}).await {
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

/// Runs the implementation tests of `tests` once clean and once per fault.
pub async fn selftest(tests: &[Test], catalogs: Arc<Catalogs>, rev: ContentRev) -> SelftestReport {
    let tests: Vec<Test> = tests.iter().filter(|t| t.target == Target::Iut).cloned().collect();
    let timeout = Duration::from_secs(10);
    let baseline_failures = failing(&tests, Reference::new(rev, BTreeSet::new(), catalogs.clone()), timeout).await;
    let mut faults = Vec::new();
    let mut tripped = BTreeSet::new();
    for fault in Fault::all() {
        let area: Vec<Test> = tests.iter().filter(|t| sees(t, fault.area())).cloned().collect();
        let caught_by = failing(
            &area,
            Reference::new(rev, BTreeSet::from([fault]), catalogs.clone()),
            timeout,
        )
        .await;
        tripped.extend(caught_by.iter().cloned());
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
    }
}

/// Whether test `t` looks at the part of the implementation `area` (content tests need not run
/// under a fault of the hub, nor scenarios under one of the content decoder).
fn sees(t: &Test, area: Area) -> bool {
    match (&t.check, area) {
        (Check::Content(_), Area::Content) | (Check::Wire(_), Area::Wire) | (Check::Policy(_), Area::Policy) => true,
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
