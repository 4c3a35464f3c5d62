//! The requirement catalogs: every normative statement of each draft revision under test, with
//! its section and level, from `spec/<draft>-<rev>.yaml` (embedded, so one binary is whole).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// MUST (MUST NOT, REQUIRED, SHALL, CDDL), SHOULD (SHOULD NOT, RECOMMENDED), MAY.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Level {
    #[serde(rename = "MUST")]
    Must,
    #[serde(rename = "SHOULD")]
    Should,
    #[serde(rename = "MAY")]
    May,
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
            Level::May => "MAY",
        })
    }
}

/// Why the suite may judge the implementation by a check: what the draft asks of it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// The draft requires this of the implementation under test, in the role the test gives it.
    #[default]
    Required,
    /// The suite's reading of an unclear or contradictory text (an X entry of the catalog).
    Reading,
    /// The draft constrains the peer's message; refusing it is good practice, not a requirement
    /// the draft makes of the receiver.
    Robustness,
}

impl Basis {
    pub const ALL: [Basis; 3] = [Basis::Required, Basis::Reading, Basis::Robustness];

    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Required => "required",
            Basis::Reading => "reading",
            Basis::Robustness => "robustness",
        }
    }
}

impl std::fmt::Display for Basis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a test checks: one requirement of one draft revision, on the basis the catalog gives it
/// for that test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecRef {
    pub doc: String,
    pub rev: String,
    pub section: String,
    pub req: String,
    pub level: Level,
    #[serde(default)]
    pub basis: Basis,
    /// The X entry a `reading` rests on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading: Option<String>,
}

/// One draft revision's catalog file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub doc: String,
    pub rev: String,
    pub source: String,
    /// Section number → title, from the draft's table of contents.
    #[serde(default)]
    pub sections: BTreeMap<String, String>,
    pub requirements: Vec<Requirement>,
}

/// One normative statement.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub id: String,
    pub section: String,
    pub title: String,
    pub level: Level,
    /// The BCP 14 keyword as written, or "(CDDL)", "(algorithm)", "(lowercase should)"...
    pub keyword: String,
    pub text: String,
    pub testable: bool,
    /// Why no implementation behaviour can show it (IANA process, UI...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What a later suite needs to test it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deferred: Option<String>,
    /// Globs over the ids of the tests that check it (`cargo test` keeps them exact: every
    /// glob matches a test naming this requirement, and every such test matches a glob).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tests: Vec<String>,
    /// Requirements that split this one into testable pieces.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<String>,
    /// Globs over the tests of this requirement in which the implementation receives what the
    /// requirement asks of a sender: for them the basis is `robustness`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub robustness: Vec<String>,
    /// X entry → globs over the tests of this requirement that rest on that reading (basis
    /// `reading`). An X entry is itself always a reading.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub readings: BTreeMap<String, Vec<String>>,
}

impl Requirement {
    /// Whether this is one of the suite's readings (an X entry).
    pub fn is_reading(&self) -> bool {
        self.keyword == "(reading)"
    }

    /// The basis of this requirement's check in test `test`, and the X entry of a reading.
    pub fn basis_in(&self, test: &str) -> (Basis, Option<String>) {
        let matches = |globs: &[String]| {
            globs
                .iter()
                .any(|g| globset::Glob::new(g).is_ok_and(|g| g.compile_matcher().is_match(test)))
        };
        if self.is_reading() {
            (Basis::Reading, Some(self.id.clone()))
        } else if let Some(x) = self.readings.iter().find(|(_, globs)| matches(globs)) {
            (Basis::Reading, Some(x.0.clone()))
        } else if matches(&self.robustness) {
            (Basis::Robustness, None)
        } else {
            (Basis::Required, None)
        }
    }
}

/// The embedded catalogs, by file name.
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "spec/draft-ietf-mimi-content-08.yaml",
        include_str!("../../spec/draft-ietf-mimi-content-08.yaml"),
    ),
    (
        "spec/draft-ietf-mimi-protocol-06.yaml",
        include_str!("../../spec/draft-ietf-mimi-protocol-06.yaml"),
    ),
    (
        "spec/draft-ietf-mimi-room-policy-03.yaml",
        include_str!("../../spec/draft-ietf-mimi-room-policy-03.yaml"),
    ),
    (
        "spec/draft-mahy-mimi-message-status-01.yaml",
        include_str!("../../spec/draft-mahy-mimi-message-status-01.yaml"),
    ),
];

/// Every catalog, with requirements indexed by id.
#[derive(Debug, Clone)]
pub struct Catalogs {
    pub catalogs: Vec<Catalog>,
    index: BTreeMap<String, (usize, usize)>,
}

/// A catalog file that does not parse.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct CatalogError {
    pub file: String,
    pub message: String,
}

impl Catalogs {
    /// The catalogs built into the binary.
    pub fn embedded() -> Result<Self, CatalogError> {
        Self::from_sources(EMBEDDED.iter().map(|&(f, s)| (f.to_owned(), s.to_owned())))
    }

    pub fn from_sources(sources: impl IntoIterator<Item = (String, String)>) -> Result<Self, CatalogError> {
        let mut catalogs = Vec::new();
        let mut index = BTreeMap::new();
        for (file, text) in sources {
            let c: Catalog = serde_saphyr::from_str(&text).map_err(|e| CatalogError {
                file: file.clone(),
                message: e.to_string(),
            })?;
            for (j, r) in c.requirements.iter().enumerate() {
                if index.insert(r.id.clone(), (catalogs.len(), j)).is_some() {
                    return Err(CatalogError {
                        file,
                        message: format!("requirement {} is listed twice", r.id),
                    });
                }
            }
            catalogs.push(c);
        }
        Ok(Catalogs { catalogs, index })
    }

    /// The requirement and its catalog.
    pub fn get(&self, id: &str) -> Option<(&Catalog, &Requirement)> {
        self.index
            .get(id)
            .map(|&(c, r)| (&self.catalogs[c], &self.catalogs[c].requirements[r]))
    }

    /// The title of `section` of `doc`, from its table of contents.
    pub fn section_title(&self, doc: &str, section: &str) -> Option<&str> {
        self.catalogs
            .iter()
            .find(|c| c.doc == doc)
            .and_then(|c| c.sections.get(section))
            .map(String::as_str)
    }

    /// A reference to requirement `id` for a test to carry (its basis: [`Catalogs::grade`]).
    pub fn spec_ref(&self, id: &str) -> Option<SpecRef> {
        self.get(id).map(|(c, r)| SpecRef {
            doc: c.doc.clone(),
            rev: c.rev.clone(),
            section: r.section.clone(),
            req: r.id.clone(),
            level: r.level,
            basis: Basis::Required,
            reading: None,
        })
    }

    /// Gives each of `test`'s references the basis its catalog records for that test.
    pub fn grade(&self, test: &str, spec: &mut [SpecRef]) {
        for s in spec {
            if let Some((_, r)) = self.get(&s.req) {
                (s.basis, s.reading) = r.basis_in(test);
            }
        }
    }
}
