//! Running a scenario: a deployment of providers on loopback HTTPS (one per role, each with a
//! domain of its own in this run's namespace), then the steps, each checked as it ends.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::{ClientCert, Method, Player, Scenario, Step};
use crate::harness::{Outcome, Transcript};
use crate::provider::https::{DoorChecks, FROM_LOCAL_PART, HttpsError, PeerClient, ProviderServer, install_crypto};
use crate::provider::pki::{ProviderIdentity, TestCa};

/// Who plays `iut` roles.
#[derive(Debug, Clone, Copy)]
pub enum IutEndpoint {
    /// The built-in reference provider, started in-process with these door checks.
    Builtin(DoorChecks),
}

/// The providers of one scenario run.
pub struct Deployment {
    ca: TestCa,
    roles: BTreeMap<String, (ProviderIdentity, ProviderServer)>,
}

/// Namespaces keep concurrent scenarios apart: each run's domains are unique.
static NAMESPACE: AtomicU64 = AtomicU64::new(1);

impl Deployment {
    /// Starts one provider per role.
    pub async fn start(scenario: &Scenario, iut: IutEndpoint) -> Result<Self, HttpsError> {
        install_crypto();
        let ns = NAMESPACE.fetch_add(1, Ordering::Relaxed);
        let ca = TestCa::new().map_err(|e| HttpsError::Tls(e.to_string()))?;
        let mut roles = BTreeMap::new();
        for (role, player) in &scenario.roles {
            let identity = ca
                .issue(&format!("{role}.n{ns}.example"))
                .map_err(|e| HttpsError::Tls(e.to_string()))?;
            let door = match (player, iut) {
                (Player::Iut, IutEndpoint::Builtin(door)) => door,
                (Player::Sim, _) => DoorChecks::default(),
            };
            let server = ProviderServer::start(&identity, &ca, axum::Router::new(), door).await?;
            roles.insert(role.clone(), (identity, server));
        }
        Ok(Deployment { ca, roles })
    }

    /// `{role}` in `s` replaced by that role's domain.
    fn expand(&self, s: &str) -> String {
        self.roles.iter().fold(s.to_owned(), |s, (role, (id, _))| {
            s.replace(&format!("{{{role}}}"), &id.domain)
        })
    }
}

/// Runs every step; the first that does not hold ends the scenario (all its requirements are MUSTs
/// or the step says which outcomes are allowed).
pub async fn run_scenario(scenario: &Scenario, iut: IutEndpoint, timeout: Duration, tr: &mut Transcript) -> Outcome {
    let deployment = match Deployment::start(scenario, iut).await {
        Ok(d) => d,
        Err(e) => return Outcome::error(format!("cannot start the deployment: {e}")),
    };
    for step in &scenario.steps {
        match tokio::time::timeout(timeout, run_step(&deployment, step, tr)).await {
            Ok(Ok(())) => {}
            Ok(Err(o)) => return o,
            Err(_) => {
                return Outcome {
                    status: crate::harness::Status::Timeout,
                    message: format!("step {:?}: no answer within {timeout:?}", step.name),
                };
            }
        }
    }
    Outcome::pass()
}

async fn run_step(d: &Deployment, step: &Step, tr: &mut Transcript) -> Result<(), Outcome> {
    let r = &step.request;
    let (sender, _) = &d.roles[&r.from];
    let (receiver, server) = &d.roles[&r.to];
    let error = |m: String| Outcome::error(format!("step {:?}: {m}", step.name));
    let peers = [(receiver.domain.clone(), server.addr)];
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
    let mut req = client.request_with_from(&from, method, &receiver.domain, server.addr.port(), &r.path);
    if let Some(host) = &r.host {
        req = req.header(reqwest::header::HOST, d.expand(host));
    }
    if let Some(body) = &r.body {
        req = req.body(hex::decode(body).unwrap_or_default());
    }
    tr.notes.push(format!(
        "{}: {} → {} {:?} https://{}{} (From: {from}, client cert: {:?})",
        step.name, r.from, r.to, r.method, receiver.domain, r.path, r.client_cert
    ));
    let result = req.send().await;
    let e = &step.expect;
    let response = match (result, e.tls) {
        (Err(err), Some(_)) => {
            tr.notes
                .push(format!("{}: connection refused as expected: {err}", step.name));
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
    Ok(())
}
