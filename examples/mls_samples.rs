//! Writes `tools/protocol-vectors/mls-samples.json`: real RFC 9420 objects made with the suite's
//! own MLS layer (`src/mls`, openmls 0.9), which `tools/protocol-vectors/generate.py` embeds in
//! the draft-ietf-mimi-protocol-06 vectors in place of made-up bytes.
//!
//! ```text
//! cargo run --example mls_samples
//! python3 tools/protocol-vectors/generate.py
//! ```
//!
//! Keys and randomness are fresh on every run, so every run gives different bytes (and every
//! vector that embeds them changes): run it once and commit the file.
//!
//! The flow: alice (a.example) creates the room with the hub a.example as external sender; the hub
//! follows it; alice commits the Add of bob's client together with a §7.5 ParticipantListUpdate
//! adding bob; the hub accepts the commit; alice sends an application message; the hub proposes
//! removing bob's client, then alice's. Every object is written as the MLSMessage openmls
//! serialized (the generator strips the 4-octet header where -06 embeds the bare struct).

use std::collections::BTreeSet;
use std::sync::Arc;

use mimi_conformance::codec::protocol::{
    self, MlsMessageBytes, Opaque, ParticipantListData, ParticipantListUpdate, UserRolePair, VecOf,
};
use mimi_conformance::mls::{
    AppDataRules, CIPHERSUITES, HubIdentity, HubRoom, MlsClient, PARTICIPANT_LIST, Room, RoomChanges, RoomConfig,
};
use serde_json::{Value, json};
use tls_codec::DeserializeBytes as _;

const HUB: &str = "mimi://a.example";
const ALICE: &str = "mimi://a.example/d/alice/phone";
const BOB: &str = "mimi://b.example/d/bob/laptop";
const ROOM: &str = "mimi://a.example/r/clubhouse";
/// The role_index given to every participant (an index into the room's roles; not 1, "banned").
const ROLE: u32 = 4;
const OUT: &str = "tools/protocol-vectors/mls-samples.json";

type Error = Box<dyn std::error::Error>;

fn main() -> Result<(), Error> {
    let ciphersuite = CIPHERSUITES[0];
    let hub_identity = HubIdentity::new(HUB)?;
    let alice_client = Arc::new(MlsClient::new(ALICE)?);
    let bob_client = Arc::new(MlsClient::new(BOB)?);

    let mut alice = Room::create(
        alice_client.clone(),
        RoomConfig {
            ciphersuite,
            room_id: ROOM.to_owned(),
            hub: hub_identity.external_sender(),
            participant_list: encode(&ParticipantListData {
                participants: VecOf(vec![participant(alice_client.user())]),
            })?,
            room_metadata: protocol::encode_named(
                "RoomMetaData",
                &json!({
                    "room_uri": hex::encode(ROOM),
                    "room_name": hex::encode("Clubhouse"),
                    "room_descriptions": [],
                    "room_avatar": "",
                    "room_subject": "",
                    "room_mood": "",
                }),
            )?,
            rules: rules(),
            components: Vec::new(),
        },
    )?;
    let mut hub = HubRoom::follow(
        hub_identity.external_sender(),
        &alice.group_info()?,
        None,
        rules(),
        &participants,
    )?;

    let mut key_packages = bob_client.key_packages(ciphersuite, 3)?.into_iter();
    let mut next_key_package = || key_packages.next().ok_or("too few KeyPackages");
    let added = alice.commit(RoomChanges {
        add: vec![next_key_package()?],
        update: vec![(
            PARTICIPANT_LIST,
            encode(&ParticipantListUpdate {
                changed_role_participants: VecOf::default(),
                removed_indices: VecOf::default(),
                added_participants: VecOf(vec![participant(bob_client.user())]),
            })?,
        )],
        ..RoomChanges::default()
    })?;
    hub.process(&added.commit, &participants)?;
    alice.confirm_commit()?;
    let application = alice.send(b"hello bob")?;
    let remove_bob = hub.propose_remove(&hub_identity, BOB)?;
    let remove_alice = hub.propose_remove(&hub_identity, ALICE)?;

    let samples = [
        (
            "key_package",
            next_key_package()?,
            "A KeyPackage of bob's client (mls_key_package), not used in the room.",
        ),
        (
            "key_package_2",
            next_key_package()?,
            "Another KeyPackage of bob's client (mls_key_package), not used in the room.",
        ),
        (
            "commit",
            added.commit,
            "alice's commit in epoch 0 (mls_public_message, member sender, content_type commit): Add of \
             bob's client and an AppDataUpdate of participant_list adding bob.",
        ),
        (
            "welcome",
            added.welcome.ok_or("the commit has no Welcome")?,
            "The Welcome of that commit (mls_welcome), for bob's client; its GroupInfo carries the \
             ratchet_tree extension.",
        ),
        (
            "group_info",
            added.group_info.ok_or("the commit has no GroupInfo")?,
            "The GroupInfo of epoch 1 (mls_group_info), signed by alice, with the ratchet_tree extension.",
        ),
        (
            "proposal",
            remove_bob,
            "The hub's Remove of bob's client in epoch 1 (mls_public_message, external sender 0, \
             content_type proposal).",
        ),
        (
            "proposal_2",
            remove_alice,
            "The hub's Remove of alice's client in epoch 1 (mls_public_message, external sender 0, \
             content_type proposal).",
        ),
        (
            "application",
            application,
            "alice's application message \"hello bob\" in epoch 1 (mls_private_message, content_type \
             application).",
        ),
    ];
    let mut out = serde_json::Map::new();
    for (name, bytes, comment) in samples {
        // Each must be exactly one MLSMessage, as the protocol codec frames it.
        let (_, rest) = MlsMessageBytes::tls_deserialize_bytes(&bytes)?;
        if !rest.is_empty() {
            return Err(format!("{name}: {} byte(s) after the MLSMessage", rest.len()).into());
        }
        out.insert(name.to_owned(), json!({"comment": comment, "hex": hex::encode(&bytes)}));
    }
    let doc = json!({
        "comment": "Real RFC 9420 objects for the draft-ietf-mimi-protocol-06 vectors, each a serialized \
                    MLSMessage made by openmls 0.9 through src/mls. Random on every run: regenerate only \
                    together with vectors/protocol/.",
        "generator": "cargo run --example mls_samples",
        "ciphersuite": "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519",
        "room": ROOM,
        "hub": HUB,
        "samples": Value::Object(out),
    });
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(OUT);
    std::fs::write(&path, serde_json::to_string_pretty(&doc)? + "\n")?;
    println!("wrote {}", path.display());
    Ok(())
}

fn encode<T: protocol::Message>(value: &T) -> Result<Vec<u8>, Error> {
    Ok(protocol::encode(value)?)
}

fn participant(user: &str) -> UserRolePair {
    UserRolePair {
        user: Opaque(user.as_bytes().to_vec()),
        role_index: ROLE,
    }
}

/// The users of a §7.5 ParticipantListData.
fn participants(bytes: &[u8]) -> Result<BTreeSet<String>, String> {
    let list: ParticipantListData = protocol::decode(bytes).map_err(|e| e.to_string())?;
    Ok(list
        .participants
        .iter()
        .map(|p| String::from_utf8_lossy(p.user.as_slice()).into_owned())
        .collect())
}

/// §7.5: a ParticipantListUpdate changes roles, then removes, then appends; room metadata (§7.6)
/// is replaced whole.
fn rules() -> AppDataRules {
    AppDataRules::new(|component, current, update| {
        if component != PARTICIPANT_LIST {
            return Ok(update.to_vec());
        }
        let mut list: ParticipantListData = match current {
            Some(bytes) => protocol::decode(bytes).map_err(|e| e.to_string())?,
            None => ParticipantListData {
                participants: VecOf::default(),
            },
        };
        let update: ParticipantListUpdate = protocol::decode(update).map_err(|e| e.to_string())?;
        for change in update.changed_role_participants.iter() {
            let entry = list
                .participants
                .0
                .get_mut(change.user_index as usize)
                .ok_or("changedRoleParticipants: index out of range")?;
            entry.role_index = change.role_index;
        }
        let removed: BTreeSet<usize> = update.removed_indices.iter().map(|i| *i as usize).collect();
        let kept = list
            .participants
            .0
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !removed.contains(i))
            .map(|(_, p)| p);
        list.participants = VecOf(kept.chain(update.added_participants.0).collect());
        protocol::encode(&list).map_err(|e| e.to_string())
    })
}
