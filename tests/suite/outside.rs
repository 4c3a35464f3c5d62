//! The reference outside the harness's process, played through its driver and its MIMI endpoints
//! as a third party's implementation is (`driver/outside-...`, `driver/server-only-...`).

use std::collections::BTreeSet;

use libtest_mimic::{Failed, Trial};
use mimi_conformance::codec::content::ContentRev;
use mimi_conformance::harness::Status;
use mimi_conformance::provider::Fault;

use crate::common::*;

/// The scenario groups the fault trials run through the driver: where the hub, follower and
/// policy faults they switch on act (the whole suite through the driver runs in other trials).
const FAULT_GROUPS: [&str; 3] = ["protocol/3", "protocol/5.5", "policy/8"];

/// The scenario tests under `FAULT_GROUPS` that do not pass against the built-in implementation
/// with `faults`.
fn builtin_failures(faults: &[Fault]) -> Result<BTreeSet<String>, Failed> {
    let scenarios = scenario_ids();
    Ok(run_builtin(faults, &FAULT_GROUPS)?
        .results
        .into_iter()
        .filter(|r| scenarios.contains(&r.id) && !matches!(r.status, Status::Pass | Status::Skip))
        .map(|r| r.id)
        .collect())
}

/// The ids of the scenario tests that judge the implementation's own clients (`unsupported` for
/// a server-only implementation).
fn client_behaviour_ids() -> BTreeSet<String> {
    all_tests(ContentRev::Rev08)
        .into_iter()
        .filter(
            |t| matches!(&t.check, mimi_conformance::harness::Check::Scenario(s, _) if s.client_behaviour.is_some()),
        )
        .map(|t| t.id)
        .collect()
}

pub fn trials() -> Vec<Trial> {
    vec![
        Trial::test(
            "driver/outside-implementation-requiring-consent-passes-every-scenario-the-builtin-passes",
            outside_implementation_requiring_consent_passes_every_scenario_the_builtin_passes,
        ),
        Trial::test(
            "driver/server-only-implementation-with-its-endpoints-elsewhere-runs-every-scenario-but-those-judging-its-clients",
            server_only_implementation_with_its_endpoints_elsewhere_runs_every_scenario_but_those_judging_its_clients,
        ),
        Trial::test(
            "driver/server-only-implementation-with-faults-fails-the-scenarios-the-builtin-fails",
            server_only_implementation_with_faults_fails_the_scenarios_the_builtin_fails,
        ),
        Trial::test(
            "driver/outside-implementation-with-faults-fails-the-scenarios-the-builtin-fails",
            outside_implementation_with_faults_fails_the_scenarios_the_builtin_fails,
        ),
    ]
}

fn outside_implementation_requiring_consent_passes_every_scenario_the_builtin_passes() -> Result<(), Failed> {
    // A default-deny provider (noConsent without consent, §5.2): the harness has its
    // users grant consent first (`consent.grant`).
    let iut = OutsideReference::start(&["--require-consent"])?;
    let dir = temp_dir("outside");
    let (code, out, err) = iut.run_scenarios(&dir, &[]);
    ensure(code == 0, format!("exit {code}\n{out}\n{err}"))?;
    let outside = report_statuses(&dir)?;
    let scenarios = scenario_ids();
    let builtin = baseline();
    let passing: Vec<&str> = builtin
        .results
        .iter()
        .filter(|r| scenarios.contains(&r.id) && r.status == Status::Pass)
        .map(|r| r.id.as_str())
        .collect();
    ensure(
        passing.len() == scenarios.len() && passing.len() >= 30,
        format!("{} of {} scenarios pass in process", passing.len(), scenarios.len()),
    )?;
    let differing: Vec<String> = passing
        .iter()
        .filter(|id| outside.get(**id).is_none_or(|(s, _)| s != "pass"))
        .map(|id| format!("{id}: {:?}", outside.get(*id)))
        .collect();
    ensure(differing.is_empty(), differing.join("\n"))
}

fn server_only_implementation_with_its_endpoints_elsewhere_runs_every_scenario_but_those_judging_its_clients()
-> Result<(), Failed> {
    // Its endpoints are where its directory says, not under /v1 (§5.1).
    let iut = OutsideReference::start(&["--mode", "server-only", "--endpoint-prefix", "/mimi/v2"])?;
    let dir = temp_dir("server-only");
    let (code, out, err) = iut.run_scenarios(&dir, &[]);
    ensure(code == 0, format!("exit {code}\n{out}\n{err}"))?;
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    ensure(
        report["iut"]["mode"] == "server-only",
        format!("mode {}", report["iut"]["mode"]),
    )?;
    let statuses = report_statuses(&dir)?;
    // The scenarios that judge the implementation's own clients, and only those, are
    // unsupported: the harness's clients play its users in all the others.
    let client_behaviour = client_behaviour_ids();
    let scenarios = scenario_ids();
    let executed: BTreeSet<&String> = scenarios
        .iter()
        .filter(|id| statuses.get(*id).is_some_and(|(s, _)| s == "pass"))
        .collect();
    let unsupported: BTreeSet<String> = scenarios
        .iter()
        .filter(|id| {
            statuses
                .get(*id)
                .is_some_and(|(s, m)| s == "unsupported" && m.contains("own clients"))
        })
        .cloned()
        .collect();
    ensure(
        client_behaviour.len() >= 2
            && unsupported == client_behaviour
            && executed.len() == scenarios.len() - client_behaviour.len(),
        format!(
            "{} scenarios, {} pass, unsupported {unsupported:?}, judging the clients {client_behaviour:?}",
            scenarios.len(),
            executed.len()
        ),
    )
}

fn server_only_implementation_with_faults_fails_the_scenarios_the_builtin_fails() -> Result<(), Failed> {
    // The hub's, the follower's and the policy engine's faults trip the same scenarios
    // when the harness's clients play the implementation's users.
    let names = ["hub-drops-welcome", "notify-answers-200", "policy:ignore-capabilities"];
    let faults: Vec<Fault> = names.iter().filter_map(|n| Fault::from_name(n)).collect();
    let mut args = vec!["--mode", "server-only"];
    args.extend(names.iter().flat_map(|n| ["--fault", n]));
    let iut = OutsideReference::start(&args)?;
    let dir = temp_dir("server-only-faults");
    let (code, out, err) = iut.run_scenarios(&dir, &FAULT_GROUPS);
    ensure(code == 1, format!("exit {code}\n{out}\n{err}"))?;
    // The failures' transcripts hold each `configure`, without its private key.
    let json = std::fs::read_to_string(dir.join("report.json")).map_err(|e| e.to_string())?;
    ensure(
        !json.contains("PRIVATE KEY") && json.contains("(a private key, not recorded)"),
        "report.json holds a private key, or no configure at all",
    )?;
    let scenarios = scenario_ids();
    let outside: BTreeSet<String> = report_statuses(&dir)?
        .into_iter()
        .filter(|(id, (s, _))| scenarios.contains(id) && s == "fail")
        .map(|(id, _)| id)
        .collect();
    let client_behaviour = client_behaviour_ids();
    let builtin: BTreeSet<String> = builtin_failures(&faults)?
        .into_iter()
        .filter(|id| !client_behaviour.contains(id))
        .collect();
    ensure(
        outside == builtin && outside.contains("protocol/3.2/add-user-from-hub@cs1"),
        format!(
            "server-only, not in process: {:?}\nin process, not server-only: {:?}",
            outside.difference(&builtin).collect::<Vec<_>>(),
            builtin.difference(&outside).collect::<Vec<_>>()
        ),
    )
}

fn outside_implementation_with_faults_fails_the_scenarios_the_builtin_fails() -> Result<(), Failed> {
    // A hub fault, a follower fault and a policy-enforcement fault: the checks of
    // both roles and of the policy scenarios trip through the driver.
    let names = ["hub-drops-welcome", "notify-answers-200", "policy:ignore-capabilities"];
    let faults: Vec<Fault> = names.iter().filter_map(|n| Fault::from_name(n)).collect();
    ensure(faults.len() == names.len(), format!("unknown fault among {names:?}"))?;
    let iut = OutsideReference::start(&names.iter().flat_map(|n| ["--fault", n]).collect::<Vec<_>>())?;
    let dir = temp_dir("outside-faults");
    let (code, out, err) = iut.run_scenarios(&dir, &FAULT_GROUPS);
    ensure(code == 1, format!("exit {code}\n{out}\n{err}"))?;
    let scenarios = scenario_ids();
    let outside: BTreeSet<String> = report_statuses(&dir)?
        .into_iter()
        .filter(|(id, (s, _))| scenarios.contains(id) && s != "pass" && s != "skip")
        .map(|(id, _)| id)
        .collect();
    // In process, the scenarios' provider behaves as the faults say.
    let builtin = builtin_failures(&faults)?;
    ensure(
        outside == builtin
            && outside.contains("protocol/3.2/add-user-from-hub@cs1")
            && outside.contains("protocol/3.2/add-user-of-follower@cs1")
            && outside.contains("policy/8.1.3/hub-refuses-ban-without-capability"),
        format!("outside {outside:?}\nin process {builtin:?}"),
    )
}
