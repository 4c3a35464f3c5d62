//! Time spent inside openmls, summed over every thread: the crypto floor that
//! `mimi-conformance bench --scenarios` compares the whole suite with. Each MLS operation of this
//! module opens a [`Scope`] (an atomic add when it ends; a few nanoseconds).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

static NANOS: AtomicU64 = AtomicU64::new(0);

/// Measures from its creation to its drop.
pub(crate) struct Scope(Instant);

pub(crate) fn scope() -> Scope {
    Scope(Instant::now())
}

impl Drop for Scope {
    fn drop(&mut self) {
        let n = u64::try_from(self.0.elapsed().as_nanos()).unwrap_or(u64::MAX);
        NANOS.fetch_add(n, Ordering::Relaxed);
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
