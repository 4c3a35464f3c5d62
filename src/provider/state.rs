//! What one provider domain holds: its users and their clients, the rooms it hosts as hub, its
//! clients' view of every room they are in, the application messages it delivered, and a log of
//! every request it received or sent. One `ProviderState` per domain, behind a mutex that is
//! never held across an await.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use super::behaviour::ProviderBehaviour;
use super::faults::Fault;
use super::https::PeerClient;
use super::peer_faults::PeerFault;
use crate::mls::{HubIdentity, HubRoom, MlsClient, NewClientError, NewHubError, Room};

/// More clients than this per user is refused: each is an MLS client with key material.
pub(crate) const MAX_CLIENTS: usize = 16;

/// The shared state of one provider.
pub type Shared = Arc<Mutex<ProviderState>>;

/// Locks `state`; a panic elsewhere while it was held does not make it unusable.
pub fn lock(state: &Shared) -> MutexGuard<'_, ProviderState> {
    state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The users of one provider domain, its rooms and what it has seen.
#[derive(Debug)]
pub struct ProviderState {
    /// The provider's domain.
    pub domain: String,
    /// User URI → the user's clients.
    pub users: BTreeMap<String, Vec<Arc<MlsClient>>>,
    /// KeyPackageRef of every KeyPackage handed out → its client URI (PROT-X03, PROT-09); also
    /// how a Welcome finds its client (§5.5).
    pub handed_out: BTreeMap<Vec<u8>, String>,
    /// For the `reuse_key_packages` fault: the first KeyPackage of each (client, ciphersuite).
    pub(crate) first_handed_out: BTreeMap<(String, u16), Vec<u8>>,
    /// This provider as the hub of the rooms it hosts: its `external_senders` entry (§7.4).
    pub hub: HubIdentity,
    /// Room id → the room, for rooms this provider is the hub of.
    pub hosted: BTreeMap<String, HostedRoom>,
    /// (client URI, room id) → that client's MLS view of the room.
    pub rooms: BTreeMap<(String, String), Room>,
    /// Application messages delivered to this provider's clients, in order.
    pub inbox: Vec<Delivered>,
    /// §5.5 duplicates: (sending domain, SHA-256 of the body) of every /notify accepted.
    pub(crate) notified: BTreeSet<(String, [u8; 32])>,
    /// Every request received or sent, in order.
    pub log: Vec<Exchange>,
    /// What this provider could not process of what peers sent it (for a simulated provider,
    /// findings about the implementation under test).
    pub problems: Vec<String>,
    /// The other providers, once the deployment is up.
    pub peers: Option<Peers>,
    /// Misbehaviour a scenario asks of this (simulated) provider during the current step.
    pub peer_faults: BTreeSet<PeerFault>,
    /// Whether [`PeerFault::NotifyFailsOnce`] has failed a /notify in this step.
    pub(crate) notify_failed: bool,
    /// The last UpdateRequest body this provider sent per room (for [`PeerFault`] replays).
    pub(crate) last_update: BTreeMap<String, Vec<u8>>,
    /// (client URI, SHA-256) of every MLS message a local client sent: fanned back by the hub,
    /// it is not processed again by its sender.
    pub(crate) own_messages: BTreeSet<(String, [u8; 32])>,
    /// How this provider behaves (its faults, for the built-in implementation under test).
    pub behaviour: ProviderBehaviour,
    /// (target user, requester user): the consents this provider's users granted (§5.7, §8).
    pub consents: BTreeSet<(String, String)>,
    /// The clients it serves without their keys (the reference as a server-only provider).
    pub accounts: super::accounts::Accounts,
    /// For the harness playing a server-only implementation's clients: where their requests go
    /// (the implementation's client API through the driver) instead of to this state's provider.
    pub uplink: Option<super::uplink::Uplink>,
}

/// A room this provider is the hub of.
#[derive(Debug)]
pub struct HostedRoom {
    /// The hub's view of the room's MLS group.
    pub group: HubRoom,
    /// The GroupInfo of the current epoch (an MLSMessage), from the last accepted commit's
    /// GroupInfoOption (§5.3): what the hub gives an external joiner (§5.6); empty after a
    /// partial one.
    pub group_info: Vec<u8>,
    /// The proposals accepted in the current epoch (MLSMessages) and when: the pending proposals
    /// an external joiner is told of (§5.6).
    pub pending: Vec<(Vec<u8>, u64)>,
}

/// An application message a client of this provider received.
#[derive(Debug, Clone)]
pub struct Delivered {
    pub client: String,
    pub room: String,
    /// The sending client's URI (from its MLS credential).
    pub sender: String,
    /// The plaintext (MIMI content).
    pub data: Vec<u8>,
    /// The hub's acceptance time (§5.5 `timestamp`).
    pub timestamp: u64,
}

/// One HTTPS request, as the provider saw it.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// `true` if this provider sent it.
    pub sent: bool,
    /// The other provider's domain (for a received request: the domain in `From`).
    pub peer: String,
    /// The endpoint name (`notify`, `update`, `keyMaterial`...) or the path.
    pub endpoint: String,
    pub path: String,
    pub body: Vec<u8>,
    /// The HTTP status; 0 when no response came.
    pub status: u16,
    pub response: Vec<u8>,
}

/// The other providers of a deployment and how to reach them.
#[derive(Debug, Clone)]
pub struct Peers {
    pub client: PeerClient,
    /// Domain → loopback address.
    pub addrs: BTreeMap<String, SocketAddr>,
    /// How long to wait for a peer's answer: the run's step timeout, or [`PEER_TIMEOUT`].
    pub timeout: Duration,
    /// Each peer's §5.1 directory, fetched once.
    directories: Arc<tokio::sync::Mutex<BTreeMap<String, super::directory::Directory>>>,
}

/// The largest answer a provider reads from a peer (16 MiB, as the request bodies it accepts).
pub const ANSWER_LIMIT: usize = 16 << 20;

/// How long a provider waits for a peer's answer when no run says (the reference served alone).
pub const PEER_TIMEOUT: Duration = Duration::from_secs(10);

impl Peers {
    /// The peers of a provider behaving as `behaviour`, waiting `wait` for an answer (an
    /// impatient hub waits 200 ms).
    pub fn new(
        client: PeerClient,
        addrs: BTreeMap<String, SocketAddr>,
        behaviour: &ProviderBehaviour,
        wait: Duration,
    ) -> Self {
        let timeout = if behaviour.faults.has(Fault::HubImpatient) {
            Duration::from_millis(200)
        } else {
            wait
        };
        Peers {
            client,
            addrs,
            timeout,
            directories: Default::default(),
        }
    }

    /// POSTs `body` to `domain`'s `endpoint` for `value` (a room or user URI), at the URL its
    /// directory gives (§5.1); the path, the status and the body, or why nothing came back.
    pub async fn post(
        &self,
        domain: &str,
        endpoint: &str,
        value: &str,
        body: Vec<u8>,
    ) -> Result<(String, u16, Vec<u8>), PeerError> {
        let path = self.directory(domain).await?.path(domain, endpoint, value)?;
        let (status, bytes) = self.send(reqwest::Method::POST, domain, &path, Some(body)).await?;
        if status == 404 {
            // No -06 endpoint answers 404: nothing is served where the directory points.
            return Err(PeerError::Other(format!(
                "POST https://{domain}{path}: HTTP 404: nothing is served at `{endpoint}` of {domain}'s §5.1 directory"
            )));
        }
        Ok((path, status, bytes))
    }

    /// `domain`'s directory, fetched the first time it is needed.
    async fn directory(&self, domain: &str) -> Result<super::directory::Directory, PeerError> {
        let mut known = self.directories.lock().await;
        if let Some(d) = known.get(domain) {
            return Ok(d.clone());
        }
        let (status, bytes) = self
            .send(reqwest::Method::GET, domain, super::directory::PATH, None)
            .await?;
        if status != 200 {
            return Err(PeerError::Other(format!(
                "GET https://{domain}{}: HTTP {status}, no directory (§5.1)",
                super::directory::PATH
            )));
        }
        let directory = super::directory::Directory::parse(&bytes).map_err(|e| format!("{domain}: {e}"))?;
        known.insert(domain.to_owned(), directory.clone());
        Ok(directory)
    }

    /// Sends one request to `https://<domain><path>`; the status and body, or why nothing came
    /// back.
    async fn send(
        &self,
        method: reqwest::Method,
        domain: &str,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<(u16, Vec<u8>), PeerError> {
        let addr = self
            .addrs
            .get(domain)
            .ok_or_else(|| format!("no provider {domain} is known"))?;
        let what = format!("{method} https://{domain}{path}");
        let mut request = self
            .client
            .request(method, domain, addr.port(), path)
            .timeout(self.timeout);
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                .body(body);
        }
        let response = request.send().await.map_err(|e| {
            if e.is_timeout() {
                PeerError::Silent(what.clone(), self.timeout)
            } else {
                PeerError::Other(format!("{what}: {}", crate::error_chain::chain(&e)))
            }
        })?;
        let status = response.status().as_u16();
        Ok((status, read_capped(response, &what).await?))
    }
}

/// Why a peer gave no usable answer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PeerError {
    /// It did not answer within the run's step timeout: the result is a `timeout`, not a `fail`.
    #[error("{0}: no answer within {1:?}")]
    Silent(String, std::time::Duration),
    #[error("{0}")]
    Other(String),
}

impl From<String> for PeerError {
    fn from(s: String) -> Self {
        PeerError::Other(s)
    }
}

/// Reads an answer's body up to [`ANSWER_LIMIT`]: a hostile peer may stream without end.
pub async fn read_capped(mut response: reqwest::Response, what: &str) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| format!("{what}: reading the answer: {}", crate::error_chain::chain(&e)))?
    {
        if bytes.len() + chunk.len() > ANSWER_LIMIT {
            return Err(format!("{what}: the answer is over {} MiB", ANSWER_LIMIT >> 20));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Errors of [`ProviderState::new`].
#[derive(Debug, thiserror::Error)]
#[error("cannot make the provider's hub identity: {0}")]
pub struct NewProviderError(#[from] NewHubError);

impl ProviderState {
    pub fn new(domain: &str, behaviour: ProviderBehaviour) -> Result<Self, NewProviderError> {
        Ok(ProviderState {
            domain: domain.to_owned(),
            users: BTreeMap::new(),
            handed_out: BTreeMap::new(),
            first_handed_out: BTreeMap::new(),
            hub: HubIdentity::new(&format!("mimi://{domain}"))?,
            hosted: BTreeMap::new(),
            rooms: BTreeMap::new(),
            inbox: Vec::new(),
            notified: BTreeSet::new(),
            log: Vec::new(),
            problems: Vec::new(),
            peers: None,
            peer_faults: BTreeSet::new(),
            notify_failed: false,
            last_update: BTreeMap::new(),
            own_messages: BTreeSet::new(),
            behaviour,
            consents: BTreeSet::new(),
            accounts: Default::default(),
            uplink: None,
        })
    }

    /// The URI of user `name` of this domain: `mimi://<domain>/u/<name>`.
    pub fn user_uri(&self, name: &str) -> String {
        format!("mimi://{}/u/{name}", self.domain)
    }

    /// The id of room `name` hosted here: `mimi://<domain>/r/<name>`.
    pub fn room_uri(&self, name: &str) -> String {
        format!("mimi://{}/r/{name}", self.domain)
    }

    /// Adds user `name` with `clients` clients `mimi://<domain>/d/<name>/<1..=clients>`; returns
    /// the user URI.
    pub fn add_user(&mut self, name: &str, clients: usize) -> Result<String, NewClientError> {
        let uri = self.user_uri(name);
        let clients = (1..=clients)
            .map(|i| MlsClient::new(&format!("mimi://{}/d/{name}/{i}", self.domain)).map(Arc::new))
            .collect::<Result<Vec<_>, _>>()?;
        self.users.insert(uri.clone(), clients);
        Ok(uri)
    }

    /// Whether a scenario asked for `fault` in this step.
    pub fn has_fault(&self, fault: PeerFault) -> bool {
        self.peer_faults.contains(&fault)
    }

    /// The local clients with a view of `room`.
    pub fn clients_in(&self, room: &str) -> Vec<String> {
        self.rooms
            .keys()
            .filter(|(_, r)| r == room)
            .map(|(c, _)| c.clone())
            .collect()
    }
}

/// SHA-256 of a message or body: the key of [`ProviderState::own_messages`] (a client's own
/// messages, not processed again when the hub fans them back) and [`ProviderState::notified`].
pub(crate) fn digest(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).into()
}

/// The domain of a `mimi://<domain>/...` URI.
pub fn domain_of(uri: &str) -> Option<&str> {
    uri.strip_prefix("mimi://")?.split('/').next().filter(|d| !d.is_empty())
}

/// `<name>` of `mimi://<domain>/<kind>/<name>`, this provider's own URI of a user (`u`) or room
/// (`r`).
pub(crate) fn local_name<'a>(domain: &str, kind: &str, uri: &'a str) -> Result<&'a str, String> {
    let name = uri
        .strip_prefix("mimi://")
        .and_then(|r| r.strip_prefix(domain))
        .and_then(|r| r.strip_prefix('/'))
        .and_then(|r| r.strip_prefix(kind))
        .and_then(|r| r.strip_prefix('/'))
        .filter(|_| domain_of(uri) == Some(domain))
        .ok_or_else(|| format!("{uri:?} is not mimi://{domain}/{kind}/<name>"))?;
    if name.is_empty() || name.len() > 255 || name.contains(['/', '?', '#']) || name.contains(char::is_whitespace) {
        return Err(format!("{uri:?}: {name:?} is not a name"));
    }
    Ok(name)
}
