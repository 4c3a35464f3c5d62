//! The docs say what the suite is: every count, every wire rule (`docs/...`).

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
