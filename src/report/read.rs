//! Reading a `report.json` back (for `diff` and `merge`): the one deserialization path of
//! [`Report`]. Every failure names the file, and the line and column for JSON errors.

use std::io::{BufReader, Read as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer};

use super::{Report, SCHEMA};

/// A report.json larger than this is refused (the reference's whole run writes under 1 MB;
/// transcripts of failures make it larger, never this large).
const MAX_REPORT: u64 = 1 << 30;

/// A report.json that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{path}{}: {message}", .at.map(|(l, c)| format!(":{l}:{c}")).unwrap_or_default())]
pub struct ReadError {
    pub path: String,
    /// Line and column, for a JSON error.
    pub at: Option<(usize, usize)>,
    pub message: String,
}

/// Reads `path`, a report.json or a directory holding one (a run's `--out`). The file is read as
/// a stream, never more than [`MAX_REPORT`] of it: `/dev/zero` is refused at its first byte.
pub fn read_report(path: &Path) -> Result<Report, ReadError> {
    let file: PathBuf = if path.is_dir() {
        path.join("report.json")
    } else {
        path.to_owned()
    };
    let fail = |at, message: String| ReadError {
        path: file.display().to_string(),
        at,
        message,
    };
    let cannot = |e: std::io::Error| fail(None, format!("cannot read: {e}"));
    let meta = std::fs::metadata(&file).map_err(cannot)?;
    if meta.is_file() && meta.len() > MAX_REPORT {
        return Err(fail(None, format!("over {} MiB: not a report.json", MAX_REPORT >> 20)));
    }
    let open = || {
        std::fs::File::open(&file)
            .map(|f| BufReader::new(f.take(MAX_REPORT)))
            .map_err(cannot)
    };
    let at = |e: &serde_json::Error| Some((e.line(), e.column()));
    // serde_json's text ends with the place, which the error gives as path:line:column.
    let text = |e: &serde_json::Error| {
        let s = e.to_string();
        let place = format!(" at line {} column {}", e.line(), e.column());
        s.strip_suffix(&place).map_or(s.clone(), str::to_owned)
    };
    // First whether it is a JSON object that says it is a report of this schema, then all of it.
    let probe: Probe = serde_json::from_reader(open()?).map_err(|e| {
        let what = if e.is_syntax() || e.is_eof() {
            "not JSON"
        } else {
            "not a report.json"
        };
        fail(at(&e), format!("{what}: {}", text(&e)))
    })?;
    match probe.0 {
        Some(serde_json::Value::String(s)) if s == SCHEMA => {}
        Some(other) => {
            return Err(fail(
                None,
                format!("not a report.json of schema {SCHEMA:?}: its schema is {other}"),
            ));
        }
        None => {
            return Err(fail(
                None,
                format!("not a report.json of schema {SCHEMA:?}: it has no \"schema\""),
            ));
        }
    }
    // The field that is wrong is named by its path (`results[1].status`), not only its place.
    let mut json = serde_json::Deserializer::from_reader(open()?);
    let mut report: Report = serde_path_to_error::deserialize(&mut json).map_err(|e| {
        let (path, e) = (e.path().to_string(), e.into_inner());
        fail(
            at(&e),
            format!("not a valid report.json of schema {SCHEMA:?}: `{path}`: {}", text(&e)),
        )
    })?;
    for c in &mut report.causes {
        c.title = c.cause.title();
    }
    Ok(report)
}

/// A JSON object's `schema`, the rest skipped (a derived struct would read an array too).
struct Probe(Option<serde_json::Value>);

impl<'de> Deserialize<'de> for Probe {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Object;
        impl<'de> serde::de::Visitor<'de> for Object {
            type Value = Probe;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object (a report.json)")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Probe, A::Error> {
                let mut schema = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key == "schema" {
                        schema = Some(map.next_value()?);
                    } else {
                        map.next_value::<serde::de::IgnoredAny>()?;
                    }
                }
                Ok(Probe(schema))
            }
        }
        d.deserialize_map(Object)
    }
}

/// `&'static str`, under a name serde's derive does not borrow from the input (it would tie
/// the report to the bytes it was read from): each such field is read into a known word, or
/// kept for the process's life.
pub type Word = &'static str;

pub(super) fn schema<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    let s = String::deserialize(d)?;
    if s == SCHEMA {
        Ok(SCHEMA)
    } else {
        Err(serde::de::Error::custom(format!("schema {s:?} is not {SCHEMA:?}")))
    }
}

/// The suite version that wrote a report: this one's without a copy; another's is kept for the
/// life of the process (one short string per report read).
pub(super) fn suite_version<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    let s = String::deserialize(d)?;
    const OURS: &str = env!("CARGO_PKG_VERSION");
    if s == OURS {
        Ok(OURS)
    } else {
        Ok(Box::leak(s.into_boxed_str()))
    }
}

pub(super) fn coverage<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    const KINDS: [&str; 4] = ["tested", "untestable", "deferred", "not-yet"];
    let s = String::deserialize(d)?;
    KINDS
        .into_iter()
        .find(|k| *k == s)
        .ok_or_else(|| serde::de::Error::unknown_variant(&s, &KINDS))
}
