//! JUnit XML: one testsuite per draft section (as h2spec maps groups to suites).

use std::collections::BTreeMap;
use std::time::Duration;

use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};

use super::{Report, id_order};
use crate::harness::Status;

pub fn junit_xml(report: &Report) -> String {
    let mut suites: BTreeMap<String, Vec<&crate::harness::TestResult>> = BTreeMap::new();
    for r in &report.results {
        let group = r.id.rsplit_once('/').map(|(g, _)| g.to_owned()).unwrap_or_default();
        suites.entry(group).or_default().push(r);
    }
    let mut groups: Vec<_> = suites.into_iter().collect();
    groups.sort_by(|a, b| id_order(&format!("{}/", a.0), &format!("{}/", b.0)));
    let mut out = quick_junit::Report::new("mimi-conformance");
    for (name, results) in groups {
        let mut suite = TestSuite::new(name.clone());
        for r in results {
            let mut status = match r.status {
                Status::Pass | Status::Xfail => TestCaseStatus::success(),
                Status::Skip | Status::Unsupported => TestCaseStatus::skipped(),
                Status::Fail | Status::Xpass => TestCaseStatus::non_success(NonSuccessKind::Failure),
                Status::Error | Status::Timeout => TestCaseStatus::non_success(NonSuccessKind::Error),
            };
            if !r.message.is_empty() || r.status != Status::Pass {
                let reqs: Vec<String> = r
                    .spec
                    .iter()
                    .map(|s| format!("{} {} §{}", s.req, s.level, s.section))
                    .collect();
                let weight = match (r.status, r.basis, r.level) {
                    (Status::Fail, Some(b), Some(l)) if !r.blocks(false) => format!(" ({b} {l}, advisory)"),
                    (Status::Fail, Some(b), Some(l)) => format!(" ({b} {l})"),
                    _ => String::new(),
                };
                status.set_message(format!("{}{weight}: {}", r.status, reqs.join(", ")));
                status.set_description(r.message.clone());
            }
            let mut case = TestCase::new(r.id.clone(), status);
            case.set_classname(name.clone());
            case.set_time(Duration::from_millis(r.duration_ms));
            suite.add_test_case(case);
        }
        out.add_test_suite(suite);
    }
    out.to_string().expect("JUnit XML serializes")
}
