//! The binary's commands and exit codes, the matrix, the CI action and the progress line (`cli/...`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use libtest_mimic::{Failed, Trial};

use crate::common::*;

pub fn trials() -> Vec<Trial> {
    // `script` gives the progress trial a terminal; without it the trial is ignored.
    let script = Path::new("/usr/bin/script").exists();

    vec![
        Trial::test(
            "cli/run-writes-report-json-md-and-junit-and-exits-0",
            run_writes_report_json_md_and_junit_and_exits_0,
        ),
        Trial::test(
            "cli/run-scenarios-from-a-directory-and-name-a-bad-file",
            run_scenarios_from_a_directory_and_name_a_bad_file,
        ),
        Trial::test("cli/exit-codes-1-2-3-4-5", exit_codes_1_2_3_4_5),
        Trial::test(
            "cli/numbers-out-of-range-and-empty-selections-are-named-never-a-panic",
            numbers_out_of_range_and_empty_selections_are_named_never_a_panic,
        ),
        Trial::test(
            "cli/expectations-turn-known-gaps-green-and-report-xpass",
            expectations_turn_known_gaps_green_and_report_xpass,
        ),
        Trial::test(
            "cli/inspect-names-broken-rules-and-exits-1",
            inspect_names_broken_rules_and_exits_1,
        ),
        Trial::test(
            "cli/vectors-verify-names-the-file-case-and-field-of-a-bad-vector",
            vectors_verify_names_the_file_case_and_field_of_a_bad_vector,
        ),
        Trial::test(
            "cli/matrix-sets-reports-side-by-side-one-table-per-draft-revision",
            matrix_sets_reports_side_by_side_one_table_per_draft_revision,
        ),
        Trial::test(
            "cli/action-yml-inputs-are-the-documented-ones-and-actionlint-accepts-the-example",
            action_yml_inputs_are_the_documented_ones_and_actionlint_accepts_the_example,
        ),
        Trial::test(
            "cli/progress-line-on-a-terminal-only-and-not-with-quiet",
            progress_line_on_a_terminal_only_and_not_with_quiet,
        )
        .with_ignored_flag(!script),
    ]
}

fn run_writes_report_json_md_and_junit_and_exits_0() -> Result<(), Failed> {
    let dir = temp_dir("run");
    let (code, out, err) = cli(&["run", "--quiet", "--out", dir.to_str().unwrap()]);
    ensure(code == 0, format!("exit {code}\n{out}\n{err}"))?;
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    for field in [
        "schema",
        "suite_version",
        "drafts",
        "iut",
        "started",
        "finished",
        "summary",
        "results",
        "coverage",
    ] {
        ensure(
            json.get(field).is_some_and(|v| !v.is_null()),
            format!("report.json lacks {field}"),
        )?;
    }
    let first = &json["results"][0];
    for field in ["id", "status", "spec", "message", "duration_ms"] {
        ensure(first.get(field).is_some(), format!("a result lacks {field}"))?;
    }
    ensure(
        json["drafts"]["draft-ietf-mimi-content"] == "08",
        "draft revision not recorded",
    )?;
    ensure(
        dir.join("report.md").exists() && dir.join("junit.xml").exists() && dir.join("report.html").exists(),
        "report.md, junit.xml or report.html missing",
    )
}

fn run_scenarios_from_a_directory_and_name_a_bad_file() -> Result<(), Failed> {
    let dir = temp_dir("scenarios");
    let own = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/protocol/4_1_transport/reject-from-without-mimi-local-part.yaml"),
    )
    .map_err(|e| e.to_string())?
    .replace(
        "id: protocol/4.1/reject-from-without-mimi-local-part",
        "id: protocol/4.1/own-from-admin",
    );
    std::fs::create_dir_all(dir.join("mine")).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("mine/own.yaml"), own).map_err(|e| e.to_string())?;
    let out = temp_dir("scenarios-out");
    let (code, o, err) = cli(&[
        "run",
        "-q",
        "--scenarios",
        dir.to_str().unwrap(),
        "--filter",
        "protocol/4.1/",
        "--out",
        out.to_str().unwrap(),
    ]);
    let statuses = report_statuses(&out)?;
    ensure(
        code == 0
            && statuses
                .get("protocol/4.1/own-from-admin")
                .is_some_and(|(s, _)| s == "pass")
            && !statuses.contains_key("protocol/4.1/reject-from-without-mimi-local-part"),
        format!("exit {code}\n{o}\n{err}"),
    )?;
    let bad = "id: protocol/9/x\ntitle: t\nrequirements: [PROT-01]\nroles: {hub: iut}\nsteps:\n  - name: a\n    request: {from: hub, to: hub, method: PUT, path: /}\n";
    std::fs::write(dir.join("bad.yaml"), bad).map_err(|e| e.to_string())?;
    let (code, _, err) = cli(&["list", "--scenarios", dir.to_str().unwrap()]);
    ensure(
        code == 2 && err.contains("bad.yaml") && err.contains("line 7") && err.contains("PUT"),
        format!("exit {code}: {err}"),
    )
}

fn exit_codes_1_2_3_4_5() -> Result<(), Failed> {
    let dir = temp_dir("codes");
    let out = dir.to_str().unwrap();
    let (code, ..) = cli(&["run", "-q", "--out", out, "--fault", "message-id-wrong-revision"]);
    ensure(code == 1, format!("a broken IUT exits {code}"))?;
    let (code, _, err) = cli(&["run", "-q", "--out", out, "--fault", "no-such-fault"]);
    ensure(
        code == 2 && err.contains("no-such-fault"),
        format!("unknown fault exits {code}: {err}"),
    )?;
    let (code, ..) = cli(&["run", "--bogus-flag"]);
    ensure(code == 2, format!("bad flag exits {code}"))?;
    let (code, _, err) = cli(&["run", "-q", "--out", out, "--iut-driver", "http://127.0.0.1:9"]);
    ensure(
        code == 3 && err.contains("unreachable"),
        format!("unreachable IUT exits {code}: {err}"),
    )?;
    let (code, ..) = cli(&["run", "-q", "--out", out, "--filter", "nothing/matches/*"]);
    ensure(code == 4, format!("empty selection exits {code}"))?;
    // Selected, but none carried out: no pass.
    let gaps = dir.join("gaps.yaml");
    std::fs::write(
        &gaps,
        "- id: \"content/3.3/*\"\n  status: unsupported\n  reason: no message IDs yet\n",
    )
    .unwrap();
    let (code, stdout, err) = cli(&[
        "run",
        "-q",
        "--out",
        out,
        "--filter",
        "content/3.3",
        "--expectations",
        gaps.to_str().unwrap(),
    ]);
    ensure(
        code == 5 && stdout.contains("(0 of ") && err.contains("not a pass"),
        format!("a run that executed nothing exits {code}: {stdout}{err}"),
    )
}

fn numbers_out_of_range_and_empty_selections_are_named_never_a_panic() -> Result<(), Failed> {
    let dir = temp_dir("numbers");
    let out = dir.to_str().expect("utf-8 path");
    let cases: [(&[&str], i32, &str); 9] = [
        (&["run", "--jobs", "2305843009213693952", "--out", out], 2, "--jobs"),
        (&["run", "--jobs", "0", "--out", out], 2, "--jobs"),
        (&["run", "--timeout", "1e300", "--out", out], 2, "--timeout"),
        (&["run", "--timeout=-1", "--out", out], 2, "--timeout"),
        (&["run", "--timeout-factor", "NaN", "--out", out], 2, "--timeout-factor"),
        (&["bench", "--seconds", "1e9"], 2, "--seconds"),
        (&["bench", "--scenarios", "--jobs", "99999"], 2, "--jobs"),
        (&["list", "--filter", "zzz"], 4, "zzz"),
        (&["content", "inspect", "/dev/zero"], 2, "over 16 MiB"),
    ];
    let mut wrong = Vec::new();
    for (args, want, names) in cases {
        let (code, _, stderr) = cli(args);
        if code != want || !stderr.contains(names) || stderr.contains("panicked") {
            wrong.push(format!("{args:?}: exit {code} (want {want}), stderr {stderr:?}"));
        }
    }
    ensure(wrong.is_empty(), wrong.join("\n"))
}

fn expectations_turn_known_gaps_green_and_report_xpass() -> Result<(), Failed> {
    let dir = temp_dir("expect");
    let out = dir.to_str().unwrap();
    let known = dir.join("known.yaml");
    std::fs::write(&known, "- id: \"content/3.3/message-id-*\"\n  status: xfail\n  reason: we still compute the -07 ID\n  link: https://example.org/1\n").unwrap();
    let (code, stdout, _) = cli(&[
        "run",
        "-q",
        "--out",
        out,
        "--fault",
        "message-id-wrong-revision",
        "--expectations",
        known.to_str().unwrap(),
    ]);
    ensure(code == 0 && stdout.contains("xfail"), format!("exit {code}: {stdout}"))?;
    let (code, stdout, _) = cli(&["run", "-q", "--out", out, "--expectations", known.to_str().unwrap()]);
    ensure(
        code == 1 && stdout.contains("xpass"),
        format!("an unexpected pass exits {code}: {stdout}"),
    )?;
    let bad = dir.join("bad.yaml");
    std::fs::write(&bad, "- id: \"content/*\"\n  status: maybe\n  reason: x\n").unwrap();
    let (code, _, err) = cli(&["run", "-q", "--out", out, "--expectations", bad.to_str().unwrap()]);
    ensure(
        code == 2 && err.contains("bad.yaml") && err.contains("line 2"),
        format!("bad expectations exit {code}: {err}"),
    )
}

fn inspect_names_broken_rules_and_exits_1() -> Result<(), Failed> {
    let dir = temp_dir("inspect");
    let files = vectors();
    let pick = |slug: &str| {
        files
            .iter()
            .flat_map(|f| &f.cases)
            .find(|c| c.head.slug == slug)
            .and_then(|c| match &c.body {
                mimi_conformance::vectors::CaseBody::Content { cbor, .. } => Some(cbor.clone()),
                _ => None,
            })
    };
    let good = dir.join("good.cbor");
    std::fs::write(&good, pick("example-original").ok_or("no example")?).unwrap();
    let (code, out, _) = cli(&["content", "inspect", good.to_str().unwrap()]);
    ensure(
        code == 0 && out.contains("017ce54837404c3696e0c747b985cb172716d0ed0a3d249ca63ace7d82a096f4"),
        format!("exit {code}: {out}"),
    )?;
    let bad = dir.join("bad.cbor");
    std::fs::write(&bad, pick("invalid-salt-15-bytes").ok_or("no salt vector")?).unwrap();
    let (code, out, _) = cli(&["content", "inspect", bad.to_str().unwrap()]);
    ensure(
        code == 1 && out.contains("salt-length") && out.contains("§4.1"),
        format!("exit {code}: {out}"),
    )?;
    let (code, _, err) = cli(&["content", "inspect", "/no/such/file.cbor"]);
    ensure(
        code == 2 && err.contains("/no/such/file.cbor"),
        format!("exit {code}: {err}"),
    )
}

fn vectors_verify_names_the_file_case_and_field_of_a_bad_vector() -> Result<(), Failed> {
    let dir = temp_dir("verify");
    let f = dir.join("broken.json");
    std::fs::write(&f, r#"{"schema":"mimi-conformance/vectors/v1","kind":"content","draft":"draft-ietf-mimi-content","rev":"08","source":"x","tests":[{"tcId":1,"slug":"x","section":"4.1","result":"invalid","comment":"c","cbor":"zz","sender":"s","room":"r","rule":"salt-length"}]}"#).unwrap();
    let (code, _, err) = cli(&["vectors", "verify", f.to_str().unwrap()]);
    ensure(
        code == 2 && err.contains("broken.json") && err.contains("tests[0].cbor"),
        format!("exit {code}: {err}"),
    )?;
    let (code, out, _) = cli(&["vectors", "verify", "vectors/content/invalid.json"]);
    ensure(code == 0 && out.contains("0 disagree"), format!("exit {code}: {out}"))
}

fn matrix_sets_reports_side_by_side_one_table_per_draft_revision() -> Result<(), Failed> {
    let dir = temp_dir("matrix");
    let run = |name: &str, extra: &[&str]| -> Result<PathBuf, Failed> {
        let out = dir.join(name);
        let mut args = vec![
            "run",
            "-q",
            "--filter",
            "content/3.3/message-id-example-",
            "--filter",
            "content/4.1/",
        ];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--out", out.to_str().ok_or("path")?]);
        let (code, stdout, stderr) = cli(&args);
        ensure(code <= 1, format!("{name}: exit {code}\n{stdout}\n{stderr}"))?;
        Ok(out.join("report.json"))
    };
    let adapter = target_dir().join("examples").join("content_adapter");
    let reports = [
        run("reference", &["--filter", "protocol/5.5/"])?,
        run("faulty", &["--fault", "message-id-wrong-revision"])?,
        run("adapter", &["--iut-driver-cmd", adapter.to_str().ok_or("path")?])?,
        run("rev07", &["--content-rev", "07"])?,
    ];
    let out = dir.join("matrix");
    let mut args = vec!["matrix"];
    args.extend(reports.iter().map(|p| p.to_str().unwrap_or("")));
    args.extend(["--out", out.to_str().ok_or("path")?]);
    let (code, stdout, stderr) = cli(&args);
    ensure(code == 0, format!("exit {code}\n{stdout}\n{stderr}"))?;
    let md = std::fs::read_to_string(out.join("matrix.md")).map_err(|e| e.to_string())?;
    let html = std::fs::read_to_string(out.join("matrix.html")).map_err(|e| e.to_string())?;
    // The README's excerpt is of these runs: its summary line and every table line are the matrix's.
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).map_err(|e| e.to_string())?;
    let excerpt = readme
        .split("### The interop matrix")
        .nth(1)
        .and_then(|s| s.split("### In CI").next())
        .ok_or("README.md has no interop matrix section")?;
    let stale: Vec<&str> = excerpt
        .lines()
        .filter(|l| l.starts_with("| ") && !md.lines().any(|m| m == *l))
        .collect();
    ensure(
        stale.is_empty() && excerpt.contains(&format!("\n{}\n", stdout.lines().next().unwrap_or("?"))),
        format!("README's matrix excerpt is not this run's: {stale:#?}\n{stdout}\n{md}"),
    )?;
    // The -07 run has its own table, with only its column; -08 has the other three.
    let table = |title: &str| -> String {
        md.split("\n## ")
            .find(|t| t.starts_with(title))
            .unwrap_or("")
            .to_owned()
    };
    let (t07, t08) = (
        table("draft-ietf-mimi-content-07\n"),
        table("draft-ietf-mimi-content-08\n"),
    );
    let header = |t: &str| {
        t.lines()
            .find(|l| l.starts_with("| § |"))
            .unwrap_or("")
            .matches(" |")
            .count()
    };
    ensure(
        header(&t07) == 3 && header(&t08) == 5 && t07.contains("(rev07)") && !t08.contains("(rev07)"),
        format!("tables:\n{t07}\n{t08}"),
    )?;
    // The faulty implementation's §3.3 cell: fail, linking to its first failing test.
    let row = t08.lines().find(|l| l.starts_with("| 3.3 |")).ok_or("no §3.3 row")?;
    ensure(
        row.contains("[**pass**")
            && row.contains("[**fail** (")
            && row.contains("](../faulty/report.html#t-content/3.3/message-id-example-"),
        format!("§3.3 row: {row}"),
    )?;
    let target = row
        .split("](../faulty/report.html#")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .ok_or("no link")?;
    let faulty_page = std::fs::read_to_string(dir.join("faulty/report.html")).map_err(|e| e.to_string())?;
    ensure(
        faulty_page.replace("&#x2f;", "/").contains(&format!("id=\"{target}\"")),
        format!("{target} is no anchor of faulty/report.html"),
    )?;
    ensure(
        html.contains("draft-ietf-mimi-content-07") && html.contains("<th>as follower</th>"),
        "matrix.html lacks the -07 table or the roles table",
    )?;
    // The reference ran §5.5 scenarios as hub and as follower; the others ran none.
    let roles = md.split("\n## Roles\n").nth(1).unwrap_or("");
    let role_row = |label: &str| {
        roles
            .lines()
            .find(|l| l.starts_with("| ") && l.contains(label))
            .unwrap_or("")
    };
    ensure(
        role_row("(reference)").matches("[**pass** (").count() == 2 && role_row("mylib").matches(" — |").count() == 2,
        format!("roles table:\n{roles}"),
    )?;
    // A hostile implementation name is text, and a recorded role is shown.
    let mut json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&reports[0]).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    json["iut"]["name"] = "<script>alert(1)</script>".into();
    let hostile = dir.join("hostile.json");
    std::fs::write(&hostile, json.to_string()).map_err(|e| e.to_string())?;
    let (code, _, stderr) = cli(&[
        "matrix",
        hostile.to_str().ok_or("path")?,
        "--out",
        out.to_str().ok_or("path")?,
    ]);
    let html = std::fs::read_to_string(out.join("matrix.html")).map_err(|e| e.to_string())?;
    ensure(
        code == 0 && !html.contains("<script") && html.contains("&lt;script&gt;"),
        format!("exit {code} {stderr}"),
    )?;
    // Bad input: exit 2, naming the file (and the field).
    let notjson = dir.join("not-json.json");
    std::fs::write(&notjson, "{ nope").map_err(|e| e.to_string())?;
    let other = dir.join("other-schema.json");
    std::fs::write(&other, r#"{"schema":"something/else","drafts":{},"results":[]}"#).map_err(|e| e.to_string())?;
    let badstatus = dir.join("bad-status.json");
    json["results"][1]["status"] = "great".into();
    std::fs::write(&badstatus, json.to_string()).map_err(|e| e.to_string())?;
    let missing = dir.join("missing.json");
    for (f, says) in [
        (&notjson, "not JSON"),
        (&other, "schema"),
        (&badstatus, "results[1].status"),
        (&missing, "cannot read"),
    ] {
        let (code, _, stderr) = cli(&[
            "matrix",
            reports[0].to_str().ok_or("path")?,
            f.to_str().ok_or("path")?,
            "--out",
            out.to_str().ok_or("path")?,
        ]);
        ensure(
            code == 2
                && stderr.contains(f.to_str().unwrap_or(""))
                && stderr.contains(says)
                && !stderr.contains("panicked"),
            format!("{}: exit {code}: {stderr}", f.display()),
        )?;
    }
    Ok(())
}

fn action_yml_inputs_are_the_documented_ones_and_actionlint_accepts_the_example() -> Result<(), Failed> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |f: &str| std::fs::read_to_string(root.join(f)).map_err(|e| format!("{f}: {e}"));
    let action: serde_json::Value =
        serde_saphyr::from_str(&read("action.yml")?).map_err(|e| format!("action.yml: {e}"))?;
    ensure(
        action["runs"]["using"] == "composite",
        "action.yml is not a composite action",
    )?;
    let inputs: BTreeSet<String> = action["inputs"]
        .as_object()
        .ok_or("action.yml has no inputs")?
        .keys()
        .cloned()
        .collect();
    let steps = action["runs"]["steps"].as_array().ok_or("no steps")?;
    let uses: Vec<&str> = steps.iter().filter_map(|s| s["uses"].as_str()).collect();
    let runs: String = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    ensure(
        uses.iter().any(|u| u.starts_with("actions/upload-artifact@"))
            && runs.contains("cargo install")
            && runs.contains("mimi-conformance \"${args[@]}\"")
            && runs.contains("exit \"$CODE\""),
        "action.yml does not build, run, upload and fail on the exit code",
    )?;
    // Every input the action reads is declared, and every declared one is read.
    let text = read("action.yml")?;
    for i in &inputs {
        ensure(
            text.contains(&format!("inputs.{i} }}}}")),
            format!("input {i} is never used"),
        )?;
    }
    // The README's list and docs/ci.md's table are the action's inputs, exactly.
    let backticked =
        |line: &str| -> BTreeSet<String> { line.split('`').skip(1).step_by(2).map(str::to_owned).collect() };
    let readme = read("README.md")?;
    let listed = readme
        .split_once("Its inputs:")
        .map(|(_, rest)| backticked(rest.split(".\n").next().unwrap_or("")))
        .ok_or("README.md has no `Its inputs:` sentence for the action")?;
    ensure(
        listed == inputs,
        format!("README lists {listed:?}, action.yml has {inputs:?}"),
    )?;
    let ci = read("docs/ci.md")?;
    let table: BTreeSet<String> = ci
        .lines()
        .filter(|l| l.starts_with("| `"))
        .filter_map(|l| l.split('`').nth(1).map(str::to_owned))
        .collect();
    ensure(
        table == inputs,
        format!("docs/ci.md lists {table:?}, action.yml has {inputs:?}"),
    )?;
    // The example workflow: YAML, using the action with declared inputs only.
    let example = ci
        .split("```yaml\n")
        .nth(1)
        .and_then(|s| s.split("```").next())
        .ok_or("docs/ci.md has no yaml example")?;
    let workflow: serde_json::Value =
        serde_saphyr::from_str(example).map_err(|e| format!("docs/ci.md example: {e}"))?;
    let step = workflow["jobs"]["conformance"]["steps"]
        .as_array()
        .and_then(|s| {
            s.iter().find(|s| {
                s["uses"]
                    .as_str()
                    .is_some_and(|u| u.starts_with("mimi-conformance/mimi-conformance@"))
            })
        })
        .ok_or("the example does not use the action")?;
    let with: BTreeSet<String> = step["with"].as_object().ok_or("no with:")?.keys().cloned().collect();
    ensure(with.is_subset(&inputs), format!("the example passes {with:?}"))?;
    // actionlint, where there is one: the example against the action itself (`uses: ./`).
    let Some(actionlint) = std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join("actionlint"))
            .find(|p| p.is_file())
    }) else {
        eprintln!("note: actionlint is not on PATH: cli/action-yml-... checked action.yml as YAML only");
        return Ok(());
    };
    let dir = temp_dir("actionlint");
    std::fs::create_dir_all(dir.join(".github/workflows")).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("action.yml"), &text).map_err(|e| e.to_string())?;
    let local = example.replace("uses: mimi-conformance/mimi-conformance@main", "uses: ./");
    std::fs::write(dir.join(".github/workflows/conformance.yml"), local).map_err(|e| e.to_string())?;
    let out = Command::new(actionlint)
        .arg("-no-color")
        .current_dir(&dir)
        .output()
        .map_err(|e| e.to_string())?;
    ensure(
        out.status.success(),
        format!(
            "actionlint:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn progress_line_on_a_terminal_only_and_not_with_quiet() -> Result<(), Failed> {
    // `script` gives the run a terminal; a pipe (cli()) does not.
    let dir = temp_dir("progress");
    let out = dir.to_str().unwrap_or("");
    let on_tty = |quiet: &str| -> Result<String, Failed> {
        let cmd = format!(
            "{} run {quiet} --suite content --filter content/3.3/message-id-example- --out {out}",
            bin().display()
        );
        let o = Command::new("script")
            .args(["-qec", &cmd, "/dev/null"])
            .output()
            .map_err(|e| format!("script: {e}"))?;
        Ok(String::from_utf8_lossy(&o.stdout).into_owned())
    };
    let shown = on_tty("")?;
    let selected = 14;
    ensure(
        shown.contains(&format!(
            "\r\x1b[2K[{selected}/{selected} tests] 0 failed · content/3.3/"
        )) && shown.contains("PASS        content/3.3/message-id-example-original"),
        format!("no progress line on a terminal: {shown:?}"),
    )?;
    let quiet = on_tty("--quiet")?;
    ensure(
        !quiet.contains("\x1b[2K") && quiet.contains("14 pass"),
        format!("--quiet: {quiet:?}"),
    )?;
    let (code, stdout, stderr) = cli(&[
        "run",
        "--suite",
        "content",
        "--filter",
        "content/3.3/message-id-example-",
        "--out",
        out,
    ]);
    ensure(
        code == 0 && !stderr.contains("\x1b") && !stdout.contains("\x1b") && !stderr.contains("tests]"),
        format!("not a terminal: exit {code}, {stdout:?} {stderr:?}"),
    )
}
