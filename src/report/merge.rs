//! `merge`: shard reports (`run --partition K/N`) joined into the report of the whole run. The
//! merged summary, failures by weight, causes and coverage are computed from the joined results
//! exactly as a run computes them ([`Report::finish`]), so they equal the unsharded run's.
//!
//! Refused: reports of different suite versions, draft revisions, implementations or `--strict`,
//! reports that overlap (a test in two of them), a mix of shards and whole runs, shards of
//! different counts, a shard given twice or missing, and runs that did not finish.

use std::collections::{BTreeSet, HashMap};

use super::{Report, id_order};
use crate::harness::RunOutcome;
use crate::harness::run::IutInfo;

/// Why reports cannot be merged.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct MergeError(pub String);

/// How two runs' implementations differ, if they do (the driver's address may: shards run on
/// different machines).
fn differs(a: &IutInfo, b: &IutInfo) -> Option<String> {
    let who = |i: &IutInfo| format!("{} {} ({})", i.name, i.version, i.mode.as_str());
    if who(a) != who(b) {
        Some(format!("{} and {}", who(a), who(b)))
    } else if a.ops != b.ops {
        Some(format!("{} listing different operations", who(a)))
    } else if a.drafts != b.drafts {
        Some(format!("{} claiming different draft revisions", who(a)))
    } else {
        None
    }
}

/// Joins `reports` (each with the name it was given by) into the seed of the merged report and
/// the whole run's outcome, its results in id order as a run gives them (`suites::build`).
pub fn merge(reports: Vec<(String, Report)>) -> Result<(Report, RunOutcome), MergeError> {
    let err = |m: String| Err(MergeError(m));
    let Some((first_name, first)) = reports.first() else {
        return err("nothing to merge".into());
    };
    const OURS: &str = env!("CARGO_PKG_VERSION");
    let mut iut = None;
    for (name, r) in &reports {
        if let Some(why) = &r.aborted {
            return err(format!("{name}: the run was aborted ({why}); merge only finished runs"));
        }
        if r.finished.is_none() {
            return err(format!(
                "{name}: the run did not finish (it crashed or is still running); merge only finished runs"
            ));
        }
        if r.suite_version != OURS {
            return err(format!(
                "{name}: written by mimi-conformance {}, this is {OURS}: merge with the version that ran the shards",
                r.suite_version
            ));
        }
        if r.drafts != first.drafts {
            let show = |r: &Report| {
                r.drafts
                    .iter()
                    .map(|(d, v)| format!("{d}-{v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            return err(format!(
                "refusing to merge runs of different draft revisions: {first_name} tests {}; {name} tests {}",
                show(first),
                show(r)
            ));
        }
        let Some(this) = &r.iut else {
            return err(format!("{name}: the report names no implementation under test"));
        };
        let first_iut: &IutInfo = iut.get_or_insert(this);
        if let Some(how) = differs(first_iut, this) {
            return err(format!(
                "refusing to merge runs of different implementations ({first_name}, {name}): {how}"
            ));
        }
        if r.strict != first.strict {
            return err(format!(
                "refusing to merge a --strict run with one without it ({first_name}, {name})"
            ));
        }
    }
    check_partitions(&reports)?;
    let mut owner: HashMap<&str, &str> = HashMap::new();
    for (name, r) in &reports {
        for t in &r.results {
            if let Some(other) = owner.insert(&t.id, name) {
                return err(format!(
                    "the reports overlap: test {} is in {other} and in {name} (merge the shards of one run, each once)",
                    t.id
                ));
            }
        }
    }
    let iut = iut
        .cloned()
        .expect("every report was checked to name its implementation");
    let mut seed = first.clone();
    seed.started = reports.iter().map(|(_, r)| r.started.clone()).min().unwrap_or_default();
    seed.finished = None;
    seed.partition = None;
    seed.iut = Some(iut.clone());
    seed.results = Vec::new();
    let mut results: Vec<_> = reports.into_iter().flat_map(|(_, r)| r.results).collect();
    results.sort_by(|a, b| id_order(&a.id, &b.id));
    Ok((
        seed,
        RunOutcome {
            iut,
            results,
            aborted: None,
        },
    ))
}

/// Either whole runs only, or every shard of one partition count exactly once.
fn check_partitions(reports: &[(String, Report)]) -> Result<(), MergeError> {
    let err = |m: String| Err(MergeError(m));
    let whole: Vec<&String> = reports
        .iter()
        .filter(|(_, r)| r.partition.is_none())
        .map(|(n, _)| n)
        .collect();
    let shards: Vec<(&String, crate::harness::partition::Partition)> = reports
        .iter()
        .filter_map(|(n, r)| r.partition.map(|p| (n, p)))
        .collect();
    let (Some((shard_name, p)), Some(whole_name)) = (shards.first(), whole.first()) else {
        let Some((first_name, first)) = shards.first() else {
            return Ok(());
        };
        let mut seen: HashMap<usize, &String> = HashMap::new();
        for (name, p) in &shards {
            if p.count != first.count {
                return err(format!(
                    "refusing to merge shards of different partition counts: {first_name} is shard {first}, {name} is shard {p}"
                ));
            }
            if let Some(other) = seen.insert(p.index, name) {
                return err(format!("{other} and {name} are both shard {p}"));
            }
        }
        let missing: BTreeSet<usize> = (1..=first.count).filter(|k| !seen.contains_key(k)).collect();
        if !missing.is_empty() {
            let list: Vec<String> = missing.iter().map(|k| format!("{k}/{}", first.count)).collect();
            return err(format!(
                "{} {} missing: give every shard of the run, or the merged report would not be the whole run",
                if list.len() == 1 { "shard" } else { "shards" },
                list.join(", ")
            ));
        }
        return Ok(());
    };
    err(format!(
        "refusing to merge a shard with a whole run: {shard_name} is shard {p}, {whole_name} is not a shard"
    ))
}
