//! `mimi-conformance bench`: throughput of the content pipeline (decode + validate + message
//! ID) over the draft's examples, on one core. Figures in the README come from here.

use std::time::{Duration, Instant};

use crate::codec::content::{ContentRev, message_id};
use crate::validate::{Options, validate_content};
use crate::vectors::{CaseBody, VectorFile, Verdict};

/// What a benchmark run measured.
#[derive(Debug, Clone)]
pub struct BenchResult {
    pub messages: u64,
    pub bytes: u64,
    pub elapsed: Duration,
    /// CPU time of the measuring thread: unlike wall time, not inflated by other processes.
    pub cpu: Duration,
    pub distinct: usize,
}

impl BenchResult {
    /// Messages per second of this thread's CPU time.
    pub fn per_cpu_second(&self) -> f64 {
        self.messages as f64 / self.cpu.as_secs_f64()
    }

    pub fn per_wall_second(&self) -> f64 {
        self.messages as f64 / self.elapsed.as_secs_f64()
    }
}

/// Runs the pipeline over every valid content vector for about `duration`.
pub fn run(files: &[VectorFile], duration: Duration) -> BenchResult {
    let inputs: Vec<(&[u8], &str, &str)> = files
        .iter()
        .flat_map(|f| &f.cases)
        .filter(|c| c.head.result == Verdict::Valid && c.head.flags.iter().any(|f| f == "DraftExample"))
        .filter_map(|c| match &c.body {
            CaseBody::Content { cbor, sender, room, .. } => Some((cbor.as_slice(), sender.as_str(), room.as_str())),
            _ => None,
        })
        .collect();
    let (mut messages, mut bytes) = (0u64, 0u64);
    let started = Instant::now();
    let cpu_start = crate::cpu_time::thread();
    while started.elapsed() < duration && !inputs.is_empty() {
        for &(cbor, sender, room) in &inputs {
            let report = validate_content(cbor, Options::default());
            let content = report.content.expect("the draft examples decode");
            let id = message_id(ContentRev::Rev08, sender, room, cbor, &content.salt).expect("short URIs");
            std::hint::black_box((id, report.findings));
            messages += 1;
            bytes += cbor.len() as u64;
        }
    }
    BenchResult {
        messages,
        bytes,
        elapsed: started.elapsed(),
        cpu: crate::cpu_time::thread().saturating_sub(cpu_start),
        distinct: inputs.len(),
    }
}

/// What `bench --scenarios` measured.
#[derive(Debug, Clone)]
pub struct ScenarioBench {
    pub rounds: u32,
    pub scenarios: usize,
    pub jobs: usize,
    pub wall: Duration,
    /// CPU time of the whole process (every thread, user and system).
    pub cpu: Duration,
    /// Time spent inside openmls, summed over threads (the crypto floor).
    pub mls: Duration,
    pub failed: usize,
}

/// Runs every scenario test of `tests` against the built-in implementation, round after round
/// for about `duration`, and compares the process's CPU time with the time spent in openmls.
pub async fn scenarios(
    tests: Vec<crate::harness::Test>,
    driver: &crate::driver::Driver,
    jobs: usize,
    duration: Duration,
) -> Result<ScenarioBench, crate::harness::RunError> {
    use crate::harness::scenario::IutEndpoint;
    use crate::harness::{Expectations, RunPlan, Status, run};
    let tests: Vec<_> = tests
        .into_iter()
        .filter(|t| matches!(t.check, crate::harness::Check::Scenario(..)))
        .collect();
    let scenarios = tests.len();
    let (started, cpu_start) = (Instant::now(), crate::cpu_time::process());
    crate::mls::timing::reset();
    let (mut rounds, mut failed) = (0, 0);
    while rounds == 0 || started.elapsed() < duration {
        let plan = RunPlan {
            tests: tests.clone(),
            filters: Vec::new(),
            expectations: Expectations::default(),
            timeout: Duration::from_secs(10),
            iut_endpoint: Some(IutEndpoint::Builtin(Default::default())),
            jobs,
        };
        let outcome = run(plan, driver, |_, _| {}).await?;
        failed += outcome.results.iter().filter(|r| r.status != Status::Pass).count();
        rounds += 1;
    }
    Ok(ScenarioBench {
        rounds,
        scenarios,
        jobs,
        wall: started.elapsed(),
        cpu: crate::cpu_time::process().saturating_sub(cpu_start),
        mls: crate::mls::timing::total(),
        failed,
    })
}
