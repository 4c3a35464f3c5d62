//! `report.md`: the run grouped by draft and section, the details of what did not pass, and
//! requirement coverage. Rendered with minijinja from `report.md.j2`.

use std::collections::BTreeMap;

use minijinja::value::Serde;
use minijinja::{Environment, Value, context};
use serde::Serialize;

use super::{Report, section_key};
use crate::harness::{Status, TestResult};
use crate::spec::Catalogs;

const TEMPLATE: &str = include_str!("report.md.j2");

#[derive(Serialize)]
struct Group {
    doc: String,
    rev: String,
    sections: Vec<Section>,
}

#[derive(Serialize)]
struct Section {
    section: String,
    title: String,
    /// Passes whose rejection named another rule or section.
    other_reason: usize,
    results: Vec<Row>,
}

#[derive(Serialize)]
struct Row {
    id: String,
    status: String,
    weight: String,
    reqs: String,
    note: String,
}

pub(super) fn status(r: &TestResult) -> String {
    match (r.status, r.other_reason) {
        (Status::Pass, true) => "pass (other reason)".into(),
        (Status::Fail, _) if !r.blocks(false) => "fail (advisory)".into(),
        (s, _) => s.to_string(),
    }
}

/// One line, safe inside a Markdown table cell.
fn cell(s: &str) -> String {
    let line = s.lines().next().unwrap_or("");
    let short: String = line.chars().take(160).collect();
    let short = if short.len() < line.len() {
        format!("{short}…")
    } else {
        short
    };
    short.replace('|', "\\|")
}

fn reqs(r: &TestResult) -> String {
    r.spec.iter().map(|s| s.req.as_str()).collect::<Vec<_>>().join(", ")
}

pub fn markdown(report: &Report, catalogs: &Catalogs) -> String {
    // Grouped by the draft and section the test id names (`content/6.1/…`).
    let mut groups: BTreeMap<(String, String), BTreeMap<String, Vec<&TestResult>>> = BTreeMap::new();
    for r in &report.results {
        let (doc, rev, _, section) = super::placed(&r.id, &report.drafts);
        groups
            .entry((doc, rev.unwrap_or_default()))
            .or_default()
            .entry(section.to_owned())
            .or_default()
            .push(r);
    }
    let title = |doc: &str, section: &str| catalogs.section_title(doc, section).unwrap_or_default().to_owned();
    let groups: Vec<Group> = groups
        .into_iter()
        .map(|((doc, rev), sections)| {
            let mut sections: Vec<Section> = sections
                .into_iter()
                .map(|(section, results)| Section {
                    title: title(&doc, &section),
                    other_reason: results.iter().filter(|r| r.other_reason).count(),
                    results: results
                        .into_iter()
                        .map(|r| Row {
                            id: r.id.clone(),
                            status: status(r),
                            weight: super::weight_label(r),
                            reqs: reqs(r),
                            note: cell(&r.message),
                        })
                        .collect(),
                    section,
                })
                .collect();
            sections.sort_by_key(|a| section_key(&a.section));
            Group { doc, rev, sections }
        })
        .collect();
    let failures: Vec<_> = report
        .results
        .iter()
        .filter(|r| !matches!(r.status, Status::Pass | Status::Skip))
        .map(|r| {
            context! {
                id => r.id.clone(), status => status(r), weight => super::weight_label(r), title => r.title.clone(), reqs => reqs(r),
                failed => r.failed.join(", "), message => r.message.clone(),
                rejection => r.rejection.as_ref().map(|j| j.to_string()), cause => r.cause.map(|c| c.id()),
            }
        })
        .collect();
    let causes: Vec<_> = report
        .causes
        .iter()
        .map(|c| context! { id => c.cause.id(), title => c.title, count => c.tests.len(), tests => c.tests.clone() })
        .collect();
    let weights = super::weights_context(report);
    let summary: Vec<_> = report
        .summary
        .iter()
        .map(|(s, n)| context! { status => s.as_str(), count => n })
        .collect();
    let drafts = super::drafts_context(report);
    let coverage: Vec<_> = report
        .coverage
        .iter()
        .map(|c| {
            context! {
                req => c.req.clone(), section => c.section.clone(), level => c.level.to_string(), coverage => c.coverage,
                reason => c.reason.as_deref().map(cell), tests => c.tests.len(),
                status => c.status.map(|s| s.to_string()).unwrap_or_default(),
            }
        })
        .collect();
    let mut env = Environment::new();
    env.add_template("report.md", TEMPLATE)
        .expect("the report template parses");
    env.get_template("report.md")
        .expect("template")
        .render(context! {
            iut => Value::from(Serde(&report.iut)), suite_version => report.suite_version, schema => report.schema, drafts,
            started => report.started.clone(), finished => report.finished.clone(), summary,
            executed => report.executed, total => report.results.len(),
            groups => Value::from(Serde(&groups)), failures, coverage, causes, weights,
            strict => report.strict, other_reason => report.other_reason,
            aborted => report.aborted.clone(), cut => report.cut.as_ref().map(|c| c.note.clone()),
        })
        .expect("the report template renders")
}
