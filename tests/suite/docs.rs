//! The docs say what the suite is: every count, every wire rule, and only files that exist
//! (`docs/...`).

use std::collections::BTreeSet;
use std::path::Path;

use libtest_mimic::{Failed, Trial};
use mimi_conformance::codec::content::ContentRev;
use mimi_conformance::harness::Status;
use mimi_conformance::provider::Fault;

use crate::common::*;

/// The phrases with a count that README.md, ARCHITECTURE.md and docs/driver.md must contain,
/// each built from the suite itself (`pass`, `xfail`: the built-in run's).
fn doc_counts(pass: usize, xfail: usize) -> Vec<(&'static str, String)> {
    let tests = all_tests(ContentRev::Rev08);
    let scenarios = scenario_ids();
    let files = vectors();
    let cases = |path: &str| -> usize {
        files
            .iter()
            .filter(|f| f.path.starts_with(path))
            .map(|f| f.cases.len())
            .sum()
    };
    let by_op = |op: &str| tests.iter().filter(|t| t.op == Some(op)).count();
    let policy_scenarios = scenarios.iter().filter(|id| id.starts_with("policy/")).count();
    let (all, n_scen, faults) = (tests.len(), scenarios.len(), Fault::all().len());
    vec![
        (
            "README.md",
            format!("and {} invalid vectors", cases("vectors/content/invalid")),
        ),
        ("README.md", format!("({} vectors,", cases("vectors/protocol/"))),
        (
            "README.md",
            format!("{} authorization decisions", cases("vectors/policy/decisions")),
        ),
        ("README.md", format!("and {policy_scenarios} scenarios:")),
        (
            "README.md",
            format!("{pass} pass, {xfail} xfail ({all} of {all} executed)"),
        ),
        ("README.md", format!("every vector case ({})", cases("vectors/"))),
        ("README.md", format!("({all}, {n_scen} of them HTTPS scenarios)")),
        ("README.md", format!("({all} tests, {n_scen} of them HTTPS scenarios")),
        ("README.md", format!("the {n_scen} scenarios and")),
        ("README.md", format!("the {n_scen} scenarios, 2 at a time")),
        ("README.md", format!("`selftest`: {faults} faults")),
        (
            "README.md",
            format!("over the {} draft examples", cases("vectors/content/examples")),
        ),
        (
            "ARCHITECTURE.md",
            format!("{} invalid cases", cases("vectors/content/invalid")),
        ),
        (
            "docs/driver.md",
            format!("The suite checks ({} tests):", by_op("content.decode")),
        ),
        (
            "docs/driver.md",
            format!("The suite checks ({} tests) that", by_op("content.encode")),
        ),
        (
            "docs/driver.md",
            format!("The suite checks ({} tests) the exact ID", by_op("content.messageId")),
        ),
    ]
}

pub fn trials() -> Vec<Trial> {
    vec![
        Trial::test(
            "docs/every-count-in-the-docs-is-the-suite's",
            every_count_in_the_docs_is_the_suites,
        ),
        Trial::test("docs/driver-md-names-every-wire-rule", driver_md_names_every_wire_rule),
        Trial::test(
            "docs/contributing-names-only-files-that-exist",
            contributing_names_only_files_that_exist,
        ),
    ]
}

/// The counts, checked against the same run as the `suite/...` trials.
fn every_count_in_the_docs_is_the_suites() -> Result<(), Failed> {
    let counts = baseline().counts();
    let (pass, xfail) = (counts[&Status::Pass], counts[&Status::Xfail]);
    docs_say(&doc_counts(pass, xfail))
}

fn driver_md_names_every_wire_rule() -> Result<(), Failed> {
    let claims: Vec<(&str, String)> = mimi_conformance::codec::tls::RULES
        .iter()
        .map(|r| ("docs/driver.md", format!("`{r}`")))
        .collect();
    docs_say(&claims)
}

/// The endings that make a word a file name even without a `/`.
const FILE_ENDINGS: [&str; 5] = [".rs", ".py", ".yaml", ".json", ".md"];

/// The repository paths a Markdown text names in backticks: each word of an inline code span, or
/// of a fenced block's line (before a ` #` comment), that holds a `/` or ends in a
/// [`FILE_ENDINGS`] ending. Not paths: globs, placeholders (`<slug>`), URLs, absolute paths,
/// flags, the test filter after `--` or `--filter`, and test ids (their first segment one of
/// `test_roots`, the suite's drafts).
fn named_paths(text: &str, test_roots: &BTreeSet<&str>) -> Vec<String> {
    let (mut spans, mut prose, mut fenced) = (Vec::new(), String::new(), false);
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if fenced {
            spans.push(line.split(" #").next().unwrap_or("").to_owned());
        } else {
            prose.push_str(line);
            prose.push('\n');
        }
    }
    // An inline span may run over a line break: split the prose as a whole.
    spans.extend(prose.split('`').skip(1).step_by(2).map(str::to_owned));
    let mut paths = Vec::new();
    for span in &spans {
        let words: Vec<&str> = span.split_whitespace().collect();
        for (i, word) in words.iter().enumerate() {
            let word = word.trim_start_matches("./");
            let filter = i > 0 && matches!(words[i - 1], "--" | "--filter");
            let looks_like_path = word.contains('/') || FILE_ENDINGS.iter().any(|e| word.ends_with(e));
            let other = word.contains(['*', '?', '[', '<', '>', '{'])
                || word.contains("://")
                || word.starts_with(['/', '-'])
                || word.split('/').next().is_some_and(|root| test_roots.contains(root));
            if looks_like_path && !filter && !other {
                paths.push(word.to_owned());
            }
        }
    }
    paths
}

/// A recipe that sends a contributor to a file that is not there is worse than none.
fn contributing_names_only_files_that_exist() -> Result<(), Failed> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("CONTRIBUTING.md")).map_err(|e| format!("CONTRIBUTING.md: {e}"))?;
    let tests = all_tests(ContentRev::Rev08);
    let test_roots: BTreeSet<&str> = tests.iter().filter_map(|t| t.id.split('/').next()).collect();
    let paths = named_paths(&text, &test_roots);
    ensure(
        !paths.is_empty(),
        "CONTRIBUTING.md names no path in backticks (or none was found)",
    )?;
    let missing: BTreeSet<&String> = paths.iter().filter(|p| !root.join(p).exists()).collect();
    ensure(
        missing.is_empty(),
        format!("CONTRIBUTING.md names what is not in the repository: {missing:?}"),
    )
}
