//! `diff` and `merge`: commands over the report.json of runs (src/report/diff.rs, merge.rs).

use std::path::PathBuf;

use clap::Args;

use super::Exit;
use super::commands::{Outcome, Stop, catalogs};
use crate::report::{ReportWriter, diff, merge, read_report};

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// The earlier run: its report.json, or the directory holding it.
    pub old: PathBuf,
    /// The later run: its report.json, or the directory holding it.
    pub new: PathBuf,
    /// Write the Markdown here (and print only the verdict) instead of on stdout.
    #[arg(long, value_name = "FILE.md")]
    pub out: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// The shards' report.json files, or the directories holding them.
    #[arg(required = true, value_name = "DIR_OR_REPORT.json")]
    pub reports: Vec<PathBuf>,
    /// Directory for the merged report.json, report.md and junit.xml.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

fn read(path: &std::path::Path) -> Result<crate::report::Report, Stop> {
    read_report(path).map_err(|e| Stop(Exit::Usage, e.to_string()))
}

/// Exit 1 when a test that passed (or failed as expected) fails now, or the new run did not
/// finish; else 0.
pub fn cmd_diff(a: DiffArgs) -> Outcome {
    let (old, new) = (read(&a.old)?, read(&a.new)?);
    let d = diff(&old, &new);
    let md = d.markdown(&a.old.display().to_string(), &a.new.display().to_string());
    match &a.out {
        Some(path) => {
            std::fs::write(path, &md)
                .map_err(|e| Stop(Exit::Usage, format!("{}: cannot write: {e}", path.display())))?;
            println!("{}\ndiff: {}", d.headline(), path.display());
        }
        None => super::commands::write_stdout(&md),
    }
    Ok(if d.regressed() { Exit::Unexpected } else { Exit::Ok })
}

/// Exits as the whole run would have (1 for unexpected results, 5 when nothing was executed).
pub fn cmd_merge(a: MergeArgs) -> Outcome {
    let catalogs = catalogs()?;
    let mut reports = Vec::new();
    for p in &a.reports {
        reports.push((p.display().to_string(), read(p)?));
    }
    let n = reports.len();
    let (seed, outcome) = merge(reports).map_err(|e| Stop(Exit::Usage, e.to_string()))?;
    let strict = seed.strict;
    let cannot = |e: crate::report::WriteError| Stop(Exit::Usage, format!("cannot write the report: {e}"));
    let report = ReportWriter::create(&a.out, seed)
        .map_err(cannot)?
        .finish(&outcome, &catalogs)
        .map_err(cannot)?;
    let counts = crate::report::counts_line(&report.summary);
    println!(
        "merged {n} reports of {} ({}): {} ({} of {} executed)",
        outcome.iut.name,
        outcome.iut.driver,
        counts,
        outcome.executed(),
        outcome.results.len()
    );
    println!(
        "report: {}",
        ["report.json", "report.md", "junit.xml"]
            .map(|f| a.out.join(f).display().to_string())
            .join(", ")
    );
    Ok(if outcome.blocks(strict) {
        Exit::Unexpected
    } else if outcome.executed() == 0 {
        Exit::NothingExecuted
    } else {
        Exit::Ok
    })
}
