//! Reports read back, diffed, partitioned and merged (`report/...`).

use std::path::Path;

use libtest_mimic::{Failed, Trial};

use crate::common::*;

/// `run --suite content --quiet --out DIR` plus `extra`; its exit code.
fn content_run(dir: &Path, extra: &[&str]) -> Result<i32, Failed> {
    let out = dir.to_str().ok_or("a UTF-8 temp path")?;
    let mut args = vec!["run", "--quiet", "--suite", "content", "--out", out];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = cli(&args);
    ensure(
        matches!(code, 0 | 1) && dir.join("report.json").exists(),
        format!("{args:?}: exit {code}\n{stdout}{stderr}"),
    )?;
    Ok(code)
}

fn json_of(path: &Path) -> Result<serde_json::Value, Failed> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?)
}

/// The ids of a report.json's results with one of `statuses`.
fn ids_with(report: &serde_json::Value, statuses: &[&str]) -> Vec<String> {
    report["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| statuses.iter().any(|s| r["status"] == *s))
        .filter_map(|r| r["id"].as_str().map(str::to_owned))
        .collect()
}

pub fn trials() -> Vec<Trial> {
    vec![
        Trial::test(
            "report/report-json-reads-back-as-it-was-written",
            report_json_reads_back_as_it_was_written,
        ),
        Trial::test(
            "report/diff-lists-new-failures-exits-1-and-fixes-exit-0",
            diff_lists_new_failures_exits_1_and_fixes_exit_0,
        ),
        Trial::test(
            "report/partition-1-2-3-of-3-merged-equals-the-whole-run",
            partition_1_2_3_of_3_merged_equals_the_whole_run,
        ),
    ]
}

fn report_json_reads_back_as_it_was_written() -> Result<(), Failed> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("reports/reference/report.json");
    let report = mimi_conformance::report::read_report(&path).map_err(|e| e.to_string())?;
    let again = serde_json::to_value(&report).map_err(|e| e.to_string())?;
    ensure(again == json_of(&path)?, "report.json read and written again differs")
}

fn diff_lists_new_failures_exits_1_and_fixes_exit_0() -> Result<(), Failed> {
    let dir = temp_dir("diff");
    let (clean, faulty, rev07) = (dir.join("clean"), dir.join("faulty"), dir.join("rev07"));
    content_run(&clean, &[])?;
    content_run(&faulty, &["--fault", "message-id-wrong-revision"])?;
    content_run(&rev07, &["--content-rev", "07"])?;
    let failing = ids_with(&json_of(&faulty.join("report.json"))?, &["fail"]);
    ensure(failing.len() > 10, format!("the fault fails only {failing:?}"))?;
    let section = |md: &str, title: &str| {
        md.split("\n### ")
            .find(|s| s.starts_with(title))
            .unwrap_or("")
            .to_owned()
    };
    let path = |p: &Path| p.to_str().unwrap_or("").to_owned();
    let (code, md, err) = cli(&["diff", &path(&clean.join("report.json")), &path(&faulty)]);
    let news = section(&md, "New failures");
    ensure(
        code == 1
            && news.starts_with(&format!("New failures ({})", failing.len()))
            && failing.iter().all(|id| news.contains(&format!("`{id}` | pass | fail")))
            && !md.contains("### Fixes"),
        format!("clean → faulty: exit {code}\n{md}{err}"),
    )?;
    // The README's excerpt is of these runs: each of its lines is the diff's, but for the report
    // paths and the timestamps.
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).map_err(|e| e.to_string())?;
    let excerpt = readme
        .split("$ mimi-conformance diff nightly/ pr/\n")
        .nth(1)
        .and_then(|s| s.split("```").next())
        .ok_or("README.md has no diff excerpt")?;
    let stale: Vec<&str> = excerpt
        .lines()
        .filter(|l| !l.is_empty() && *l != "..." && !l.starts_with("| report |") && !l.starts_with("| finished |"))
        .filter(|l| !md.lines().any(|m| m == *l))
        .collect();
    ensure(
        stale.is_empty(),
        format!("README's diff excerpt is not this run's: {stale:#?}\n{md}"),
    )?;
    let out = dir.join("comment.md");
    let (code, stdout, err) = cli(&["diff", &path(&faulty), &path(&clean), "--out", &path(&out)]);
    let md = std::fs::read_to_string(&out).unwrap_or_default();
    let fixes = section(&md, "Fixes");
    ensure(
        code == 0
            && stdout.starts_with(&format!("0 new failures, {} fixes", failing.len()))
            && failing
                .iter()
                .all(|id| fixes.contains(&format!("`{id}` | fail | pass")))
            && !md.contains("### New failures"),
        format!("faulty → clean: exit {code}\n{stdout}{err}\n{md}"),
    )?;
    let (code, md, _) = cli(&["diff", &path(&clean), &path(&rev07)]);
    ensure(
        code == 0 && md.contains("different draft revisions**: draft-ietf-mimi-content -08 → -07"),
        format!("-08 → -07: exit {code}\n{md}"),
    )?;
    std::fs::write(
        dir.join("broken.json"),
        "{\n  \"schema\": \"mimi-conformance/report/v1\",\n  oops\n}",
    )
    .map_err(|e| e.to_string())?;
    std::fs::write(dir.join("other.json"), "{\"schema\": \"something/else\"}").map_err(|e| e.to_string())?;
    let cases = [
        ("missing.json", "missing.json: cannot read"),
        ("broken.json", "broken.json:3:3: not JSON"),
        ("other.json", "other.json: not a report.json of schema"),
        ("clean/report.md", "report.md:1:1: not JSON"),
    ];
    let mut wrong = Vec::new();
    let (code, _, err) = cli(&["diff", "/dev/zero", &path(&clean)]);
    if code != 2 || !err.contains("/dev/zero:1:1: not JSON") {
        wrong.push(format!("/dev/zero: exit {code}, {err:?}"));
    }
    for (file, says) in cases {
        let (code, _, err) = cli(&["diff", &path(&dir.join(file)), &path(&clean)]);
        if code != 2 || !err.contains(says) || err.contains("panicked") {
            wrong.push(format!("{file}: exit {code}, {err:?}"));
        }
    }
    ensure(wrong.is_empty(), wrong.join("\n"))
}

fn partition_1_2_3_of_3_merged_equals_the_whole_run() -> Result<(), Failed> {
    let dir = temp_dir("shards");
    let fault = ["--fault", "message-id-wrong-revision"];
    let whole = dir.join("whole");
    content_run(&whole, &fault)?;
    let mut shards = Vec::new();
    for k in 1..=3 {
        let shard = dir.join(format!("shard{k}"));
        content_run(&shard, &[fault[0], fault[1], "--partition", &format!("{k}/3")])?;
        shards.push(shard.to_str().unwrap_or("").to_owned());
    }
    let merged = dir.join("merged");
    let out = merged.to_str().unwrap_or("");
    let (code, stdout, err) = cli(&["merge", &shards[0], &shards[1], &shards[2], "--out", out]);
    ensure(code == 1, format!("merge of a faulty run: exit {code}\n{stdout}{err}"))?;
    let (a, b) = (
        json_of(&whole.join("report.json"))?,
        json_of(&merged.join("report.json"))?,
    );
    let statuses = |r: &serde_json::Value| -> Vec<(String, String)> {
        r["results"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|t| (t["id"].to_string(), t["status"].to_string()))
            .collect()
    };
    ensure(
        statuses(&a) == statuses(&b),
        "the merged results are not the whole run's",
    )?;
    for field in [
        "summary",
        "executed",
        "coverage",
        "failures",
        "causes",
        "other_reason",
        "drafts",
    ] {
        ensure(
            a[field] == b[field],
            format!("merged {field} differs: {} vs {}", a[field], b[field]),
        )?;
    }
    ensure(!b["causes"].as_array().is_none_or(Vec::is_empty), "no cause to compare")?;
    // Each shard ran about a third, none ran everything.
    let total = statuses(&a).len();
    for s in &shards {
        let n = statuses(&json_of(&Path::new(s).join("report.json"))?).len();
        ensure(
            n * 15 >= total * 4 && n * 15 <= total * 6,
            format!("{s}: {n} of {total}"),
        )?;
    }
    let md = |d: &Path| {
        std::fs::read_to_string(d.join("report.md"))
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.contains("**Started:**"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    ensure(md(&whole) == md(&merged), "report.md differs beyond its timestamps")?;
    // junit.xml without its times.
    let junit = |d: &Path| {
        let xml = std::fs::read_to_string(d.join("junit.xml")).unwrap_or_default();
        let mut out = String::new();
        for (i, part) in xml.split(" time=\"").enumerate() {
            out.push_str(if i == 0 {
                part
            } else {
                part.split_once('"').map_or("", |(_, rest)| rest)
            });
        }
        out
    };
    ensure(
        junit(&whole) == junit(&merged) && junit(&whole).contains("<testcase"),
        "junit.xml differs beyond its times",
    )?;
    // Refused: a shard twice, a shard missing, another count, implementation or revision.
    let other = |name: &str, extra: &[&str]| -> Result<String, Failed> {
        let d = dir.join(name);
        content_run(&d, &[&["--filter", "content/3.3/message-id-example-"], extra].concat())?;
        Ok(d.to_str().unwrap_or("").to_owned())
    };
    let half = other("half", &[fault[0], fault[1], "--partition", "1/2"])?;
    let clean = other("clean", &["--partition", "2/3"])?;
    let rev07 = other(
        "rev07",
        &[fault[0], fault[1], "--content-rev", "07", "--partition", "2/3"],
    )?;
    let refusals: [(&[&str], &str); 6] = [
        (&[&shards[0], &shards[0], &shards[2]], "both shard 1/3"),
        (&[&shards[0], &shards[2]], "shard 2/3 missing"),
        (&[&shards[0], &half], "different partition counts"),
        (&[&shards[0], &clean, &shards[2]], "different implementations"),
        (&[&shards[0], &rev07, &shards[2]], "different draft revisions"),
        (&[&shards[0], whole.to_str().unwrap_or("")], "a shard with a whole run"),
    ];
    let mut wrong = Vec::new();
    for (inputs, says) in refusals {
        let mut args = vec!["merge"];
        args.extend_from_slice(inputs);
        args.extend_from_slice(&["--out", out]);
        let (code, _, err) = cli(&args);
        if code != 2 || !err.contains(says) {
            wrong.push(format!("{inputs:?}: exit {code}, {err:?} (want {says:?})"));
        }
    }
    let overlap = cli(&[
        "merge",
        whole.to_str().unwrap_or(""),
        whole.to_str().unwrap_or(""),
        "--out",
        out,
    ]);
    if overlap.0 != 2 || !overlap.2.contains("the reports overlap") {
        wrong.push(format!("a whole run twice: {overlap:?}"));
    }
    for bad in ["0/3", "4/3", "3", "1/0"] {
        let (code, _, err) = cli(&["run", "--partition", bad, "--out", out]);
        if code != 2 || !err.contains("--partition") {
            wrong.push(format!("--partition {bad}: exit {code}, {err:?}"));
        }
    }
    ensure(wrong.is_empty(), wrong.join("\n"))
}
