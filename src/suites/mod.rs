//! The test suites, built from vectors and the requirement catalogs. Each test's id is
//! `<draft>/<section>/<slug>`, so that a listing reads like the draft's contents.

/// Calls a driver operation, or ends the test with what the failure means (see `call_failed`).
macro_rules! call {
    ($driver:expr, $op:expr, $params:expr, $timeout:expr, $tr:expr) => {
        match $driver.call($op, &$params, $timeout, &mut $tr.exchanges).await {
            Ok(r) => r,
            Err(e) => return $crate::suites::call_failed(e),
        }
    };
}

pub mod content;
pub mod policy;
pub mod protocol;

use std::sync::Arc;
use std::time::Duration;

use crate::driver::Driver;
use crate::harness::scenario::{IutEndpoint, Scenario, run_scenario};
use crate::harness::{Outcome, Status, Transcript};

/// What a test does.
#[derive(Debug, Clone)]
pub enum Check {
    /// A content check through the driver (or of the draft's own data).
    Content(Box<content::Check>),
    /// A scenario against the implementation's HTTPS side, under one MLS ciphersuite.
    Scenario(Arc<Scenario>, u16),
    /// A protocol struct through `wire.decode` / `wire.encode`.
    Wire(Box<protocol::WireCheck>),
    /// An authorization decision through `policy.decide`.
    Policy(Box<policy::PolicyCheck>),
}

impl Check {
    /// The role the implementation plays in a scenario (recorded in its result for the matrix).
    pub fn iut_role(&self) -> Option<crate::harness::IutRole> {
        match self {
            Check::Scenario(s, _) => s.iut_role(),
            _ => None,
        }
    }

    pub async fn run(
        &self,
        driver: &Driver,
        iut: Option<IutEndpoint>,
        timeout: Duration,
        tr: &mut Transcript,
    ) -> Outcome {
        match (self, iut) {
            (Check::Content(c), _) => c.run(driver, timeout, tr).await,
            (Check::Wire(c), _) => c.run(driver, timeout, tr).await,
            (Check::Policy(c), _) => c.run(driver, timeout, tr).await,
            (Check::Scenario(s, cs), Some(iut)) => run_scenario(s, iut, Some(driver), *cs, timeout, tr).await,
            (Check::Scenario(..), None) => Outcome::new(
                Status::Unsupported,
                "scenarios need the implementation's MIMI endpoints: give --iut-url (its driver then \
                          sets it up with `configure` and acts with `user.create`, `room.*` and `message.*`)",
            ),
        }
    }
}

use crate::harness::Test;
use crate::spec::Catalogs;
use crate::vectors::VectorFile;

/// The suites this build knows.
pub const SUITES: &[&str] = &["content", "protocol", "policy"];

/// What a failed driver call means for a test: `unsupported` is never a failure, a timeout is a
/// timeout, a broken transport is our `error`, and a wrong or malformed answer is a `fail`.
pub(crate) fn call_failed(e: crate::driver::CallError) -> Outcome {
    use crate::driver::CallError;
    match e {
        CallError::Unsupported(m) => Outcome::new(Status::Unsupported, m),
        CallError::Timeout(t) => Outcome::new(Status::Timeout, format!("no answer within {t:?}")),
        CallError::Transport(m) => Outcome::error(m),
        e @ (CallError::Driver(_) | CallError::BadResponse(_)) => Outcome::fail(e.to_string()),
    }
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
    tests.sort_by(|a, b| crate::report::id_order(&a.id, &b.id));
    for w in tests.windows(2) {
        if w[0].id == w[1].id {
            return Err(SuiteError(format!("test id {} is built twice", w[0].id)));
        }
    }
    Ok(tests)
}
