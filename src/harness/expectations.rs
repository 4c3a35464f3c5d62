//! The expectations file: an implementer's known gaps, so that a run is green on what is
//! known and red on what changed.
//!
//! ```yaml
//! - id: "content/6.1/*"          # glob over test ids
//!   status: xfail                # xfail | skip | unsupported
//!   reason: our encoder does not sort map keys yet
//!   link: https://example.org/issue/12
//! ```

use std::path::Path;

use globset::{Glob, GlobMatcher};
use serde::Deserialize;

/// What an expectation turns a test into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Expected {
    /// Expected to fail: a fail is xfail, a pass is xpass.
    Xfail,
    /// Not run.
    Skip,
    /// Not run; reported as unsupported.
    Unsupported,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryIn {
    id: String,
    status: Expected,
    reason: String,
    #[serde(default)]
    link: Option<String>,
}

/// One entry.
#[derive(Debug, Clone)]
pub struct Expectation {
    pub pattern: String,
    matcher: GlobMatcher,
    pub status: Expected,
    pub reason: String,
    pub link: Option<String>,
}

impl Expectation {
    pub fn matches(&self, id: &str) -> bool {
        self.matcher.is_match(id)
    }
}

/// A whole file; the first matching entry wins.
#[derive(Debug, Clone, Default)]
pub struct Expectations {
    pub entries: Vec<Expectation>,
}

/// An expectations file that cannot be used.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{file}: {what}")]
pub struct ExpectationsError {
    pub file: String,
    pub what: String,
}

impl Expectations {
    pub fn read(path: &Path) -> Result<Self, ExpectationsError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ExpectationsError {
            file: file.clone(),
            what: format!("cannot read: {e}"),
        })?;
        Self::parse(&file, &text)
    }

    pub fn parse(file: &str, text: &str) -> Result<Self, ExpectationsError> {
        let err = |what: String| ExpectationsError {
            file: file.to_owned(),
            what,
        };
        let entries: Vec<EntryIn> = serde_saphyr::from_str(text).map_err(|e| err(e.to_string()))?;
        let entries = entries
            .into_iter()
            .enumerate()
            .map(|(i, e)| {
                let glob =
                    Glob::new(&e.id).map_err(|g| err(format!("entry {} (`id: {}`): bad glob: {g}", i + 1, e.id)))?;
                if e.reason.trim().is_empty() {
                    return Err(err(format!("entry {} (`id: {}`): `reason` is empty", i + 1, e.id)));
                }
                Ok(Expectation {
                    pattern: e.id,
                    matcher: glob.compile_matcher(),
                    status: e.status,
                    reason: e.reason,
                    link: e.link,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Expectations { entries })
    }

    /// The first entry whose glob matches `id`.
    pub fn lookup(&self, id: &str) -> Option<&Expectation> {
        self.entries.iter().find(|e| e.matcher.is_match(id))
    }
}
