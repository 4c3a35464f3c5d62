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
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec through a valid pointer.
    unsafe {
        libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts);
    }
    (ts.tv_sec as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(ts.tv_nsec as u64)
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
