//! `diff`: what changed between two runs (two report.json), as Markdown for a pull-request
//! comment: new failures, fixes, other status changes, tests added and removed.

use std::collections::BTreeMap;

use super::markdown::status as label;
use super::{Report, id_order};
use crate::harness::{Status, TestResult};

/// At most this many rows per table: a pull-request comment holds 65,536 characters.
const MAX_ROWS: usize = 100;

/// One test whose status changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub id: String,
    /// As `report.md` shows it (`pass (other reason)`, `fail (advisory)`).
    pub old: String,
    pub new: String,
    /// The requirements whose check failed (now; for a fix, then), or the test's when none did.
    pub reqs: String,
    /// The first line of the new result's message (of the old one, for a fix).
    pub message: String,
}

/// What changed from `old` to `new`.
#[derive(Debug, Clone)]
pub struct Diff {
    /// Draft → (old revision, new revision), for the drafts whose revision differs.
    pub drafts: BTreeMap<String, (Option<String>, Option<String>)>,
    /// Passed (or failed as expected) before; fail, error or timeout now.
    pub new_failures: Vec<Change>,
    /// Failed (fail, error, timeout) before; pass now.
    pub fixes: Vec<Change>,
    /// Every other change of status (as `report.md` labels it).
    pub other: Vec<Change>,
    pub added: Vec<Change>,
    pub removed: Vec<Change>,
    /// Why a run did not finish: (old, new).
    pub unfinished: (Option<String>, Option<String>),
    old_head: Head,
    new_head: Head,
}

#[derive(Debug, Clone)]
struct Head {
    iut: String,
    suite: String,
    drafts: String,
    finished: String,
    summary: String,
}

fn head(r: &Report) -> Head {
    Head {
        iut: r.iut.as_ref().map_or("(none)".into(), |i| {
            format!("{} {} (`{}`, {})", i.name, i.version, i.driver, i.mode.as_str())
        }),
        suite: format!("mimi-conformance {}", r.suite_version),
        drafts: r
            .drafts
            .iter()
            .map(|(d, v)| format!("{d}-{v}"))
            .collect::<Vec<_>>()
            .join(", "),
        finished: r.finished.clone().unwrap_or_else(|| "(not finished)".into()),
        summary: super::counts_line(&r.summary),
    }
}

/// Why a report does not hold a whole run, if it does not.
fn unfinished(r: &Report) -> Option<String> {
    match (&r.aborted, &r.finished) {
        (Some(why), _) => Some(format!("aborted: {why}")),
        (None, None) => Some("did not finish (it crashed or is still running)".into()),
        (None, Some(_)) => None,
    }
}

fn change(id: &str, old: Option<&TestResult>, new: Option<&TestResult>) -> Change {
    // The side that did not pass speaks (for a fix, what used to fail); else the new one.
    let said = match (old, new) {
        (Some(a), Some(b)) if b.status == Status::Pass && a.status != Status::Pass => Some(a),
        _ => new.or(old),
    };
    let reqs = said.map_or(String::new(), |r| {
        if r.failed.is_empty() {
            r.spec.iter().map(|s| s.req.as_str()).collect::<Vec<_>>().join(", ")
        } else {
            r.failed.join(", ")
        }
    });
    let message = said.map_or(String::new(), |r| r.message.lines().next().unwrap_or("").to_owned());
    Change {
        id: id.to_owned(),
        old: old.map_or(String::new(), label),
        new: new.map_or(String::new(), label),
        reqs,
        message,
    }
}

/// Compares two reports test by test (by id).
pub fn diff(old: &Report, new: &Report) -> Diff {
    let index = |r: &'_ Report| -> BTreeMap<String, TestResult> {
        r.results.iter().map(|t| (t.id.clone(), t.clone())).collect()
    };
    let (before, after) = (index(old), index(new));
    let mut d = Diff {
        drafts: BTreeMap::new(),
        new_failures: Vec::new(),
        fixes: Vec::new(),
        other: Vec::new(),
        added: Vec::new(),
        removed: Vec::new(),
        unfinished: (unfinished(old), unfinished(new)),
        old_head: head(old),
        new_head: head(new),
    };
    for doc in old.drafts.keys().chain(new.drafts.keys()) {
        let (a, b) = (old.drafts.get(doc), new.drafts.get(doc));
        if a != b {
            d.drafts.insert(doc.clone(), (a.cloned(), b.cloned()));
        }
    }
    let good = |s: Status| matches!(s, Status::Pass | Status::Xfail);
    let bad = |s: Status| matches!(s, Status::Fail | Status::Error | Status::Timeout);
    let mut ids: Vec<&String> = before.keys().chain(after.keys()).collect();
    ids.sort_by(|a, b| id_order(a, b));
    ids.dedup();
    for id in ids {
        match (before.get(id), after.get(id)) {
            (Some(a), Some(b)) if good(a.status) && bad(b.status) => d.new_failures.push(change(id, Some(a), Some(b))),
            (Some(a), Some(b)) if bad(a.status) && b.status == Status::Pass => {
                d.fixes.push(change(id, Some(a), Some(b)))
            }
            (Some(a), Some(b)) if label(a) != label(b) => d.other.push(change(id, Some(a), Some(b))),
            (Some(_), Some(_)) => {}
            (None, Some(b)) => d.added.push(change(id, None, Some(b))),
            (Some(a), None) => d.removed.push(change(id, Some(a), None)),
            (None, None) => {}
        }
    }
    d
}

/// A table cell: one line, cut, `|` escaped.
fn cell(s: &str) -> String {
    let short: String = s.chars().take(140).collect();
    let short = if short.len() < s.len() {
        format!("{short}…")
    } else {
        short
    };
    short.replace('|', "\\|")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl Diff {
    /// Whether the diff fails a CI gate: something that passed now fails, or the new run did not
    /// finish.
    pub fn regressed(&self) -> bool {
        !self.new_failures.is_empty() || self.unfinished.1.is_some()
    }

    /// The one-line verdict (the Markdown's heading).
    pub fn headline(&self) -> String {
        let mut parts = vec![
            plural(self.new_failures.len(), "new failure", "new failures"),
            plural(self.fixes.len(), "fix", "fixes"),
        ];
        for (n, one, many) in [
            (self.other.len(), "other change", "other changes"),
            (self.added.len(), "test added", "tests added"),
            (self.removed.len(), "test removed", "tests removed"),
        ] {
            if n > 0 {
                parts.push(plural(n, one, many));
            }
        }
        parts.join(", ")
    }

    /// Markdown for a pull-request comment; `old` and `new` name the two reports.
    pub fn markdown(&self, old: &str, new: &str) -> String {
        let mut out = format!("## mimi-conformance diff: {}\n\n", self.headline());
        if !self.drafts.is_empty() {
            let changes: Vec<String> = self
                .drafts
                .iter()
                .map(|(doc, (a, b))| {
                    let rev = |r: &Option<String>| r.as_ref().map_or("(not tested)".to_owned(), |r| format!("-{r}"));
                    format!("{doc} {} → {}", rev(a), rev(b))
                })
                .collect();
            out.push_str(&format!(
                "> [!WARNING]\n> **The two runs test different draft revisions**: {}. Tests are compared by id \
                 all the same; a change below may be the revision's, not the implementation's.\n\n",
                changes.join("; ")
            ));
        }
        for (which, why) in [("old", &self.unfinished.0), ("new", &self.unfinished.1)] {
            if let Some(why) = why {
                out.push_str(&format!(
                    "> [!CAUTION]\n> **The {which} run is incomplete** ({}): tests it did not record read as added or removed.\n\n",
                    cell(why)
                ));
            }
        }
        if self.new_failures.is_empty() && self.unfinished.1.is_none() {
            out.push_str("No test that passed fails now.\n\n");
        } else if !self.new_failures.is_empty() {
            out.push_str(&format!(
                "**{} that passed before now {}.**\n\n",
                plural(self.new_failures.len(), "test", "tests"),
                if self.new_failures.len() == 1 { "fails" } else { "fail" }
            ));
        }
        let (a, b) = (&self.old_head, &self.new_head);
        out.push_str("| | old | new |\n|---|---|---|\n");
        for (what, x, y) in [
            ("report", format!("`{}`", cell(old)), format!("`{}`", cell(new))),
            ("implementation", cell(&a.iut), cell(&b.iut)),
            ("suite", a.suite.clone(), b.suite.clone()),
            (
                "drafts",
                a.drafts.clone(),
                if a.drafts == b.drafts {
                    "(the same)".into()
                } else {
                    b.drafts.clone()
                },
            ),
            ("finished", a.finished.clone(), b.finished.clone()),
            ("results", a.summary.clone(), b.summary.clone()),
        ] {
            out.push_str(&format!("| {what} | {x} | {y} |\n"));
        }
        out.push('\n');
        let sections: [(&str, &[Change], bool); 5] = [
            ("New failures", &self.new_failures, true),
            ("Fixes", &self.fixes, true),
            ("Other status changes", &self.other, true),
            ("Tests added", &self.added, false),
            ("Tests removed", &self.removed, false),
        ];
        for (title, rows, both) in sections {
            if rows.is_empty() {
                continue;
            }
            out.push_str(&format!("### {title} ({})\n\n", rows.len()));
            if both {
                out.push_str("| test | was | now | requirements | message |\n|---|---|---|---|---|\n");
            } else {
                out.push_str("| test | status | requirements | message |\n|---|---|---|---|\n");
            }
            for c in rows.iter().take(MAX_ROWS) {
                let status = if both {
                    format!("{} | {}", c.old, c.new)
                } else if c.new.is_empty() {
                    c.old.clone()
                } else {
                    c.new.clone()
                };
                out.push_str(&format!(
                    "| `{}` | {status} | {} | {} |\n",
                    c.id,
                    cell(&c.reqs),
                    cell(&c.message)
                ));
            }
            if rows.len() > MAX_ROWS {
                out.push_str(&format!("\n… and {} more.\n", rows.len() - MAX_ROWS));
            }
            out.push('\n');
        }
        out
    }
}
