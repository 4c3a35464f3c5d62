//! Running tests: driver tests one after another (a driver may be a single stdio process),
//! scenarios side by side (`jobs` at a time, each in its own namespace of domains) against the
//! built-in implementation, or one after another against an implementation outside the process
//! (it holds one provider at a time), streaming each result as it ends; the results come back in
//! the tests' order.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use globset::{Glob, GlobMatcher};
use serde::Serialize;

use super::Check;
use super::expectations::Expected;
use super::{Expectations, Outcome, Status, Test, TestResult, Transcript};
use crate::driver::messages::{Capabilities, Mode, Rejection};
use crate::driver::{Driver, ops};
use crate::harness::scenario::{IutEndpoint, OutsideIut, run_scenario};

/// The breaker's window: the last this many driver calls (driver tests, and scenarios an
/// outside implementation plays).
const BREAKER_WINDOW: usize = 9;
/// Once this many calls of the window timed out or lost the transport (three in a row, or a
/// third of the last nine: an adapter answering one call in three), the rest are not attempted.
const BREAKER_TRIP: usize = 3;

/// A circuit breaker counting a rate over a sliding window, not a streak: an implementation that
/// answers now and then must not hold a run for every remaining timeout.
#[derive(Default)]
struct Breaker {
    last: VecDeque<bool>,
}

impl Breaker {
    fn record(&mut self, silent: bool) {
        if self.last.len() == BREAKER_WINDOW {
            self.last.pop_front();
        }
        self.last.push_back(silent);
    }

    fn silent(&self) -> usize {
        self.last.iter().filter(|s| **s).count()
    }

    fn tripped(&self) -> bool {
        self.silent() >= BREAKER_TRIP
    }
}

/// What to run and how.
pub struct RunPlan {
    /// Every test of the selected suites (the filtered-out ones are reported as skip).
    pub tests: Vec<Test>,
    /// Globs over test ids; a pattern without glob characters is an id prefix. Empty: all.
    pub filters: Vec<String>,
    pub expectations: Expectations,
    /// Per driver call, and per scenario step.
    pub timeout: Duration,
    /// Where scenarios find the implementation's HTTPS side; `None`: scenarios are unsupported.
    pub iut_endpoint: Option<IutEndpoint>,
    /// How many scenarios run at once (at least 1).
    pub jobs: usize,
}

/// Why a run could not happen at all.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("no test matches --filter {0:?}")]
    NothingSelected(Vec<String>),
    #[error("the implementation under test is unreachable: {0}")]
    Unreachable(String),
    #[error("bad --filter pattern {0:?}: {1}")]
    BadFilter(String, String),
}

/// Who was tested.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct IutInfo {
    pub name: String,
    pub version: String,
    pub driver: String,
    pub ops: Vec<String>,
    pub drafts: BTreeMap<String, String>,
    /// Who played its users in the protocol scenarios (`full-client` or `server-only`).
    pub mode: Mode,
}

/// Everything a run produced.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    pub iut: IutInfo,
    pub results: Vec<TestResult>,
    /// Why the run stopped before all its tests ran (`--deadline`); the report's abort reason.
    pub aborted: Option<String>,
}

impl RunOutcome {
    pub fn counts(&self) -> BTreeMap<Status, usize> {
        let mut c: BTreeMap<Status, usize> = Status::ALL.iter().map(|&s| (s, 0)).collect();
        for r in &self.results {
            *c.entry(r.status).or_default() += 1;
        }
        c
    }

    /// How many tests were carried out (neither skipped nor unsupported).
    pub fn executed(&self) -> usize {
        self.results.iter().filter(|r| r.status.executed()).count()
    }

    /// Whether the run fails: an error, timeout or xpass, or a `fail` of a `required` MUST
    /// (`strict`: any `fail`).
    pub fn blocks(&self, strict: bool) -> bool {
        self.results.iter().any(|r| r.blocks(strict))
    }
}

/// Which tests `--filter` selects: globs over ids, or id prefixes (`content/6`). Empty: all.
pub struct Selection(Vec<Filter>);

enum Filter {
    Prefix(String),
    Glob(GlobMatcher),
}

impl Selection {
    pub fn parse(patterns: &[String]) -> Result<Self, RunError> {
        let filters = patterns
            .iter()
            .map(|p| {
                if p.contains(['*', '?', '[', '{']) {
                    Glob::new(p)
                        .map(|g| Filter::Glob(g.compile_matcher()))
                        .map_err(|e| RunError::BadFilter(p.clone(), e.to_string()))
                } else {
                    Ok(Filter::Prefix(p.clone()))
                }
            })
            .collect::<Result<_, _>>()?;
        Ok(Selection(filters))
    }

    pub fn selects(&self, id: &str) -> bool {
        self.0.is_empty()
            || self.0.iter().any(|f| match f {
                Filter::Prefix(p) => id.starts_with(p.as_str()),
                Filter::Glob(g) => g.is_match(id),
            })
    }
}

/// Runs the plan; `on_result` sees each result as soon as it exists.
pub async fn run(
    plan: RunPlan,
    driver: &Driver,
    on_result: impl FnMut(&IutInfo, &TestResult),
) -> Result<RunOutcome, RunError> {
    run_until(plan, driver, None, on_result).await
}

/// `run --deadline`: when the run must end, and what the tests it cuts short or leaves out say.
#[derive(Debug, Clone, Copy)]
struct Deadline(Option<(tokio::time::Instant, Duration)>);

impl Deadline {
    fn expired(self) -> bool {
        self.0.is_some_and(|(at, _)| tokio::time::Instant::now() >= at)
    }

    fn length(self) -> Duration {
        self.0.map_or(Duration::ZERO, |(_, d)| d)
    }

    fn not_run(self) -> String {
        format!("not run: the run's --deadline of {:?} expired", self.length())
    }

    fn cut_short(self) -> String {
        format!("the run's --deadline of {:?} expired during this test", self.length())
    }

    /// `f`, unless the deadline passes first.
    async fn within<F: std::future::Future>(self, f: F) -> Option<F::Output> {
        match self.0 {
            Some((at, _)) => tokio::time::timeout_at(at, f).await.ok(),
            None => Some(f.await),
        }
    }
}

/// [`run`] within `deadline` of its start (`run --deadline`): past it, the test under way ends as a
/// `timeout`, every test not yet run is an `error` saying it was not run, and the outcome says why
/// the run was cut (every test still has a result: the report is never lost).
pub async fn run_until(
    plan: RunPlan,
    driver: &Driver,
    deadline: Option<Duration>,
    mut on_result: impl FnMut(&IutInfo, &TestResult),
) -> Result<RunOutcome, RunError> {
    let deadline = Deadline(deadline.map(|d| (tokio::time::Instant::now() + d, d)));
    let selection = Selection::parse(&plan.filters)?;
    let selected = |t: &Test| selection.selects(&t.id);
    if !plan.tests.iter().any(selected) {
        return Err(RunError::NothingSelected(plan.filters.clone()));
    }
    let iut = introduce(driver, plan.timeout).await?;
    // An implementation outside the process plays its roles in the mode it declares.
    let iut_endpoint = match plan.iut_endpoint {
        Some(IutEndpoint::Outside(o)) => Some(IutEndpoint::Outside(OutsideIut {
            mode: iut.mode,
            grants_consent: iut.ops.iter().any(|op| op == ops::CONSENT_GRANT),
            ..o
        })),
        other => other,
    };

    let count = plan.tests.len();
    let mut slots: Vec<Option<TestResult>> = (0..count).map(|_| None).collect();
    let mut scenarios = tokio::task::JoinSet::new();
    let permits = Arc::new(tokio::sync::Semaphore::new(plan.jobs.max(1)));
    // Driver calls that timed out or lost the transport: past a few of the last ones, the
    // implementation has stopped answering, and waiting out every remaining timeout helps nobody.
    let mut breaker = Breaker::default();
    // Scenarios on the built-in implementation run side by side, in tasks: they are started
    // before the tests run inline (those that wait on purpose first), so that all overlap.
    let builtin = matches!(iut_endpoint, Some(IutEndpoint::Builtin(_)));
    let rank = |t: &Test| match &t.check {
        Check::Scenario(s, _) if builtin && s.waits() => 0,
        Check::Scenario(..) if builtin => 1,
        _ => 2,
    };
    let mut order: Vec<(usize, Test)> = plan.tests.into_iter().enumerate().collect();
    order.sort_by_key(|(index, t)| (rank(t), *index));
    for (index, test) in order {
        let started = Instant::now();
        let expectation = plan.expectations.lookup(&test.id).cloned();
        // A scenario the implementation outside the process plays: inline (one at a time), its
        // driver's silence counted like a driver test's.
        let outside = match (&test.check, iut_endpoint) {
            (Check::Scenario(s, _), Some(IutEndpoint::Outside(o))) => Some((s.clone(), o)),
            _ => None,
        };
        let decided = if !selected(&test) {
            Some(Outcome::new(Status::Skip, "not selected by --filter"))
        } else {
            decided_without_running(&test, expectation.as_ref(), deadline, &breaker, &iut, outside.as_ref())
        };
        let known = test
            .known_erratum
            .clone()
            .or_else(|| expectation.as_ref().map(|e| format!("expectations: {}", e.reason)));
        if let Some(outcome) = decided {
            let result = finish(test, outcome, None, &iut, Transcript::default(), started);
            on_result(&iut, &result);
            slots[index] = Some(result);
            continue;
        }
        if let (Check::Scenario(scenario, ciphersuite), Some(endpoint @ IutEndpoint::Builtin(_))) =
            (&test.check, iut_endpoint)
        {
            let task = ScenarioTask {
                index,
                scenario: scenario.clone(),
                ciphersuite: *ciphersuite,
                endpoint,
                timeout: plan.timeout,
                known,
                info: iut.clone(),
                permits: permits.clone(),
                deadline,
            };
            scenarios.spawn(task.run(test));
            continue;
        }
        let mut transcript = Transcript::default();
        let running = test.check.run(driver, iut_endpoint, plan.timeout, &mut transcript);
        let o = deadline
            .within(running)
            .await
            .unwrap_or_else(|| Outcome::new(Status::Timeout, deadline.cut_short()));
        if test.op.is_some() {
            breaker.record(matches!(o.status, Status::Timeout | Status::Error));
        } else if outside.is_some() {
            // An outside implementation's scenario errs for many reasons of its own (an
            // unreachable --iut-url among them, each named); only silence trips the breaker.
            breaker.record(o.status == Status::Timeout);
        }
        let result = finish(test, o, known, &iut, transcript, started);
        on_result(&iut, &result);
        slots[index] = Some(result);
        while let Some(done) = scenarios.try_join_next() {
            collect(done, &mut slots, &iut, &mut on_result);
        }
    }
    while let Some(done) = scenarios.join_next().await {
        collect(done, &mut slots, &iut, &mut on_result);
    }
    let results: Vec<TestResult> = slots.into_iter().flatten().collect();
    let (unrun, cut) = (deadline.not_run(), deadline.cut_short());
    let unrun = results.iter().filter(|r| r.message.starts_with(&unrun)).count();
    let cut = results.iter().filter(|r| r.message.starts_with(&cut)).count();
    let aborted = deadline.0.filter(|_| unrun + cut > 0).map(|(_, d)| {
        format!("the run's --deadline of {d:?} expired: {cut} tests cut short, {unrun} of {count} not run")
    });
    Ok(RunOutcome { iut, results, aborted })
}

/// The implementation as its `capabilities` describe it.
async fn introduce(driver: &Driver, timeout: Duration) -> Result<IutInfo, RunError> {
    let mut first = Transcript::default();
    let caps: Capabilities = driver
        .call(ops::CAPABILITIES, &serde_json::json!({}), timeout, &mut first.exchanges)
        .await
        .map_err(|e| RunError::Unreachable(format!("{}: {e}", driver.describe())))?;
    Ok(IutInfo {
        name: caps.name,
        version: caps.version,
        driver: driver.describe(),
        ops: caps.ops,
        drafts: caps.drafts,
        mode: caps.mode,
    })
}

/// The outcome of a selected test that is not run: the expectations file skips it or calls it
/// unsupported, the deadline passed, the implementation stopped answering, it lacks the
/// operation, or it cannot play the scenario. `None`: run it.
fn decided_without_running(
    test: &Test,
    expectation: Option<&super::Expectation>,
    deadline: Deadline,
    breaker: &Breaker,
    iut: &IutInfo,
    outside: Option<&(Arc<crate::harness::scenario::Scenario>, OutsideIut)>,
) -> Option<Outcome> {
    if let Some(e) = expectation.filter(|e| e.status != Expected::Xfail) {
        let status = if e.status == Expected::Skip {
            Status::Skip
        } else {
            Status::Unsupported
        };
        Some(Outcome::new(status, format!("expectations: {}", e.reason)))
    } else if deadline.expired() {
        Some(Outcome::new(Status::Error, deadline.not_run()))
    } else if breaker.tripped() && (test.op.is_some() || outside.is_some()) {
        Some(Outcome::new(
            Status::Error,
            format!(
                "not run: the implementation stopped answering ({} of its last {} calls timed out or failed)",
                breaker.silent(),
                breaker.last.len()
            ),
        ))
    } else if let Some(op) = test.op.filter(|op| !iut.ops.iter().any(|o| o == op)) {
        Some(Outcome::new(
            Status::Unsupported,
            format!("the implementation does not list operation {op}"),
        ))
    } else if let Some((scenario, o)) = outside {
        o.excuse(scenario, &iut.ops)
    } else {
        None
    }
}

/// A scenario on the built-in implementation, run in a task of its own beside the others.
struct ScenarioTask {
    index: usize,
    scenario: Arc<crate::harness::scenario::Scenario>,
    ciphersuite: u16,
    endpoint: IutEndpoint,
    timeout: Duration,
    known: Option<String>,
    info: IutInfo,
    permits: Arc<tokio::sync::Semaphore>,
    deadline: Deadline,
}

impl ScenarioTask {
    async fn run(self, test: Test) -> (usize, TestResult) {
        let ScenarioTask {
            index,
            scenario,
            ciphersuite,
            endpoint,
            timeout,
            known,
            info,
            permits,
            deadline,
        } = self;
        let permit = deadline.within(permits.acquire_owned()).await;
        let started = Instant::now();
        let Some(_permit) = permit else {
            let o = Outcome::new(Status::Error, deadline.not_run());
            return (index, finish(test, o, None, &info, Transcript::default(), started));
        };
        // An inner task, so that a panic in it becomes this test's `error`, not a lost result.
        let mut inner = tokio::spawn(async move {
            let mut transcript = Transcript::default();
            let o = run_scenario(&scenario, endpoint, None, ciphersuite, timeout, &mut transcript).await;
            (o, transcript)
        });
        let Some(ran) = deadline.within(&mut inner).await else {
            inner.abort();
            let o = Outcome::new(Status::Timeout, deadline.cut_short());
            return (index, finish(test, o, None, &info, Transcript::default(), started));
        };
        let (o, transcript) = ran.unwrap_or_else(|e| {
            (
                Outcome::error(format!("the scenario's task failed: {e}")),
                Transcript::default(),
            )
        });
        (index, finish(test, o, known, &info, transcript, started))
    }
}

/// A test's result from its outcome: a fail of a known erratum or expected gap is xfail, a pass
/// xpass; a passing test's transcript is dropped (it says nothing new; reports stay small).
fn finish(
    test: Test,
    o: Outcome,
    known: Option<String>,
    iut: &IutInfo,
    mut transcript: Transcript,
    started: Instant,
) -> TestResult {
    let o = match revision_note(&test.spec, &iut.drafts) {
        Some(note) if o.message.is_empty() => Outcome { message: note, ..o },
        Some(note) => Outcome {
            message: format!("{}\n{note}", o.message),
            ..o
        },
        None => o,
    };
    let outcome = match (known, o.status) {
        (Some(why), Status::Fail) => Outcome {
            status: Status::Xfail,
            message: format!("{why}\n{}", o.message),
            ..o
        },
        (Some(why), Status::Pass) => Outcome {
            status: Status::Xpass,
            message: format!("passed, though expected to fail: {why}"),
            ..o
        },
        _ => o,
    };
    if outcome.status == Status::Pass {
        transcript = Transcript::default();
    }
    let transcript = transcript.bounded();
    // A failure is charged to the requirements whose check did not hold (all, unless the check
    // named some); it weighs what the strongest of them weighs (`TestResult::weighing`).
    let failed: Vec<String> = match outcome.status {
        Status::Fail | Status::Xfail if outcome.failed.is_empty() => test.spec.iter().map(|s| s.req.clone()).collect(),
        Status::Fail | Status::Xfail => outcome.failed,
        _ => Vec::new(),
    };
    let role = test.check.iut_role();
    let mut result = TestResult {
        id: test.id,
        title: test.title,
        status: outcome.status,
        target: test.target,
        spec: test.spec,
        message: super::clip_to(&outcome.message, super::MESSAGE_MAX),
        failed,
        basis: None,
        level: None,
        // Kept with every result, pass or fail: cut, as an answer may be as large as 16 MiB.
        rejection: outcome.rejection.map(|j| Rejection {
            reason: j.reason.as_deref().map(super::clip),
            rule: j.rule.as_deref().map(super::clip),
            section: j.section.as_deref().map(super::clip),
        }),
        other_reason: outcome.other_reason,
        cause: outcome.cause,
        role,
        duration_ms: started.elapsed().as_millis() as u64,
        transcript,
    };
    if !result.failed.is_empty() {
        (result.basis, result.level) = result.weighing().map(|s| (s.basis, s.level)).unzip();
    }
    result
}

/// What a result says when the implementation claims (`capabilities.drafts`) another revision of
/// a draft the test is of.
fn revision_note(spec: &[crate::spec::SpecRef], claimed: &BTreeMap<String, String>) -> Option<String> {
    spec.iter().find_map(|s| {
        let rev = claimed.get(&s.doc).filter(|r| **r != s.rev)?;
        Some(format!(
            "the implementation claims {}-{rev}; this test is of revision {}",
            s.doc, s.rev
        ))
    })
}

/// Files a finished scenario's result; a scenario task that panicked is lost, not the run.
fn collect(
    done: Result<(usize, TestResult), tokio::task::JoinError>,
    slots: &mut [Option<TestResult>],
    iut: &IutInfo,
    on_result: &mut impl FnMut(&IutInfo, &TestResult),
) {
    match done {
        Ok((index, result)) => {
            on_result(iut, &result);
            slots[index] = Some(result);
        }
        Err(e) => tracing::error!("a scenario task failed: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Level, SpecRef};

    #[test]
    fn the_breaker_trips_on_a_third_of_the_window_not_only_on_a_streak() {
        let trips = |calls: &str| {
            let mut b = Breaker::default();
            calls.chars().any(|c| {
                b.record(c == 't');
                b.tripped()
            })
        };
        assert!(trips("aatttaa"), "three in a row");
        assert!(trips("attatt"), "one call in three answered");
        assert!(!trips("aataaaataaaaataaaa"), "at most two in any nine");
    }

    #[test]
    fn a_test_of_a_revision_the_implementation_does_not_claim_says_so() {
        let spec = [SpecRef {
            doc: "draft-ietf-mimi-protocol".into(),
            rev: "06".into(),
            section: "5.2".into(),
            req: "PROT-05".into(),
            level: Level::Must,
            basis: Default::default(),
            reading: None,
        }];
        let claims = |rev: &str| BTreeMap::from([("draft-ietf-mimi-protocol".to_owned(), rev.to_owned())]);
        assert_eq!(revision_note(&spec, &claims("06")), None);
        assert_eq!(revision_note(&spec, &BTreeMap::new()), None);
        let note = revision_note(&spec, &claims("05")).expect("a note");
        assert!(
            note.contains("claims draft-ietf-mimi-protocol-05") && note.contains("revision 06"),
            "{note}"
        );
    }
}
