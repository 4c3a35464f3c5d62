//! Scenarios: YAML files under `scenarios/<draft>/`, each a stable id, the requirements it
//! checks, the roles (`hub`, `follower…`, each played by the implementation under test or by a
//! simulated provider), and steps with named references. Loading names the file, line and field
//! of any mistake; `scenarios/scenario.schema.json` describes the format for editors.
//!
//! ```yaml
//! id: protocol/4.1/reject-unauthenticated-client
//! title: A provider without a client certificate is refused
//! requirements: [PROT-03]
//! roles: {hub: iut, follower1: sim}
//! steps:
//!   - name: directory
//!     request: {from: follower1, to: hub, method: GET, path: /.well-known/mimi-protocol-directory,
//!               client_cert: none}
//!     expect: {tls: rejected}
//! ```

mod run;

use std::collections::BTreeMap;

use serde::Deserialize;

pub use run::{Deployment, IutEndpoint, run_scenario};

/// One scenario file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// `<draft>/<section>/<slug>`, never renumbered.
    pub id: String,
    /// What the scenario does, in one line.
    pub title: String,
    /// Catalog ids of the requirements it checks; the catalog gives section and level.
    pub requirements: Vec<String>,
    /// Role name → who plays it.
    pub roles: BTreeMap<String, Player>,
    /// Driver operations the implementation must offer; without them the result is `unsupported`.
    #[serde(default)]
    pub requires: Vec<String>,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Player {
    /// The implementation under test.
    Iut,
    /// A simulated provider of the harness.
    Sim,
}

/// One step: an action and what must follow.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// A name, for transcripts and failure messages.
    pub name: String,
    pub request: Request,
    pub expect: Expect,
}

/// A simulated provider sends an HTTPS request to another role.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// The sending role (a `sim`).
    pub from: String,
    /// The receiving role.
    pub to: String,
    pub method: Method,
    pub path: String,
    /// Body bytes, hex.
    #[serde(default)]
    pub body: Option<String>,
    /// Which client certificate the sender presents (a fault knob).
    #[serde(default)]
    pub client_cert: ClientCert,
    /// The `From` header instead of `mimi@<sender's domain>` (a fault knob); `{role}` stands
    /// for that role's domain, e.g. `admin@{follower1}`.
    #[serde(default)]
    pub from_header: Option<String>,
    /// The `Host` header instead of the receiver's domain (sent over HTTP/1.1; a fault knob);
    /// `{role}` as above.
    #[serde(default)]
    pub host: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClientCert {
    /// The sender's own certificate from the run's CA.
    #[default]
    Own,
    /// No client certificate.
    None,
    /// A certificate for the sender's domain from a CA nobody trusts.
    OtherCa,
}

/// What must follow a request. Every field given must hold.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// One status, or any of a list.
    #[serde(default)]
    pub status: Option<OneOrMany>,
    /// `rejected`: the TLS handshake (or the connection) must fail.
    #[serde(default)]
    pub tls: Option<TlsOutcome>,
    /// The response body is a JSON object with these members.
    #[serde(default)]
    pub json_keys: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(u16),
    Many(Vec<u16>),
}

impl OneOrMany {
    pub fn allows(&self, status: u16) -> bool {
        match self {
            OneOrMany::One(s) => *s == status,
            OneOrMany::Many(v) => v.contains(&status),
        }
    }
}

impl std::fmt::Display for OneOrMany {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OneOrMany::One(s) => write!(f, "{s}"),
            OneOrMany::Many(v) => write!(f, "one of {v:?}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsOutcome {
    Rejected,
}

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
        for (i, step) in s.steps.iter().enumerate() {
            let at = |field: &str| format!("steps[{i}] ({}).request.{field}", step.name);
            for (field, role) in [("from", &step.request.from), ("to", &step.request.to)] {
                if !s.roles.contains_key(role) {
                    return Err(err(format!("{}: role {role:?} is not in `roles`", at(field))));
                }
            }
            if s.roles[&step.request.from] != Player::Sim {
                return Err(err(format!(
                    "{}: only a simulated provider (`sim`) sends requests",
                    at("from")
                )));
            }
            if let Some(b) = &step.request.body
                && hex::decode(b).is_err()
            {
                return Err(err(format!("{}: not hex", at("body"))));
            }
        }
        if s.steps.is_empty() {
            return Err(err("no steps".into()));
        }
        Ok(s)
    }
}

/// The scenario files built into the binary.
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "scenarios/protocol/4_1_transport/directory-over-mutual-tls.yaml",
        include_str!("../../../scenarios/protocol/4_1_transport/directory-over-mutual-tls.yaml"),
    ),
    (
        "scenarios/protocol/4_1_transport/reject-unauthenticated-client.yaml",
        include_str!("../../../scenarios/protocol/4_1_transport/reject-unauthenticated-client.yaml"),
    ),
    (
        "scenarios/protocol/4_1_transport/reject-untrusted-client-certificate.yaml",
        include_str!("../../../scenarios/protocol/4_1_transport/reject-untrusted-client-certificate.yaml"),
    ),
    (
        "scenarios/protocol/4_1_transport/reject-from-not-matching-certificate.yaml",
        include_str!("../../../scenarios/protocol/4_1_transport/reject-from-not-matching-certificate.yaml"),
    ),
    (
        "scenarios/protocol/4_1_transport/reject-from-without-mimi-local-part.yaml",
        include_str!("../../../scenarios/protocol/4_1_transport/reject-from-without-mimi-local-part.yaml"),
    ),
    (
        "scenarios/protocol/4_1_transport/reject-host-naming-another-provider.yaml",
        include_str!("../../../scenarios/protocol/4_1_transport/reject-host-naming-another-provider.yaml"),
    ),
];

/// Every embedded scenario.
pub fn embedded() -> Result<Vec<Scenario>, ScenarioError> {
    EMBEDDED.iter().map(|(f, t)| Scenario::parse(f, t)).collect()
}
