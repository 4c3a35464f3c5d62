//! `report.html`: one self-contained page (no network, no external asset) rendered with minijinja
//! from `report.html.j2`: the summary by draft, section, level and basis; every result with the
//! catalog's text of its requirements; for each that did not pass, its transcript made readable
//! ([`super::readable`]); coverage; filters by status and a search box (a plain inline script).
//! Every value goes through minijinja's HTML autoescaping: an implementation's strings cannot
//! inject markup. Each result has the anchor `#t-<id>` ([`anchor`]), each section `#s-<draft>/<section>`.

use std::collections::BTreeMap;

use minijinja::value::Serde;
use minijinja::{Environment, Value, context};
use serde::Serialize;

use super::readable::{Block, blocks};
use super::{Report, section_key, severity};
use crate::harness::{Status, TestResult};
use crate::spec::Catalogs;

const TEMPLATE: &str = include_str!("report.html.j2");

/// At most this much transcript text per result in the page.
pub const TRANSCRIPT_CAP: usize = 64 * 1024;

/// `prefix` then `s` with every character outside `[A-Za-z0-9._~/@:+-]` written `_XX` (its
/// UTF-8 bytes in hex): an id attribute and URL fragment that needs no escaping, the same in
/// `report.html` and in the matrix's links.
pub fn fragment(prefix: &str, s: &str) -> String {
    let mut out = String::from(prefix);
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || "._~/@:+-".contains(c) {
            out.push(c);
        } else {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("_{b:02X}"));
            }
        }
    }
    out
}

/// The anchor of test `id` in `report.html` (`t-content/3.3/message-id-example-original`).
pub fn anchor(id: &str) -> String {
    fragment("t-", id)
}

/// The anchor of a section (`short` is the id's first part: `content`, `protocol`, ...).
pub fn section_anchor(short: &str, section: &str) -> String {
    fragment("s-", &format!("{short}/{section}"))
}

#[derive(Serialize)]
struct Req {
    req: String,
    level: String,
    basis: String,
    section: String,
    title: String,
    text: String,
    failed: bool,
}

#[derive(Serialize)]
struct ResultView {
    id: String,
    anchor: String,
    title: String,
    status: &'static str,
    label: String,
    weight: String,
    target: &'static str,
    reqs: Vec<Req>,
    message: String,
    rejection: Option<String>,
    cause: Option<String>,
    duration_ms: u64,
    transcript: Vec<Block>,
}

#[derive(Serialize)]
struct SectionView {
    section: String,
    title: String,
    anchor: String,
    counts: Vec<usize>,
    worst: &'static str,
    results: Vec<ResultView>,
}

#[derive(Serialize)]
struct GroupView {
    doc: String,
    rev: String,
    counts: Vec<usize>,
    worst: &'static str,
    sections: Vec<SectionView>,
}

fn counts<'a>(results: impl IntoIterator<Item = &'a TestResult>) -> Vec<usize> {
    let mut n = vec![0; Status::ALL.len()];
    for r in results {
        if let Some(i) = Status::ALL.iter().position(|s| *s == r.status) {
            n[i] += 1;
        }
    }
    n
}

/// The worst status among `results` that are not `skip` (`skip` if all are).
fn worst<'a>(results: impl IntoIterator<Item = &'a TestResult>) -> &'static str {
    results
        .into_iter()
        .map(|r| r.status)
        .filter(|s| *s != Status::Skip)
        .max_by_key(|s| severity(*s))
        .unwrap_or(Status::Skip)
        .as_str()
}

fn label(r: &TestResult) -> String {
    match (r.status, r.other_reason) {
        (Status::Pass, true) => "pass (other reason)".into(),
        (Status::Fail, _) if !r.blocks(false) => "fail (advisory)".into(),
        (s, _) => s.to_string(),
    }
}

fn view(r: &TestResult, catalogs: &Catalogs) -> ResultView {
    let reqs = r
        .spec
        .iter()
        .map(|s| {
            let (title, text) = catalogs
                .get(&s.req)
                .map(|(_, q)| (q.title.clone(), q.text.trim().to_owned()))
                .unwrap_or_default();
            Req {
                req: s.req.clone(),
                level: s.level.to_string(),
                basis: match &s.reading {
                    Some(x) => format!("{} {x}", s.basis),
                    None => s.basis.to_string(),
                },
                section: s.section.clone(),
                title,
                text,
                failed: r.failed.contains(&s.req),
            }
        })
        .collect();
    let shown = !matches!(r.status, Status::Pass | Status::Skip);
    ResultView {
        id: r.id.clone(),
        anchor: anchor(&r.id),
        title: r.title.clone(),
        status: r.status.as_str(),
        label: label(r),
        weight: super::weight_label(r),
        target: match r.target {
            crate::harness::Target::Iut => "iut",
            crate::harness::Target::Draft => "draft",
        },
        reqs,
        message: r.message.clone(),
        rejection: r.rejection.as_ref().map(|j| j.to_string()),
        cause: r.cause.map(|c| format!("{} ({})", c.title(), c.id())),
        duration_ms: r.duration_ms,
        transcript: if shown {
            blocks(&r.transcript, TRANSCRIPT_CAP)
        } else {
            Vec::new()
        },
    }
}

/// The whole page.
pub fn html(report: &Report, catalogs: &Catalogs) -> String {
    // Grouped by the draft and section the test id names (`content/6.1/…`).
    let mut groups: BTreeMap<(String, String), BTreeMap<String, Vec<&TestResult>>> = BTreeMap::new();
    for r in &report.results {
        let (doc, rev, short, section) = super::placed(&r.id, &report.drafts);
        groups
            .entry((doc, rev.unwrap_or_default()))
            .or_default()
            .entry(format!("{short}/{section}"))
            .or_default()
            .push(r);
    }
    let groups: Vec<GroupView> = groups
        .into_iter()
        .map(|((doc, rev), sections)| {
            let all: Vec<&TestResult> = sections.values().flatten().copied().collect();
            let mut sections: Vec<SectionView> = sections
                .into_iter()
                .map(|(key, results)| {
                    let (short, section) = key.split_once('/').unwrap_or(("", &key));
                    SectionView {
                        title: catalogs.section_title(&doc, section).unwrap_or_default().to_owned(),
                        anchor: section_anchor(short, section),
                        counts: counts(results.iter().copied()),
                        worst: worst(results.iter().copied()),
                        results: results.iter().map(|r| view(r, catalogs)).collect(),
                        section: section.to_owned(),
                    }
                })
                .collect();
            sections.sort_by_key(|s| section_key(&s.section));
            GroupView {
                counts: counts(all.iter().copied()),
                worst: worst(all.iter().copied()),
                doc,
                rev,
                sections,
            }
        })
        .collect();
    // By the level and basis of what each result weighs.
    let mut by_weight: BTreeMap<(String, String), Vec<&TestResult>> = BTreeMap::new();
    for r in &report.results {
        if let Some(s) = r.weighing() {
            by_weight
                .entry((s.level.to_string(), s.basis.to_string()))
                .or_default()
                .push(r);
        }
    }
    let by_weight: Vec<_> = by_weight
        .into_iter()
        .map(|((level, basis), rs)| context! { level, basis, counts => counts(rs.iter().copied()) })
        .collect();
    let statuses: Vec<_> = Status::ALL
        .iter()
        .map(|s| context! { status => s.as_str(), count => report.summary.get(s).copied().unwrap_or(0) })
        .collect();
    let causes: Vec<_> = report
        .causes
        .iter()
        .map(|c| {
            let tests: Vec<_> = c
                .tests
                .iter()
                .map(|t| context! { id => t, anchor => anchor(t) })
                .collect();
            context! { id => c.cause.id(), title => c.title, tests }
        })
        .collect();
    let weights = super::weights_context(report);
    let coverage: Vec<_> = report
        .coverage
        .iter()
        .map(|c| {
            let title = catalogs.get(&c.req).map(|(_, r)| r.title.clone()).unwrap_or_default();
            context! {
                doc => c.doc.clone(), rev => c.rev.clone(), req => c.req.clone(), section => c.section.clone(),
                level => c.level.to_string(), coverage => c.coverage, reason => c.reason.clone(), title,
                tests => c.tests.len(), status => c.status.map(|s| s.as_str()).unwrap_or(""),
            }
        })
        .collect();
    let drafts = super::drafts_context(report);
    let mut env = Environment::new();
    env.add_template("report.html", TEMPLATE)
        .expect("the HTML template parses");
    env.get_template("report.html")
        .expect("template")
        .render(context! {
            iut => Value::from(Serde(&report.iut)), suite_version => report.suite_version, schema => report.schema,
            drafts, started => report.started.clone(), finished => report.finished.clone(),
            aborted => report.aborted.clone(), cut => report.cut.as_ref().map(|c| c.note.clone()), statuses, executed => report.executed, total => report.results.len(),
            strict => report.strict, other_reason => report.other_reason, weights, causes, by_weight,
            groups => Value::from(Serde(&groups)), coverage,
        })
        .expect("the HTML template renders")
}
