//! Running a scenario: its deployment, then the steps, each checked as it ends.

use std::time::Duration;

use super::act::{run_act, with_uplink};
use super::deploy::Deployment;
use super::model::Scenario;
use super::outside::{DriverRef, IutEndpoint};
use super::request::{Decoded, run_request};
use crate::driver::Driver;
use crate::harness::{Outcome, Transcript};
use crate::provider::state::lock;

/// Runs every step under `ciphersuite`; the first that does not hold ends the scenario (all its
/// requirements are MUSTs or the step says which outcomes are allowed).
/// `driver` is the run's driver: an implementation outside the process (`iut` is
/// [`IutEndpoint::Outside`]) is set up and acts through it.
pub async fn run_scenario(
    scenario: &Scenario,
    iut: IutEndpoint,
    driver: Option<&Driver>,
    ciphersuite: u16,
    timeout: Duration,
    tr: &mut Transcript,
) -> Outcome {
    let deployment = match Deployment::start(scenario, iut, ciphersuite, timeout).await {
        Ok(d) => d,
        Err(e) => return Outcome::error(format!("cannot start the deployment: {e}")),
    };
    let by = driver.map(|driver| DriverRef { driver, timeout });
    let mut uplink = match deployment.configure_outside(scenario, by, tr).await {
        Ok(u) => u,
        Err(o) => return o,
    };
    let mut decoded = Decoded::new();
    for step in &scenario.steps {
        let marks = deployment.marks();
        for (role, faults) in &step.peer_faults {
            let mut st = lock(&deployment.roles[role].state);
            st.peer_faults = faults.iter().copied().collect();
            st.notify_failed = false;
        }
        let mut carried = Vec::new();
        let ran = match (&step.request, &step.act) {
            (Some(r), _) => tokio::time::timeout(timeout, run_request(&deployment, step, r, &mut decoded, tr)).await,
            (None, Some(a)) => {
                let act = run_act(&deployment, scenario, step, a, by, tr);
                tokio::time::timeout(timeout, with_uplink(act, uplink.as_mut(), by, &mut carried)).await
            }
            (None, None) => Ok(Err(Outcome::error(format!("step {:?} does nothing", step.name)))),
        };
        tr.exchanges.append(&mut carried);
        for role in step.peer_faults.keys() {
            lock(&deployment.roles[role].state).peer_faults.clear();
        }
        let ran = match ran {
            Ok(Ok(())) => Ok(deployment.collect_inboxes(by, tr).await),
            other => other,
        };
        let checked = match ran {
            Ok(Ok(())) => deployment.check_after(scenario, step, &marks, by, tr).await,
            Ok(Err(o)) => Err(o),
            Err(_) => {
                return Outcome::new(
                    crate::harness::Status::Timeout,
                    format!("step {:?}: no answer within {timeout:?}", step.name),
                );
            }
        };
        if let Err(o) = checked {
            return o.charged_to(&step.checks);
        }
    }
    Outcome::pass()
}
