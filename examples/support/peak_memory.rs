//! A child process's peak memory, as its own VmHWM in `/proc/<pid>/status`, read until it exits
//! (rusage's maxrss would also count pages the child had from its parent before its exec).
//! Shared by `examples/hostile_matrix.rs` and the hostile trials.

use std::process::{Child, ExitStatus};
use std::time::Duration;

/// Waits for `child`; its exit status and its peak resident memory in KiB.
pub fn wait_with_peak(child: &mut Child) -> std::io::Result<(ExitStatus, u64)> {
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0u64;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok((status, peak_kib));
        }
        let hwm = std::fs::read_to_string(&status_file).ok().and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        });
        peak_kib = peak_kib.max(hwm.unwrap_or(0));
        std::thread::sleep(Duration::from_millis(5));
    }
}
