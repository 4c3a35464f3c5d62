//! Generates the README's hostile matrix: every behaviour of `examples/hostile_adapter.rs`, over
//! stdio and over HTTP, run against the content examples (`run --suite content --filter
//! content/5`), with the statuses, the first message, the binary's peak memory (VmHWM) and the
//! size of report.json. Writes the table between the README's markers (or prints it).
//!
//! ```sh
//! cargo build --bins --examples && cargo run --example hostile_matrix -- README.md
//! ```

#[path = "hostile_adapter.rs"]
#[allow(dead_code)]
mod adapter;
#[path = "support/peak_memory.rs"]
mod peak_memory;

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

const START: &str = "<!-- hostile-matrix:start (cargo run --example hostile_matrix -- README.md) -->";
const END: &str = "<!-- hostile-matrix:end -->";

struct Row {
    exit: i32,
    statuses: String,
    message: String,
    peak_mib: u64,
    report_bytes: u64,
    secs: f64,
}

fn examples_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    exe.parent().expect("examples dir").to_owned()
}

/// One run of the binary against `driver` args, measured.
fn measure(driver: &[String], out: &Path) -> Row {
    let bin = examples_dir().parent().expect("target dir").join("mimi-conformance");
    let _ = std::fs::remove_dir_all(out);
    let started = Instant::now();
    let mut child = Command::new(&bin)
        .args([
            "run",
            "--quiet",
            "--suite",
            "content",
            "--filter",
            "content/5",
            "--timeout",
            "1",
        ])
        .args(["--deadline", "60", "--out", out.to_str().expect("utf-8")])
        .args(driver)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the binary (cargo build --bins first)");
    let stderr = child.stderr.take().expect("stderr");
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok).take(20) {
            s.push_str(&line);
            s.push('\n');
        }
        s
    });
    let (status, peak_kib) = peak_memory::wait_with_peak(&mut child).expect("wait");
    let exit = status.code().unwrap_or(-1);
    let secs = started.elapsed().as_secs_f64();
    let stderr = err.join().unwrap_or_default();
    let report_bytes = std::fs::metadata(out.join("report.json")).map_or(0, |m| m.len());
    let report: serde_json::Value = std::fs::read(out.join("report.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let results = report["results"].as_array().cloned().unwrap_or_default();
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for r in &results {
        let s = r["status"].as_str().unwrap_or("?").to_owned();
        if s != "skip" {
            *counts.entry(s).or_default() += 1;
        }
    }
    let statuses = counts
        .iter()
        .map(|(s, n)| format!("{n} {s}"))
        .collect::<Vec<_>>()
        .join(", ");
    let message = results
        .iter()
        .find(|r| !matches!(r["status"].as_str(), Some("pass" | "skip" | "xfail")))
        .and_then(|r| r["message"].as_str().map(str::to_owned))
        .or_else(|| report["aborted"].as_str().map(str::to_owned))
        .unwrap_or_else(|| stderr.lines().next().unwrap_or("").to_owned());
    Row {
        exit,
        statuses: if statuses.is_empty() {
            "(no results)".into()
        } else {
            statuses
        },
        message: cell(&message, 110),
        peak_mib: peak_kib.div_ceil(1024),
        report_bytes,
        secs,
    }
}

/// `s` as one table cell: its first line, without this machine's paths and ports, control
/// characters and pipes made harmless, cut.
fn cell(s: &str, max: usize) -> String {
    let line = s
        .lines()
        .next()
        .unwrap_or("")
        .replace(&examples_dir().display().to_string(), "examples");
    let mut line = line.as_str().to_owned();
    while let Some(at) = line.find("127.0.0.1:").map(|i| i + "127.0.0.1:".len()) {
        let digits = line[at..].chars().take_while(char::is_ascii_digit).count();
        if digits == 0 {
            break;
        }
        line.replace_range(at - "127.0.0.1:".len()..at + digits, "localhost:PORT");
    }
    let line = line.as_str();
    let clean: String = line
        .chars()
        .map(|c| if c.is_control() { '·' } else { c })
        .take(max)
        .collect();
    let cut = if line.chars().count() > max { "…" } else { "" };
    format!(
        "{}{cut}",
        clean.replace('|', "\\|").replace('`', "'").replace('<', "&lt;")
    )
}

fn main() {
    let readme = std::env::args().nth(1);
    let adapter = examples_dir().join("hostile_adapter");
    assert!(adapter.is_file(), "build the adapter first: cargo build --examples");
    let work = std::env::temp_dir().join(format!("hostile-matrix-{}", std::process::id()));
    let mut table = String::from(
        "| behaviour | what the adapter does after `capabilities` | transport | exit | statuses (13 tests) | first message | peak memory | report.json | wall |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    for (kind, what) in adapter::KINDS {
        for transport in ["stdio", "HTTP"] {
            let out = work.join(format!("{kind}-{transport}"));
            let (row, server) = if transport == "stdio" {
                let cmd = format!("{} {kind} --stdio", adapter.display());
                (measure(&["--iut-driver-cmd".into(), cmd], &out), None)
            } else {
                let mut server = Command::new(&adapter)
                    .args([kind, "--listen", "127.0.0.1:0"])
                    .stdout(Stdio::piped())
                    .spawn()
                    .expect("start the adapter");
                let mut addr = String::new();
                std::io::BufReader::new(server.stdout.take().expect("stdout"))
                    .read_line(&mut addr)
                    .expect("its address");
                let url = format!("http://{}", addr.trim());
                (measure(&["--iut-driver".into(), url], &out), Some(server))
            };
            if let Some(mut s) = server {
                let _ = s.kill();
                let _ = s.wait();
            }
            eprintln!("{kind} {transport}: exit {} in {:.1} s", row.exit, row.secs);
            table.push_str(&format!(
                "| `{kind}` | {what} | {transport} | {} | {} | {} | {} MiB | {:.1} kB | {:.1} s |\n",
                row.exit,
                row.statuses,
                row.message,
                row.peak_mib,
                row.report_bytes as f64 / 1e3,
                row.secs
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&work);
    match readme {
        Some(path) => {
            let text = std::fs::read_to_string(&path).expect("read the README");
            let (Some(a), Some(b)) = (text.find(START), text.find(END)) else {
                panic!("{path} has no hostile-matrix markers");
            };
            let new = format!("{}{START}\n{table}{}", &text[..a], &text[b..]);
            std::fs::write(&path, new).expect("write the README");
        }
        None => print!("{table}"),
    }
}
