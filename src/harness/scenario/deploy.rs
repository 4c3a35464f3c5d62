//! A scenario's deployment: one provider per role on loopback HTTPS (mutual TLS, a domain of its
//! own in this run's namespace), and the implementation outside the process set up for its role
//! (`configure`, its users, consent) through the driver.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use super::expect::Marks;
use super::model::{Player, Scenario};
use super::outside::{DriverRef, IutEndpoint, OutsideIut};
use crate::codec::protocol::Reading;
use crate::codec::protocol::fanout::FanoutMessage;
use crate::driver::messages::{
    ClientInboxResult, ClientParams, ClientPublishParams, ConfigureParams, ConfigureResult, ConsentGrantParams, Mode,
    PeerAddress, RoomParams, UserCreateParams, UserCreateResult, UserProvisionParams,
};
use crate::driver::{CallError, ErrorCode, ops};
use crate::harness::{Outcome, Transcript};
use crate::provider::https::{HttpsError, PeerClient, ProviderServer};
use crate::provider::key_material;
use crate::provider::pki::{ProviderIdentity, TestCa};
use crate::provider::routes::routes;
use crate::provider::state::{Peers, lock};
use crate::provider::uplink::{ClientCall, Uplink};
use crate::provider::{ProviderBehaviour, ProviderState, Shared, notify};

/// Who carries out a role's acts and answers for its state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A provider in this process (simulated, or the built-in implementation): acts call
    /// [`actions`] on its state.
    Local,
    /// The implementation outside the process: acts and `room.state` go through the driver.
    Driver,
    /// A server-only implementation outside the process: the harness's clients play its users
    /// (acts call [`actions`] on their state), and whatever a client sends its provider goes to
    /// the implementation through the driver ([`Uplink`]).
    ClientHost,
}

/// One role's provider in a scenario run.
pub struct RoleProvider {
    pub identity: ProviderIdentity,
    /// Where its HTTPS endpoints listen.
    pub addr: SocketAddr,
    /// The in-process server, kept serving until the deployment is dropped; none for the
    /// implementation outside the process.
    _server: Option<ProviderServer>,
    /// Its state. For the implementation outside the process an empty stand-in (no users, no
    /// log): what it does is seen in the simulated providers' logs and through the driver.
    pub state: Shared,
    pub player: Player,
    pub actor: Actor,
}

/// The providers of one scenario run.
pub struct Deployment {
    pub(super) ca: Arc<TestCa>,
    /// The implementation outside the process, if one plays a role.
    pub(super) outside: Option<OutsideIut>,
    pub(super) roles: BTreeMap<String, RoleProvider>,
    /// The ciphersuite of the rooms created in this run.
    pub(super) ciphersuite: u16,
}

/// The test CA of this process: made once (a key pair and a self-signature), issuing every
/// scenario's certificates; each scenario's domains are its own.
pub(super) fn run_ca() -> Result<Arc<TestCa>, HttpsError> {
    static CA: std::sync::OnceLock<Result<Arc<TestCa>, String>> = std::sync::OnceLock::new();
    CA.get_or_init(|| TestCa::new().map(Arc::new).map_err(|e| e.to_string()))
        .clone()
        .map_err(HttpsError::Tls)
}

/// Namespaces keep concurrent scenarios apart: each run's domains are unique.
pub(super) static NAMESPACE: AtomicU64 = AtomicU64::new(1);

impl Deployment {
    /// Starts one provider per role, each knowing all the others.
    /// Starts the providers of `scenario`; the simulated ones wait `timeout` (the run's step
    /// timeout) for an answer, so a silent implementation reads as a step's timeout.
    pub async fn start(
        scenario: &Scenario,
        iut: IutEndpoint,
        ciphersuite: u16,
        timeout: Duration,
    ) -> Result<Self, HttpsError> {
        crate::rustls_provider::install();
        let ns = NAMESPACE.fetch_add(1, Ordering::Relaxed);
        let ca = run_ca()?;
        let mut roles = BTreeMap::new();
        for (role, player) in &scenario.roles {
            let identity = ca
                .issue(&format!("{role}.n{ns}.example"))
                .map_err(|e| HttpsError::Tls(e.to_string()))?;
            let behaviour = match (player, iut) {
                (Player::Iut, IutEndpoint::Builtin(behaviour)) => behaviour,
                (Player::Iut, IutEndpoint::Outside(_)) | (Player::Sim, _) => ProviderBehaviour::default(),
            };
            // The users of the role. The built-in IUT and the simulated providers create them
            // directly; an implementation outside the process would through the driver
            // (`user.create`).
            let mut state =
                ProviderState::new(&identity.domain, behaviour).map_err(|e| HttpsError::Tls(e.to_string()))?;
            if let (Player::Iut, IutEndpoint::Outside(outside)) = (player, iut) {
                // Server-only: the harness's clients of the role's users, made here.
                let actor = match outside.mode {
                    Mode::FullClient => Actor::Driver,
                    Mode::ServerOnly => {
                        for u in scenario.users.get(role).into_iter().flatten() {
                            state
                                .add_user(&u.user, u.clients)
                                .map_err(|e| HttpsError::Tls(format!("cannot create user {}: {e}", u.user)))?;
                        }
                        Actor::ClientHost
                    }
                };
                let state = Arc::new(Mutex::new(state));
                let (addr, player) = (outside.addr, *player);
                let _server = None;
                roles.insert(
                    role.clone(),
                    RoleProvider {
                        identity,
                        addr,
                        _server,
                        state,
                        player,
                        actor,
                    },
                );
                continue;
            }
            for u in scenario.users.get(role).into_iter().flatten() {
                state
                    .add_user(&u.user, u.clients)
                    .map_err(|e| HttpsError::Tls(format!("cannot create user {}: {e}", u.user)))?;
            }
            let state: Shared = Arc::new(Mutex::new(state));
            let server = ProviderServer::start(&identity, &ca, routes(state.clone()), behaviour).await?;
            roles.insert(
                role.clone(),
                RoleProvider {
                    identity,
                    addr: server.addr,
                    _server: Some(server),
                    state,
                    player: *player,
                    actor: Actor::Local,
                },
            );
        }
        let addrs: BTreeMap<String, std::net::SocketAddr> =
            roles.values().map(|r| (r.identity.domain.clone(), r.addr)).collect();
        let all: Vec<(String, std::net::SocketAddr)> = addrs.iter().map(|(d, a)| (d.clone(), *a)).collect();
        for r in roles.values().filter(|r| r.actor == Actor::Local) {
            let client = PeerClient::new(Some(&r.identity), &ca, &all, false)?;
            let mut st = lock(&r.state);
            st.peers = Some(Peers::new(client, addrs.clone(), &st.behaviour, timeout));
        }
        let outside = match iut {
            IutEndpoint::Outside(o) => Some(o),
            IutEndpoint::Builtin(_) => None,
        };
        Ok(Deployment {
            ca,
            outside,
            roles,
            ciphersuite,
        })
    }

    /// `{role}` in `s` replaced by that role's domain.
    pub(super) fn expand(&self, s: &str) -> String {
        self.roles.iter().fold(s.to_owned(), |s, (role, r)| {
            s.replace(&format!("{{{role}}}"), &r.identity.domain)
        })
    }

    /// Every string of `v` expanded; a string `utf8:<text>` becomes the hex of `<text>`.
    pub(super) fn expand_json(&self, v: &Value) -> Value {
        match v {
            Value::String(s) => {
                let s = self.expand(s);
                Value::String(match s.strip_prefix("utf8:") {
                    Some(text) => hex::encode(text.as_bytes()),
                    None => s,
                })
            }
            Value::Array(items) => Value::Array(items.iter().map(|x| self.expand_json(x)).collect()),
            Value::Object(members) => {
                Value::Object(members.iter().map(|(k, x)| (k.clone(), self.expand_json(x))).collect())
            }
            other => other.clone(),
        }
    }
}

impl Deployment {
    /// Sets up the implementation outside the process for its role, if it plays one: `reset`,
    /// then `configure` (its domain, a certificate for it from this run's CA, the CA, the other
    /// providers' addresses), then the role's users: `user.create` (full-client), or
    /// `user.provision` and `client.publish` of the KeyPackages of the harness's clients
    /// (server-only, whose calls then come through the returned receiver); and checks that its
    /// MIMI endpoints accept connections, so that an unreachable `--iut-url` is an `error` here
    /// rather than a failure of the first step that needs it.
    pub(super) async fn configure_outside(
        &self,
        scenario: &Scenario,
        iut: Option<DriverRef<'_>>,
        tr: &mut Transcript,
    ) -> Result<Option<UplinkCalls>, Outcome> {
        let Some((role, r)) = self.roles.iter().find(|(_, r)| r.actor != Actor::Local) else {
            return Ok(None);
        };
        let Some(iut) = iut else {
            return Err(Outcome::error("the implementation outside the process has no driver"));
        };
        setup_call(iut, role, ops::RESET, serde_json::json!({}), tr).await?;
        let peers = self
            .roles
            .values()
            .filter(|p| p.actor == Actor::Local)
            .map(|p| PeerAddress {
                domain: p.identity.domain.clone(),
                address: p.addr.to_string(),
            })
            .collect();
        let configure = ConfigureParams {
            domain: r.identity.domain.clone(),
            listen: Some(r.addr.to_string()),
            ca_pem: self.ca.cert_pem().to_owned(),
            cert_pem: r.identity.cert_pem.clone(),
            key_pem: r.identity.key_pem.clone(),
            peers,
        };
        let configured = setup_call(iut, role, ops::CONFIGURE, to_json(&configure), tr).await?;
        let uplink = if r.actor == Actor::ClientHost {
            Some(self.provision_clients(scenario, role, r, configured, iut, tr).await?)
        } else {
            self.create_users(scenario, role, r, iut, tr).await?;
            None
        };
        if self.outside.is_some_and(|o| o.grants_consent) {
            self.grant_consent(scenario, role, r, iut, tr).await?;
        }
        match tokio::time::timeout(iut.timeout, tokio::net::TcpStream::connect(r.addr)).await {
            Ok(Ok(_)) => Ok(uplink),
            Ok(Err(e)) => Err(Outcome::error(format!(
                "the implementation's MIMI endpoints at {} (--iut-url) do not accept connections: {e}",
                r.addr
            ))),
            Err(_) => Err(Outcome::error(format!(
                "the implementation's MIMI endpoints at {} (--iut-url) did not accept a connection within {:?}",
                r.addr, iut.timeout
            ))),
        }
    }

    /// Full-client: `user.create` for each of the role's users, checking the URIs it gives.
    pub(super) async fn create_users(
        &self,
        scenario: &Scenario,
        role: &str,
        r: &RoleProvider,
        iut: DriverRef<'_>,
        tr: &mut Transcript,
    ) -> Result<(), Outcome> {
        for u in scenario.users.get(role).into_iter().flatten() {
            let user = format!("mimi://{}/u/{}", r.identity.domain, u.user);
            let params = UserCreateParams {
                user: user.clone(),
                clients: u.clients,
            };
            let answer = setup_call(iut, role, ops::USER_CREATE, to_json(&params), tr).await?;
            let created: UserCreateResult = serde_json::from_value(answer.clone()).map_err(|e| {
                Outcome::error(format!(
                    "setting up the implementation as {role}: user.create answered {answer}, not {{user, clients}}: {e}"
                ))
            })?;
            // The scenarios name users and clients by these URIs (in paths, bodies and results).
            let want: Vec<String> = (1..=u.clients)
                .map(|i| format!("mimi://{}/d/{}/{i}", r.identity.domain, u.user))
                .collect();
            if created.user != user || created.clients != want {
                return Err(Outcome::error(format!(
                    "user.create gave {} with clients {:?}; the scenarios need {user} with clients {want:?}",
                    created.user, created.clients
                )));
            }
        }
        Ok(())
    }

    /// §5.7, §8: each of the role's users grants every user of the other roles consent, so that
    /// a provider that refuses key material without it (`noConsent`) serves the scenarios.
    pub(super) async fn grant_consent(
        &self,
        scenario: &Scenario,
        role: &str,
        r: &RoleProvider,
        iut: DriverRef<'_>,
        tr: &mut Transcript,
    ) -> Result<(), Outcome> {
        let others: Vec<String> = scenario
            .users
            .iter()
            .filter(|(other, _)| *other != role)
            .flat_map(|(other, users)| {
                let domain = &self.roles[other].identity.domain;
                users.iter().map(move |u| format!("mimi://{domain}/u/{}", u.user))
            })
            .collect();
        for u in scenario.users.get(role).into_iter().flatten() {
            let user = format!("mimi://{}/u/{}", r.identity.domain, u.user);
            for requester in &others {
                let params = ConsentGrantParams {
                    user: user.clone(),
                    requester: requester.clone(),
                };
                setup_call(iut, role, ops::CONSENT_GRANT, to_json(&params), tr).await?;
            }
        }
        Ok(())
    }

    /// Server-only: the harness's clients of the role's users go to the implementation
    /// (`user.provision`, `client.publish` of their KeyPackages), and reach it from now on through
    /// an uplink, whose calls the returned receiver carries.
    pub(super) async fn provision_clients(
        &self,
        scenario: &Scenario,
        role: &str,
        r: &RoleProvider,
        configured: Value,
        iut: DriverRef<'_>,
        tr: &mut Transcript,
    ) -> Result<UplinkCalls, Outcome> {
        use openmls::prelude::tls_codec::Deserialize as _;
        let configured: ConfigureResult = serde_json::from_value(configured.clone()).map_err(|e| {
            Outcome::fail(format!(
                "configure answered {configured}, not {{external_sender?}} (hex): {e}"
            ))
        })?;
        let hub_sender = match configured.external_sender {
            Some(bytes) => Some(
                openmls::prelude::ExternalSender::tls_deserialize_exact(&bytes).map_err(|e| {
                    Outcome::fail(format!(
                        "configure: external_sender {} is not an ExternalSender (§7.4): {e}",
                        hex::encode(&bytes)
                    ))
                })?,
            ),
            None => None,
        };
        let (uplink, calls) = Uplink::new(hub_sender);
        for u in scenario.users.get(role).into_iter().flatten() {
            let user = format!("mimi://{}/u/{}", r.identity.domain, u.user);
            let clients = lock(&r.state).users.get(&user).cloned().unwrap_or_default();
            let params = UserProvisionParams {
                user,
                clients: clients.iter().map(|c| c.uri().to_owned()).collect(),
            };
            setup_call(iut, role, ops::USER_PROVISION, to_json(&params), tr).await?;
            for client in clients {
                let key_packages = key_material::key_packages_to_publish(&mut lock(&r.state), &client)
                    .map_err(|e| Outcome::error(format!("the harness's client: {e}")))?;
                let params = ClientPublishParams {
                    client: client.uri().to_owned(),
                    key_packages,
                };
                setup_call(iut, role, ops::CLIENT_PUBLISH, to_json(&params), tr).await?;
            }
        }
        lock(&r.state).uplink = Some(uplink);
        Ok(calls)
    }

    /// Server-only: what the implementation delivered to each of the harness's clients of its
    /// users since the last step (`client.inbox`), processed by that client.
    pub(super) async fn collect_inboxes(&self, iut: Option<DriverRef<'_>>, tr: &mut Transcript) -> Result<(), Outcome> {
        let (Some(r), Some(iut)) = (self.roles.values().find(|r| r.actor == Actor::ClientHost), iut) else {
            return Ok(());
        };
        let clients: Vec<String> = lock(&r.state)
            .users
            .values()
            .flatten()
            .map(|c| c.uri().to_owned())
            .collect();
        for client in clients {
            let params = to_json(&ClientParams { client: client.clone() });
            let inbox: ClientInboxResult = iut
                .driver
                .call(ops::CLIENT_INBOX, &params, iut.timeout, &mut tr.exchanges)
                .await
                .map_err(crate::harness::call_failed)?;
            let mut st = lock(&r.state);
            for (i, m) in inbox.messages.iter().enumerate() {
                match FanoutMessage::read_all(&m.message, &Reading::default()) {
                    Ok(messages) if messages.len() == 1 => notify::receive(&mut st, &client, &m.room, &messages[0]),
                    Ok(messages) => st.problems.push(format!(
                        "client.inbox of {client}: message {i} holds {} FanoutMessages, not one",
                        messages.len()
                    )),
                    Err(e) => st.problems.push(format!(
                        "client.inbox of {client}: message {i} is not a FanoutMessage (§5.5): {e}"
                    )),
                }
            }
        }
        Ok(())
    }

    /// `room.state` of each user of the outside implementation's role that is in `room` (a
    /// `failed` answer: the user is not in it).
    pub(super) async fn outside_states(
        &self,
        scenario: &Scenario,
        room: &str,
        iut: Option<DriverRef<'_>>,
        tr: &mut Transcript,
    ) -> Result<Vec<(String, Value)>, Outcome> {
        let (Some((role, r)), Some(iut)) = (self.roles.iter().find(|(_, r)| r.actor == Actor::Driver), iut) else {
            return Ok(Vec::new());
        };
        let mut states = Vec::new();
        for u in scenario.users.get(role).into_iter().flatten() {
            let user = format!("mimi://{}/u/{}", r.identity.domain, u.user);
            let params = to_json(&RoomParams {
                user: user.clone(),
                room: room.to_owned(),
            });
            match iut
                .driver
                .call(ops::ROOM_STATE, &params, iut.timeout, &mut tr.exchanges)
                .await
            {
                Ok(v) => states.push((user, v)),
                Err(CallError::Driver(e)) if e.code == ErrorCode::Failed => {}
                Err(e) => return Err(crate::harness::call_failed(e)),
            }
        }
        Ok(states)
    }
}

impl Deployment {
    pub(super) fn marks(&self) -> Marks {
        self.roles
            .iter()
            .map(|(role, r)| {
                let st = lock(&r.state);
                (role.clone(), (st.log.len(), st.problems.len()))
            })
            .collect()
    }

    /// The room id of room `name` (rooms live on the role `hub`).
    pub(super) fn room(&self, name: &str) -> String {
        self.roles
            .get("hub")
            .map_or_else(String::new, |r| format!("mimi://{}/r/{name}", r.identity.domain))
    }

    /// The user URI of `<user>@<role>`.
    pub(super) fn user(&self, scenario: &Scenario, r: &str) -> String {
        match scenario.user_ref(r) {
            Ok((role, user)) => format!("mimi://{}/u/{user}", self.roles[role].identity.domain),
            Err(_) => String::new(),
        }
    }
}

/// The receiving end of a server-only implementation's uplink: the calls its clients make.
pub(super) type UplinkCalls = tokio::sync::mpsc::UnboundedReceiver<ClientCall>;

/// A driver call that sets the implementation up; a failure is the scenario's `error` (or
/// `unsupported`, `timeout`), not a finding.
pub(super) async fn setup_call(
    iut: DriverRef<'_>,
    role: &str,
    op: &str,
    params: Value,
    tr: &mut Transcript,
) -> Result<Value, Outcome> {
    let result = iut
        .driver
        .call::<_, Value>(op, &params, iut.timeout, &mut tr.exchanges)
        .await;
    result.map_err(|e| match e {
        CallError::Unsupported(_) | CallError::Timeout(_) => crate::harness::call_failed(e),
        e => Outcome::error(format!("setting up the implementation as {role}: {op}: {e}")),
    })
}

/// Params as the JSON the driver sends (they are plain structs: this cannot fail).
pub(super) fn to_json<T: serde::Serialize>(params: &T) -> Value {
    serde_json::to_value(params).unwrap_or_default()
}
