//! Running a scenario: a deployment of providers on loopback HTTPS (one per role, each with a
//! domain of its own in this run's namespace), then the steps, each checked as it ends.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use super::{ClientCert, Method, Player, Scenario, Step};
use crate::harness::{Outcome, Transcript};
use crate::provider::https::{FROM_LOCAL_PART, HttpsError, PeerClient, ProviderServer, install_crypto};
use crate::provider::pki::{ProviderIdentity, TestCa};
use crate::provider::{ProviderBehaviour, ProviderState, key_material};

/// Who plays `iut` roles.
#[derive(Debug, Clone, Copy)]
pub enum IutEndpoint {
    /// The built-in reference provider, started in-process, behaving as this says (the faults
    /// of the reference it stands for).
    Builtin(ProviderBehaviour),
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
            let behaviour = match (player, iut) {
                (Player::Iut, IutEndpoint::Builtin(behaviour)) => behaviour,
                (Player::Sim, _) => ProviderBehaviour::default(),
            };
            // The users of the role. The built-in IUT and the simulated providers create them
            // directly. TODO: an implementation outside the process would create them through
            // the driver (`user.create`); until that operation exists such a scenario is
            // `unsupported` for it (see `suites::Check::run`).
            let mut state = ProviderState::new(&identity.domain);
            for u in scenario.users.get(role).into_iter().flatten() {
                state
                    .add_user(&u.user, u.clients)
                    .map_err(|e| HttpsError::Tls(format!("cannot create user {}: {e}", u.user)))?;
            }
            let routes = key_material::routes(Arc::new(Mutex::new(state)), behaviour.key_material);
            let server = ProviderServer::start(&identity, &ca, routes, behaviour.door).await?;
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

/// The decoded responses of the steps so far, by step name.
type Decoded = BTreeMap<String, Value>;

/// Runs every step; the first that does not hold ends the scenario (all its requirements are MUSTs
/// or the step says which outcomes are allowed).
pub async fn run_scenario(scenario: &Scenario, iut: IutEndpoint, timeout: Duration, tr: &mut Transcript) -> Outcome {
    let deployment = match Deployment::start(scenario, iut).await {
        Ok(d) => d,
        Err(e) => return Outcome::error(format!("cannot start the deployment: {e}")),
    };
    let mut decoded = Decoded::new();
    for step in &scenario.steps {
        match tokio::time::timeout(timeout, run_step(&deployment, step, &mut decoded, tr)).await {
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

async fn run_step(d: &Deployment, step: &Step, decoded: &mut Decoded, tr: &mut Transcript) -> Result<(), Outcome> {
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
    let path = d.expand(&r.path);
    let mut req = client.request_with_from(&from, method, &receiver.domain, server.addr.port(), &path);
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
                .request(method, &receiver.domain, server.addr.port(), &path)
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
