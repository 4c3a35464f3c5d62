//! Running a scenario: a deployment of providers on loopback HTTPS (one per role, each with a
//! domain of its own in this run's namespace), then the steps, each checked as it ends.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use super::{Act, ActOp, Carries, ClientCert, Method, Player, Request, Scenario, Step, WireMatch};
use crate::codec::protocol::fanout::{FanoutArm, FanoutMessage};
use crate::codec::protocol::update::{HandshakeArm, UpdateRequest};
use crate::codec::protocol::{self, Reading};
use crate::driver::messages::{
    ClientInboxResult, ClientParams, ClientPublishParams, ConfigureParams, ConfigureResult, ConsentGrantParams,
    MessageSendParams, Mode, PeerAddress, RoomCreateParams, RoomJoinParams, RoomParams, RoomPolicyParams,
    RoomTargetParams, UserCreateParams, UserCreateResult, UserProvisionParams,
};
use crate::driver::{CallError, Driver, ErrorCode, ops};
use crate::harness::{Outcome, Transcript};
use crate::provider::actions::ActError;
use crate::provider::directory::{self, Directory};
use crate::provider::https::{FROM_LOCAL_PART, HttpsError, PeerClient, ProviderServer, install_crypto};
use crate::provider::pki::{ProviderIdentity, TestCa};
use crate::provider::routes::routes;
use crate::provider::state::{Exchange, Peers, lock};
use crate::provider::uplink::{self, ClientCall, Uplink};
use crate::provider::{ProviderBehaviour, ProviderState, Shared, actions, notify, participants};

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
            return Some(Outcome {
                status: Status::Unsupported,
                message: format!(
                    "the implementation would play {} roles ({roles:?}); outside the process it plays one",
                    roles.len()
                ),
            });
        };
        let plays = match self.role {
            IutRole::Hub => role == "hub",
            IutRole::Follower => role.starts_with("follower"),
            IutRole::Any => true,
        };
        if !plays {
            return Some(Outcome {
                status: Status::Skip,
                message: format!("--iut-role {:?}: the implementation would play {role} here", self.role),
            });
        }
        if let (Mode::ServerOnly, Some(why)) = (self.mode, &scenario.client_behaviour) {
            return Some(Outcome {
                status: Status::Unsupported,
                message: format!("server-only: the scenario judges the implementation's own clients ({why})"),
            });
        }
        let missing: Vec<&str> = scenario
            .driver_ops(role, self.mode)
            .into_iter()
            .filter(|op| !ops.iter().any(|o| o == op))
            .collect();
        (!missing.is_empty()).then(|| Outcome {
            status: Status::Unsupported,
            message: format!(
                "the implementation does not list the operation(s) {} it needs to play {role}",
                missing.join(", ")
            ),
        })
    }
}

/// The run's driver and its timeout, for the role an implementation outside the process plays.
#[derive(Clone, Copy)]
pub struct DriverRef<'a> {
    pub driver: &'a Driver,
    pub timeout: Duration,
}

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
    ca: Arc<TestCa>,
    /// The implementation outside the process, if one plays a role.
    outside: Option<OutsideIut>,
    roles: BTreeMap<String, RoleProvider>,
    /// The ciphersuite of the rooms created in this run.
    ciphersuite: u16,
}

/// The test CA of this process: made once (a key pair and a self-signature), issuing every
/// scenario's certificates; each scenario's domains are its own.
fn run_ca() -> Result<Arc<TestCa>, HttpsError> {
    static CA: std::sync::OnceLock<Result<Arc<TestCa>, String>> = std::sync::OnceLock::new();
    CA.get_or_init(|| TestCa::new().map(Arc::new).map_err(|e| e.to_string()))
        .clone()
        .map_err(HttpsError::Tls)
}

/// Namespaces keep concurrent scenarios apart: each run's domains are unique.
static NAMESPACE: AtomicU64 = AtomicU64::new(1);

impl Deployment {
    /// Starts one provider per role, each knowing all the others.
    pub async fn start(scenario: &Scenario, iut: IutEndpoint, ciphersuite: u16) -> Result<Self, HttpsError> {
        install_crypto();
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
            let server = ProviderServer::start(&identity, &ca, routes(state.clone()), behaviour.door).await?;
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
            st.peers = Some(Peers::new(client, addrs.clone(), &st.behaviour));
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
    fn expand(&self, s: &str) -> String {
        self.roles.iter().fold(s.to_owned(), |s, (role, r)| {
            s.replace(&format!("{{{role}}}"), &r.identity.domain)
        })
    }

    /// Every string of `v` expanded; a string `utf8:<text>` becomes the hex of `<text>`.
    fn expand_json(&self, v: &Value) -> Value {
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
    async fn configure_outside(
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
    async fn create_users(
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
    async fn grant_consent(
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
    async fn provision_clients(
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
                let key_packages = uplink::key_packages_to_publish(&mut lock(&r.state), &client)
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
    async fn collect_inboxes(&self, iut: Option<DriverRef<'_>>, tr: &mut Transcript) -> Result<(), Outcome> {
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
                .map_err(crate::suites::call_failed)?;
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
    async fn outside_states(
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
                Err(e) => return Err(crate::suites::call_failed(e)),
            }
        }
        Ok(states)
    }
}

/// The receiving end of a server-only implementation's uplink: the calls its clients make.
type UplinkCalls = tokio::sync::mpsc::UnboundedReceiver<ClientCall>;

/// A driver call that sets the implementation up; a failure is the scenario's `error` (or
/// `unsupported`, `timeout`), not a finding.
async fn setup_call(
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
        CallError::Unsupported(_) | CallError::Timeout(_) => crate::suites::call_failed(e),
        e => Outcome::error(format!("setting up the implementation as {role}: {op}: {e}")),
    })
}

/// Runs `work` while carrying the calls of a server-only implementation's clients to its driver
/// (their exchanges go to `log`): the clients' requests are answered while the step goes on.
async fn with_uplink<F: std::future::Future>(
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

/// Params as the JSON the driver sends (they are plain structs: this cannot fail).
fn to_json<T: serde::Serialize>(params: &T) -> Value {
    serde_json::to_value(params).unwrap_or_default()
}

/// The decoded responses of the steps so far, by step name.
type Decoded = BTreeMap<String, Value>;

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
    let deployment = match Deployment::start(scenario, iut, ciphersuite).await {
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
                return Outcome {
                    status: crate::harness::Status::Timeout,
                    message: format!("step {:?}: no answer within {timeout:?}", step.name),
                };
            }
        };
        if let Err(o) = checked {
            return o;
        }
    }
    Outcome::pass()
}

/// Where each role's log and problem list stood before a step.
type Marks = BTreeMap<String, (usize, usize)>;

impl Deployment {
    fn marks(&self) -> Marks {
        self.roles
            .iter()
            .map(|(role, r)| {
                let st = lock(&r.state);
                (role.clone(), (st.log.len(), st.problems.len()))
            })
            .collect()
    }

    /// The room id of room `name` (rooms live on the role `hub`).
    fn room(&self, name: &str) -> String {
        self.roles
            .get("hub")
            .map_or_else(String::new, |r| format!("mimi://{}/r/{name}", r.identity.domain))
    }

    /// The user URI of `<user>@<role>`.
    fn user(&self, scenario: &Scenario, r: &str) -> String {
        match scenario.user_ref(r) {
            Ok((role, user)) => format!("mimi://{}/u/{user}", self.roles[role].identity.domain),
            Err(_) => String::new(),
        }
    }

    /// The checks every step ends with: the simulated providers found nothing wrong in what they
    /// were sent, the requests seen (`wire`, `no_wire`), and the common state (`converged`).
    async fn check_after(
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
    fn seen(&self, m: &WireMatch, marks: &Marks) -> Vec<Exchange> {
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
    fn matches(&self, m: &WireMatch, x: &Exchange, marks: &Marks) -> Result<(), String> {
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
    fn check_converged(
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

/// The room setup of a `room.create` act: its role and policy components.
fn room_setup(a: &Act, d: &Deployment) -> Result<actions::RoomSetup, String> {
    use crate::codec::policy::{ComponentId, encode_json};
    let encode =
        |name: &str, json: &Value| encode_json(name, json).unwrap_or_else(|| Err(format!("no policy struct {name}")));
    let mut components = Vec::new();
    if let Some(name) = &a.policy {
        let roles = encode("RoleData", &policy_fixture(name)?).map_err(|e| format!("role set {name:?}: {e}"))?;
        components.push((ComponentId::ROLES_LIST.0, roles));
    }
    if let Some(base) = &a.base_policy {
        let base = encode("BaseRoomPolicy", &d.expand_json(base)).map_err(|e| format!("base_policy: {e}"))?;
        components.push((ComponentId::BASE_ROOM_POLICY.0, base));
    }
    Ok(actions::RoomSetup {
        role: a.role,
        components,
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
async fn run_act(
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
    let user = d.user(scenario, &a.user);
    let room = d.room(&a.room);
    let target = a.target.as_deref().map(|t| d.user(scenario, t)).unwrap_or_default();
    tr.notes.push(format!(
        "{}: {} {:?} in {room}{}",
        step.name,
        a.user,
        a.op,
        if target.is_empty() {
            String::new()
        } else {
            format!(" on {target}")
        }
    ));
    lock(state).peer_faults = a.fault.into_iter().collect();
    let result = match a.op {
        _ if provider.actor == Actor::Driver => {
            // `{role}` in a base policy (a parent room's id) names this run's domains.
            let a = Act {
                base_policy: a.base_policy.as_ref().map(|b| d.expand_json(b)),
                ..a.clone()
            };
            act_by_driver(iut, &a, &user, &room, &target, d.ciphersuite, tr).await?
        }
        ActOp::RoomCreate => {
            let setup = match room_setup(a, d) {
                Ok(s) => s,
                Err(m) => return Err(Outcome::error(format!("step {:?}: {m}", step.name))),
            };
            actions::create_room(state, &user, &a.room, d.ciphersuite, setup).await
        }
        ActOp::RoomAdd => actions::add(state, &user, &room, &target, a.role, a.clients).await,
        ActOp::RoomKick => actions::kick(state, &user, &room, &target).await,
        ActOp::RoomAddOwnClient => actions::add_own_client(state, &user, &room).await,
        ActOp::RoomRemoveOwnClient => actions::remove_own_client(state, &user, &room).await,
        ActOp::RoomChangeRole | ActOp::RoomUnban => {
            actions::set_role(state, &user, &room, &target, a.role.unwrap_or_default()).await
        }
        ActOp::RoomBan => actions::set_role(state, &user, &room, &target, participants::BANNED_ROLE).await,
        ActOp::RoomSetComponent => {
            let name = a.component.as_deref().unwrap_or_default();
            let value = d.expand_json(a.value.as_ref().unwrap_or(&Value::Null));
            // A policy struct, or the protocol codec's RoomMetaData.
            let encoded = crate::codec::tls::encode(name, &value, false)
                .map_err(|e| e.message)
                .map_err(|e| {
                    Outcome::error(format!(
                        "step {:?}: the scenario's {name} does not encode: {e}",
                        step.name
                    ))
                })?;
            let id = crate::codec::policy::component_of(name).map_or(0, |c| c.0);
            actions::set_component(state, &user, &room, id, encoded).await
        }
        ActOp::RoomRemoveComponent => {
            let id = a
                .component
                .as_deref()
                .and_then(crate::codec::policy::component_of)
                .map_or(0, |c| c.0);
            actions::remove_component(state, &user, &room, id).await
        }
        ActOp::RoomRemove => actions::remove(state, &user, &room, &target).await,
        ActOp::RoomLeave => actions::leave(state, &user, &room).await,
        ActOp::RoomJoin => actions::join(state, &user, &room, a.role).await,
        ActOp::RoomCommit => actions::commit(state, &user, &room).await,
        ActOp::MessageSend => {
            let what = match (&a.media_type, &a.text) {
                (Some(media_type), _) => actions::Outgoing::Asset(media_type),
                (None, text) => actions::Outgoing::Text(text.as_deref().unwrap_or_default()),
            };
            actions::send(state, &user, &room, what).await
        }
        ActOp::MessageList => actions::messages(state, &user, &room),
        ActOp::RoomState => actions::room_state(state, &user, &room),
        ActOp::UpdateReplay => actions::replay(state, &room).await,
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
            let who = if provider.player == Player::Iut {
                "the implementation"
            } else {
                "a simulated provider"
            };
            return Err(Outcome::fail(format!(
                "step {:?}: {who} could not act: {err}",
                step.name
            )));
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
async fn act_by_driver(
    iut: Option<DriverRef<'_>>,
    a: &Act,
    user: &str,
    room: &str,
    target: &str,
    ciphersuite: u16,
    tr: &mut Transcript,
) -> Result<Result<Value, ActError>, Outcome> {
    let Some(iut) = iut else {
        return Err(Outcome::error("the implementation outside the process has no driver"));
    };
    let (user, room, target, role) = (user.to_owned(), room.to_owned(), target.to_owned(), a.role);
    let params = match a.op {
        ActOp::RoomCreate => {
            let roles = match &a.policy {
                Some(name) => Some(policy_fixture(name).map_err(Outcome::error)?),
                None => None,
            };
            let room_policy = (roles.is_some() || a.base_policy.is_some()).then(|| RoomPolicyParams {
                roles,
                base_policy: a.base_policy.clone(),
            });
            to_json(&RoomCreateParams {
                user,
                room,
                ciphersuite,
                role,
                room_policy,
            })
        }
        ActOp::RoomJoin => to_json(&RoomJoinParams { user, room, role }),
        ActOp::RoomAdd
        | ActOp::RoomRemove
        | ActOp::RoomChangeRole
        | ActOp::RoomBan
        | ActOp::RoomUnban
        | ActOp::RoomKick => to_json(&RoomTargetParams {
            user,
            room,
            target,
            role,
            clients: a.clients,
        }),
        ActOp::MessageSend => to_json(&MessageSendParams {
            user,
            room,
            text: a.text.clone(),
            media_type: a.media_type.clone(),
        }),
        _ => to_json(&RoomParams { user, room }),
    };
    match iut
        .driver
        .call(a.op.name(), &params, iut.timeout, &mut tr.exchanges)
        .await
    {
        Ok(v) => Ok(Ok(v)),
        Err(CallError::Driver(e)) if e.code == ErrorCode::Failed => Ok(Err(ActError::Failed(e.message))),
        Err(e) => Err(crate::suites::call_failed(e)),
    }
}

async fn run_request(
    d: &Deployment,
    step: &Step,
    r: &Request,
    decoded: &mut Decoded,
    tr: &mut Transcript,
) -> Result<(), Outcome> {
    let sender = &d.roles[&r.from].identity;
    let receiver = &d.roles[&r.to].identity;
    let addr = d.roles[&r.to].addr;
    let error = |m: String| Outcome::error(format!("step {:?}: {m}", step.name));
    let peers = [(receiver.domain.clone(), addr)];
    let client = match r.client_cert {
        ClientCert::Own => PeerClient::new(Some(sender), &d.ca, &peers, r.host.is_some()),
        ClientCert::None => PeerClient::new(None, &d.ca, &peers, r.host.is_some()),
        ClientCert::OtherCa => {
            let stranger = TestCa::new()
                .and_then(|ca| ca.issue(&sender.domain))
                .map_err(|e| error(e.to_string()))?;
            PeerClient::new(Some(&stranger), &d.ca, &peers, r.host.is_some())
        }
    }
    .map_err(|e| error(e.to_string()))?;
    let from = r
        .from_header
        .as_deref()
        .map_or(format!("{FROM_LOCAL_PART}@{}", sender.domain), |f| d.expand(f));
    let method = match r.method {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
    };
    let path = match (&r.path, &r.endpoint, &r.uri) {
        (Some(path), ..) => d.expand(path),
        (None, Some(endpoint), Some(uri)) => {
            // §5.1: the URL comes from the receiver's directory, fetched as the sender would.
            let own = PeerClient::new(Some(sender), &d.ca, &peers, false).map_err(|e| error(e.to_string()))?;
            let fetched = fetch_directory(&own, &receiver.domain, addr.port()).await;
            let path = fetched
                .and_then(|dir| dir.path(&receiver.domain, endpoint, &d.expand(uri)))
                .map_err(|e| Outcome::fail(format!("step {:?}: {e}", step.name)))?;
            tr.notes
                .push(format!("{}: {endpoint} of {}'s directory: {path}", step.name, r.to));
            path
        }
        _ => return Err(error("the step gives no path".into())),
    };
    let mut req = client.request_with_from(&from, method, &receiver.domain, addr.port(), &path);
    if let Some(host) = &r.host {
        req = req.header(reqwest::header::HOST, d.expand(host));
    }
    let mut body = match (&r.body, &r.body_struct) {
        (Some(hex_body), _) => Some(hex::decode(hex_body).unwrap_or_default()),
        (None, Some(b)) => {
            let value = d.expand_json(&b.value);
            let bytes = crate::codec::protocol::encode_named(&b.name, &value)
                .map_err(|e| error(format!("the scenario's {} does not encode: {e}", b.name)))?;
            Some(bytes)
        }
        (None, None) => None,
    };
    if let (Some(bytes), Some(n)) = (&mut body, r.truncate_body) {
        bytes.truncate(bytes.len().saturating_sub(n));
    }
    if let Some(bytes) = body {
        tr.notes
            .push(format!("{}: request body {}", step.name, hex::encode(&bytes)));
        req = req
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(bytes);
    }
    tr.notes.push(format!(
        "{}: {} → {} {:?} https://{}{path} (From: {from}, client cert: {:?})",
        step.name, r.from, r.to, r.method, receiver.domain, r.client_cert
    ));
    let result = req.send().await;
    let e = &step.expect;
    let response = match (result, e.tls) {
        (Err(err), Some(_)) => {
            // A refusal proves something only if the same request with the sender's own
            // certificate and From gets through: otherwise the server is just unreachable.
            let control = PeerClient::new(Some(sender), &d.ca, &peers, false).map_err(|e| error(e.to_string()))?;
            let method = match r.method {
                Method::Get => reqwest::Method::GET,
                Method::Post => reqwest::Method::POST,
            };
            if let Err(e) = control
                .request(method, &receiver.domain, addr.port(), &path)
                .send()
                .await
            {
                return Err(error(format!(
                    "the connection was refused ({err}), but so was a control request with the sender's own \
                     certificate ({e}): the refusal says nothing"
                )));
            }
            tr.notes.push(format!(
                "{}: connection refused as expected ({err}); a control request with the sender's own certificate got through",
                step.name
            ));
            return Ok(());
        }
        (Ok(resp), Some(_)) => {
            return Err(Outcome::mismatch(
                &format!("step {:?}: the connection should have been refused", step.name),
                "TLS handshake rejected",
                format!("HTTP {}", resp.status()),
            ));
        }
        (Err(err), None) => {
            return Err(Outcome::fail(format!("step {:?}: request failed: {err:?}", step.name)));
        }
        (Ok(resp), None) => resp,
    };
    let status = response.status().as_u16();
    let body = response
        .bytes()
        .await
        .map_err(|e| Outcome::fail(format!("step {:?}: reading the body: {e}", step.name)))?;
    tr.notes.push(format!(
        "{}: HTTP {status}, {} bytes: {}",
        step.name,
        body.len(),
        String::from_utf8_lossy(&body[..body.len().min(512)])
    ));
    if let (Some(endpoint), 404) = (&r.endpoint, status)
        && !e.status.as_ref().is_some_and(|w| w.allows(404))
    {
        return Err(Outcome::fail(format!(
            "step {:?}: {:?} https://{}{path}: HTTP 404: nothing is served at `{endpoint}` of {}'s §5.1 directory",
            step.name, r.method, receiver.domain, r.to
        )));
    }
    if let Some(want) = &e.status
        && !want.allows(status)
    {
        return Err(Outcome::mismatch(
            &format!("step {:?}: status", step.name),
            want,
            status,
        ));
    }
    if !e.json_keys.is_empty() {
        let json: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|err| Outcome::fail(format!("step {:?}: the body is not JSON: {err}", step.name)))?;
        let missing: Vec<&String> = e.json_keys.iter().filter(|k| json.get(k.as_str()).is_none()).collect();
        if !missing.is_empty() {
            return Err(Outcome::mismatch(
                &format!("step {:?}: JSON members", step.name),
                format!("{:?}", e.json_keys),
                format!("missing {missing:?}"),
            ));
        }
    }
    if let Some(name) = &e.response_struct {
        let value = crate::codec::protocol::decode_named(name, &body).map_err(|err| {
            Outcome::mismatch(
                &format!("step {:?}: the response body", step.name),
                format!("a {name}"),
                format!(
                    "{err} ({} bytes: {})",
                    body.len(),
                    hex::encode(&body[..body.len().min(64)])
                ),
            )
        })?;
        tr.notes.push(format!("{}: decoded {name}: {value}", step.name));
        if let Some(want) = &e.response_json {
            let want = d.expand_json(want);
            if let Err(at) = subset(&want, &value, "") {
                return Err(Outcome::mismatch(
                    &format!("step {:?}: the decoded {name} at `{at}`", step.name),
                    &want,
                    &value,
                ));
            }
        }
        if let Some(k) = &e.mls_key_packages {
            check_key_packages(&value, k).map_err(|m| Outcome::fail(format!("step {:?}: {m}", step.name)))?;
        }
        if let Some(dist) = &e.distinct_from {
            let earlier = members(&decoded[&dist.step], &dist.member);
            let repeated: Vec<&Value> = members(&value, &dist.member)
                .into_iter()
                .filter(|v| earlier.contains(v))
                .collect();
            if !repeated.is_empty() {
                return Err(Outcome::mismatch(
                    &format!(
                        "step {:?}: {} `{}` value(s) of step {:?} given again",
                        step.name,
                        repeated.len(),
                        dist.member,
                        dist.step
                    ),
                    "none in common",
                    Value::Array(repeated.into_iter().cloned().collect()),
                ));
            }
        }
        decoded.insert(step.name.clone(), value);
    }
    Ok(())
}

/// `domain`'s §5.1 directory, as `client` gets it.
async fn fetch_directory(client: &PeerClient, domain: &str, port: u16) -> Result<Directory, String> {
    let what = format!("GET https://{domain}{}", directory::PATH);
    let response = client
        .request(reqwest::Method::GET, domain, port, directory::PATH)
        .send()
        .await
        .map_err(|e| format!("{what}: {e}"))?;
    let status = response.status();
    // A directory is small: a hostile one is read up to 64 KiB.
    let mut response = response;
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| format!("{what}: {e}"))? {
        if body.len() + chunk.len() > 64 << 10 {
            return Err(format!("{what}: a directory over 64 KiB"));
        }
        body.extend_from_slice(&chunk);
    }
    if !status.is_success() {
        return Err(format!("{what}: HTTP {status}, no directory (§5.1)"));
    }
    Directory::parse(&body).map_err(|e| format!("{domain}: {e}"))
}

/// Whether `have` holds `want` (see the module documentation); the error is the JSON path of the
/// first difference.
fn subset(want: &Value, have: &Value, at: &str) -> Result<(), String> {
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
fn members<'a>(v: &'a Value, name: &str) -> Vec<&'a Value> {
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

/// The `keyPackage` members of a decoded response: exactly `want.count`, each a KeyPackage (§5.2
/// `KeyPackage keyPackage`: the RFC 9420 struct itself, not an MLSMessage) that openmls validates
/// now (signatures, lifetime) in `want.ciphersuite`.
fn check_key_packages(value: &Value, want: &super::KeyPackagesExpect) -> Result<(), String> {
    // The Read-based decoder: openmls' derived `DeserializeBytes` can panic on a short vector.
    use openmls::prelude::tls_codec::Deserialize as _;
    use openmls::prelude::{Ciphersuite, KeyPackageIn, ProtocolVersion};

    let found = members(value, "keyPackage");
    if found.len() != want.count {
        return Err(format!("{} KeyPackage(s), expected {}", found.len(), want.count));
    }
    let suite = crate::codec::protocol::CipherSuite::from_name(&want.ciphersuite)
        .and_then(|c| Ciphersuite::try_from(c.0).ok())
        .ok_or_else(|| format!("the suite cannot check ciphersuite {}", want.ciphersuite))?;
    let crypto = openmls_rust_crypto::RustCrypto::default();
    for (i, kp) in found.iter().enumerate() {
        let bytes = kp
            .as_str()
            .and_then(|h| hex::decode(h).ok())
            .ok_or_else(|| format!("KeyPackage {i} is not hex"))?;
        let key_package = KeyPackageIn::tls_deserialize_exact(&bytes)
            .map_err(|e| format!("KeyPackage {i} is not a KeyPackage: {e}"))?;
        let key_package = key_package
            .validate(&crypto, ProtocolVersion::Mls10)
            .map_err(|e| format!("KeyPackage {i} does not validate: {e:?}"))?;
        if key_package.ciphersuite() != suite {
            return Err(format!(
                "KeyPackage {i} is of ciphersuite {:?}, the request accepted only {}",
                key_package.ciphersuite(),
                want.ciphersuite
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
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
