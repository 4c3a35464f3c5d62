//! The whole report's budget: each result's transcript is bounded already, but a thousand
//! failures with large transcripts still make a report no one can open. Past the budget the
//! largest transcripts are dropped first (they cost the most and say the least per byte), each
//! result saying what it lost, the report saying how much was cut.

use serde::{Deserialize, Serialize};

use super::Report;
use crate::harness::Transcript;

/// What the budget cut from a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cut {
    /// How many results lost their transcript.
    pub transcripts: usize,
    /// Their size (pretty JSON, by itself).
    pub bytes: usize,
    /// The budget, in bytes.
    pub budget: usize,
    /// The same, in words.
    pub note: String,
}

/// `report.json` at most this large by default (`run --report-max`).
pub const REPORT_BUDGET: usize = 32 << 20;

/// `json` (the pretty `report.json` of `report`) brought within `budget` bytes by dropping the
/// largest transcripts first; `report` keeps what was cut (`Report::cut`, and a note in each
/// result whose transcript was dropped). Returns the JSON to write.
pub fn fit(report: &mut Report, mut json: Vec<u8>, budget: usize) -> Vec<u8> {
    // A transcript measured by itself is less indented than inside the report: its real share
    // is `ratio` times larger, guessed high at first (so that no more is dropped than needed),
    // then learnt from what each round saved.
    let mut ratio = 2.0_f64;
    while json.len() > budget {
        let mut sizes: Vec<(usize, usize)> = report
            .results
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.transcript.exchanges.is_empty() || r.transcript.notes.len() > 1)
            .map(|(i, r)| (i, serde_json::to_vec_pretty(&r.transcript).map_or(0, |v| v.len())))
            .collect();
        if sizes.is_empty() {
            break;
        }
        sizes.sort_by_key(|&(i, n)| (std::cmp::Reverse(n), i));
        let need = ((json.len() - budget) as f64 / ratio).ceil() as usize;
        let mut dropped = 0;
        for (i, n) in sizes {
            report.results[i].transcript = Transcript {
                notes: vec![format!(
                    "… transcript of {} omitted: report.json is kept within {}",
                    megabytes(n),
                    megabytes(budget)
                )],
                exchanges: Vec::new(),
            };
            let (transcripts, bytes) = report.cut.as_ref().map_or((0, 0), |c| (c.transcripts, c.bytes));
            let (transcripts, bytes) = (transcripts + 1, bytes + n);
            report.cut = Some(Cut {
                transcripts,
                bytes,
                budget,
                note: format!(
                    "{transcripts} transcripts ({}) omitted, largest first: report.json is kept within {}",
                    megabytes(bytes),
                    megabytes(budget)
                ),
            });
            dropped += n;
            if dropped >= need {
                break;
            }
        }
        let before = json.len();
        json = serde_json::to_vec_pretty(report).expect("the report serializes");
        ratio = (before.saturating_sub(json.len()) as f64 / dropped.max(1) as f64).max(1.0);
    }
    json
}

/// "12.4 MB", "812 bytes".
pub fn megabytes(n: usize) -> String {
    match n {
        0..1_000 => format!("{n} bytes"),
        1_000..1_000_000 => format!("{:.1} kB", n as f64 / 1e3),
        _ => format!("{:.1} MB", n as f64 / 1e6),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::client::Exchange;
    use crate::harness::{Status, TestResult};

    fn result(id: usize, width: usize) -> TestResult {
        let wide = serde_json::Value::Array(vec![0.into(); width]);
        serde_json::from_value(serde_json::json!({
            "id": format!("content/5.1/t{id}"), "title": "", "status": Status::Fail, "target": "iut",
            "spec": [], "message": "", "failed": [], "duration_ms": 0,
            "transcript": { "exchanges": [Exchange { op: "content.decode".into(), request: wide.clone(),
                response: wide, stderr: Vec::new(), duration_ms: 0 }] },
        }))
        .expect("a result")
    }

    #[test]
    fn only_the_largest_transcripts_are_dropped_and_the_report_says_so() {
        let mut report = Report::new(Default::default(), std::time::SystemTime::UNIX_EPOCH);
        report.results = (0..40)
            .map(|i| result(i, if i % 4 == 0 { 3000 } else { 300 }))
            .collect();
        let json = serde_json::to_vec_pretty(&report).expect("json");
        let budget = json.len() / 2;
        let out = fit(&mut report, json, budget);
        let cut = report.cut.clone().expect("a cut");
        let dropped: Vec<bool> = report
            .results
            .iter()
            .map(|r| r.transcript.exchanges.is_empty())
            .collect();
        assert!(out.len() <= budget, "{} > {budget}", out.len());
        assert_eq!(cut.transcripts, dropped.iter().filter(|d| **d).count());
        let wide_only = dropped.iter().enumerate().all(|(i, d)| !d || i % 4 == 0);
        assert!(wide_only && cut.transcripts > 0, "the wide ones first: {dropped:?}");
        assert!(dropped.iter().any(|d| !d), "not every one: {dropped:?}");
        assert!(report.results[0].transcript.notes[0].contains("omitted: report.json is kept within"));
    }
}
