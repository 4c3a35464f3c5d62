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

/// CPU time the calling thread has used.
fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec through a valid pointer.
    unsafe {
        libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts);
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
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
    let cpu_start = thread_cpu_time();
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
        cpu: thread_cpu_time().saturating_sub(cpu_start),
        distinct: inputs.len(),
    }
}
