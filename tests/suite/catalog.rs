//! The requirement catalogs and the tests agree both ways (`catalog/...`).

use libtest_mimic::{Failed, Trial};
use mimi_conformance::codec::content::ContentRev;
use mimi_conformance::validate::Kind;

use crate::common::*;

pub fn trials() -> Vec<Trial> {
    vec![
        Trial::test(
            "catalog/every-requirement-is-tested-or-explained",
            every_requirement_is_tested_or_explained,
        ),
        Trial::test(
            "catalog/every-basis-names-tests-of-its-requirement-and-an-x-entry",
            every_basis_names_tests_of_its_requirement_and_an_x_entry,
        ),
        Trial::test(
            "catalog/every-rule-kind-has-its-requirement-and-level",
            every_rule_kind_has_its_requirement_and_level,
        ),
    ]
}

fn every_requirement_is_tested_or_explained() -> Result<(), Failed> {
    let cats = catalogs();
    let tests = all_tests(ContentRev::Rev08);
    let mut problems = Vec::new();
    for t in &tests {
        for s in &t.spec {
            if cats.get(&s.req).is_none() {
                problems.push(format!("{} names unknown requirement {}", t.id, s.req));
            }
        }
    }
    for c in &cats.catalogs {
        for r in &c.requirements {
            let carrying: Vec<&str> = tests
                .iter()
                .filter(|t| t.spec.iter().any(|s| s.req == r.id))
                .map(|t| t.id.as_str())
                .collect();
            let globs: Vec<globset::GlobMatcher> = r
                .tests
                .iter()
                .map(|g| globset::Glob::new(g).expect("glob").compile_matcher())
                .collect();
            for (g, m) in r.tests.iter().zip(&globs) {
                if !carrying.iter().any(|t| m.is_match(t)) {
                    problems.push(format!("{}: `tests` glob {g} matches no test naming {}", r.id, r.id));
                }
                // Exact: a glob may not claim a test that does not name the requirement.
                for t in tests
                    .iter()
                    .filter(|t| m.is_match(&t.id) && !carrying.contains(&t.id.as_str()))
                {
                    problems.push(format!(
                        "{}: `tests` glob {g} claims {}, which does not name it",
                        r.id, t.id
                    ));
                }
            }
            for t in &carrying {
                if !globs.iter().any(|m| m.is_match(t)) {
                    problems.push(format!("{}: test {t} names it but no `tests` glob lists it", r.id));
                }
            }
            let by_parts = !r.parts.is_empty();
            match (r.testable, carrying.is_empty() && !by_parts) {
                (true, true) => problems.push(format!("{} is testable but no test checks it", r.id)),
                (false, false) => problems.push(format!("{} is marked untestable but tests check it", r.id)),
                (false, true) if r.reason.is_none() && r.deferred.is_none() => {
                    problems.push(format!("{} is untestable without a reason", r.id))
                }
                _ => {}
            }
        }
    }
    ensure(problems.is_empty(), problems.join("\n"))
}

fn every_basis_names_tests_of_its_requirement_and_an_x_entry() -> Result<(), Failed> {
    let cats = catalogs();
    let tests = all_tests(ContentRev::Rev08);
    let mut problems = Vec::new();
    for r in cats.catalogs.iter().flat_map(|c| &c.requirements) {
        let carrying: Vec<&str> = tests
            .iter()
            .filter(|t| t.spec.iter().any(|s| s.req == r.id))
            .map(|t| t.id.as_str())
            .collect();
        let unmatched = |g: &String| {
            let m = globset::Glob::new(g).expect("glob").compile_matcher();
            !carrying.iter().any(|t| m.is_match(t))
        };
        for g in r.robustness.iter().filter(|g| unmatched(g)) {
            problems.push(format!("{}: `robustness` glob {g} matches no test naming it", r.id));
        }
        for (x, globs) in &r.readings {
            if !cats.get(x).is_some_and(|(_, e)| e.is_reading()) {
                problems.push(format!("{}: `readings` names {x}, which is no (reading) entry", r.id));
            }
            for g in globs.iter().filter(|g| unmatched(g)) {
                problems.push(format!("{}: `readings` glob {g} matches no test naming it", r.id));
            }
        }
    }
    // Every test's references carry the basis the catalog gives them there.
    for t in &tests {
        for s in &t.spec {
            let (_, r) = cats.get(&s.req).expect("known requirement");
            if (s.basis, s.reading.clone()) != r.basis_in(&t.id) {
                problems.push(format!("{}: {} has basis {}, not the catalog's", t.id, s.req, s.basis));
            }
        }
    }
    ensure(problems.is_empty(), problems.join("\n"))
}

fn every_rule_kind_has_its_requirement_and_level() -> Result<(), Failed> {
    let cats = catalogs();
    let mut problems = Vec::new();
    for k in Kind::ALL {
        match cats.get(k.req()) {
            None => problems.push(format!("{} names {}, not in the catalog", k.slug(), k.req())),
            Some((_, r)) if r.level != k.level() => problems.push(format!(
                "{}: level {} here, {} in the catalog",
                k.slug(),
                k.level(),
                r.level
            )),
            _ => {}
        }
    }
    ensure(problems.is_empty(), problems.join("\n"))
}
