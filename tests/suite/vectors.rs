//! Every vector case checked against the draft's rules (`vectors/...`), and the vector set's own coverage.

use std::sync::Arc;

use libtest_mimic::{Failed, Trial};
use mimi_conformance::validate::Kind;
use mimi_conformance::vectors::{VerifyOutcome, verify_against_reference};

use crate::common::*;

/// One trial per vector case: the case agrees with the reference's reading of its rule.
pub fn cases() -> Vec<Trial> {
    let fixtures = Arc::new(mimi_conformance::vectors::Fixtures::from_files(&vectors()));
    vectors()
        .into_iter()
        .flat_map(|f| {
            let name = f
                .path
                .trim_start_matches("vectors/")
                .trim_end_matches(".json")
                .to_owned();
            let fixtures = fixtures.clone();
            f.cases.into_iter().map(move |c| {
                let id = format!("vectors/{name}/{:03}-{}", c.head.tc_id, c.head.slug);
                let fixtures = fixtures.clone();
                Trial::test(id, move || match verify_against_reference(&c, &fixtures) {
                    VerifyOutcome::Consistent => Ok(()),
                    VerifyOutcome::Inconsistent(why) => Err(why.into()),
                })
            })
        })
        .collect()
}

pub fn trials() -> Vec<Trial> {
    vec![Trial::test(
        "vectors/at-least-40-invalid-content-cases-covering-every-rule",
        at_least_40_invalid_content_cases_covering_every_rule,
    )]
}

fn at_least_40_invalid_content_cases_covering_every_rule() -> Result<(), Failed> {
    let files = vectors();
    let invalid: Vec<Kind> = files
        .iter()
        .filter(|f| f.path.ends_with("invalid.json"))
        .flat_map(|f| &f.cases)
        .filter_map(|c| match &c.body {
            mimi_conformance::vectors::CaseBody::Content { rule, .. } => *rule,
            _ => None,
        })
        .collect();
    ensure(invalid.len() >= 40, format!("{} invalid cases", invalid.len()))?;
    let missing: Vec<&str> = Kind::ALL
        .into_iter()
        .filter(|k| !matches!(k, Kind::FloatUsed | Kind::ExpiryWindow) && !k.slug().starts_with("status-"))
        .filter(|k| !invalid.contains(k))
        .map(Kind::slug)
        .collect();
    ensure(missing.is_empty(), format!("no invalid vector for {missing:?}"))
}
