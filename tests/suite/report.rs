//! What a run's report says: advisory and required failures, the requirement charged, other
//! reasons, causes, and the Markdown and JUnit snapshots (`report/...`).

use std::time::SystemTime;

use libtest_mimic::{Failed, Trial};
use mimi_conformance::codec::content::ContentRev;
use mimi_conformance::harness::{Cause, Status, TestResult};
use mimi_conformance::provider::Fault;
use mimi_conformance::report::{Report, junit_xml, markdown};
use mimi_conformance::spec::Basis;

use crate::common::*;

pub fn trials() -> Vec<Trial> {
    vec![
        Trial::test(
            "report/only-required-must-failures-fail-the-run-unless-strict",
            only_required_must_failures_fail_the_run_unless_strict,
        ),
        Trial::test(
            "report/a-failure-is-charged-to-the-requirement-whose-check-failed",
            a_failure_is_charged_to_the_requirement_whose_check_failed,
        ),
        Trial::test(
            "report/a-rejection-naming-another-rule-is-a-pass-marked-other-reason",
            a_rejection_naming_another_rule_is_a_pass_marked_other_reason,
        ),
        Trial::test(
            "report/a-wire-rejection-naming-another-rule-is-other-reason",
            a_wire_rejection_naming_another_rule_is_other_reason,
        ),
        Trial::test(
            "report/failures-of-one-cause-are-grouped-under-it",
            failures_of_one_cause_are_grouped_under_it,
        ),
        Trial::test(
            "report/markdown-and-junit-snapshots-of-a-fixed-run",
            markdown_and_junit_snapshots_of_a_fixed_run,
        ),
    ]
}

fn only_required_must_failures_fail_the_run_unless_strict() -> Result<(), Failed> {
    // door-ignores-from accepts a From without the mimi local part: -06 constrains the
    // sender there (PROT-02), so refusing it is robustness, shown but not failing the run.
    let dir = temp_dir("advisory");
    let out = dir.to_str().expect("utf-8 path");
    let args = [
        "run",
        "-q",
        "--fault",
        "door-ignores-from",
        "--filter",
        "protocol/4.1/reject-from-without-mimi-local-part",
        "--out",
        out,
    ];
    let (code, stdout, stderr) = cli(&args);
    ensure(
        code == 0 && stdout.contains("1 fail") && stdout.contains("1 robustness MUST (advisory)"),
        format!("exit {code}\n{stdout}\n{stderr}"),
    )?;
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("report.json")).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    let w = &json["failures"][0];
    ensure(
        w["basis"] == "robustness" && w["level"] == "MUST" && w["blocking"] == false,
        format!("{w}"),
    )?;
    let md = std::fs::read_to_string(dir.join("report.md")).map_err(|e| e.to_string())?;
    ensure(
        md.contains("| fail (advisory) | MUST · robustness | PROT-02 |"),
        "report.md row",
    )?;
    let (code, stdout, _) = cli(&[&args[..], &["--strict"]].concat());
    ensure(code == 1, format!("--strict: exit {code}\n{stdout}"))?;
    // A required MUST fails the run without --strict.
    let (code, stdout, _) = cli(&[
        "run",
        "-q",
        "--fault",
        "door-ignores-from",
        "--filter",
        "protocol/4.1/reject-from-not-matching-certificate",
        "--out",
        out,
    ]);
    ensure(
        code == 1 && stdout.contains("1 required MUST"),
        format!("exit {code}\n{stdout}"),
    )
}

fn a_failure_is_charged_to_the_requirement_whose_check_failed() -> Result<(), Failed> {
    // directory-incomplete: the transport holds (PROT-01, PROT-03, PROT-04), the
    // directory's members (reading PROT-X02) do not.
    let outcome = run_builtin(
        &[Fault::DirectoryIncomplete],
        &["protocol/5.1/directory-over-mutual-tls"],
    )?;
    let r = outcome
        .results
        .iter()
        .find(|r| r.id == "protocol/5.1/directory-over-mutual-tls")
        .ok_or("no result")?;
    ensure(
        r.status == Status::Fail
            && r.failed == ["PROT-X02"]
            && r.basis == Some(Basis::Reading)
            && r.cause == Some(Cause::DirectoryLacksEndpoint)
            && !r.blocks(false),
        format!("{:?} {:?} {:?} {:?}", r.status, r.failed, r.basis, r.cause),
    )?;
    let drafts = [("draft-ietf-mimi-protocol".to_owned(), "06".to_owned())].into();
    let mut report = Report::new(drafts, SystemTime::UNIX_EPOCH);
    report.finish(&outcome, &catalogs(), SystemTime::UNIX_EPOCH);
    let status = |req: &str| report.coverage.iter().find(|c| c.req == req).and_then(|c| c.status);
    ensure(
        status("PROT-X02") == Some(Status::Fail) && status("PROT-03") == Some(Status::Pass),
        format!("PROT-X02 {:?}, PROT-03 {:?}", status("PROT-X02"), status("PROT-03")),
    )
}

fn a_rejection_naming_another_rule_is_a_pass_marked_other_reason() -> Result<(), Failed> {
    let outcome = run_all(
        all_tests(ContentRev::Rev08),
        &reference(&[Fault::DecoderNamesAnotherRule]),
        &["content/4.1/reject-salt-15-bytes", "content/A.1/reject-lone-break"],
    );
    let get = |id: &str| outcome.results.iter().find(|r| r.id == id).ok_or(format!("no {id}"));
    let other = get("content/4.1/reject-salt-15-bytes")?;
    ensure(
        other.status == Status::Pass
            && other.other_reason
            && other.rejection.as_ref().and_then(|j| j.rule.as_deref()) == Some("malformed-cbor")
            && other.message.contains("salt-length"),
        format!(
            "{:?} {} {:?}: {}",
            other.status, other.other_reason, other.rejection, other.message
        ),
    )?;
    // The rule it names is the one that lone break breaks: a plain pass, its reason kept.
    let same = get("content/A.1/reject-lone-break")?;
    ensure(
        same.status == Status::Pass && !same.other_reason && same.rejection.is_some(),
        format!("{:?} {} {:?}", same.status, same.other_reason, same.rejection),
    )?;
    let drafts = [("draft-ietf-mimi-content".to_owned(), "08".to_owned())].into();
    let mut report = Report::new(drafts, SystemTime::UNIX_EPOCH);
    report.finish(&outcome, &catalogs(), SystemTime::UNIX_EPOCH);
    let md = markdown(&report, &catalogs());
    ensure(
        report.other_reason == 1 && md.contains("pass (other reason)") && md.contains("1 pass for another reason"),
        "report.md does not show the other reason",
    )
}

fn a_wire_rejection_naming_another_rule_is_other_reason() -> Result<(), Failed> {
    let (trailing, truncated) = (
        "protocol/5.3/reject-ratchet-tree-option-trailing-bytes",
        "protocol/5.3/reject-ratchet-tree-option-truncated",
    );
    let outcome = run_all(
        all_tests(ContentRev::Rev08),
        &reference(&[Fault::WireDecodeNamesAnotherRule]),
        &[trailing, truncated],
    );
    let get = |id: &str| outcome.results.iter().find(|r| r.id == id).ok_or(format!("no {id}"));
    let (other, same) = (get(trailing)?, get(truncated)?);
    ensure(
        other.status == Status::Pass && other.other_reason && other.message.contains("trailing-bytes"),
        format!("{:?} {}: {}", other.status, other.other_reason, other.message),
    )?;
    ensure(
        same.status == Status::Pass && !same.other_reason && same.rejection.is_some(),
        format!("{:?} {} {:?}", same.status, same.other_reason, same.rejection),
    )
}

fn failures_of_one_cause_are_grouped_under_it() -> Result<(), Failed> {
    // The -07 message-ID formula: every message-ID failure, one cause.
    let outcome = run_all(
        all_tests(ContentRev::Rev08),
        &reference(&[Fault::MessageIdWrongRevision]),
        &["content/3.3/message-id-"],
    );
    let failed = outcome.results.iter().filter(|r| r.status == Status::Fail).count();
    let drafts = [("draft-ietf-mimi-content".to_owned(), "08".to_owned())].into();
    let mut report = Report::new(drafts, SystemTime::UNIX_EPOCH);
    report.finish(&outcome, &catalogs(), SystemTime::UNIX_EPOCH);
    ensure(
        failed > 30 && report.causes.len() == 1 && report.causes[0].tests.len() == failed,
        format!("{failed} failures; causes {:?}", report.causes),
    )?;
    let md = markdown(&report, &catalogs());
    ensure(
        md.contains("## Causes") && md.contains(&format!("(`message-id-other-revision`): {failed} tests")),
        "report.md does not group the cause",
    )?;
    // Keys in insertion order: every encode failure, one cause.
    let outcome = run_all(
        all_tests(ContentRev::Rev08),
        &reference(&[Fault::EncoderUnsortedKeys]),
        &["content/6.1/encode-"],
    );
    let failed: Vec<&TestResult> = outcome.results.iter().filter(|r| r.status == Status::Fail).collect();
    ensure(
        !failed.is_empty() && failed.iter().all(|r| r.cause == Some(Cause::MapKeysNotSorted)),
        format!("{:?}", failed.iter().map(|r| (&r.id, r.cause)).collect::<Vec<_>>()),
    )?;
    // A message ID over a re-encoding: every test of the bytes as given fails, named.
    let outcome = run_all(
        all_tests(ContentRev::Rev08),
        &reference(&[Fault::MessageIdOverReencoding]),
        &["content/3.3/message-id-"],
    );
    let of_bytes: Vec<&TestResult> = outcome
        .results
        .iter()
        .filter(|r| r.id.contains("message-id-of-bytes-as-given-"))
        .collect();
    ensure(
        of_bytes.len() >= 10
            && of_bytes
                .iter()
                .all(|r| r.status == Status::Fail && r.cause == Some(Cause::MessageIdOverReencoding)),
        format!(
            "{:?}",
            of_bytes.iter().map(|r| (&r.id, r.status, r.cause)).collect::<Vec<_>>()
        ),
    )?;
    // The other message-ID tests give canonical bytes, where a re-encoding is the same.
    let others = outcome
        .results
        .iter()
        .filter(|r| r.status != Status::Skip && !r.id.contains("of-bytes"))
        .all(|r| r.status == Status::Pass);
    ensure(others, "a re-encoding of canonical bytes changed their ID")
}

fn markdown_and_junit_snapshots_of_a_fixed_run() -> Result<(), Failed> {
    let cats = catalogs();
    let mut outcome = run_all(
        all_tests(ContentRev::Rev08),
        &reference(&[Fault::MessageIdWrongRevision]),
        &[
            "content/3.3/message-id-example-o",
            "content/5.1/",
            "content/5.2/draft-",
            "message-status/4/reject-status-value",
        ],
    );
    outcome.results.retain(|r| r.status != Status::Skip);
    for r in &mut outcome.results {
        r.duration_ms = 0;
    }
    let drafts = [
        ("draft-ietf-mimi-content", "08"),
        ("draft-mahy-mimi-message-status", "01"),
    ]
    .into_iter()
    .map(|(d, r)| (d.to_owned(), r.to_owned()))
    .collect();
    let mut report = Report::new(drafts, SystemTime::UNIX_EPOCH);
    report.finish(&outcome, &cats, SystemTime::UNIX_EPOCH);
    report.iut.as_mut().expect("iut").version = "(version)".into();
    insta::assert_snapshot!("report_md", markdown(&report, &cats));
    insta::assert_snapshot!("junit_xml", junit_xml(&report));
    Ok(())
}
