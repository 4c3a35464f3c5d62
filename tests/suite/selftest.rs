//! The self-test: every fault caught, every check tripped (`selftest/...`).

use libtest_mimic::{Failed, Trial};
use mimi_conformance::codec::content::ContentRev;

use crate::common::*;

pub fn trials() -> Vec<Trial> {
    vec![Trial::test(
        "selftest/every-fault-caught-and-every-check-trips",
        every_fault_caught_and_every_check_trips,
    )]
}

fn every_fault_caught_and_every_check_trips() -> Result<(), Failed> {
    let report = runtime().block_on(mimi_conformance::selftest::selftest(
        &all_tests(ContentRev::Rev08),
        catalogs(),
        ContentRev::Rev08,
        mimi_conformance::selftest::Search::FirstCatch,
    ));
    ensure(report.ok(), mimi_conformance::selftest::render(&report))?;
    let caught = report.faults_caught();
    let (iut, tripped) = (report.iut_tests, report.iut_tests - report.never_failed.len());
    docs_say(&[(
        "README.md",
        format!(
            "{caught}/{} faults caught; {tripped}/{iut} implementation checks",
            report.faults.len()
        ),
    )])
}
