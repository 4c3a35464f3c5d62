//! The commands that read the files they are given: `content inspect` (one message judged,
//! its diagnostic notation and message ID) and `vectors verify` (vector files checked against the
//! draft's rules, then run against an implementation).

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::Exit;
use super::commands::{Outcome, Stop, catalogs, driver, embedded_vectors, jobs, print_result, rev, run_error, timeout};
use crate::codec::cbor;
use crate::codec::content::message_id;
use crate::harness::{Expectations, RunPlan, run};
use crate::spec::Level;
use crate::suites;
use crate::validate::{Options, validate_content};
use crate::vectors::{Fixtures, VectorFile, VerifyOutcome, verify_against_reference};

/// A file's bytes, up to the 16 MiB any one message may have (`/dev/zero` is a file too).
fn read_capped_file(path: &Path) -> Result<Vec<u8>, Stop> {
    use std::io::Read as _;
    let limit = crate::driver::client::MAX_MESSAGE;
    let cannot = |e: std::io::Error| Stop(Exit::Usage, format!("{}: cannot read: {e}", path.display()));
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(cannot)?
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() > limit {
        return Err(Stop(
            Exit::Usage,
            format!(
                "{}: over {} MiB, more than any MIMI content",
                path.display(),
                limit >> 20
            ),
        ));
    }
    Ok(bytes)
}

pub(super) fn cmd_inspect(a: super::InspectArgs) -> Outcome {
    let bytes = read_capped_file(&a.file)?;
    let now = a.now.or_else(|| {
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .ok()
            .map(|d| d.as_secs())
    });
    let report = validate_content(&bytes, Options { now });
    println!("{} ({} bytes)\n", a.file.display(), bytes.len());
    println!("{}\n", cbor::diagnostic(&bytes));
    if let Some(c) = &report.content {
        let sender = a.sender.clone().or_else(|| c.sender_uri());
        let room = a.room.clone().or_else(|| c.room_uri());
        match (sender, room) {
            (Some(s), Some(r)) => match message_id(rev(a.content_rev), &s, &r, &bytes, &c.salt) {
                Ok(id) => println!(
                    "message ID (-{}): {}\n  sender {s}\n  room   {r}\n",
                    rev(a.content_rev).as_str(),
                    hex::encode(id)
                ),
                Err(e) => println!("message ID: {e}\n"),
            },
            _ => println!("message ID: needs --sender and --room (the content has no senderUri/roomUri text)\n"),
        }
        let parts = c.nested_part.part_indices();
        println!(
            "parts ({}, depth-first): {}\n",
            parts.len(),
            parts
                .iter()
                .map(|p| format!("{}:{:?}@{}", p.index, p.cardinality, p.depth))
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    if report.findings.is_empty() {
        println!("breaks no rule of draft-ietf-mimi-content-08");
    }
    let catalogs = catalogs()?;
    for f in &report.findings {
        let section = catalogs
            .get(f.kind.req())
            .map(|(_, r)| r.section.clone())
            .unwrap_or_default();
        println!("{:<6} §{:<5} {f}", f.kind.level(), section);
    }
    let must = report.findings.iter().any(|f| f.kind.level() == Level::Must);
    Ok(if must { Exit::Unexpected } else { Exit::Ok })
}

fn vector_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Stop> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| Stop(Exit::Usage, format!("{}: {e}", p.display())))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(Stop(Exit::Usage, format!("{}: no .json vector files", p.display())));
            }
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

pub(super) async fn cmd_verify(a: super::VerifyArgs) -> Outcome {
    let catalogs = catalogs()?;
    let files = if a.paths.is_empty() {
        embedded_vectors()?
    } else {
        vector_paths(&a.paths)?
            .iter()
            .map(|p| VectorFile::read(Path::new(p)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Stop(Exit::Usage, e.to_string()))?
    };
    // A decisions file may rely on the built-in fixtures.
    let mut fixture_files = embedded_vectors()?;
    fixture_files.extend(files.iter().cloned());
    let fixtures = Fixtures::from_files(&fixture_files);
    let mut inconsistent = 0;
    let mut cases = 0;
    for f in &files {
        for c in &f.cases {
            cases += 1;
            if let VerifyOutcome::Inconsistent(why) = verify_against_reference(c, &fixtures) {
                inconsistent += 1;
                println!("INCONSISTENT {}#{} ({}): {why}", f.path, c.head.tc_id, c.head.slug);
            }
        }
    }
    println!(
        "{cases} cases in {} files: {inconsistent} disagree with the draft's rules\n",
        files.len()
    );
    let tests = suites::from_vectors(&files, &catalogs, rev(a.iut.content_rev))
        .map_err(|e| Stop(Exit::Usage, e.to_string()))?;
    let (driver, iut_endpoint) = driver(&a.iut, &catalogs).await?;
    let plan = RunPlan {
        tests,
        filters: Vec::new(),
        expectations: Expectations::default(),
        timeout: timeout(&a.iut)?,
        iut_endpoint,
        jobs: jobs(a.iut.jobs),
    };
    let outcome = run(plan, &driver, |_, r| print_result(r)).await.map_err(run_error)?;
    let counts = crate::report::counts_line(&outcome.counts());
    println!("\nagainst {} ({}): {}", outcome.iut.name, outcome.iut.driver, counts);
    Ok(if inconsistent > 0 || outcome.blocks(false) {
        Exit::Unexpected
    } else {
        Exit::Ok
    })
}
