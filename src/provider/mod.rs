//! The reference implementation: the built-in implementation under test, served through the
//! driver protocol in-process (the default IUT), over HTTP or over stdio. Its fault knobs
//! ([`Fault`]) break it on purpose so that `selftest` can show every check can fail.

mod accounts;
pub mod act;
mod act_error;
pub mod actions;
mod behaviour;
pub mod client_api;
mod commit_actions;
mod content;
pub mod directory;
pub mod enforce;
mod faults;
mod faulty_cbor;
pub mod group_info;
pub mod https;
pub mod hub;
pub mod join;
pub mod key_material;
pub mod notify;
pub mod outbound;
pub mod participants;
pub mod peer_faults;
pub mod pki;
pub mod routes;
pub mod served;
pub mod state;
pub mod uplink;
mod wire;

use std::sync::Arc;

use serde_json::Value;

pub use behaviour::ProviderBehaviour;
pub use faults::{Area, Fault, FaultSet};
pub use peer_faults::PeerFault;
pub use state::{ProviderState, Shared};

use crate::codec::content::ContentRev;
use crate::driver::messages::Mode;
use crate::driver::{DriverError, Handler, HandlerFuture, ops};
use crate::spec::Catalogs;

/// The built-in implementation, with zero or more faults switched on.
pub struct Reference {
    pub rev: ContentRev,
    /// Its faults, where its endpoints are served and whether it asks for consent: what every
    /// provider it plays carries.
    behaviour: ProviderBehaviour,
    catalogs: Arc<Catalogs>,
    /// Its provider when it plays a scenario's role through the driver (the stateful ops).
    served: served::Served,
    /// How it plays that role: with clients of its own, or as a server only.
    pub mode: Mode,
}

impl Reference {
    pub fn new(rev: ContentRev, faults: FaultSet, catalogs: Arc<Catalogs>) -> Self {
        Reference {
            rev,
            behaviour: ProviderBehaviour {
                faults,
                ..ProviderBehaviour::default()
            },
            catalogs,
            served: served::Served::default(),
            mode: Mode::FullClient,
        }
    }

    /// Refuses key material without consent (`driver --require-consent`): a default-deny
    /// provider, which the harness must ask for consent first.
    pub fn with_consent_required(mut self) -> Self {
        self.behaviour.require_consent = true;
        self
    }

    /// Serves its MIMI endpoints under `prefix` (`driver --endpoint-prefix`), not `/v1`.
    pub fn with_endpoint_prefix(mut self, prefix: &'static str) -> Self {
        self.behaviour.prefix = prefix;
        self
    }

    /// Plays scenario roles in `mode` (`driver --mode`).
    pub fn with_mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// Serves its MIMI endpoints on `socket` (`driver --mimi-listen`), whatever `configure` says.
    pub fn with_mimi_listener(mut self, socket: std::net::TcpListener) -> std::io::Result<Self> {
        self.served = served::Served::on(socket)?;
        Ok(self)
    }

    /// The stateful operations of its mode.
    fn stateful_ops(&self) -> &'static [&'static str] {
        match self.mode {
            Mode::FullClient => ops::STATEFUL,
            Mode::ServerOnly => ops::SERVER_ONLY,
        }
    }

    fn has(&self, f: Fault) -> bool {
        self.behaviour.faults.has(f)
    }

    /// How the providers it plays behave: the harness starts its scenarios' `iut` providers
    /// with this (through the one handle that also makes its driver).
    pub(crate) fn behaviour(&self) -> ProviderBehaviour {
        self.behaviour
    }

    /// The name the report gives it: `reference` or `reference+fault,fault`.
    pub fn name(&self) -> String {
        if self.behaviour.faults.is_empty() {
            "reference".into()
        } else {
            let names: Vec<String> = self.behaviour.faults.iter().map(|f| f.name()).collect();
            format!("reference+{}", names.join(","))
        }
    }
}

/// The operations that are pure functions of their params.
const STATELESS: &[&str] = &[
    ops::CAPABILITIES,
    ops::CONTENT_DECODE,
    ops::CONTENT_ENCODE,
    ops::CONTENT_MESSAGE_ID,
    ops::STATUS_DECODE,
    ops::WIRE_DECODE,
    ops::WIRE_ENCODE,
    ops::POLICY_DECIDE,
];

impl Handler for Reference {
    /// The stateless operations; the stateful ones are answered by [`Handler::handle_async`].
    fn handle(&self, op: &str, params: Value) -> Result<Value, DriverError> {
        match op {
            ops::CAPABILITIES => Ok(serde_json::json!({
                "driver": crate::driver::PROTOCOL_VERSION,
                "name": self.name(),
                "version": env!("CARGO_PKG_VERSION"),
                "ops": STATELESS.iter().chain(self.stateful_ops()).collect::<Vec<_>>(),
                "mode": self.mode,
                "drafts": {
                    "draft-ietf-mimi-content": self.rev.as_str(),
                    "draft-mahy-mimi-message-status": "01",
                    "draft-ietf-mimi-protocol": "06",
                    "draft-ietf-mimi-room-policy": "03",
                },
            })),
            ops::CONTENT_DECODE => self.content_decode(parse(op, params)?),
            ops::CONTENT_ENCODE => self.content_encode(parse(op, params)?),
            ops::CONTENT_MESSAGE_ID => self.content_message_id(parse(op, params)?),
            ops::STATUS_DECODE => self.status_decode(parse(op, params)?),
            ops::WIRE_DECODE => self.wire_decode(parse(op, params)?),
            ops::WIRE_ENCODE => self.wire_encode(parse(op, params)?),
            ops::POLICY_DECIDE => self.policy_decide(parse(op, params)?),
            _ => Err(DriverError::unsupported(op)),
        }
    }

    fn handle_async<'a>(&'a self, op: &'a str, params: Value) -> HandlerFuture<'a> {
        if ops::STATEFUL.contains(&op) || ops::SERVER_ONLY.contains(&op) {
            Box::pin(self.served.handle(op, params, self.behaviour, self.mode))
        } else {
            Box::pin(async move { self.handle(op, params) })
        }
    }
}

pub(crate) fn parse<T: serde::de::DeserializeOwned>(op: &str, params: Value) -> Result<T, DriverError> {
    serde_path_to_error::deserialize(params)
        .map_err(|e| DriverError::invalid_params(format!("{op} params at `{}`: {}", e.path(), e.inner())))
}

fn to_value<T: serde::Serialize>(v: &T) -> Result<Value, DriverError> {
    serde_json::to_value(v).map_err(|e| DriverError::failed(format!("cannot encode the result: {e}")))
}
