//! What every step ends with: the simulated providers' findings, the requests seen on the wire
//! (`wire`, `no_wire`), and the common state of every client (`converged`); and the subset match
//! the expectations use.

use std::collections::BTreeMap;

use serde_json::Value;

use super::deploy::{Actor, Deployment};
use super::model::{Carries, Player, Scenario, Step, WireMatch};
use super::outside::DriverRef;
use crate::codec::protocol::fanout::{FanoutArm, FanoutMessage};
use crate::codec::protocol::update::{HandshakeArm, UpdateRequest};
use crate::codec::protocol::{self, Reading};
use crate::harness::{Outcome, Transcript};
use crate::provider::actions;
use crate::provider::state::{Exchange, lock};

/// Where each role's log and problem list stood before a step.
pub(super) type Marks = BTreeMap<String, (usize, usize)>;

impl Deployment {
    /// The checks every step ends with: the simulated providers found nothing wrong in what they
    /// were sent, the requests seen (`wire`, `no_wire`), and the common state (`converged`).
    pub(super) async fn check_after(
        &self,
        scenario: &Scenario,
        step: &Step,
        marks: &Marks,
        iut: Option<DriverRef<'_>>,
        tr: &mut Transcript,
    ) -> Result<(), Outcome> {
        let name = &step.name;
        for (role, r) in &self.roles {
            let st = lock(&r.state);
            let (log_mark, problem_mark) = marks[role];
            for x in &st.log[log_mark..] {
                tr.notes.push(format!(
                    "{name}: {role} {} {} {} → HTTP {} ({} bytes)",
                    if x.sent { "sent" } else { "received" },
                    x.endpoint,
                    if x.sent {
                        format!("to {}", x.peer)
                    } else {
                        format!("from {}", x.peer)
                    },
                    x.status,
                    x.body.len()
                ));
            }
            if r.player == Player::Sim && st.problems.len() > problem_mark {
                return Err(Outcome::fail(format!(
                    "step {name:?}: {role} (simulated) could not accept what it was sent: {}",
                    st.problems[problem_mark..].join("; ")
                )));
            }
            if r.actor == Actor::ClientHost && st.problems.len() > problem_mark {
                return Err(Outcome::fail(format!(
                    "step {name:?}: the implementation ({role}) delivered to its clients what they cannot process: {}",
                    st.problems[problem_mark..].join("; ")
                )));
            }
        }
        for m in &step.expect.wire {
            let seen = self.seen(m, marks);
            let matching = seen.iter().filter(|x| self.matches(m, x, marks).is_ok()).count();
            if let Some(want) = m.count
                && matching != want
            {
                return Err(Outcome::mismatch(
                    &format!("step {name:?}: {} from {} to {}: how many", m.endpoint, m.from, m.to),
                    want,
                    matching,
                ));
            }
            if matching == 0 {
                let why = seen
                    .iter()
                    .filter_map(|x| self.matches(m, x, marks).err())
                    .collect::<Vec<_>>()
                    .join("; ");
                return Err(Outcome::fail(format!(
                    "step {name:?}: no {} from {} to {}{}{}",
                    m.endpoint,
                    m.from,
                    m.to,
                    m.carries.map(|c| format!(" carrying a {c:?}")).unwrap_or_default(),
                    if why.is_empty() {
                        String::new()
                    } else {
                        format!(" ({why})")
                    }
                )));
            }
        }
        for m in &step.expect.no_wire {
            if let Some(x) = self
                .seen(m, marks)
                .into_iter()
                .find(|x| self.matches(m, x, marks).is_ok())
            {
                return Err(Outcome::fail(format!(
                    "step {name:?}: {} sent {} to {} ({} bytes), which must not happen here",
                    m.from,
                    m.endpoint,
                    m.to,
                    x.body.len()
                )));
            }
        }
        if let Some(users) = &step.expect.converged {
            let room = match &step.act {
                Some(a) => self.room(&a.room),
                None => {
                    return Err(Outcome::error(format!(
                        "step {name:?}: `converged` needs an act's room"
                    )));
                }
            };
            let want: Vec<String> = users.iter().map(|u| self.user(scenario, u)).collect();
            let outside = self.outside_states(scenario, &room, iut, tr).await?;
            self.check_converged(&room, &want, outside, tr)
                .map_err(|m| Outcome::fail(format!("step {name:?}: {m}")))?;
        }
        Ok(())
    }

    /// The requests of this step between `m.from` and `m.to`, from the simulated side's log.
    pub(super) fn seen(&self, m: &WireMatch, marks: &Marks) -> Vec<Exchange> {
        let (Some(from), Some(to)) = (self.roles.get(&m.from), self.roles.get(&m.to)) else {
            return Vec::new();
        };
        let (side, role, sent, peer) = if from.player == Player::Sim {
            (from, &m.from, true, &to.identity.domain)
        } else {
            (to, &m.to, false, &from.identity.domain)
        };
        let st = lock(&side.state);
        st.log[marks[role].0..]
            .iter()
            .filter(|x| x.sent == sent && x.peer == *peer && x.endpoint == m.endpoint)
            .cloned()
            .collect()
    }

    /// Whether one logged request is what `m` describes; if not, why.
    pub(super) fn matches(&self, m: &WireMatch, x: &Exchange, marks: &Marks) -> Result<(), String> {
        if let Some(status) = m.status
            && x.status != status
        {
            return Err(format!("HTTP {} where {status} is due", x.status));
        }
        if let Some(name) = &m.body_struct {
            let value = protocol::decode_named(name, &x.body).map_err(|e| format!("the body is not a {name}: {e}"))?;
            if let Some(want) = &m.body_json {
                let want = self.expand_json(want);
                subset(&want, &value, "").map_err(|at| format!("its {name} differs at `{at}`: {value}"))?;
            }
        }
        if m.carries.is_none() && m.echoes_update_from.is_none() {
            return Ok(());
        }
        let messages = FanoutMessage::read_all(&x.body, &Reading::default())
            .map_err(|e| format!("the body is not a list of FanoutMessages: {e}"))?;
        let first = messages.first().ok_or("an empty body")?;
        let kind = match &first.arm {
            FanoutArm::Welcome { .. } => Carries::Welcome,
            FanoutArm::Commit { .. } => Carries::Commit,
            FanoutArm::Proposal { .. } => Carries::Proposal,
            FanoutArm::Application { .. } => Carries::Application,
        };
        if let Some(c) = m.carries
            && c != kind
        {
            return Err(format!("it carries a {kind:?}"));
        }
        if let Some(role) = &m.echoes_update_from {
            let r = &self.roles[role];
            let st = lock(&r.state);
            let update = st.log[marks[role].0..]
                .iter()
                .find(|u| u.sent && u.endpoint == "update")
                .ok_or_else(|| format!("{role} sent no update in this step"))?;
            let bundle: UpdateRequest =
                protocol::decode(&update.body).map_err(|e| format!("{role}'s update does not decode: {e}"))?;
            let HandshakeArm::Proposal { more_proposals } = &bundle.bundle.arm else {
                return Err(format!("{role}'s update carries no proposals"));
            };
            let FanoutArm::Proposal { more_proposals: fanned } = &first.arm else {
                return Err(format!("it carries a {kind:?}"));
            };
            if first.message != bundle.bundle.proposal_or_commit || fanned != more_proposals {
                return Err("its proposals are not those of the HandshakeBundle (PROT-17)".into());
            }
        }
        Ok(())
    }

    /// Every active client of every role in `room` agrees on epoch, epoch authenticator, members
    /// and participants; the participants are `want` (if not empty). `outside`: the states the
    /// implementation outside the process gave through the driver.
    pub(super) fn check_converged(
        &self,
        room: &str,
        want: &[String],
        outside: Vec<(String, Value)>,
        tr: &mut Transcript,
    ) -> Result<(), String> {
        let mut states: Vec<(String, Value)> = outside;
        for r in self.roles.values() {
            let users: Vec<String> = lock(&r.state).users.keys().cloned().collect();
            for user in users {
                if let Ok(v) = actions::room_state(&r.state, &user, room) {
                    states.push((user, v));
                }
            }
        }
        let Some((first_user, first)) = states.first() else {
            return Err(format!("no client is in {room}"));
        };
        tr.notes.push(format!("converged state of {room}: {first}"));
        for (user, v) in &states[1..] {
            for key in ["epoch", "epoch_authenticator", "members", "participants"] {
                if v[key] != first[key] {
                    return Err(format!(
                        "{user} and {first_user} disagree on {key}: {} vs {}",
                        v[key], first[key]
                    ));
                }
            }
        }
        if !want.is_empty() {
            let mut have: Vec<String> = first["participants"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p["user"].as_str().map(str::to_owned))
                .collect();
            have.sort();
            let mut want = want.to_vec();
            want.sort();
            if have != want {
                return Err(format!("the participants are {have:?}, expected {want:?}"));
            }
            // Every participant but a banned one (role 1) has a client in the room.
            let banned: Vec<&str> = first["participants"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["role"] == 1)
                .filter_map(|p| p["user"].as_str())
                .collect();
            for user in want.iter().filter(|u| !banned.contains(&u.as_str())) {
                if !states.iter().any(|(u, _)| u == user) {
                    return Err(format!(
                        "{user} is a participant but none of its clients is in the room"
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Whether `have` holds `want` (see the module documentation); the error is the JSON path of the
/// first difference.
pub(super) fn subset(want: &Value, have: &Value, at: &str) -> Result<(), String> {
    match want {
        Value::Object(m) if m.len() == 1 && m.contains_key("$one_of") => match &m["$one_of"] {
            Value::Array(options) if options.iter().any(|o| subset(o, have, at).is_ok()) => Ok(()),
            _ => Err(at.to_owned()),
        },
        Value::Object(m) => {
            let Value::Object(h) = have else {
                return Err(at.to_owned());
            };
            for (k, w) in m {
                let at = format!("{at}/{k}");
                subset(w, h.get(k).ok_or_else(|| at.clone())?, &at)?;
            }
            Ok(())
        }
        Value::Array(items) => {
            let Value::Array(h) = have else {
                return Err(at.to_owned());
            };
            if items.len() != h.len() {
                return Err(format!("{at} (length)"));
            }
            for (i, (w, x)) in items.iter().zip(h).enumerate() {
                subset(w, x, &format!("{at}/{i}"))?;
            }
            Ok(())
        }
        _ if want == have => Ok(()),
        _ => Err(at.to_owned()),
    }
}

/// Every value of a member named `name`, anywhere in `v`.
pub(super) fn members<'a>(v: &'a Value, name: &str) -> Vec<&'a Value> {
    let mut out = Vec::new();
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    if k == name {
                        out.push(x);
                    } else {
                        stack.push(x);
                    }
                }
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    out
}
