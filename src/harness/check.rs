//! What a test does. Scenarios are the harness's own; every other check goes through the driver
//! and belongs to the suite that built it ([`DriverCheck`]), so the harness runs tests without
//! knowing the suites (data flows one way: suites build tests, the harness runs them).

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use super::scenario::{IutEndpoint, Scenario, run_scenario};
use super::{Outcome, Status, Transcript};
use crate::driver::{CallError, Driver};

/// What a test does.
#[derive(Debug, Clone)]
pub enum Check {
    /// A scenario against the implementation's HTTPS side, under one MLS ciphersuite.
    Scenario(Arc<Scenario>, u16),
    /// A check through the driver's operations.
    Driver(Arc<dyn DriverCheck>),
}

/// Which family of driver operations a check uses (what `selftest` matches a fault's area to).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `content.*`.
    Content,
    /// `wire.*`.
    Wire,
    /// `policy.*`.
    Policy,
}

/// A driver check running: what [`DriverCheck::run`] gives.
pub type Running<'a> = Pin<Box<dyn Future<Output = Outcome> + Send + 'a>>;

/// A check a suite runs through the driver.
pub trait DriverCheck: Debug + Send + Sync {
    fn family(&self) -> Family;
    fn run<'a>(&'a self, driver: &'a Driver, timeout: Duration, tr: &'a mut Transcript) -> Running<'a>;
}

impl Check {
    /// The role the implementation plays in a scenario (recorded in its result for the matrix).
    pub fn iut_role(&self) -> Option<super::IutRole> {
        match self {
            Check::Scenario(s, _) => s.iut_role(),
            Check::Driver(_) => None,
        }
    }

    /// The driver check's family; `None` for a scenario.
    pub fn family(&self) -> Option<Family> {
        match self {
            Check::Scenario(..) => None,
            Check::Driver(c) => Some(c.family()),
        }
    }

    pub async fn run(
        &self,
        driver: &Driver,
        iut: Option<IutEndpoint>,
        timeout: Duration,
        tr: &mut Transcript,
    ) -> Outcome {
        match (self, iut) {
            (Check::Driver(c), _) => c.run(driver, timeout, tr).await,
            (Check::Scenario(s, cs), Some(iut)) => run_scenario(s, iut, Some(driver), *cs, timeout, tr).await,
            (Check::Scenario(..), None) => Outcome::new(
                Status::Unsupported,
                "scenarios need the implementation's MIMI endpoints: give --iut-url (its driver then \
                 sets it up with `configure` and acts with `user.create`, `room.*` and `message.*`)",
            ),
        }
    }
}

/// What a failed driver call means for a test: `unsupported` is never a failure, a timeout is a
/// timeout, a broken transport is our `error`, and a wrong or malformed answer is a `fail`.
pub fn call_failed(e: CallError) -> Outcome {
    match e {
        CallError::Unsupported(m) => Outcome::new(Status::Unsupported, m),
        CallError::Timeout(t) => Outcome::new(Status::Timeout, format!("no answer within {t:?}")),
        CallError::Transport(m) => Outcome::error(m),
        e @ (CallError::Driver(_) | CallError::BadResponse(_)) => Outcome::fail(e.to_string()),
    }
}
