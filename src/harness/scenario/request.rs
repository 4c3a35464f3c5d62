//! A simulated provider's raw request to another role (the §4.1 fault knobs, a body given as a
//! protocol struct, a URL from the receiver's §5.1 directory) and the checks of its response.

use std::collections::BTreeMap;

use serde_json::Value;

use super::deploy::Deployment;
use super::expect::{members, subset};
use super::model::{ClientCert, Method, Request, Step};
use crate::harness::{Outcome, Transcript};
use crate::provider::directory::{self, Directory};
use crate::provider::https::{FROM_LOCAL_PART, PeerClient};
use crate::provider::pki::TestCa;

/// The decoded responses of the steps so far, by step name.
pub(super) type Decoded = BTreeMap<String, Value>;

pub(super) async fn run_request(
    d: &Deployment,
    step: &Step,
    r: &Request,
    decoded: &mut Decoded,
    tr: &mut Transcript,
) -> Result<(), Outcome> {
    let (req, path) = build(d, step, r, tr).await?;
    let Some(response) = send(d, step, r, req, &path, tr).await? else {
        return Ok(());
    };
    let e = &step.expect;
    let receiver = &d.roles[&r.to].identity;
    let status = response.status().as_u16();
    let body = crate::provider::state::read_capped(response, &format!("step {:?}", step.name))
        .await
        .map_err(Outcome::fail)?;
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
    if e.refused && (200..300).contains(&status) && !refused_in_body(r.endpoint.as_deref(), &body) {
        return Err(Outcome::mismatch(
            &format!("step {:?}: status", step.name),
            "a refusal (a status outside 2xx, or the endpoint's response with a refusal code)",
            status,
        ));
    }
    if !e.json_keys.is_empty() {
        check_json_keys(step, &body)?;
    }
    if let Some(name) = &e.response_struct {
        check_response(d, step, name, &body, decoded, tr)?;
    }
    Ok(())
}

/// The request a step describes: its client certificate, `From`, `Host`, path (given, or from
/// the receiver's directory) and body; and the path.
async fn build(
    d: &Deployment,
    step: &Step,
    r: &Request,
    tr: &mut Transcript,
) -> Result<(reqwest::RequestBuilder, String), Outcome> {
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
    Ok((req, path))
}

/// Sends the request; a response, or `None` when the step expected the TLS handshake to be
/// refused and it was (with a control request proving the server reachable).
async fn send(
    d: &Deployment,
    step: &Step,
    r: &Request,
    req: reqwest::RequestBuilder,
    path: &str,
    tr: &mut Transcript,
) -> Result<Option<reqwest::Response>, Outcome> {
    let sender = &d.roles[&r.from].identity;
    let receiver = &d.roles[&r.to].identity;
    let addr = d.roles[&r.to].addr;
    let error = |m: String| Outcome::error(format!("step {:?}: {m}", step.name));
    let peers = [(receiver.domain.clone(), addr)];
    let result = req.send().await;
    let response = match (result, step.expect.tls) {
        (Err(err), Some(_)) => {
            // A refusal proves something only if the same request with the sender's own
            // certificate and From gets through: otherwise the server is just unreachable.
            let control = PeerClient::new(Some(sender), &d.ca, &peers, false).map_err(|e| error(e.to_string()))?;
            let method = match r.method {
                Method::Get => reqwest::Method::GET,
                Method::Post => reqwest::Method::POST,
            };
            if let Err(e) = control
                .request(method, &receiver.domain, addr.port(), path)
                .send()
                .await
            {
                return Err(error(format!(
                    "the connection was refused ({}), but so was a control request with the sender's own \
                     certificate ({}): the refusal says nothing",
                    crate::error_chain::chain(&err),
                    crate::error_chain::chain(&e)
                )));
            }
            tr.notes.push(format!(
                "{}: connection refused as expected ({}); a control request with the sender's own certificate got through",
                step.name,
                crate::error_chain::chain(&err)
            ));
            return Ok(None);
        }
        (Ok(resp), Some(_)) => {
            return Err(Outcome::mismatch(
                &format!("step {:?}: the connection should have been refused", step.name),
                "TLS handshake rejected",
                format!("HTTP {}", resp.status()),
            ));
        }
        (Err(err), None) => {
            return Err(Outcome::fail(format!(
                "step {:?}: request failed: {}",
                step.name,
                crate::error_chain::chain(&err)
            )));
        }
        (Ok(resp), None) => Some(resp),
    };
    Ok(response)
}

/// The JSON members a step expects of the body (a directory lacking one is its own cause).
// An `Outcome` is a step's failure throughout the runner (its async steps are not linted for size).
#[allow(clippy::result_large_err)]
fn check_json_keys(step: &Step, body: &[u8]) -> Result<(), Outcome> {
    let e = &step.expect;
    let json: serde_json::Value = serde_json::from_slice(body)
        .map_err(|err| Outcome::fail(format!("step {:?}: the body is not JSON: {err}", step.name)))?;
    let missing: Vec<&String> = e.json_keys.iter().filter(|k| json.get(k.as_str()).is_none()).collect();
    if !missing.is_empty() {
        let o = Outcome::mismatch(
            &format!("step {:?}: JSON members", step.name),
            format!("{:?}", e.json_keys),
            format!("missing {missing:?}"),
        );
        let directory = step
            .request
            .as_ref()
            .is_some_and(|r| r.path.as_deref() == Some(crate::provider::directory::PATH));
        return Err(if directory {
            o.with_cause(crate::harness::Cause::DirectoryLacksEndpoint)
        } else {
            o
        });
    }
    Ok(())
}

/// The response decoded as the protocol struct `name`, matched against what the step expects,
/// and kept for later steps.
#[allow(clippy::result_large_err)]
fn check_response(
    d: &Deployment,
    step: &Step,
    name: &str,
    body: &[u8],
    decoded: &mut Decoded,
    tr: &mut Transcript,
) -> Result<(), Outcome> {
    let e = &step.expect;
    let value = crate::codec::protocol::decode_named(name, body).map_err(|err| {
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
    Ok(())
}

/// `domain`'s §5.1 directory, as `client` gets it.
pub(super) async fn fetch_directory(client: &PeerClient, domain: &str, port: u16) -> Result<Directory, String> {
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

/// The `keyPackage` members of a decoded response: exactly `want.count`, each a KeyPackage (§5.2
/// `KeyPackage keyPackage`: the RFC 9420 struct itself, not an MLSMessage) that openmls validates
/// now (signatures, lifetime) in `want.ciphersuite`.
pub(super) fn check_key_packages(value: &Value, want: &super::KeyPackagesExpect) -> Result<(), String> {
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

/// Whether a 2xx `body` from `endpoint` refuses all the same: -06 answers update, submitMessage
/// and groupInfo with a response struct whose code says whether the request was taken.
fn refused_in_body(endpoint: Option<&str>, body: &[u8]) -> bool {
    let (name, field, taken) = match endpoint {
        Some("update") => ("UpdateRoomResponse", "responseCode", "success"),
        Some("submitMessage") => ("SubmitMessageResponse", "statusCode", "accepted"),
        Some("groupInfo") => ("GroupInfoResponse", "status", "success"),
        _ => return false,
    };
    crate::codec::protocol::decode_named(name, body).is_ok_and(|v| v.get(field).is_some_and(|c| c != taken))
}
