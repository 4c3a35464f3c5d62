//! Providers on real HTTPS with mutual TLS, on loopback (draft-ietf-mimi-protocol-06 §4.1).
//!
//! ```text
//!   follower.example ──(client cert follower.example, From: mimi@follower.example)──►
//!        Host: hub.example ── 127.0.0.1:<port> ── server cert hub.example
//! ```
//! Each provider domain is one axum server behind rustls that requires a client certificate
//! from the run's test CA. Every request must name this provider in `Host`, and name in `From`
//! (`mimi@<domain>`) a domain its client certificate is valid for. [`PeerClient`] is the other
//! side: a provider calling its peers, with their domains resolved to loopback ports.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum_server::tls::TlsInfo;
use axum_server::tls_rustls::RustlsConfig;
use rustls::DigitallySignedStruct;
use rustls::RootCertStore;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::pki_types::{CertificateDer, UnixTime};
use rustls::server::WebPkiClientVerifier;
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};

use super::behaviour::ProviderBehaviour;
use super::faults::{Fault, FaultSet};
use super::pki::{ProviderIdentity, TestCa, certificate_names};

/// How long a peer may take to send a request's headers.
const HEADER_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The local part §4.1 fixes for the `From` header.
pub const FROM_LOCAL_PART: &str = "mimi";

/// Why a provider could not be started or reached.
#[derive(Debug, thiserror::Error)]
pub enum HttpsError {
    #[error("TLS configuration: {0}")]
    Tls(String),
    #[error("cannot listen: {0}")]
    Listen(#[from] std::io::Error),
    #[error("HTTP client: {0}")]
    Client(String),
}

/// A client-certificate verifier that accepts any certificate (a fault: it skips the chain check
/// and keeps the handshake-signature checks of the verifier it wraps).
#[derive(Debug)]
struct AnyClientCertificate(Arc<dyn ClientCertVerifier>);

impl ClientCertVerifier for AnyClientCertificate {
    fn offer_client_auth(&self) -> bool {
        self.0.offer_client_auth()
    }

    fn client_auth_mandatory(&self) -> bool {
        self.0.client_auth_mandatory()
    }

    fn root_hint_subjects(&self) -> &[rustls::DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// A running provider server.
pub struct ProviderServer {
    pub domain: String,
    pub addr: SocketAddr,
    handle: axum_server::Handle<SocketAddr>,
    /// The serving task: [`ProviderServer::stop`] waits for it, so that its listener is closed.
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

/// How long [`ProviderServer::stop`] waits for the server to let go of its listener.
const STOP_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

impl ProviderServer {
    /// Serves `routes` for `identity.domain` on an ephemeral loopback port, checking at the
    /// door what a provider behaving as `behaviour` checks (§4.1: all of it, but for its faults).
    pub async fn start(
        identity: &ProviderIdentity,
        ca: &TestCa,
        routes: Router,
        behaviour: ProviderBehaviour,
    ) -> Result<Self, HttpsError> {
        Self::start_on(None, identity, ca.cert_der(), routes, behaviour).await
    }

    /// Serves `routes` for `identity.domain` on `listener` (an ephemeral loopback port if
    /// `None`), trusting client certificates issued by the CA `ca_der`. A listener that outlives
    /// the server (a duplicate, `try_clone`) lets the next server take the same address at once.
    pub async fn start_on(
        listener: Option<std::net::TcpListener>,
        identity: &ProviderIdentity,
        ca_der: &CertificateDer<'static>,
        routes: Router,
        behaviour: ProviderBehaviour,
    ) -> Result<Self, HttpsError> {
        crate::rustls_provider::install();
        let faults = behaviour.faults;
        let mut roots = RootCertStore::empty();
        roots.add(ca_der.clone()).map_err(|e| HttpsError::Tls(e.to_string()))?;
        let verifier = WebPkiClientVerifier::builder(Arc::new(roots));
        let verifier = if !faults.has(Fault::DoorNoClientAuth) {
            verifier
        } else {
            verifier.allow_unauthenticated()
        };
        let mut verifier = verifier.build().map_err(|e| HttpsError::Tls(e.to_string()))?;
        if faults.has(Fault::DoorAnyClientCa) {
            verifier = Arc::new(AnyClientCertificate(verifier));
        }
        let mut config = rustls::ServerConfig::builder()
            .with_client_cert_verifier(verifier)
            .with_single_cert(vec![identity.cert_der.clone()], identity.key())
            .map_err(|e| HttpsError::Tls(e.to_string()))?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let app = routes
            .route(
                super::directory::PATH,
                axum::routing::get(directory).with_state(behaviour),
            )
            .layer(middleware::from_fn_with_state(
                Arc::new((identity.domain.clone(), faults)),
                check_peer,
            ));
        let handle = axum_server::Handle::new();
        // TCP_NODELAY: small HTTP/2 frames must not wait for the peer's delayed ACK (40 ms a
        // round trip on loopback otherwise).
        let acceptor = axum_server::tls_rustls::RustlsAcceptor::new(RustlsConfig::from_config(Arc::new(config)))
            .acceptor(axum_server::accept::NoDelayAcceptor::new());
        let server = match listener {
            Some(l) => axum_server::from_tcp(l)?,
            None => axum_server::bind(SocketAddr::from(([127, 0, 0, 1], 0))),
        };
        let mut server = server.acceptor(acceptor).handle(handle.clone());
        // A peer that connects and then says nothing must not hold a connection for ever.
        server
            .http_builder()
            .http1()
            .timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT);
        let task = tokio::spawn(server.serve(app.into_make_service()));
        let addr = handle
            .listening()
            .await
            .ok_or_else(|| HttpsError::Tls("the server did not start".into()))?;
        Ok(ProviderServer {
            domain: identity.domain.clone(),
            addr,
            handle,
            task: Some(task),
        })
    }

    pub fn shutdown(&self) {
        self.handle.shutdown();
    }

    /// Shuts the server down and waits (a few seconds at most) until it no longer accepts.
    pub async fn stop(mut self) {
        self.handle.shutdown();
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(STOP_WAIT, task).await;
        }
    }
}

impl Drop for ProviderServer {
    fn drop(&mut self) {
        self.handle.shutdown();
    }
}

/// §4.1 at the door: `Host` names this provider; `From` is `mimi@<domain>` and the client
/// certificate is valid for that domain.
async fn check_peer(State(door): State<Arc<(String, FaultSet)>>, request: Request, next: Next) -> Response {
    let (domain, faults) = &*door;
    let authority = authority(&request);
    let tls = request.extensions().get::<Arc<TlsInfo>>();
    if let Err((status, why)) = peer_problem(domain, authority.as_deref(), request.headers(), tls, *faults) {
        return (status, why).into_response();
    }
    next.run(request).await
}

/// `Host` (HTTP/1.1) or the `:authority` (HTTP/2, which hyper puts in the URI).
fn authority(request: &Request) -> Option<String> {
    request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| request.uri().authority().map(|a| a.to_string()))
}

/// The first §4.1 check that fails, of those no fault switches off (each one on its own, so
/// that a fault in one leaves the others working).
fn peer_problem(
    domain: &str,
    authority: Option<&str>,
    headers: &HeaderMap,
    tls: Option<&Arc<TlsInfo>>,
    faults: FaultSet,
) -> Result<(), (StatusCode, String)> {
    if faults.has(Fault::DoorRefusesEverything) {
        return Err((StatusCode::FORBIDDEN, "refused".into()));
    }
    // The port is not part of the provider's name (§4.1).
    let host = authority.map(|h| match h.rsplit_once(':') {
        Some((name, _)) if !faults.has(Fault::DoorHostPortStrict) => name,
        _ => h,
    });
    if !faults.has(Fault::DoorIgnoresHost) && host != Some(domain) {
        return Err((
            StatusCode::MISDIRECTED_REQUEST,
            format!("Host is {host:?}; this provider is {domain}"),
        ));
    }
    if faults.has(Fault::DoorIgnoresFrom) {
        return Ok(());
    }
    if headers.get_all(header::FROM).iter().count() > 1 {
        return Err((StatusCode::BAD_REQUEST, "more than one From header".into()));
    }
    let from = headers.get(header::FROM).and_then(|h| h.to_str().ok());
    let Some(source) = from.and_then(|f| f.strip_prefix(FROM_LOCAL_PART).and_then(|r| r.strip_prefix('@'))) else {
        return Err((
            StatusCode::BAD_REQUEST,
            format!("From is {from:?}; §4.1 wants mimi@<provider domain>"),
        ));
    };
    let cert = tls.and_then(|t| t.peer_certificates.first());
    match cert {
        Some(der) if certificate_names(der, source) => Ok(()),
        Some(_) => Err((
            StatusCode::FORBIDDEN,
            format!("the client certificate is not valid for {source}, the From domain"),
        )),
        None => Err((StatusCode::FORBIDDEN, "no client certificate".into())),
    }
}

/// §5.1: the directory of endpoint URLs (the draft's `update{roomId}` is read as `update/{roomId}`).
async fn directory(State(behaviour): State<ProviderBehaviour>, request: Request) -> Response {
    let authority = authority(&request).unwrap_or_default();
    axum::Json(super::directory::document(
        &authority,
        behaviour.prefix,
        behaviour.faults,
    ))
    .into_response()
}

/// A provider calling its peers over mutual TLS.
#[derive(Debug, Clone)]
pub struct PeerClient {
    /// The caller's domain; `None` for a client without certificate (a fault knob).
    pub domain: Option<String>,
    client: reqwest::Client,
}

impl PeerClient {
    /// A client presenting `identity` (or no certificate), trusting `ca`, reaching each
    /// `(domain, addr)` on loopback; `http1` forces HTTP/1.1 (so that a `Host` header is sent).
    pub fn new(
        identity: Option<&ProviderIdentity>,
        ca: &TestCa,
        peers: &[(String, SocketAddr)],
        http1: bool,
    ) -> Result<Self, HttpsError> {
        Self::trusting(identity, ca.cert_pem(), peers, http1)
    }

    /// The same, trusting the CA certificate `ca_pem` (PEM), as a provider told it by `configure`.
    pub fn trusting(
        identity: Option<&ProviderIdentity>,
        ca_pem: &str,
        peers: &[(String, SocketAddr)],
        http1: bool,
    ) -> Result<Self, HttpsError> {
        crate::rustls_provider::install();
        let err = |e: reqwest::Error| HttpsError::Client(crate::error_chain::chain(&e));
        let mut builder = reqwest::Client::builder()
            .https_only(true)
            .tcp_nodelay(true)
            .tls_certs_only([reqwest::Certificate::from_pem(ca_pem.as_bytes()).map_err(err)?]);
        if let Some(id) = identity {
            let pem = format!("{}{}", id.cert_pem, id.key_pem);
            builder = builder.identity(reqwest::Identity::from_pem(pem.as_bytes()).map_err(err)?);
        }
        if http1 {
            builder = builder.http1_only();
        }
        for (domain, addr) in peers {
            builder = builder.resolve(domain, *addr);
        }
        Ok(PeerClient {
            domain: identity.map(|i| i.domain.clone()),
            client: builder.build().map_err(err)?,
        })
    }

    /// A request to `https://<domain>:<port><path>` with §4.1's `From: mimi@<own domain>`.
    pub fn request(&self, method: reqwest::Method, domain: &str, port: u16, path: &str) -> reqwest::RequestBuilder {
        let own = self.domain.as_deref().unwrap_or("unknown.invalid");
        self.request_with_from(&format!("{FROM_LOCAL_PART}@{own}"), method, domain, port, path)
    }

    /// The same with any `From` value (a simulated provider may lie on purpose).
    pub fn request_with_from(
        &self,
        from: &str,
        method: reqwest::Method,
        domain: &str,
        port: u16,
        path: &str,
    ) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("https://{domain}:{port}{path}"))
            .header(header::FROM, from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(host: &str, from: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, host.parse().unwrap());
        if let Some(f) = from {
            h.insert(header::FROM, f.parse().unwrap());
        }
        h
    }

    #[test]
    fn rejects_a_host_naming_another_provider() {
        let h = headers("other.example:443", Some("mimi@a.example"));
        let e = peer_problem("hub.example", Some("other.example:443"), &h, None, FaultSet::NONE).unwrap_err();
        assert_eq!(e.0, StatusCode::MISDIRECTED_REQUEST);
    }

    #[test]
    fn rejects_a_missing_or_malformed_from() {
        for from in [None, Some("a.example"), Some("admin@a.example")] {
            let e = peer_problem(
                "hub.example",
                Some("hub.example"),
                &headers("hub.example", from),
                None,
                FaultSet::NONE,
            )
            .unwrap_err();
            assert_eq!(e.0, StatusCode::BAD_REQUEST, "{from:?}");
        }
    }

    #[test]
    fn rejects_a_request_without_client_certificate() {
        let h = headers("hub.example", Some("mimi@a.example"));
        let e = peer_problem("hub.example", Some("hub.example:8443"), &h, None, FaultSet::NONE).unwrap_err();
        assert_eq!(e.0, StatusCode::FORBIDDEN);
    }
}
