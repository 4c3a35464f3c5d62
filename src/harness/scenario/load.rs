//! Loading scenario files: YAML into the model, then the checks that name the file, the step
//! and the field of every mistake.

use std::collections::BTreeMap;

use super::model::*;

/// A scenario file that cannot be used: the file, then line, column and field when known.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{file}: {what}")]
pub struct ScenarioError {
    pub file: String,
    pub what: String,
}

impl Scenario {
    /// Parses and checks one file's text; `file` is how errors name it.
    pub fn parse(file: &str, text: &str) -> Result<Self, ScenarioError> {
        let err = |what: String| ScenarioError {
            file: file.to_owned(),
            what,
        };
        let s: Scenario = serde_saphyr::from_str(text).map_err(|e| err(e.to_string()))?;
        let mut parts = s.id.splitn(3, '/');
        if parts.next().is_none_or(str::is_empty)
            || parts.next().is_none_or(str::is_empty)
            || parts.next().is_none_or(str::is_empty)
        {
            return Err(err(format!("id {:?} is not <draft>/<section>/<slug>", s.id)));
        }
        if !s.roles.values().any(|p| *p == Player::Iut) {
            return Err(err("no role is played by the implementation under test (`iut`)".into()));
        }
        for (role, users) in &s.users {
            if !s.roles.contains_key(role) {
                return Err(err(format!("users: role {role:?} is not in `roles`")));
            }
            for u in users {
                if u.user.is_empty()
                    || u.user.contains(['/', '?', '#', '{', '}'])
                    || u.user.contains(char::is_whitespace)
                {
                    return Err(err(format!("users.{role}: {:?} is not a user name", u.user)));
                }
            }
        }
        if s.params.ciphersuite.is_empty() {
            return Err(err("params.ciphersuite: give at least one".into()));
        }
        for cs in &s.params.ciphersuite {
            if !crate::mls::CIPHERSUITES.iter().any(|c| u16::from(*c) == *cs) {
                return Err(err(format!("params.ciphersuite: {cs} is not offered (1 and 3 are)")));
            }
        }
        let mut decoded_steps: Vec<&str> = Vec::new();
        for (i, step) in s.steps.iter().enumerate() {
            if s.steps[..i].iter().any(|earlier| earlier.name == step.name) {
                return Err(err(format!("steps[{i}]: the name {:?} is used twice", step.name)));
            }
            let at = |field: &str| format!("steps[{i}] ({}).{field}", step.name);
            match (&step.request, &step.act) {
                (Some(r), None) => s.check_request(r, &step.expect, &decoded_steps, &at).map_err(err)?,
                (None, Some(a)) => s.check_act(a, &step.expect, &at).map_err(err)?,
                _ => return Err(err(format!("{}: give `request` or `act`, one of them", at("")))),
            }
            for (field, matches) in [("wire", &step.expect.wire), ("no_wire", &step.expect.no_wire)] {
                for (k, m) in matches.iter().enumerate() {
                    for role in [Some(&m.from), Some(&m.to), m.echoes_update_from.as_ref()]
                        .into_iter()
                        .flatten()
                    {
                        if !s.roles.contains_key(role) {
                            return Err(err(format!(
                                "{}: role {role:?} is not in `roles`",
                                at(&format!("expect.{field}[{k}]"))
                            )));
                        }
                    }
                    if let Some(name) = &m.body_struct
                        && !crate::codec::protocol::NAMES.contains(&name.as_str())
                    {
                        return Err(err(format!(
                            "{}: no protocol struct is named {name:?}",
                            at(&format!("expect.{field}[{k}].body_struct"))
                        )));
                    }
                    if m.body_json.is_some() && m.body_struct.is_none() {
                        return Err(err(format!(
                            "{}: body_json needs body_struct",
                            at(&format!("expect.{field}[{k}]"))
                        )));
                    }
                    if s.roles[&m.from] == Player::Iut && s.roles[&m.to] == Player::Iut {
                        return Err(err(format!(
                            "{}: only what a simulated provider sends or receives can be seen",
                            at(&format!("expect.{field}[{k}]"))
                        )));
                    }
                }
            }
            for (k, req) in step.checks.iter().enumerate() {
                if !s.requirements.contains(req) {
                    return Err(err(format!(
                        "{}: {req} is not among the scenario's requirements",
                        at(&format!("checks[{k}]"))
                    )));
                }
            }
            for role in step.peer_faults.keys() {
                if s.roles.get(role) != Some(&Player::Sim) {
                    return Err(err(format!("{}: {role:?} is not a simulated role", at("peer_faults"))));
                }
            }
            for (k, user) in step.expect.converged.iter().flatten().enumerate() {
                s.user_ref(user)
                    .map_err(|e| err(format!("{}: {e}", at(&format!("expect.converged[{k}]")))))?;
            }
            if step.expect.response_struct.is_some() {
                decoded_steps.push(&step.name);
            }
        }
        if s.steps.is_empty() {
            return Err(err("no steps".into()));
        }
        Ok(s)
    }
}

impl Scenario {
    fn check_act(&self, a: &Act, e: &Expect, at: &dyn Fn(&str) -> String) -> Result<(), String> {
        let (role, _) = self.user_ref(&a.user).map_err(|m| format!("{}: {m}", at("act.user")))?;
        if !self.roles.contains_key("hub") {
            return Err(format!(
                "{}: rooms live on the role `hub`, and there is none",
                at("act.room")
            ));
        }
        let needs_target = matches!(
            a.op,
            ActOp::RoomAdd
                | ActOp::RoomRemove
                | ActOp::RoomChangeRole
                | ActOp::RoomBan
                | ActOp::RoomUnban
                | ActOp::RoomKick
        );
        let role_use = match a.op {
            ActOp::RoomCreate | ActOp::RoomAdd | ActOp::RoomJoin => Some(false),
            ActOp::RoomChangeRole | ActOp::RoomUnban => Some(true),
            _ => None,
        };
        match (role_use, a.role) {
            (None, Some(_)) => return Err(format!("{}: {:?} takes no role", at("act.role"), a.op)),
            (Some(true), None) => return Err(format!("{}: {:?} needs a role", at("act.role"), a.op)),
            _ => {}
        }
        match a.clients {
            Some(_) if a.op != ActOp::RoomAdd => {
                return Err(format!("{}: `clients` goes with room.add only", at("act.clients")));
            }
            Some(0) => return Err(format!("{}: add one client at least", at("act.clients"))),
            _ => {}
        }
        let takes_component = matches!(a.op, ActOp::RoomSetComponent | ActOp::RoomRemoveComponent);
        if takes_component != a.component.is_some() || (a.op == ActOp::RoomSetComponent) != a.value.is_some() {
            return Err(format!(
                "{}: `component` goes with room.set_component (with its `value`) and room.remove_component, and only there",
                at("act.component")
            ));
        }
        if let Some(c) = &a.component
            && crate::codec::policy::component_of(c).is_none()
        {
            return Err(format!(
                "{}: {c:?} is not a policy component's struct nor RoomMetaData",
                at("act.component")
            ));
        }
        if (a.policy.is_some() || a.base_policy.is_some()) && a.op != ActOp::RoomCreate {
            return Err(format!(
                "{}: policy and base_policy go with room.create",
                at("act.policy")
            ));
        }
        match (&a.target, needs_target) {
            (Some(t), true) => {
                self.user_ref(t).map_err(|m| format!("{}: {m}", at("act.target")))?;
            }
            (None, true) => return Err(format!("{}: {:?} needs a target", at("act.target"), a.op)),
            (Some(_), false) => return Err(format!("{}: {:?} takes no target", at("act.target"), a.op)),
            (None, false) => {}
        }
        if (a.op == ActOp::MessageSend) != (a.text.is_some() != a.media_type.is_some()) {
            return Err(format!(
                "{}: message.send takes one of `text` and `media_type`, and only message.send does",
                at("act.text")
            ));
        }
        if (a.fault.is_some() || a.op == ActOp::UpdateReplay) && self.roles[role] != Player::Sim {
            return Err(format!(
                "{}: only a simulated provider misbehaves on request (faults, update.replay)",
                at("act.fault")
            ));
        }
        if e.status.is_some()
            || e.refused
            || e.tls.is_some()
            || !e.json_keys.is_empty()
            || e.response_struct.is_some()
            || e.response_json.is_some()
            || e.mls_key_packages.is_some()
            || e.distinct_from.is_some()
        {
            return Err(format!(
                "{}: status, refused, tls, json_keys and response_* go with `request`; an act has `result` and `error`",
                at("expect")
            ));
        }
        if e.error && e.result.is_some() {
            return Err(format!("{}: an act that fails has no result", at("expect.error")));
        }
        Ok(())
    }

    fn check_request(
        &self,
        r: &Request,
        e: &Expect,
        decoded_steps: &[&str],
        at: &dyn Fn(&str) -> String,
    ) -> Result<(), String> {
        if let Some(b) = &r.body_struct {
            if r.body.is_some() {
                return Err(format!(
                    "{}: give `body` or `body_struct`, not both",
                    at("request.body_struct")
                ));
            }
            if !crate::codec::protocol::NAMES.contains(&b.name.as_str()) {
                return Err(format!(
                    "{}: no protocol struct is named {:?}",
                    at("request.body_struct.struct"),
                    b.name
                ));
            }
        }
        if e.result.is_some() || e.error {
            return Err(format!("{}: `result` and `error` go with `act`", at("expect")));
        }
        // An expectation must be able to fail: say something, and nothing contradictory.
        let says_response = e.status.is_some()
            || e.refused
            || !e.json_keys.is_empty()
            || e.response_struct.is_some()
            || e.response_json.is_some()
            || e.mls_key_packages.is_some()
            || e.distinct_from.is_some();
        match (e.tls.is_some(), says_response) {
            (false, false) => return Err(format!("{}: expects nothing", at("expect"))),
            (true, true) => return Err(format!("{}: `tls: rejected` leaves no response to check", at("expect"))),
            _ => {}
        }
        match (&r.path, &r.endpoint, &r.uri) {
            (Some(path), None, None) if !path.starts_with('/') => {
                return Err(format!("{}: {path:?} does not start with /", at("request.path")));
            }
            (Some(_), None, None) | (None, Some(_), Some(_)) => {}
            _ => {
                return Err(format!(
                    "{}: give `path`, or `endpoint` (of the receiver's directory) with its `uri`",
                    at("request.path")
                ));
            }
        }
        for (field, text) in [
            ("path", r.path.as_ref()),
            ("uri", r.uri.as_ref()),
            ("from_header", r.from_header.as_ref()),
            ("host", r.host.as_ref()),
        ] {
            if let Some(role) = text.and_then(|t| unknown_placeholder(t, &self.roles)) {
                return Err(format!("{}: {{{role}}} names no role", at(&format!("request.{field}"))));
            }
        }
        if let Some(name) = &e.response_struct
            && !crate::codec::protocol::NAMES.contains(&name.as_str())
        {
            return Err(format!(
                "{}: no protocol struct is named {name:?}",
                at("expect.response_struct")
            ));
        }
        if e.response_struct.is_none()
            && (e.response_json.is_some() || e.mls_key_packages.is_some() || e.distinct_from.is_some())
        {
            return Err(format!(
                "{}: response_json, mls_key_packages and distinct_from need `response_struct`",
                at("expect.response_struct")
            ));
        }
        if let Some(k) = &e.mls_key_packages
            && crate::codec::protocol::CipherSuite::from_name(&k.ciphersuite).is_none()
        {
            return Err(format!(
                "{}: unknown ciphersuite {:?}",
                at("expect.mls_key_packages.ciphersuite"),
                k.ciphersuite
            ));
        }
        if let Some(d) = &e.distinct_from
            && !decoded_steps.contains(&d.step.as_str())
        {
            return Err(format!(
                "{}: {:?} is not an earlier step with a response_struct",
                at("expect.distinct_from.step"),
                d.step
            ));
        }
        for (field, role) in [("from", &r.from), ("to", &r.to)] {
            if !self.roles.contains_key(role) {
                return Err(format!(
                    "{}: role {role:?} is not in `roles`",
                    at(&format!("request.{field}"))
                ));
            }
        }
        if self.roles[&r.from] != Player::Sim {
            return Err(format!(
                "{}: only a simulated provider (`sim`) sends requests",
                at("request.from")
            ));
        }
        if let Some(b) = &r.body
            && hex::decode(b).is_err()
        {
            return Err(format!("{}: not hex", at("request.body")));
        }
        Ok(())
    }
}

/// The first `{name}` in `text` that is not a role.
fn unknown_placeholder(text: &str, roles: &BTreeMap<String, Player>) -> Option<String> {
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after.find('}')?;
        let name = &after[..close];
        if !roles.contains_key(name) {
            return Some(name.to_owned());
        }
        rest = &after[close + 1..];
    }
    None
}

/// The scenario files built into the binary: every `*.yaml` under `scenarios/` (build.rs).
pub const EMBEDDED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/embedded_scenarios.rs"));

/// Every embedded scenario.
pub fn embedded() -> Result<Vec<Scenario>, ScenarioError> {
    EMBEDDED.iter().map(|(f, t)| Scenario::parse(f, t)).collect()
}

/// No scenario file is larger (the largest built-in one is a few KiB).
const FILE_MAX: u64 = 1 << 20;

/// Every `*.yaml` under `dir` (dotfiles and symlinks left out, as build.rs does for the built-in
/// ones), sorted by path: scenarios from outside the binary (`run --scenarios DIR`).
pub fn from_dir(dir: &std::path::Path) -> Result<Vec<Scenario>, ScenarioError> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) -> Result<(), ScenarioError> {
        let cannot = |e: std::io::Error| ScenarioError {
            file: dir.display().to_string(),
            what: format!("cannot read the directory: {e}"),
        };
        for entry in std::fs::read_dir(dir).map_err(cannot)? {
            let entry = entry.map_err(cannot)?;
            let path = entry.path();
            let kind = entry.file_type().map_err(cannot)?;
            if entry.file_name().to_string_lossy().starts_with('.') || kind.is_symlink() {
                continue;
            }
            if kind.is_dir() {
                walk(&path, out)?;
            } else if path.extension().is_some_and(|e| e == "yaml") {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    walk(dir, &mut files)?;
    files.sort();
    if files.is_empty() {
        return Err(ScenarioError {
            file: dir.display().to_string(),
            what: "no *.yaml scenario file here".into(),
        });
    }
    files
        .iter()
        .map(|path| {
            use std::io::Read as _;
            let file = path.display().to_string();
            let cannot = |what: String| ScenarioError {
                file: file.clone(),
                what,
            };
            let mut text = String::new();
            std::fs::File::open(path)
                .and_then(|f| f.take(FILE_MAX + 1).read_to_string(&mut text))
                .map_err(|e| cannot(format!("cannot read: {e}")))?;
            if text.len() as u64 > FILE_MAX {
                return Err(cannot(format!("over {} MiB, larger than any scenario", FILE_MAX >> 20)));
            }
            Scenario::parse(&file, &text)
        })
        .collect()
}
