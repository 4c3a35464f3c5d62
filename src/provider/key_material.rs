//! draft-ietf-mimi-protocol-06 §5.2 Fetch Key Material, as the reference provider serves it:
//! `POST /v1/keyMaterial/{targetUser}` with a TLS-encoded `KeyMaterialRequest`, answered with a
//! `KeyMaterialResponse`.
//!
//! ```text
//!   requester ──POST /v1/keyMaterial/mimi%3A%2F%2Fhub.example%2Fu%2Falice──► target provider
//!             ◄── 200 KeyMaterialResponse {userStatus, userUri, clients[ {clientStatus, clientUri, keyPackage} ]}
//! ```
//!
//! * The path holds the whole target user URI percent-encoded as one segment (reading PROT-X01);
//!   it must equal the body's `targetUser`.
//! * A body that does not decode as a KeyMaterialRequest (malformed, truncated, trailing bytes)
//!   is answered `400`. A body whose protocol is not mls10 is answered `incompatibleProtocol`
//!   (the select has no arm for it, so only the fields before it are read).
//! * The user codes: `userUnknown` for a user the provider does not have; `noCompatibleMaterial`
//!   when no offered ciphersuite is acceptable or the `requiredCapabilities` are beyond the
//!   clients' capabilities (the clients are then listed as `nothingCompatible`, capabilities
//!   omitted: PROT-07's MAY); `success` / `partialSuccess` otherwise. Every other code leaves
//!   `clients` empty (PROT-08).
//! * Each KeyPackage is fresh from [`MlsClient::key_packages`], and its KeyPackageRef is recorded
//!   with its client (PROT-I03): a KeyPackage is never handed out twice (PROT-09); one already
//!   handed out makes its client `keyMaterialExhausted`.
//! * **The request signature is not checked.** `key_material_request_signature` is
//!   SignWithLabel over KeyMaterialRequestTBS with `requesterSignatureKey`, but -06 does not say
//!   which signature scheme that key uses (the request offers several ciphersuites), so the
//!   reference reads the field and ignores it (catalog: PROT-I02).

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::http::StatusCode;
use openmls::prelude::{Ciphersuite, MlsMessageBodyIn, MlsMessageIn, OpenMlsProvider as _, ProtocolVersion};
use tls_codec::DeserializeBytes;

use super::faults::{Fault, FaultSet};
use super::hub::Refusal;
use super::state::ProviderState;
use crate::codec::protocol::common::Protocol;
use crate::codec::protocol::key_material::ClientMaterial;
use crate::codec::protocol::{
    self, CipherSuite, ClientKeyMaterial, IdentifierUri, KeyMaterialClientCode, KeyMaterialRequest,
    KeyMaterialResponse, KeyMaterialUserCode, KeyPackageBytes, Opaque, Optional, RequiredCapabilities, VecOf,
};
use crate::mls::{CIPHERSUITES, MlsClient};

/// The response to `body` sent to `/v1/keyMaterial/<target>`, or why the request is refused.
pub(crate) fn answer(state: &mut ProviderState, target: &str, body: &[u8]) -> Result<KeyMaterialResponse, Refusal> {
    let faults = state.behaviour.faults;
    let request = match read_request(body, target, faults)? {
        Ok(request) => request,
        Err(protocol) => {
            return Ok(response(
                protocol,
                KeyMaterialUserCode::INCOMPATIBLE_PROTOCOL,
                target,
                Vec::new(),
            ));
        }
    };
    // The request signature is not checked (see the module documentation).
    // The target's clients: MLS clients of this provider's own, or the clients the harness plays
    // for it (server-only mode), whose KeyPackages were published.
    let mls_clients = state.users.get(target).cloned();
    let uris: Vec<String> = match (&mls_clients, state.accounts.users.get(target)) {
        (Some(clients), _) => clients.iter().map(|c| c.uri().to_owned()).collect(),
        (None, Some(clients)) => clients.clone(),
        (None, None) => {
            let mut listed = Vec::new();
            if faults.has(Fault::KeyMaterialPopulatesClientsOnError) {
                listed.push(ClientKeyMaterial {
                    client_status: KeyMaterialClientCode::KEY_MATERIAL_EXHAUSTED,
                    client_uri: IdentifierUri::new(target),
                    material: ClientMaterial::None {},
                });
            }
            return Ok(response(
                Protocol::MLS10,
                KeyMaterialUserCode::USER_UNKNOWN,
                target,
                listed,
            ));
        }
    };
    // §5.2 noConsent: "the requester does not have consent to fetch key material for the target
    // user"; a user of this provider needs none.
    let requester = String::from_utf8_lossy(request.requesting_user.uri.as_slice()).into_owned();
    if state.behaviour.require_consent
        && super::state::domain_of(&requester) != Some(state.domain.as_str())
        && !state.consents.contains(&(target.to_owned(), requester))
    {
        return Ok(response(
            Protocol::MLS10,
            KeyMaterialUserCode::NO_CONSENT,
            target,
            Vec::new(),
        ));
    }
    let ciphersuite = if faults.has(Fault::KeyMaterialIgnoresCiphersuites) {
        Some(CIPHERSUITES[0])
    } else {
        choose_ciphersuite(&request.acceptable_ciphersuites)
            .filter(|_| capabilities_suffice(&request.required_capabilities))
    };
    let Some(ciphersuite) = ciphersuite else {
        // PROT-07: the provider MAY list the clients; the reference does, without capabilities.
        let listed = uris
            .iter()
            .map(|uri| ClientKeyMaterial {
                client_status: KeyMaterialClientCode::NOTHING_COMPATIBLE,
                client_uri: IdentifierUri::new(uri),
                material: ClientMaterial::Capabilities {
                    client_capabilities: Optional(None),
                },
            })
            .collect();
        return Ok(response(
            Protocol::MLS10,
            KeyMaterialUserCode::NO_COMPATIBLE_MATERIAL,
            target,
            listed,
        ));
    };
    let listed = hand_out(state, &uris, mls_clients.as_deref(), ciphersuite, faults)?;
    let successes = listed
        .iter()
        .filter(|c| c.client_status == KeyMaterialClientCode::SUCCESS)
        .count();
    let code = match successes {
        n if n == listed.len() && n > 0 => KeyMaterialUserCode::SUCCESS,
        0 => KeyMaterialUserCode::NO_COMPATIBLE_MATERIAL,
        _ => KeyMaterialUserCode::PARTIAL_SUCCESS,
    };
    Ok(response(Protocol::MLS10, code, target, listed))
}

/// The KeyMaterialRequest `body` holds for `target` (the path's user): `Err` a 400 for a body
/// that does not decode, names another user or offers no ciphersuite; `Ok(Err(protocol))` for
/// a well-formed request of a protocol other than mls10 (`incompatibleProtocol`).
fn read_request(body: &[u8], target: &str, faults: FaultSet) -> Result<Result<KeyMaterialRequest, Protocol>, Refusal> {
    let request = match protocol::decode::<KeyMaterialRequest>(body) {
        Ok(r) => r,
        Err(e) => {
            if let Some(protocol) = foreign_protocol(body) {
                return Ok(Err(protocol));
            }
            if !faults.has(Fault::KeyMaterialAcceptsMalformedBody) {
                return Err((StatusCode::BAD_REQUEST, format!("not a KeyMaterialRequest: {e}")));
            }
            lenient_request(target)
        }
    };
    let body_target = String::from_utf8_lossy(request.target_user.uri.as_slice());
    if body_target != target && !faults.has(Fault::KeyMaterialAcceptsMalformedBody) {
        return Err((
            StatusCode::BAD_REQUEST,
            format!("the path names {target:?} but the body's targetUser is {body_target:?}"),
        ));
    }
    if request.acceptable_ciphersuites.is_empty() && !faults.has(Fault::KeyMaterialIgnoresCiphersuites) {
        return Err((
            StatusCode::BAD_REQUEST,
            "acceptableCiphersuites is empty (§5.2: a non-empty list)".into(),
        ));
    }
    Ok(Ok(request))
}

/// One KeyPackage in `ciphersuite` for each client of `uris` (made by `mls_clients`, the
/// target's own MLS clients, or taken from those its server-only clients published), each
/// recorded as handed out (PROT-I03); a KeyPackage handed out before, or none left, makes its
/// client `keyMaterialExhausted` (PROT-09).
fn hand_out(
    state: &mut ProviderState,
    uris: &[String],
    mls_clients: Option<&[Arc<MlsClient>]>,
    ciphersuite: Ciphersuite,
    faults: FaultSet,
) -> Result<Vec<ClientKeyMaterial>, Refusal> {
    let mut listed = Vec::new();
    let mut handed = Vec::new();
    for (i, uri) in uris.iter().enumerate() {
        let key = (uri.clone(), u16::from(ciphersuite));
        let reused = faults
            .has(Fault::KeyMaterialReusesKeyPackages)
            .then(|| state.first_handed_out.get(&key).cloned())
            .flatten();
        let internal = |e| (StatusCode::INTERNAL_SERVER_ERROR, e);
        let parsed = match (reused, mls_clients) {
            (Some(kp), _) => key_package_in(&kp).map_err(internal)?,
            (None, Some(clients)) => {
                let client = &clients[i];
                let made = if faults.has(Fault::KeyMaterialExpiredKeyPackages) {
                    client.expired_key_packages(ciphersuite, 1)
                } else {
                    client.key_packages(ciphersuite, 1)
                };
                let made = made.ok().and_then(|v| v.into_iter().next()).ok_or_else(|| {
                    (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        format!("cannot make a KeyPackage for {uri}"),
                    )
                })?;
                key_package_in(&made).map_err(internal)?
            }
            (None, None) => match state.accounts.take_key_package(uri, u16::from(ciphersuite)) {
                Some(kp) => kp,
                None => {
                    listed.push(ClientKeyMaterial {
                        client_status: KeyMaterialClientCode::KEY_MATERIAL_EXHAUSTED,
                        client_uri: IdentifierUri::new(uri),
                        material: ClientMaterial::None {},
                    });
                    continue;
                }
            },
        };
        let reference = key_package_ref(&parsed).map_err(internal)?;
        let fresh = !state.handed_out.contains_key(&reference);
        if fresh || faults.has(Fault::KeyMaterialReusesKeyPackages) {
            let message = key_package_message(&parsed).map_err(internal)?;
            handed.push((key, reference, uri.clone(), message));
            listed.push(ClientKeyMaterial {
                client_status: KeyMaterialClientCode::SUCCESS,
                client_uri: IdentifierUri::new(uri),
                material: ClientMaterial::KeyPackage {
                    // §5.2 `KeyPackage keyPackage`: the KeyPackage itself, not the MLSMessage.
                    key_package: KeyPackageBytes(key_package_bytes(&parsed).map_err(internal)?),
                },
            });
        } else {
            listed.push(ClientKeyMaterial {
                client_status: KeyMaterialClientCode::KEY_MATERIAL_EXHAUSTED,
                client_uri: IdentifierUri::new(uri),
                material: ClientMaterial::None {},
            });
        }
    }
    for (key, reference, client, key_package) in handed {
        state.first_handed_out.entry(key).or_insert(key_package);
        state.handed_out.insert(reference, client);
    }
    Ok(listed)
}

fn response(
    protocol: Protocol,
    user_status: KeyMaterialUserCode,
    user: &str,
    clients: Vec<ClientKeyMaterial>,
) -> KeyMaterialResponse {
    KeyMaterialResponse {
        protocol,
        user_status,
        user_uri: IdentifierUri::new(user),
        clients: VecOf(clients),
    }
}

/// The protocol of a body that names one other than mls10 and is well formed up to the select.
fn foreign_protocol(body: &[u8]) -> Option<Protocol> {
    let (protocol, rest) = Protocol::tls_deserialize_bytes(body).ok()?;
    if protocol == Protocol::MLS10 {
        return None;
    }
    let (_, rest) = IdentifierUri::tls_deserialize_bytes(rest).ok()?;
    let (_, rest) = IdentifierUri::tls_deserialize_bytes(rest).ok()?;
    IdentifierUri::tls_deserialize_bytes(rest).ok()?;
    Some(protocol)
}

/// What [`Fault::KeyMaterialAcceptsMalformedBody`] makes of an unreadable body.
fn lenient_request(target: &str) -> KeyMaterialRequest {
    KeyMaterialRequest {
        protocol: Protocol::MLS10,
        requesting_user: IdentifierUri::default(),
        target_user: IdentifierUri::new(target),
        room_id: IdentifierUri::default(),
        acceptable_ciphersuites: VecOf(vec![CipherSuite(u16::from(CIPHERSUITES[0]))]),
        required_capabilities: RequiredCapabilities {
            extension_types: VecOf(Vec::new()),
            proposal_types: VecOf(Vec::new()),
            credential_types: VecOf(Vec::new()),
        },
        requester_signature_key: Opaque(Vec::new()),
        requester_credential: serde_json::from_value(serde_json::json!({"credential_type": "basic", "identity": ""}))
            .expect("a basic credential"),
        key_material_request_signature: Opaque(Vec::new()),
    }
}

/// The first ciphersuite of the request (in its order of preference) that the clients offer.
fn choose_ciphersuite(acceptable: &[CipherSuite]) -> Option<Ciphersuite> {
    acceptable
        .iter()
        .filter_map(|c| Ciphersuite::try_from(c.0).ok())
        .find(|c| CIPHERSUITES.contains(c))
}

/// Whether every client's capabilities (they are all [`MlsClient::capabilities`]) cover
/// `required`; the RFC 9420 default extensions (1–5) and proposals (1–7) need no listing.
fn capabilities_suffice(required: &RequiredCapabilities) -> bool {
    let offered = MlsClient::capabilities();
    let extensions: BTreeSet<u16> = offered.extensions().iter().map(|e| u16::from(*e)).collect();
    let proposals: BTreeSet<u16> = offered.proposals().iter().map(|p| u16::from(*p)).collect();
    let credentials: BTreeSet<u16> = offered.credentials().iter().map(|c| u16::from(*c)).collect();
    required
        .extension_types
        .iter()
        .all(|e| (1..=5).contains(&e.0) || extensions.contains(&e.0))
        && required
            .proposal_types
            .iter()
            .all(|p| (1..=7).contains(&p.0) || proposals.contains(&p.0))
        && required.credential_types.iter().all(|c| credentials.contains(&c.0))
}

/// The KeyPackage in an MLSMessage (what [`MlsClient::key_packages`] returns).
fn key_package_in(message: &[u8]) -> Result<openmls::prelude::KeyPackageIn, String> {
    let message = MlsMessageIn::tls_deserialize_exact_bytes(message).map_err(|e| e.to_string())?;
    let MlsMessageBodyIn::KeyPackage(key_package) = message.extract() else {
        return Err("not a KeyPackage".into());
    };
    Ok(key_package)
}

/// The KeyPackageRef (RFC 9420 §5.2) of a KeyPackage.
fn key_package_ref(key_package: &openmls::prelude::KeyPackageIn) -> Result<Vec<u8>, String> {
    let crypto = openmls_rust_crypto::OpenMlsRustCrypto::default();
    // A deliberately expired KeyPackage does not validate; its reference is still computed
    // from its bytes as RFC 9420 defines.
    let key_package = match key_package.clone().validate(crypto.crypto(), ProtocolVersion::Mls10) {
        Ok(kp) => kp,
        Err(_) => return Ok(sha256_ref(key_package_bytes(key_package)?)),
    };
    key_package
        .hash_ref(crypto.crypto())
        .map(|r| r.as_slice().to_vec())
        .map_err(|e| format!("{e:?}"))
}

/// The bare KeyPackage in an MLSMessage (what [`MlsClient::key_packages`] returns) and its
/// KeyPackageRef.
pub(crate) fn bare_and_ref(message: &[u8]) -> Result<(Vec<u8>, Vec<u8>), String> {
    let key_package = key_package_in(message)?;
    Ok((key_package_bytes(&key_package)?, key_package_ref(&key_package)?))
}

/// A KeyPackage as an MLSMessage (how [`ProviderState::first_handed_out`] keeps them).
fn key_package_message(key_package: &openmls::prelude::KeyPackageIn) -> Result<Vec<u8>, String> {
    // MLSMessage: version mls10 (1), wire format mls_key_package (5), then the KeyPackage.
    let mut message = vec![0, 1, 0, 5];
    message.extend(key_package_bytes(key_package)?);
    Ok(message)
}

/// A published KeyPackage (bare, as §5.2 carries it), checked: it decodes whole, validates now
/// (signature, lifetime) and is of a ciphersuite the reference offers. Its ciphersuite and the
/// KeyPackage.
pub(crate) fn published_key_package(bytes: &[u8]) -> Result<(u16, openmls::prelude::KeyPackageIn), String> {
    use openmls::prelude::tls_codec::Deserialize as _;
    let key_package =
        openmls::prelude::KeyPackageIn::tls_deserialize_exact(bytes).map_err(|e| format!("not a KeyPackage: {e}"))?;
    let crypto = openmls_rust_crypto::OpenMlsRustCrypto::default();
    let valid = key_package
        .clone()
        .validate(crypto.crypto(), ProtocolVersion::Mls10)
        .map_err(|e| format!("the KeyPackage does not validate: {e:?}"))?;
    let suite = valid.ciphersuite();
    if !CIPHERSUITES.contains(&suite) {
        return Err(format!("ciphersuite {suite:?} is not one the reference offers"));
    }
    Ok((u16::from(suite), key_package))
}

fn key_package_bytes(key_package: &openmls::prelude::KeyPackageIn) -> Result<Vec<u8>, String> {
    use openmls::prelude::tls_codec::Serialize as _;
    key_package.tls_serialize_detached().map_err(|e| e.to_string())
}

fn sha256_ref(bytes: Vec<u8>) -> Vec<u8> {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).to_vec()
}

/// How many KeyPackages the harness publishes per client and ciphersuite for a server-only
/// implementation to hand out (a scenario fetches a user's key material a few times at most).
pub const KEY_PACKAGES_PER_SUITE: usize = 3;

/// Fresh KeyPackages of `client` (a client the harness plays, in `state`), bare as §5.2 carries
/// them, [`KEY_PACKAGES_PER_SUITE`] in each ciphersuite the clients offer; their KeyPackageRefs
/// are recorded with the client, so that the Welcome that uses one finds it.
pub fn key_packages_to_publish(
    state: &mut ProviderState,
    client: &crate::mls::MlsClient,
) -> Result<Vec<Vec<u8>>, String> {
    let mut bare = Vec::new();
    for suite in crate::mls::CIPHERSUITES {
        let made = client
            .key_packages(suite, KEY_PACKAGES_PER_SUITE)
            .map_err(|e| format!("cannot make KeyPackages for {}: {e}", client.uri()))?;
        for message in made {
            let (bytes, reference) = bare_and_ref(&message)?;
            state.handed_out.insert(reference, client.uri().to_owned());
            bare.push(bytes);
        }
    }
    Ok(bare)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(target: &str, suites: &[u16]) -> Vec<u8> {
        let mut r = lenient_request(target);
        r.acceptable_ciphersuites = VecOf(suites.iter().map(|s| CipherSuite(*s)).collect());
        protocol::encode(&r).unwrap()
    }

    #[test]
    fn every_prefix_of_a_request_is_refused_without_panic() {
        let mut state = ProviderState::new("hub.example", Default::default()).unwrap();
        let alice = state.add_user("alice", 1).unwrap();
        let body = request(&alice, &[1]);
        for n in 0..body.len() {
            let r = answer(&mut state, &alice, &body[..n]);
            assert_eq!(r.unwrap_err().0, StatusCode::BAD_REQUEST, "prefix {n}");
        }
    }

    #[test]
    fn every_byte_flip_of_a_request_is_answered_without_panic() {
        let mut state = ProviderState::new("hub.example", Default::default()).unwrap();
        let alice = state.add_user("alice", 1).unwrap();
        let body = request(&alice, &[1]);
        for i in 0..body.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut b = body.clone();
                b[i] ^= flip;
                let _ = answer(&mut state, &alice, &b);
            }
        }
    }

    #[test]
    fn key_packages_are_handed_out_once() {
        let mut state = ProviderState::new("hub.example", Default::default()).unwrap();
        let alice = state.add_user("alice", 2).unwrap();
        let body = request(&alice, &[7, 3]);
        let a = answer(&mut state, &alice, &body).unwrap();
        let b = answer(&mut state, &alice, &body).unwrap();
        assert_eq!(a.user_status, KeyMaterialUserCode::SUCCESS);
        assert_eq!(a.clients.len(), 2);
        for (x, y) in a.clients.iter().zip(b.clients.iter()) {
            assert_ne!(x.material, y.material);
        }
        assert_eq!(state.handed_out.len(), 4);
    }

    #[test]
    fn a_provider_requiring_consent_serves_only_whom_its_user_consented_to() {
        let mut state = ProviderState::new("hub.example", Default::default()).unwrap();
        let alice = state.add_user("alice", 1).unwrap();
        state.behaviour.require_consent = true;
        let mut body = lenient_request(&alice);
        body.requesting_user = IdentifierUri::new("mimi://follower.example/u/bob");
        let body = protocol::encode(&body).unwrap();
        let refused = answer(&mut state, &alice, &body).unwrap();
        assert_eq!(refused.user_status, KeyMaterialUserCode::NO_CONSENT);
        assert!(refused.clients.is_empty());
        state
            .consents
            .insert((alice.clone(), "mimi://follower.example/u/bob".into()));
        let served = answer(&mut state, &alice, &body).unwrap();
        assert_eq!(served.user_status, KeyMaterialUserCode::SUCCESS);
        // A user of the provider itself needs none.
        let mut local = lenient_request(&alice);
        local.requesting_user = IdentifierUri::new("mimi://hub.example/u/carol");
        let own = answer(&mut state, &alice, &protocol::encode(&local).unwrap()).unwrap();
        assert_eq!(own.user_status, KeyMaterialUserCode::SUCCESS);
    }

    #[test]
    fn status_codes() {
        let mut state = ProviderState::new("hub.example", Default::default()).unwrap();
        let alice = state.add_user("alice", 2).unwrap();
        let unknown = answer(
            &mut state,
            "mimi://hub.example/u/nobody",
            &request("mimi://hub.example/u/nobody", &[1]),
        )
        .unwrap();
        assert_eq!(unknown.user_status, KeyMaterialUserCode::USER_UNKNOWN);
        assert!(unknown.clients.is_empty());
        let none = answer(&mut state, &alice, &request(&alice, &[2, 7])).unwrap();
        assert_eq!(none.user_status, KeyMaterialUserCode::NO_COMPATIBLE_MATERIAL);
        let mut foreign = request(&alice, &[1]);
        foreign[0] = 9;
        let foreign = answer(&mut state, &alice, &foreign).unwrap();
        assert_eq!(foreign.user_status, KeyMaterialUserCode::INCOMPATIBLE_PROTOCOL);
        assert!(answer(&mut state, "mimi://hub.example/u/bob", &request(&alice, &[1])).is_err());
    }
}
