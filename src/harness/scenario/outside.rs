//! Who plays the implementation's role: the built-in reference in process, or an implementation
//! outside the process (`--iut-url`) in the mode it declares; and which scenarios it can play.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use super::model::{Player, Scenario};
use crate::driver::Driver;
use crate::driver::messages::Mode;
use crate::harness::Outcome;
use crate::provider::{ProviderBehaviour, Reference};

/// Who plays `iut` roles.
#[derive(Debug, Clone, Copy)]
pub enum IutEndpoint {
    /// The built-in reference provider, started in-process, behaving as this says (the faults
    /// of the reference it stands for).
    Builtin(ProviderBehaviour),
    /// An implementation outside the process: set up and acted on through the run's driver,
    /// its MIMI endpoints reached at an address of its own.
    Outside(OutsideIut),
}

/// The built-in reference as a run meets it: the driver that answers its operations, and the
/// endpoint whose `iut` providers its scenarios start; both made from the one reference, so the
/// providers carry the faults its answers have.
pub struct BuiltinIut {
    pub driver: Driver,
    /// For [`crate::harness::RunPlan::iut_endpoint`].
    pub endpoint: IutEndpoint,
}

impl BuiltinIut {
    pub fn new(reference: Reference) -> Self {
        let endpoint = IutEndpoint::Builtin(reference.behaviour());
        BuiltinIut {
            driver: Driver::builtin(reference.name(), Arc::new(reference)),
            endpoint,
        }
    }
}

/// An implementation outside the process, as `--iut-url` and `--iut-role` describe it. It plays
/// one role per scenario, and scenarios run one at a time for it (it holds one provider).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutsideIut {
    /// Where its MIMI endpoints listen: the simulated providers resolve its per-scenario domain
    /// to this address.
    pub addr: SocketAddr,
    /// Which scenarios it plays.
    pub role: IutRole,
    /// Who plays its users: its own clients, or the harness's (from `capabilities`).
    pub mode: Mode,
    /// Whether it lists `consent.grant`: its users then grant the other providers' users consent
    /// before the first step (a default-deny provider refuses key material without it).
    pub grants_consent: bool,
}

/// The roles an outside implementation plays (`--iut-role`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IutRole {
    /// Scenarios where it is the `hub`.
    Hub,
    /// Scenarios where it is a `follower…`.
    Follower,
    /// Every scenario.
    #[default]
    Any,
}

impl OutsideIut {
    /// Why `scenario` is not run against this implementation, if it is not: a role it does not
    /// play (`skip`), or more than one role, or driver operations it does not list in
    /// `capabilities` (`unsupported`).
    pub fn excuse(&self, scenario: &Scenario, ops: &[String]) -> Option<Outcome> {
        use crate::harness::Status;
        let roles: Vec<&String> = scenario
            .roles
            .iter()
            .filter(|(_, p)| **p == Player::Iut)
            .map(|(r, _)| r)
            .collect();
        let [role] = roles[..] else {
            return Some(Outcome::new(
                Status::Unsupported,
                format!(
                    "the implementation would play {} roles ({roles:?}); outside the process it plays one",
                    roles.len()
                ),
            ));
        };
        let plays = match self.role {
            IutRole::Hub => role == "hub",
            IutRole::Follower => role.starts_with("follower"),
            IutRole::Any => true,
        };
        if !plays {
            return Some(Outcome::new(
                Status::Skip,
                format!("--iut-role {:?}: the implementation would play {role} here", self.role),
            ));
        }
        if let (Mode::ServerOnly, Some(why)) = (self.mode, &scenario.client_behaviour) {
            return Some(Outcome::new(
                Status::Unsupported,
                format!("server-only: the scenario judges the implementation's own clients ({why})"),
            ));
        }
        let missing: Vec<&str> = scenario
            .driver_ops(role, self.mode)
            .into_iter()
            .filter(|op| !ops.iter().any(|o| o == op))
            .collect();
        (!missing.is_empty()).then(|| {
            Outcome::new(
                Status::Unsupported,
                format!(
                    "the implementation does not list the operation(s) {} it needs to play {role}",
                    missing.join(", ")
                ),
            )
        })
    }
}

/// The run's driver and its timeout, for the role an implementation outside the process plays.
#[derive(Clone, Copy)]
pub struct DriverRef<'a> {
    pub driver: &'a Driver,
    pub timeout: Duration,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::ops;
    use crate::harness::Status;

    fn scenario(roles: &str) -> Scenario {
        let text = format!(
            "id: protocol/3.1/x\ntitle: x\nrequirements: [PROT-F01]\nroles: {roles}\n\
             users: {{hub: [{{user: alice, clients: 1}}]}}\n\
             steps:\n  - name: create\n    act: {{user: alice@hub, op: room.create, room: r}}\n    expect: {{converged: [alice@hub]}}\n"
        );
        Scenario::parse("x.yaml", &text).expect("parses")
    }

    fn outside(role: IutRole) -> OutsideIut {
        OutsideIut {
            addr: SocketAddr::from(([127, 0, 0, 1], 9)),
            role,
            mode: Mode::FullClient,
            grants_consent: false,
        }
    }

    fn all_ops() -> Vec<String> {
        ops::STATEFUL.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_scenario_runs_when_the_role_and_every_operation_are_there() {
        let s = scenario("{hub: iut, follower1: sim}");
        assert!(outside(IutRole::Any).excuse(&s, &all_ops()).is_none());
        assert!(outside(IutRole::Hub).excuse(&s, &all_ops()).is_none());
        let skipped = outside(IutRole::Follower)
            .excuse(&s, &all_ops())
            .expect("not a follower scenario");
        assert_eq!(skipped.status, Status::Skip);
        let f = scenario("{hub: sim, follower1: iut}");
        assert!(outside(IutRole::Follower).excuse(&f, &all_ops()).is_none());
        assert_eq!(
            outside(IutRole::Hub).excuse(&f, &all_ops()).map(|o| o.status),
            Some(Status::Skip)
        );
    }

    #[test]
    fn a_missing_operation_or_a_second_role_is_unsupported() {
        let s = scenario("{hub: iut, follower1: sim}");
        for missing in [ops::CONFIGURE, ops::USER_CREATE, ops::ROOM_CREATE, ops::ROOM_STATE] {
            let ops: Vec<String> = all_ops().into_iter().filter(|o| o != missing).collect();
            let o = outside(IutRole::Any).excuse(&s, &ops).expect("unsupported");
            assert_eq!(o.status, Status::Unsupported);
            assert!(o.message.contains(missing), "{}", o.message);
        }
        // The simulated hub's acts need nothing of the implementation.
        let f = scenario("{hub: sim, follower1: iut}");
        assert_eq!(
            f.driver_ops("follower1", Mode::FullClient),
            [ops::CONFIGURE, ops::RESET].into_iter().collect()
        );
        let two = scenario("{hub: iut, follower1: iut}");
        let o = outside(IutRole::Any).excuse(&two, &all_ops()).expect("two roles");
        assert_eq!(o.status, Status::Unsupported);
    }
}
