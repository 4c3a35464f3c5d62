//! draft-ietf-mimi-protocol-06 §5.6 Claim group key information, `POST /v1/groupInfo/{roomId}`:
//! the hub's answer, and the client's request and reading of that answer (the first half of an
//! external join; the external commit then goes to `/update`, §5.3).
//!
//! ```text
//!   joining client ── GroupInfoRequest (SignWithLabel "GroupInfoRequestTBS") ──► hub
//!        ◄── GroupInfoResponse { hub_sender, EncryptWithLabel(GroupInfo + tree),
//!                                SignWithLabel "GroupInfoResponseTBS" } ──
//! ```
//!
//! The hub gives the GroupInfo to a requester whose signature verifies and who may join: a
//! participant that is not banned (a new client of its user), or, in a room with a policy, a
//! user the room policy lets join (room-policy-03 §8.1.1, see `enforce::may_join`). Anyone else
//! gets `notAuthorized`; a room it does not host, `noSuchRoom`. The GroupInfo is the one the last
//! accepted commit carried (§5.3 GroupInfoOption); the tree is the hub's own (ratchetTreeOption
//! `full`); the pending proposals are those the hub accepted in the epoch. An external commit
//! cannot include them (RFC 9420 §12.4.3.2: no proposals by reference), so the hub accepts it
//! without them, and they die with the epoch (§5.3).

use axum::http::StatusCode;
use openmls::prelude::Ciphersuite;
use openmls::prelude::tls_codec::{DeserializeBytes as _, Serialize as _, VLBytes};

use super::faults::Fault;
use super::hub::{Notify, Refusal};
use super::state::{ProviderState, domain_of};
use crate::codec::protocol::common::{Credential, CredentialBody, ExternalSender, HpkeCiphertext, Protocol};
use crate::codec::protocol::group_info::{
    GroupInfoCode, GroupInfoRatchetTreeTbe, GroupInfoRequest, GroupInfoRequestTbs, GroupInfoResponse,
    GroupInfoResponseSuccess, GroupInfoSuccess, PendingProposal,
};
use crate::codec::protocol::ratchet_tree::{RatchetTreeArm, RatchetTreeOption, RatchetTreeRepresentation};
use crate::codec::protocol::{self, CipherSuite, Opaque, VecOf};
use crate::mls::labeled::{self, LabeledError};
use crate::mls::{MlsClient, WIRE_FORMAT_GROUP_INFO, mls_message, mls_message_body, user_of_client};

/// §5.6 labels.
const REQUEST_LABEL: &str = "GroupInfoRequestTBS";
const RESPONSE_LABEL: &str = "GroupInfoResponseTBS";
const ENCRYPTION_LABEL: &str = "GroupInfo and ratchet_tree encryption";

fn refused(room: &str, status: GroupInfoCode) -> GroupInfoResponse {
    GroupInfoResponse {
        version: Protocol::MLS10,
        room_id: Opaque(room.as_bytes().to_vec()),
        status,
        success: None,
    }
}

/// A ciphersuite the hub signs in (its signature key is Ed25519: ciphersuites 1 and 3).
fn ciphersuite(suite: CipherSuite) -> Option<Ciphersuite> {
    Ciphersuite::try_from(suite.0)
        .ok()
        .filter(|s| crate::mls::CIPHERSUITES.contains(s))
}

/// The identity of a basic credential.
fn basic_identity(credential: &Credential) -> Option<String> {
    match &credential.body {
        CredentialBody::Basic { identity } => String::from_utf8(identity.as_slice().to_vec()).ok(),
        CredentialBody::X509 { .. } => None,
    }
}

/// The hub's answer to a GroupInfoRequest of one of its own clients for `room` (in-process; no
/// notifies: nothing changes).
pub fn answer(state: &mut ProviderState, room: &str, body: &[u8]) -> Result<(GroupInfoResponse, Vec<Notify>), Refusal> {
    let own = state.domain.clone();
    answer_from(state, &own, room, body).map(|answer| (answer, Vec::new()))
}

/// The hub's answer to a GroupInfoRequest for `room` from provider `from` (authenticated by
/// mutual TLS, §4.1): the requesting credential must name a client of that provider, its
/// signature must verify, and its user must be allowed to join.
pub fn answer_from(
    state: &mut ProviderState,
    from: &str,
    room: &str,
    body: &[u8],
) -> Result<GroupInfoResponse, Refusal> {
    let request: GroupInfoRequest = match protocol::decode(body) {
        Ok(r) => r,
        Err(_) if state.behaviour.faults.has(Fault::HubAcceptsMalformedBodies) => {
            return Ok(refused(room, GroupInfoCode::NOT_AUTHORIZED));
        }
        Err(e) => return Err((StatusCode::BAD_REQUEST, format!("not a GroupInfoRequest: {e}"))),
    };
    let Some(hosted) = state.hosted.get(room) else {
        return Ok(refused(room, GroupInfoCode::NO_SUCH_ROOM));
    };
    let tbs = &request.tbs;
    let (Some(suite), Some(client)) = (
        ciphersuite(tbs.cipher_suite),
        basic_identity(&tbs.requesting_credential),
    ) else {
        return Ok(refused(room, GroupInfoCode::NOT_AUTHORIZED));
    };
    let signed = protocol::encode(tbs).map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let verified = labeled::verify_with_label(
        suite,
        tbs.requesting_signature_key.as_slice(),
        REQUEST_LABEL,
        &signed,
        request.signature.as_slice(),
    );
    let verified = verified.or_else(|e| {
        if state.behaviour.faults.has(Fault::HubGroupInfoUnverified) {
            Ok(())
        } else {
            Err(e)
        }
    });
    // The credential must be of a client of the provider that asks (else anyone could claim to
    // be a participant's new client).
    let of_sender = domain_of(&client) == Some(from) || state.behaviour.faults.has(Fault::HubGroupInfoUnverified);
    let user = user_of_client(&client).ok().filter(|_| of_sender);
    let allowed = match (verified, user) {
        (Ok(()), Some(user)) => super::enforce::may_join(&hosted.group, &user, state.behaviour.faults).is_ok(),
        _ => false,
    };
    if !allowed && !state.behaviour.faults.has(Fault::HubGroupInfoToAnyone) {
        return Ok(refused(room, GroupInfoCode::NOT_AUTHORIZED));
    }
    let internal = |e: String| (StatusCode::INTERNAL_SERVER_ERROR, e);
    // The hub holds the GroupInfo the last commit came with, unless it was a partial one.
    let current = Some((hosted.group.group_id().to_vec(), hosted.group.epoch()));
    if crate::mls::group_info_epoch(&hosted.group_info) != current {
        return Err((
            StatusCode::SERVICE_UNAVAILABLE,
            "the hub holds no GroupInfo of the room's current epoch (the last commit carried a partial one)".into(),
        ));
    }
    let group_info = mls_message_body(&hosted.group_info, WIRE_FORMAT_GROUP_INFO)
        .ok_or_else(|| internal("the stored GroupInfo is not an MLSMessage".into()))?
        .to_vec();
    let tree = hosted.group.ratchet_tree().map_err(|e| internal(e.to_string()))?;
    let tree = VLBytes::tls_deserialize_exact_bytes(&tree).map_err(|e| internal(e.to_string()))?;
    let tbe = GroupInfoRatchetTreeTbe {
        group_info: group_info.into(),
        ratchet_tree_option: RatchetTreeOption {
            representation: RatchetTreeRepresentation::FULL,
            arm: RatchetTreeArm::Full {
                ratchet_tree: Opaque(tree.as_slice().to_vec()),
            },
        },
        pending_proposals: VecOf(
            hosted
                .pending
                .iter()
                .map(|(proposal, time)| PendingProposal {
                    proposal: proposal.clone().into(),
                    hub_accepted_time: *time,
                })
                .collect(),
        ),
    };
    let plaintext = protocol::encode(&tbe).map_err(|e| internal(e.to_string()))?;
    let (kem_output, ciphertext) = labeled::encrypt_with_label(
        suite,
        tbs.group_info_public_key.as_slice(),
        ENCRYPTION_LABEL,
        room.as_bytes(),
        &plaintext,
    )
    .map_err(|e| {
        (
            StatusCode::BAD_REQUEST,
            format!("groupInfoPublicKey is not an HPKE public key of the request's cipher suite: {e}"),
        )
    })?;
    // A broken hub signs as a key that is not the room's external sender.
    let stranger;
    let signer = if state.behaviour.faults.has(Fault::HubGroupInfoForeignSender) {
        stranger = crate::mls::HubIdentity::new(state.hub.uri()).map_err(|e| internal(e.to_string()))?;
        &stranger
    } else {
        &state.hub
    };
    let mls10 = GroupInfoSuccess {
        cipher_suite: tbs.cipher_suite,
        hub_sender: ExternalSender {
            signature_key: Opaque(signer.signature_public_key()),
            credential: Credential::basic(state.hub.uri().as_bytes()),
        },
        encrypted_groupinfo_and_tree: HpkeCiphertext {
            kem_output: Opaque(kem_output),
            ciphertext: Opaque(ciphertext),
        },
    };
    let mut response = GroupInfoResponse {
        version: Protocol::MLS10,
        room_id: Opaque(room.as_bytes().to_vec()),
        status: GroupInfoCode::SUCCESS,
        success: Some(GroupInfoResponseSuccess {
            mls10,
            signature: Opaque::default(),
        }),
    };
    let tbs = response.tbs().map(|t| protocol::encode(&t));
    let signature = match tbs {
        Some(Ok(tbs)) => signer
            .sign_with_label(
                if state.behaviour.faults.has(Fault::HubGroupInfoBadSignature) {
                    REQUEST_LABEL
                } else {
                    RESPONSE_LABEL
                },
                &tbs,
            )
            .map_err(|e| internal(e.to_string()))?,
        _ => return Err(internal("cannot build the GroupInfoResponseTBS".into())),
    };
    if let Some(s) = response.success.as_mut() {
        s.signature = Opaque(signature);
    }
    Ok(response)
}

/// A client's GroupInfoRequest and the HPKE private key its answer is encrypted to.
pub struct Request {
    pub body: Vec<u8>,
    private_key: Vec<u8>,
    suite: Ciphersuite,
}

/// Builds `client`'s signed GroupInfoRequest in `suite`, its credential naming `identity` (the
/// client's URI; another only for a misbehaving simulated provider), `bad_signature`: signed with
/// the wrong label (a fault).
pub fn request(
    client: &MlsClient,
    identity: &str,
    suite: Ciphersuite,
    bad_signature: bool,
) -> Result<Request, LabeledError> {
    let (private_key, public_key) = labeled::hpke_key_pair(suite)?;
    let credential = client.credential();
    let tbs = GroupInfoRequestTbs {
        protocol: Protocol::MLS10,
        cipher_suite: CipherSuite(u16::from(suite)),
        requesting_signature_key: Opaque(credential.signature_key.as_slice().to_vec()),
        requesting_credential: Credential::basic(identity.as_bytes()),
        group_info_public_key: Opaque(public_key),
        joining_code: None,
    };
    let signed = protocol::encode(&tbs).map_err(|e| LabeledError::Hpke(e.to_string()))?;
    let label = if bad_signature { RESPONSE_LABEL } else { REQUEST_LABEL };
    let signature = client.sign_with_label(label, &signed)?;
    let body = protocol::encode(&GroupInfoRequest {
        tbs,
        signature: Opaque(signature),
    })
    .map_err(|e| LabeledError::Hpke(e.to_string()))?;
    Ok(Request {
        body,
        private_key,
        suite,
    })
}

/// What a successful GroupInfoResponse gave: the GroupInfo (an MLSMessage) and the ratchet tree
/// (TLS-serialized), and the hub's external_senders entry as the response names it.
pub struct Claimed {
    pub group_info: Vec<u8>,
    pub ratchet_tree: Vec<u8>,
    pub hub_sender_key: Vec<u8>,
}

/// Reads a GroupInfoResponse to `request` for `room`: `Err` names what is wrong with it (the
/// status when it is not success; a signature that does not verify; a payload that does not
/// decrypt or decode; a tree the client cannot use).
pub fn read(request: &Request, room: &str, response: &GroupInfoResponse) -> Result<Claimed, String> {
    let Some(success) = &response.success else {
        return Err(format!(
            "the hub answered {}",
            response.status.name().unwrap_or("an unknown status")
        ));
    };
    if response.room_id.as_slice() != room.as_bytes() {
        return Err("§5.6: the GroupInfoResponse names another room".into());
    }
    let tbs = response
        .tbs()
        .map(|t| protocol::encode(&t))
        .transpose()
        .map_err(|e| e.to_string())?
        .unwrap_or_default();
    let key = success.mls10.hub_sender.signature_key.as_slice();
    labeled::verify_with_label(request.suite, key, RESPONSE_LABEL, &tbs, success.signature.as_slice())
        .map_err(|e| format!("§5.6: the GroupInfoResponse signature does not verify with hub_sender's key: {e}"))?;
    let sealed = &success.mls10.encrypted_groupinfo_and_tree;
    let plaintext = labeled::decrypt_with_label(
        request.suite,
        &request.private_key,
        ENCRYPTION_LABEL,
        room.as_bytes(),
        sealed.kem_output.as_slice(),
        sealed.ciphertext.as_slice(),
    )
    .map_err(|e| format!("§5.6: encrypted_groupinfo_and_tree does not decrypt: {e}"))?;
    let tbe: GroupInfoRatchetTreeTbe = protocol::decode(&plaintext)
        .map_err(|e| format!("§5.6: the decrypted payload is not a GroupInfoRatchetTreeTBE: {e}"))?;
    let RatchetTreeArm::Full { ratchet_tree } = &tbe.ratchet_tree_option.arm else {
        return Err("§5.6: the reference joins only with a full ratchet tree".into());
    };
    let ratchet_tree = VLBytes::new(ratchet_tree.as_slice().to_vec())
        .tls_serialize_detached()
        .map_err(|e| e.to_string())?;
    Ok(Claimed {
        group_info: mls_message(WIRE_FORMAT_GROUP_INFO, tbe.group_info.as_slice()),
        ratchet_tree,
        hub_sender_key: key.to_vec(),
    })
}
