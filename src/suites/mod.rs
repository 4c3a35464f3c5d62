//! The test suites, built from vectors and the requirement catalogs. Each test's id is
//! `<draft>/<section>/<slug>`, so that a listing reads like the draft's contents.

/// Calls a driver operation, or ends the test with what the failure means (see `call_failed`).
macro_rules! call {
    ($driver:expr, $op:expr, $params:expr, $timeout:expr, $tr:expr) => {
        match $driver.call($op, &$params, $timeout, &mut $tr.exchanges).await {
            Ok(r) => r,
            Err(e) => return $crate::harness::call_failed(e),
        }
    };
}

use std::cmp::Ordering;

pub mod content;
pub mod policy;
pub mod protocol;

use crate::harness::Test;
use crate::spec::Catalogs;
use crate::vectors::VectorFile;

/// The suites this build knows.
pub const SUITES: &[&str] = &["content", "protocol", "policy"];

/// Orders sections as the draft does: 3.3 < 3.10 < 6.1 < A.1 < A.2.
pub fn section_key(section: &str) -> Vec<(u8, u64, String)> {
    section
        .split('.')
        .map(|p| match p.parse::<u64>() {
            Ok(n) => (0, n, String::new()),
            Err(_) => (1, 0, p.to_owned()),
        })
        .collect()
}

/// Orders test ids by draft, then section as the draft does, then slug.
pub fn id_order(a: &str, b: &str) -> Ordering {
    let split = |s: &str| {
        let mut it = s.splitn(3, '/');
        (
            it.next().unwrap_or("").to_owned(),
            section_key(it.next().unwrap_or("")),
            it.next().unwrap_or("").to_owned(),
        )
    };
    split(a).cmp(&split(b))
}

/// The drafts test ids start with, by their short names.
pub const DRAFTS: &[(&str, &str)] = &[
    ("content", "draft-ietf-mimi-content"),
    ("message-status", "draft-mahy-mimi-message-status"),
    ("protocol", "draft-ietf-mimi-protocol"),
    ("policy", "draft-ietf-mimi-room-policy"),
];

/// The draft a test id's first segment names.
pub fn draft_of(short: &str) -> Option<&'static str> {
    DRAFTS.iter().find(|(s, _)| *s == short).map(|(_, d)| *d)
}

/// The short name test ids use for a draft.
pub fn short_name(draft: &str) -> &str {
    DRAFTS.iter().find(|(_, d)| *d == draft).map_or(draft, |(s, _)| s)
}

/// A suite that cannot be built: a vector names a requirement the catalog lacks, or an id repeats.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct SuiteError(pub String);

/// The tests a set of vector files gives, whatever their draft (no scenarios).
pub fn from_vectors(
    files: &[VectorFile],
    catalogs: &Catalogs,
    rev: crate::codec::content::ContentRev,
) -> Result<Vec<Test>, SuiteError> {
    let mut tests = content::tests(files, catalogs, rev)?;
    for draft in ["draft-ietf-mimi-protocol", "draft-ietf-mimi-room-policy"] {
        tests.extend(protocol::wire_tests(files, catalogs, draft)?);
    }
    tests.extend(policy::decision_tests(files, catalogs)?);
    Ok(tests)
}

/// Every test of the named suites, in id order.
pub fn build(
    suites: &[String],
    files: &[VectorFile],
    scenarios: &[crate::harness::scenario::Scenario],
    catalogs: &Catalogs,
    rev: crate::codec::content::ContentRev,
) -> Result<Vec<Test>, SuiteError> {
    let mut tests = Vec::new();
    for s in suites {
        match s.as_str() {
            "content" => tests.extend(content::tests(files, catalogs, rev)?),
            "protocol" => tests.extend(protocol::tests(files, scenarios, catalogs)?),
            "policy" => tests.extend(policy::tests(files, scenarios, catalogs)?),
            other => {
                return Err(SuiteError(format!(
                    "unknown suite {other:?}; known: {}",
                    SUITES.join(", ")
                )));
            }
        }
    }
    for t in &mut tests {
        catalogs.grade(&t.id, &mut t.spec);
    }
    tests.sort_by(|a, b| id_order(&a.id, &b.id));
    for w in tests.windows(2) {
        if w[0].id == w[1].id {
            return Err(SuiteError(format!("test id {} is built twice", w[0].id)));
        }
    }
    Ok(tests)
}
