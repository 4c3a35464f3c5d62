//! Hostile implementations, issue 12: time (the breaker's rate, `run --deadline`, a stdio stream
//! cut mid-frame), the adapter's process group, the whole-report budget, and the fuzz targets'
//! bodies on a fixed corpus. Every trial goes through the binary, as a user would.

use std::path::Path;
use std::time::{Duration, Instant};

use libtest_mimic::{Failed, Trial};
use serde_json::Value;

use crate::common::{bin, cli, ensure, temp_dir};

/// The fuzz targets' bodies (`fuzz/`, not in the root workspace), compiled here on stable.
#[path = "../../fuzz/src/bodies.rs"]
#[allow(dead_code)]
mod bodies;

/// The hostile adapter's behaviours (`examples/hostile_adapter.rs`), for the README's matrix.
#[path = "../../examples/hostile_adapter.rs"]
#[allow(dead_code)]
mod adapter;

/// A few deterministic mutants of `input` (xorshift; flips, cuts, insertions, repeats).
fn mutants(input: &[u8], seed: u64, n: usize) -> Vec<Vec<u8>> {
    let mut x = seed | 1;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..n)
        .map(|_| {
            let mut b = input.to_vec();
            for _ in 0..1 + next() % 3 {
                let at = (next() as usize) % (b.len() + 1);
                match next() % 5 {
                    0 if at < b.len() => b[at] ^= 1 << (next() % 8),
                    1 => b.insert(at, next() as u8),
                    2 => b.truncate(at),
                    3 if at < b.len() => {
                        let piece = b[at..(at + 1 + next() as usize % 32).min(b.len())].to_vec();
                        b.splice(at..at, piece);
                    }
                    _ if at < b.len() => b[at] = [0x00, 0xff, 0x7f, 0x80, 0x1b, 0x9f, b'\n', b':'][next() as usize % 8],
                    _ => {}
                }
            }
            b
        })
        .collect()
}

/// `run` with `args`, its report.json read back: (exit code, stderr, report, seconds taken).
fn run_cli(args: &[&str], dir: &Path) -> Result<(i32, String, Value, f64), Failed> {
    let started = Instant::now();
    let mut all = vec!["run", "--quiet", "--out", dir.to_str().ok_or("utf-8 path")?];
    all.extend_from_slice(args);
    let (code, _, err) = cli(&all);
    let secs = started.elapsed().as_secs_f64();
    let text = std::fs::read_to_string(dir.join("report.json")).map_err(|e| format!("exit {code}: {err}: {e}"))?;
    let report: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    Ok((code, err, report, secs))
}

/// Each result's (id, status, message).
fn results(report: &Value) -> Vec<(String, String, String)> {
    report["results"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
                    let f = |k: &str| r[k].as_str().unwrap_or_default().to_owned();
                    (f("id"), f("status"), f("message"))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The reference's answer to `capabilities`, as a shell command's first line of output.
fn capabilities_line() -> String {
    format!(r#"read l; printf '%s\n' "$l" | {} driver --stdio"#, bin().display())
}

pub fn trials() -> Vec<Trial> {
    vec![
        Trial::test(
            "hostile/an-adapter-answering-one-call-in-three-trips-the-breaker",
            || {
                // Of every three calls after capabilities, two get no answer at all.
                let script = format!(
                    r#"{}; i=2; while read l; do if [ $((i % 3)) -eq 0 ]; then printf '{{"id":%d,"result":{{"accepted":true}}}}\n' $i; fi; i=$((i+1)); done"#,
                    capabilities_line()
                );
                let dir = temp_dir("one-in-three");
                let (code, err, report, secs) = run_cli(
                    &["--suite", "content", "--timeout", "2", "--iut-driver-cmd", &script],
                    &dir,
                )?;
                let all = results(&report);
                let timeouts = all.iter().filter(|r| r.1 == "timeout").count();
                let stopped = all
                    .iter()
                    .filter(|r| r.1 == "error" && r.2.contains("stopped answering (3 of its last"))
                    .count();
                ensure(
                    code == 1 && timeouts <= 4 && stopped > 100 && secs < 60.0,
                    format!("exit {code} in {secs:.1} s: {timeouts} timeouts, {stopped} not run\n{err}"),
                )
            },
        ),
        Trial::test("hostile/a-run-deadline-cuts-the-run-and-keeps-every-result", || {
            // Answers every call, but only after 0.4 s: 295 tests would take two minutes.
            let script = format!(
                r#"{}; i=2; while read l; do sleep 0.4; printf '{{"id":%d,"result":{{"accepted":true}}}}\n' $i; i=$((i+1)); done"#,
                capabilities_line()
            );
            let dir = temp_dir("deadline");
            let (code, err, report, secs) = run_cli(
                &["--suite", "content", "--deadline", "2", "--iut-driver-cmd", &script],
                &dir,
            )?;
            let (listed, _, _) = cli(&["list", "--suite", "content"]);
            ensure(listed == 0, "list")?;
            let all = results(&report);
            let not_run = all
                .iter()
                .filter(|r| r.1 == "error" && r.2.starts_with("not run: the run's --deadline of 2s expired"))
                .count();
            let cut = all
                .iter()
                .filter(|r| r.1 == "timeout" && r.2.contains("--deadline of 2s expired during this test"))
                .count();
            let aborted = report["aborted"].as_str().unwrap_or_default();
            ensure(
                code == 1
                    && secs < 20.0
                    && report["finished"].is_string()
                    && aborted.contains("--deadline of 2s expired")
                    && aborted.contains(&format!("{not_run} of {} not run", all.len()))
                    && cut == 1
                    && not_run > 250
                    && err.contains("aborted: the run's --deadline"),
                format!("exit {code} in {secs:.1} s: aborted {aborted:?}, {cut} cut, {not_run} not run\n{err}"),
            )
        }),
        Trial::test("hostile/a-run-deadline-cuts-scenarios-running-side-by-side", || {
            let dir = temp_dir("deadline-scenarios");
            let (code, _, report, secs) = run_cli(&["--suite", "protocol", "--deadline", "0.5"], &dir)?;
            let all = results(&report);
            let unfinished = all
                .iter()
                .filter(|r| r.2.contains("--deadline of 500ms expired"))
                .count();
            let aborted = report["aborted"].as_str().unwrap_or_default();
            ensure(
                code == 1 && secs < 30.0 && unfinished > 0 && aborted.contains("--deadline of 500ms expired"),
                format!("exit {code} in {secs:.1} s: {unfinished} unfinished: {aborted:?}"),
            )
        }),
        Trial::test("hostile/run-deadline-out-of-range-is-refused-by-name", || {
            for bad in ["0", "-1", "nan", "inf", "1e9", "soon"] {
                let (code, _, err) = cli(&["run", &format!("--deadline={bad}"), "--out", "/nonexistent/never"]);
                ensure(
                    code == 2 && err.contains("--deadline") && err.contains("a week"),
                    format!("--deadline {bad}: exit {code}: {err}"),
                )?;
            }
            Ok(())
        }),
        Trial::test(
            "hostile/half-a-line-then-a-stall-is-not-read-as-the-next-answer",
            || {
                // The first process answers capabilities, then half of its next answer, stalls past
                // the timeout and writes the rest; restarted, it is the reference itself.
                let dir = temp_dir("half-line");
                let flag = dir.join("started-once");
                let reference = format!("{} driver --stdio", bin().display());
                let script = format!(
                    r#"if [ -e '{flag}' ]; then exec {reference}; fi; touch '{flag}'; {caps}; read l; printf '{{"id":2,"result":{{"accep'; sleep 1.5; printf 'ted":true}}}}\n'; exec {reference}"#,
                    flag = flag.display(),
                    caps = capabilities_line(),
                );
                let out = dir.join("out");
                let (code, err, report, _) = run_cli(
                    &[
                        "--suite",
                        "content",
                        "--filter",
                        "content/5",
                        "--timeout",
                        "0.5",
                        "--iut-driver-cmd",
                        &script,
                    ],
                    &out,
                )?;
                let all = results(&report);
                let passed = all.iter().filter(|r| r.1 == "pass").count();
                let others: Vec<_> = all
                    .iter()
                    .filter(|r| !["pass", "skip", "xfail", "timeout"].contains(&r.1.as_str()))
                    .collect();
                let timeouts: Vec<&Value> = report["results"]
                    .as_array()
                    .map(|a| a.iter().filter(|r| r["status"] == "timeout").collect())
                    .unwrap_or_default();
                let restarted = timeouts.first().is_some_and(|r| {
                    r.to_string().contains("lost its framing") && r.to_string().contains("adapter was restarted")
                });
                ensure(
                    code == 1 && passed >= 10 && others.is_empty() && timeouts.len() == 1 && restarted,
                    format!(
                        "exit {code}: {passed} pass, {} timeouts (restart noted: {restarted}), others {others:?}\n{err}",
                        timeouts.len()
                    ),
                )
            },
        ),
        Trial::test("hostile/an-adapter-s-grandchild-is-ended-with-the-run", || {
            // The adapter leaves a grandchild behind (in its process group); the run ends it.
            let dir = temp_dir("grandchild");
            let pid_file = dir.join("grandchild.pid");
            let script = format!(
                "sleep 300 & echo $! > '{}'; {} driver --stdio",
                pid_file.display(),
                bin().display()
            );
            let (code, err, _, _) = run_cli(
                &[
                    "--suite",
                    "content",
                    "--filter",
                    "content/5.1/decode-example-original",
                    "--iut-driver-cmd",
                    &script,
                ],
                &dir.join("out"),
            )?;
            let pid: u32 = std::fs::read_to_string(&pid_file)
                .map_err(|e| format!("exit {code}: {err}: {e}"))?
                .trim()
                .parse()
                .map_err(|e| format!("pid: {e}"))?;
            // Gone, or at most a zombie on its way out (its reaper may take a moment).
            let alive = || {
                std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
                    s.rsplit(')')
                        .next()
                        .is_some_and(|rest| !rest.trim_start().starts_with('Z'))
                })
            };
            let until = Instant::now() + Duration::from_secs(5);
            while alive() && Instant::now() < until {
                std::thread::sleep(Duration::from_millis(50));
            }
            ensure(
                code == 0 && !alive(),
                format!("exit {code}; grandchild {pid} alive: {}\n{err}", alive()),
            )
        }),
        Trial::test(
            "hostile/a-report-over-its-budget-drops-the-largest-transcripts-saying-so",
            || {
                // Every answer is wrong and wide (5,000 elements where an object is due): each failing
                // result keeps a bounded transcript, and all of them together are over 1 MiB.
                let script = format!(
                    r#"big=$(yes 0, | head -n 5000 | tr -d '\n')0; {}; i=2; while read l; do printf '{{"id":%d,"result":{{"accepted":true,"content":[%s]}}}}\n' $i "$big"; i=$((i+1)); done"#,
                    capabilities_line()
                );
                let dir = temp_dir("budget");
                let (code, err, report, _) = run_cli(
                    &[
                        "--suite",
                        "content",
                        "--report-max",
                        "1",
                        "--timeout",
                        "20",
                        "--iut-driver-cmd",
                        &script,
                    ],
                    &dir,
                )?;
                let size = std::fs::metadata(dir.join("report.json"))
                    .map_err(|e| e.to_string())?
                    .len();
                let all = results(&report);
                let cut = &report["cut"];
                let noted = report["results"].as_array().map_or(0, |a| {
                    a.iter()
                        .filter(|r| {
                            r["transcript"]
                                .to_string()
                                .contains("omitted: report.json is kept within 1.0 MB")
                        })
                        .count()
                });
                let kept = report["results"].as_array().map_or(0, |a| {
                    a.iter().filter(|r| r["transcript"]["exchanges"].is_array()).count()
                });
                let md = std::fs::read_to_string(dir.join("report.md")).unwrap_or_default();
                let (listed, listing, _) = cli(&["list", "--suite", "content"]);
                ensure(
                    code == 1
                        && listed == 0
                        && all.len() == listing.lines().count()
                        && size <= 1 << 20
                        && cut["transcripts"].as_u64() == Some(noted as u64)
                        && noted > 10
                        && kept > 0
                        && cut["note"]
                            .as_str()
                            .is_some_and(|n| n.contains("omitted, largest first"))
                        && md.contains("**cut:**"),
                    format!(
                        "exit {code}: {} results, report.json {size} bytes, {noted} transcripts cut, {kept} kept: {cut}\n{err}",
                        all.len()
                    ),
                )
            },
        ),
        Trial::test("hostile/report-max-out-of-range-is-refused-by-name", || {
            for bad in ["0", "-1", "4097", "1e3", "many"] {
                let (code, _, err) = cli(&["run", &format!("--report-max={bad}"), "--out", "/nonexistent/never"]);
                ensure(
                    code == 2 && err.contains("--report-max") && err.contains("from 1 to 4096"),
                    format!("--report-max {bad}: exit {code}: {err}"),
                )?;
            }
            Ok(())
        }),
        Trial::test("fuzz/every-target-s-body-on-its-seed-corpus-and-mutants", || {
            // What `cargo fuzz run` starts from (`fuzz/seed.sh` writes the same seeds), and 8
            // mutants of each: a smoke run of every target on stable.
            let out = std::env::var_os("MIMI_FUZZ_SEED_DIR").map(std::path::PathBuf::from);
            let mut figures = Vec::new();
            for (target, body) in bodies::TARGETS {
                let seeds = bodies::seeds(target);
                ensure(seeds.len() >= 3, format!("{target}: {} seeds", seeds.len()))?;
                if let Some(dir) = &out {
                    let dir = dir.join(target);
                    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
                    for (i, s) in seeds.iter().enumerate() {
                        std::fs::write(dir.join(format!("seed-{i:04}")), s).map_err(|e| e.to_string())?;
                    }
                }
                let mut runs = 0usize;
                for (i, seed) in seeds.iter().enumerate() {
                    for input in std::iter::once(seed.clone()).chain(mutants(seed, i as u64 + 1, 8)) {
                        runs += 1;
                        std::panic::catch_unwind(|| body(&input)).map_err(|_| {
                            format!("{target} panicked on {}", hex::encode(&input[..input.len().min(512)]))
                        })?;
                    }
                }
                figures.push(format!("{target}: {} seeds, {runs} runs", seeds.len()));
            }
            eprintln!("{}", figures.join("; "));
            Ok(())
        }),
        Trial::test(
            "hostile/the-readme-matrix-lists-every-behaviour-over-both-transports",
            || {
                // The figures are generated (`cargo run --example hostile_matrix -- README.md`); this
                // checks that the table is the generator's and complete: 20 behaviours or more, each
                // over stdio and HTTP, none a panic or a lost report.
                let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
                    .map_err(|e| e.to_string())?;
                let start = readme
                    .find("<!-- hostile-matrix:start")
                    .ok_or("no matrix start marker")?;
                let end = readme
                    .find("<!-- hostile-matrix:end -->")
                    .ok_or("no matrix end marker")?;
                let table = &readme[start..end];
                ensure(
                    adapter::KINDS.len() >= 20,
                    format!("{} behaviours", adapter::KINDS.len()),
                )?;
                for (kind, what) in adapter::KINDS {
                    for transport in ["stdio", "HTTP"] {
                        let head = format!("| `{kind}` | {what} | {transport} | ");
                        let row = table
                            .lines()
                            .find(|l| l.starts_with(&head))
                            .ok_or(format!("no row for {kind} over {transport} (regenerate the matrix)"))?;
                        ensure(
                            !row.contains("(no results)") && !row.contains("panicked"),
                            format!("{kind} over {transport}: {row}"),
                        )?;
                    }
                }
                ensure(
                    table.lines().filter(|l| l.starts_with("| `")).count() == 2 * adapter::KINDS.len(),
                    "rows for behaviours the adapter no longer has",
                )
            },
        ),
    ]
}
