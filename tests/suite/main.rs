//! `cargo test`: one libtest-mimic binary whose trials are
//! - every vector case, checked against the draft's rules (`vectors/...`);
//! - every suite test, run against the built-in reference (`suite/...`);
//! - the self-test: every fault caught, every check tripped (`selftest/...`);
//! - the catalogs, the docs, the transports, the outside implementation, hostile input, the CLI's
//!   exit codes, the report formats and the source tree's layout.
//!
//! One module per feature, each with its trials (`trials()`); `common` holds what they share.
//! Trials that need the compiled binary or the example adapter find them next to this test.

mod catalog;
mod cli;
mod common;
mod docs;
mod driver;
mod hostile;
mod hostile_time;
mod layout;
mod outside;
mod report;
mod report_html;
mod report_tools;
mod selftest;
mod suites;
mod vectors;

use libtest_mimic::Arguments;

fn main() {
    let args = Arguments::from_args();
    let mut trials = vectors::cases();
    trials.extend(suites::results());
    for more in [
        docs::trials,
        selftest::trials,
        suites::trials,
        catalog::trials,
        vectors::trials,
        hostile::trials,
        hostile_time::trials,
        driver::trials,
        cli::trials,
        report::trials,
        outside::trials,
        report_html::trials,
        report_tools::trials,
        layout::trials,
    ] {
        trials.extend(more());
    }
    libtest_mimic::run(&args, trials).exit();
}
