//! CPU time spent inside openmls, summed over every thread: the crypto floor that
//! `mimi-conformance bench --scenarios` compares the whole suite with. Each MLS operation of this
//! module opens a [`Scope`], which adds the calling thread's CPU time from its creation to its drop
//! (MLS operations never await, so the thread is the operation's). CPU time, not wall time: other
//! processes on the machine do not inflate it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

static NANOS: AtomicU64 = AtomicU64::new(0);

/// Measures from its creation to its drop.
pub(crate) struct Scope(u64);

/// CPU nanoseconds of the calling thread.
fn thread_cpu_nanos() -> u64 {
    u64::try_from(crate::cpu_time::thread().as_nanos()).unwrap_or(u64::MAX)
}

pub(crate) fn scope() -> Scope {
    Scope(thread_cpu_nanos())
}

impl Drop for Scope {
    fn drop(&mut self) {
        NANOS.fetch_add(thread_cpu_nanos().saturating_sub(self.0), Ordering::Relaxed);
    }
}

/// The MLS time summed since the process started (or the last [`reset`]).
pub fn total() -> Duration {
    Duration::from_nanos(NANOS.load(Ordering::Relaxed))
}

/// Starts the sum again.
pub fn reset() {
    NANOS.store(0, Ordering::Relaxed);
}
