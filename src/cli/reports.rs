//! `diff`: a command over the report.json of runs (src/report/diff.rs).

use std::path::PathBuf;

use clap::Args;

use super::Exit;
use super::commands::{Outcome, Stop};
use crate::report::{diff, read_report};

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
