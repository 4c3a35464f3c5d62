//! The reference implementation played *outside* the harness's process: the driver's stateful
//! operations (`reset`, `configure`, `user.create`, `room.*`, `message.*`) on one provider domain
//! at a time, its MIMI endpoints on a listening socket of its own. `mimi-conformance driver
//! --mimi-listen ADDR` serves it, so that a harness can test it through the driver and
//! `--iut-url` only, exactly as it tests a third party's implementation.
//!
//! The acts are those of the built-in provider ([`super::actions`]) on a [`ProviderState`] made
//! fresh by every `configure` (and dropped by `reset`), with the reference's faults in its
//! [`ProviderBehaviour`].

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::act::{self, UserAct};
use super::actions::ActError;
use super::behaviour::ProviderBehaviour;
use super::client_api;
use super::https::{PeerClient, ProviderServer};
use super::parse;
use super::pki::{ProviderIdentity, ca_der_from_pem};
use super::routes::routes;
use super::state::{MAX_CLIENTS, Peers, ProviderState, Shared, domain_of, local_name, lock};
use crate::driver::messages::{
    ClientParams, ConfigureParams, ConfigureResult, ConsentGrantParams, Mode, UserCreateParams,
};
use crate::driver::{DriverError, ops};

/// The reference's provider outside the harness: where it listens, and the current scenario's
/// provider.
#[derive(Default)]
pub struct Served {
    inner: tokio::sync::Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// The MIMI listening socket. It is kept for the life of the driver: each `configure`'s
    /// server takes a duplicate, so the next one serves at the same address without a rebind.
    listener: Option<Listening>,
    /// The provider of the current scenario.
    current: Option<Configured>,
}

struct Listening {
    addr: SocketAddr,
    socket: std::net::TcpListener,
    /// Given by `--mimi-listen`: `configure`'s `listen` does not move it.
    fixed: bool,
}

struct Configured {
    server: ProviderServer,
    state: Shared,
}

impl Served {
    /// Serves the MIMI endpoints on `socket` (`--mimi-listen`), whatever `configure` says.
    pub fn on(socket: std::net::TcpListener) -> std::io::Result<Self> {
        let addr = socket.local_addr()?;
        Ok(Served {
            inner: tokio::sync::Mutex::new(Inner {
                listener: Some(Listening {
                    addr,
                    socket,
                    fixed: true,
                }),
                current: None,
            }),
        })
    }

    /// Answers one stateful operation of `mode`; the other mode's operations are `unsupported`.
    pub async fn handle(
        &self,
        op: &str,
        params: Value,
        behaviour: ProviderBehaviour,
        mode: Mode,
    ) -> Result<Value, DriverError> {
        let own = match mode {
            Mode::FullClient => ops::STATEFUL,
            Mode::ServerOnly => ops::SERVER_ONLY,
        };
        if !own.contains(&op) {
            return Err(DriverError {
                code: crate::driver::ErrorCode::Unsupported,
                message: format!("{op} is not an operation of a {} implementation", mode.as_str()),
            });
        }
        match op {
            ops::RESET => {
                if let Some(old) = self.inner.lock().await.current.take() {
                    old.server.stop().await;
                }
                Ok(json!({}))
            }
            ops::CONFIGURE => self.configure(parse(op, params)?, behaviour, mode).await,
            ops::USER_PROVISION => client_api::provision(&self.state().await?, parse(op, params)?).map(|()| json!({})),
            ops::CLIENT_PUBLISH => client_api::publish(&self.state().await?, parse(op, params)?).map(|()| json!({})),
            ops::ROOM_HOST => client_api::host(&self.state().await?, parse(op, params)?).map(|()| json!({})),
            ops::CONSENT_GRANT => {
                let p: ConsentGrantParams = parse(op, params)?;
                let state = self.state().await?;
                let mut st = lock(&state);
                let domain = st.domain.clone();
                local_name(&domain, "u", &p.user).map_err(DriverError::invalid_params)?;
                if domain_of(&p.requester).is_none() {
                    return Err(DriverError::invalid_params(format!(
                        "requester {:?} is not a mimi:// user URI",
                        p.requester
                    )));
                }
                st.consents.insert((p.user, p.requester));
                Ok(json!({}))
            }
            ops::CLIENT_SUBMIT => {
                let result = client_api::submit(&self.state().await?, parse(op, params)?).await?;
                super::to_value(&result)
            }
            ops::CLIENT_INBOX => {
                let p: ClientParams = parse(op, params)?;
                super::to_value(&client_api::inbox(&self.state().await?, &p.client)?)
            }
            ops::USER_CREATE => {
                let p: UserCreateParams = parse(op, params)?;
                let state = self.state().await?;
                let mut st = lock(&state);
                let name = local_name(&st.domain, "u", &p.user).map_err(DriverError::invalid_params)?;
                if !(1..=MAX_CLIENTS).contains(&p.clients) {
                    return Err(DriverError::invalid_params(format!(
                        "clients: {} is not within 1..={MAX_CLIENTS}",
                        p.clients
                    )));
                }
                if st.users.contains_key(&p.user) {
                    return Err(DriverError::failed(format!("user {} exists already", p.user)));
                }
                let user = st
                    .add_user(name, p.clients)
                    .map_err(|e| DriverError::failed(format!("cannot create the clients of {}: {e}", p.user)))?;
                let clients: Vec<&str> = st.users[&user].iter().map(|c| c.uri()).collect();
                Ok(json!({"user": user, "clients": clients}))
            }
            // A user's act (or an operation nobody serves: unsupported).
            _ => {
                let act = UserAct::from_driver(op, params)?;
                acted(act::perform(&self.state().await?, &act).await)
            }
        }
    }

    /// The current provider's state (the lock is not held while the act goes on).
    async fn state(&self) -> Result<Shared, DriverError> {
        self.inner
            .lock()
            .await
            .current
            .as_ref()
            .map(|c| c.state.clone())
            .ok_or_else(|| DriverError::failed("not configured: `configure` comes first"))
    }

    /// Forgets the previous provider and starts one for `p.domain`.
    async fn configure(
        &self,
        p: ConfigureParams,
        behaviour: ProviderBehaviour,
        mode: Mode,
    ) -> Result<Value, DriverError> {
        let identity =
            ProviderIdentity::from_pem(&p.domain, &p.cert_pem, &p.key_pem).map_err(DriverError::invalid_params)?;
        let ca_der = ca_der_from_pem(&p.ca_pem).map_err(DriverError::invalid_params)?;
        let mut addrs = BTreeMap::new();
        for peer in &p.peers {
            let addr = resolve(&peer.address)
                .await
                .map_err(|e| DriverError::invalid_params(format!("peer {}: {e}", peer.domain)))?;
            addrs.insert(peer.domain.clone(), addr);
        }
        let all: Vec<(String, SocketAddr)> = addrs.iter().map(|(d, a)| (d.clone(), *a)).collect();
        let client = PeerClient::trusting(Some(&identity), &p.ca_pem, &all, false)
            .map_err(|e| DriverError::invalid_params(e.to_string()))?;
        let mut inner = self.inner.lock().await;
        if let Some(old) = inner.current.take() {
            old.server.stop().await;
        }
        let wanted = match &p.listen {
            Some(l) => Some(
                resolve(l)
                    .await
                    .map_err(|e| DriverError::invalid_params(format!("listen: {e}")))?,
            ),
            None => None,
        };
        let keep = inner
            .listener
            .as_ref()
            .is_some_and(|l| l.fixed || wanted.is_none_or(|w| w == l.addr));
        if !keep {
            let addr = wanted.ok_or_else(|| {
                DriverError::invalid_params("no address to listen on: give `listen` (or start with --mimi-listen)")
            })?;
            let socket = std::net::TcpListener::bind(addr)
                .map_err(|e| DriverError::failed(format!("cannot listen on {addr}: {e}")))?;
            inner.listener = Some(Listening {
                addr,
                socket,
                fixed: false,
            });
        }
        let socket = inner
            .listener
            .as_ref()
            .map(|l| l.socket.try_clone())
            .transpose()
            .map_err(|e| DriverError::failed(format!("cannot share the listening socket: {e}")))?;
        let mut state = ProviderState::new(&p.domain, behaviour).map_err(|e| DriverError::failed(e.to_string()))?;
        state.peers = Some(Peers::new(client, addrs, &behaviour, super::state::PEER_TIMEOUT));
        // A server-only hub tells the clients the harness plays what their rooms list as hub.
        let result = match mode {
            Mode::FullClient => ConfigureResult::default(),
            Mode::ServerOnly => {
                use openmls::prelude::tls_codec::Serialize as _;
                let sender = state
                    .hub
                    .external_sender()
                    .tls_serialize_detached()
                    .map_err(|e| DriverError::failed(format!("cannot encode the hub's ExternalSender: {e}")))?;
                ConfigureResult {
                    external_sender: Some(sender),
                }
            }
        };
        let state: Shared = Arc::new(Mutex::new(state));
        let server = ProviderServer::start_on(socket, &identity, &ca_der, routes(state.clone()), behaviour)
            .await
            .map_err(|e| DriverError::failed(format!("cannot serve {}: {e}", p.domain)))?;
        inner.current = Some(Configured { server, state });
        super::to_value(&result)
    }
}

/// An act's result, or the error `failed` saying why it could not be done.
fn acted(result: Result<Value, ActError>) -> Result<Value, DriverError> {
    result.map_err(|e| DriverError::failed(e.to_string()))
}

/// A `host:port` as a socket address (an IP literal, else the name's first address).
async fn resolve(address: &str) -> Result<SocketAddr, String> {
    if let Ok(a) = address.parse() {
        return Ok(a);
    }
    tokio::net::lookup_host(address)
        .await
        .map_err(|e| format!("{address:?} is not host:port: {e}"))?
        .next()
        .ok_or_else(|| format!("{address:?} resolves to no address"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn each_mode_refuses_the_other_modes_operations() {
        use crate::driver::ErrorCode;
        let served = Served::default();
        for op in [ops::USER_CREATE, ops::ROOM_CREATE, ops::MESSAGE_SEND, ops::ROOM_STATE] {
            let e = served
                .handle(op, json!({}), ProviderBehaviour::default(), Mode::ServerOnly)
                .await
                .expect_err(op);
            assert_eq!(e.code, ErrorCode::Unsupported, "{op}: {e}");
        }
        for op in [
            ops::USER_PROVISION,
            ops::ROOM_HOST,
            ops::CLIENT_SUBMIT,
            ops::CLIENT_INBOX,
        ] {
            let e = served
                .handle(op, json!({}), ProviderBehaviour::default(), Mode::FullClient)
                .await
                .expect_err(op);
            assert_eq!(e.code, ErrorCode::Unsupported, "{op}: {e}");
        }
        // Its own operations it answers (here: not configured yet).
        let p = json!({"user": "mimi://a.example/u/alice", "clients": ["mimi://a.example/d/alice/1"]});
        let e = served
            .handle(ops::USER_PROVISION, p, ProviderBehaviour::default(), Mode::ServerOnly)
            .await
            .expect_err("not configured");
        assert_eq!(e.code, ErrorCode::Failed, "{e}");
    }

    #[test]
    fn local_names_are_this_providers_only() {
        assert_eq!(local_name("a.example", "u", "mimi://a.example/u/alice"), Ok("alice"));
        assert_eq!(local_name("a.example", "r", "mimi://a.example/r/club"), Ok("club"));
        for bad in [
            "mimi://b.example/u/alice",
            "mimi://a.example.evil/u/alice",
            "mimi://a.example/r/alice",
            "mimi://a.example/u/",
            "mimi://a.example/u/a/b",
            "https://a.example/u/alice",
            "",
        ] {
            assert!(local_name("a.example", "u", bad).is_err(), "{bad}");
        }
    }
}
