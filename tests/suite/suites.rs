//! Every suite test against the built-in reference (`suite/...`), and the suite's own switches.

use std::sync::Arc;

use libtest_mimic::{Failed, Trial};
use mimi_conformance::codec::content::ContentRev;
use mimi_conformance::driver::Driver;
use mimi_conformance::harness::{Status, TestResult};
use mimi_conformance::provider::{Fault, FaultSet, Reference};

use crate::common::*;

/// Every suite test against the fault-free reference, each as its own trial.
pub fn results() -> Vec<Trial> {
    baseline()
        .results
        .iter()
        .cloned()
        .map(|r| {
            Trial::test(format!("suite/{}", r.id), move || match r.status {
                Status::Pass | Status::Xfail => Ok(()),
                s => Err(format!("{s}: {}", r.message).into()),
            })
        })
        .collect()
}

pub fn trials() -> Vec<Trial> {
    vec![
        Trial::test(
            "suite/a-directory-that-lies-fails-the-scenarios-naming-it",
            a_directory_that_lies_fails_the_scenarios_naming_it,
        ),
        Trial::test(
            "suite/content-rev-07-selects-the-old-message-id",
            content_rev_07_selects_the_old_message_id,
        ),
    ]
}

fn a_directory_that_lies_fails_the_scenarios_naming_it() -> Result<(), Failed> {
    // §5.1: peers build every URL from the directory; one naming URLs where nothing is
    // served fails each scenario that sends the implementation a request, and says why.
    let o = run_builtin(&[Fault::DirectoryLies], &["protocol/3", "protocol/5.2"])?;
    let failed: Vec<&TestResult> = o.results.iter().filter(|r| r.status == Status::Fail).collect();
    ensure(failed.len() >= 5, format!("{} scenarios failed", failed.len()))?;
    let unnamed: Vec<String> = failed
        .iter()
        .filter(|r| !r.message.contains("§5.1 directory"))
        .map(|r| format!("{}: {}", r.id, r.message))
        .collect();
    ensure(unnamed.is_empty(), unnamed.join("\n"))
}

fn content_rev_07_selects_the_old_message_id() -> Result<(), Failed> {
    let r = Reference::new(ContentRev::Rev07, FaultSet::NONE, catalogs());
    let driver = Driver::builtin(r.name(), Arc::new(r));
    let o = run_all(all_tests(ContentRev::Rev07), &driver, &["content/3.3/message-id-"]);
    ensure(
        o.counts()[&Status::Pass] > 14 && !o.blocks(true),
        format!("{:?}", o.counts()),
    )?;
    // And the -07 formula fails every -08 message-ID test, naming the revision.
    let o = run_all(
        all_tests(ContentRev::Rev08),
        &driver,
        &["content/3.3/message-id-example-original"],
    );
    let r = o
        .results
        .iter()
        .find(|r| r.status == Status::Fail)
        .ok_or("the -07 ID passed a -08 test")?;
    ensure(r.message.contains("-07"), r.message.clone())
}
