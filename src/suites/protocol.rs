//! Protocol tests (draft-ietf-mimi-protocol-06): one per scenario under `scenarios/protocol/`.

use std::sync::Arc;

use super::{Check, SuiteError};
use crate::harness::scenario::{self, Scenario};
use crate::harness::{Target, Test};
use crate::spec::Catalogs;

pub fn tests(catalogs: &Catalogs) -> Result<Vec<Test>, SuiteError> {
    let scenarios = scenario::embedded().map_err(|e| SuiteError(e.to_string()))?;
    scenarios.into_iter().map(|s| test(s, catalogs)).collect()
}

fn test(s: Scenario, catalogs: &Catalogs) -> Result<Test, SuiteError> {
    let spec = s
        .requirements
        .iter()
        .map(|r| {
            catalogs
                .spec_ref(r)
                .ok_or_else(|| SuiteError(format!("scenario {}: requirement {r} is not in any catalog", s.id)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Test {
        id: s.id.clone(),
        title: s.title.clone(),
        spec,
        op: None,
        target: Target::Iut,
        check: Check::Scenario(Arc::new(s)),
        known_erratum: None,
    })
}
