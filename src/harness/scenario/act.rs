//! A user acts: the step's act typed once ([`UserAct`]), then carried out on a provider in this
//! process ([`crate::provider::act::perform`]: simulated providers, the built-in implementation, the
//! harness's clients of a server-only implementation) or by the implementation's own clients
//! through the driver.

use serde_json::Value;

use super::deploy::{Actor, Deployment, UplinkCalls};
use super::expect::subset;
use super::model::{Act, ActOp, Player, Scenario, Step};
use super::outside::DriverRef;
use crate::driver::messages::RoomPolicyParams;
use crate::driver::{CallError, ErrorCode};
use crate::harness::{Outcome, Transcript};
use crate::provider::act::UserAct;
use crate::provider::actions::ActError;
use crate::provider::state::lock;

/// Runs `work` while carrying the calls of a server-only implementation's clients to its driver
/// (their exchanges go to `log`): the clients' requests are answered while the step goes on.
pub(super) async fn with_uplink<F: std::future::Future>(
    work: F,
    calls: Option<&mut UplinkCalls>,
    iut: Option<DriverRef<'_>>,
    log: &mut Vec<crate::driver::Exchange>,
) -> F::Output {
    let (Some(calls), Some(iut)) = (calls, iut) else {
        return work.await;
    };
    tokio::pin!(work);
    loop {
        tokio::select! {
            out = &mut work => return out,
            Some(call) = calls.recv() => {
                let answer = iut
                    .driver
                    .call::<_, Value>(call.op, &call.params, iut.timeout, log)
                    .await
                    .map_err(|e| e.to_string());
                let _ = call.reply.send(answer);
            }
        }
    }
}

/// The typed act of a step: the URIs of its user, room and target in this run, a role set by
/// its name, `{role}` expanded in JSON values.
pub(super) fn typed(d: &Deployment, scenario: &Scenario, a: &Act) -> Result<UserAct, String> {
    use crate::provider::act::Act as Do;
    let target = || a.target.as_deref().map(|t| d.user(scenario, t)).unwrap_or_default();
    let role = || a.role.ok_or_else(|| format!("{:?} needs a role", a.op));
    let component = || a.component.clone().unwrap_or_default();
    let act = match a.op {
        ActOp::RoomCreate => {
            let roles = a.policy.as_deref().map(policy_fixture).transpose()?;
            // `{role}` in a base policy (a parent room's id) names this run's domains.
            let base_policy = a.base_policy.as_ref().map(|b| d.expand_json(b));
            Do::Create {
                ciphersuite: d.ciphersuite,
                role: a.role,
                policy: (roles.is_some() || base_policy.is_some()).then_some(RoomPolicyParams { roles, base_policy }),
            }
        }
        ActOp::RoomAdd => Do::Add {
            target: target(),
            role: a.role,
            clients: a.clients,
        },
        ActOp::RoomRemove => Do::Remove { target: target() },
        ActOp::RoomChangeRole => Do::ChangeRole {
            target: target(),
            role: role()?,
        },
        ActOp::RoomBan => Do::Ban { target: target() },
        ActOp::RoomUnban => Do::Unban {
            target: target(),
            role: role()?,
        },
        ActOp::RoomKick => Do::Kick { target: target() },
        ActOp::RoomAddOwnClient => Do::AddOwnClient,
        ActOp::RoomRemoveOwnClient => Do::RemoveOwnClient,
        ActOp::RoomSetComponent => Do::SetComponent {
            component: component(),
            value: d.expand_json(a.value.as_ref().unwrap_or(&Value::Null)),
        },
        ActOp::RoomRemoveComponent => Do::RemoveComponent { component: component() },
        ActOp::RoomLeave => Do::Leave,
        ActOp::RoomJoin => Do::Join { role: a.role },
        ActOp::RoomCommit => Do::Commit,
        ActOp::MessageSend => match (&a.media_type, &a.text) {
            (Some(media_type), _) => Do::SendAsset(media_type.clone()),
            (None, text) => Do::SendText(text.clone().unwrap_or_default()),
        },
        ActOp::MessageList => Do::ListMessages,
        ActOp::RoomState => Do::State,
        ActOp::UpdateReplay => Do::Replay,
    };
    Ok(UserAct {
        user: d.user(scenario, &a.user),
        room: d.room(&a.room),
        act,
    })
}

/// The RoleData JSON of role set `name` in vectors/policy/fixtures.json (parsed once).
pub(super) fn policy_fixture(name: &str) -> Result<Value, String> {
    static FIXTURES: std::sync::OnceLock<Result<crate::vectors::Fixtures, String>> = std::sync::OnceLock::new();
    let fixtures = FIXTURES.get_or_init(|| {
        crate::vectors::VectorFile::embedded()
            .map(|files| crate::vectors::Fixtures::from_files(&files))
            .map_err(|e| e.to_string())
    });
    fixtures
        .as_ref()
        .map_err(Clone::clone)?
        .roles(name)
        .cloned()
        .ok_or_else(|| format!("no role set {name:?} in vectors/policy/fixtures.json"))
}

/// A user acts; its result must match `expect.result` (or, without one, say `accepted`).
pub(super) async fn run_act(
    d: &Deployment,
    scenario: &Scenario,
    step: &Step,
    a: &Act,
    iut: Option<DriverRef<'_>>,
    tr: &mut Transcript,
) -> Result<(), Outcome> {
    let Ok((role, _)) = scenario.user_ref(&a.user) else {
        return Err(Outcome::error(format!("step {:?}: bad user {:?}", step.name, a.user)));
    };
    let provider = &d.roles[role];
    let state = &provider.state;
    let act = typed(d, scenario, a).map_err(|m| Outcome::error(format!("step {:?}: {m}", step.name)))?;
    tr.notes.push(format!(
        "{}: {} {:?} in {}{}",
        step.name,
        a.user,
        a.op,
        act.room,
        a.target
            .as_deref()
            .map(|t| format!(" on {}", d.user(scenario, t)))
            .unwrap_or_default()
    ));
    lock(state).peer_faults = a.fault.into_iter().collect();
    let result = match provider.actor {
        Actor::Driver => act_by_driver(iut, &act, tr).await?,
        Actor::Local | Actor::ClientHost => crate::provider::act::perform(state, &act).await,
    };
    lock(state).peer_faults.clear();
    let e = &step.expect;
    let value = match (result, e.error) {
        (Ok(v), false) => v,
        (Err(err), true) => {
            tr.notes.push(format!("{}: failed as expected: {err}", step.name));
            return Ok(());
        }
        (Ok(v), true) => {
            return Err(Outcome::mismatch(&format!("step {:?}", step.name), "an error", v));
        }
        (Err(err), false) => {
            let who = match (provider.player, provider.actor) {
                (Player::Sim, _) => "a simulated provider",
                (_, Actor::ClientHost) => {
                    "the implementation's user (the harness's client, through the implementation)"
                }
                _ => "the implementation",
            };
            let status = match err {
                ActError::Timeout(_) => crate::harness::Status::Timeout,
                _ => crate::harness::Status::Fail,
            };
            return Err(Outcome::new(
                status,
                format!("step {:?}: {who} could not act: {err}", step.name),
            ));
        }
    };
    tr.notes.push(format!("{}: result {value}", step.name));
    let want = match &e.result {
        Some(w) => d.expand_json(w),
        None if a.op.changes_room() => serde_json::json!({"accepted": true}),
        None => return Ok(()),
    };
    subset(&want, &value, "")
        .map_err(|at| Outcome::mismatch(&format!("step {:?}: the result at `{at}`", step.name), &want, &value))
}

/// An act of a user of the implementation outside the process, through the driver: its result,
/// or the act's failure (the error `failed`); any other error of the call ends the step.
pub(super) async fn act_by_driver(
    iut: Option<DriverRef<'_>>,
    act: &UserAct,
    tr: &mut Transcript,
) -> Result<Result<Value, ActError>, Outcome> {
    let Some(iut) = iut else {
        return Err(Outcome::error("the implementation outside the process has no driver"));
    };
    let Some((op, params)) = act.driver_call() else {
        return Err(Outcome::error(format!(
            "{:?} has no driver operation: only a simulated provider does it",
            act.act
        )));
    };
    match iut.driver.call(op, &params, iut.timeout, &mut tr.exchanges).await {
        Ok(v) => Ok(Ok(v)),
        Err(CallError::Driver(e)) if e.code == ErrorCode::Failed => Ok(Err(ActError::Failed(e.message))),
        Err(e) => Err(crate::harness::call_failed(e)),
    }
}
