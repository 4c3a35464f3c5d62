//! Three parties in a MIMI room: alice (a user of the hub provider a.example) creates it, the hub
//! follows it, bob (b.example) is added with a participant-list update and joins from the
//! Welcome, a client of a non-participant is refused, messages flow, bob is removed.
//!
//! The participant list here uses a stand-in encoding (user URIs, one per line) and a stand-in
//! update format (`+uri` / `-uri` lines), so that these tests exercise the AppDataUpdate diff
//! path without depending on the §7.5 TLS codec.

use std::collections::BTreeSet;
use std::sync::Arc;

use openmls::prelude::Ciphersuite;

use super::*;

const ALICE: &str = "mimi://a.example/d/alice/phone";
const BOB: &str = "mimi://b.example/d/bob/laptop";
const MALLORY: &str = "mimi://c.example/d/mallory/phone";
const ROOM: &str = "mimi://a.example/r/clubhouse";

fn participants(bytes: &[u8]) -> Result<BTreeSet<String>, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
    Ok(text.lines().filter(|l| !l.is_empty()).map(str::to_owned).collect())
}

/// `+uri` appends a user, `-uri` removes one; room metadata is replaced whole (§7.6).
fn rules() -> AppDataRules {
    AppDataRules::new(|component, current, update| {
        if component != PARTICIPANT_LIST {
            return Ok(update.to_vec());
        }
        let mut users: Vec<String> = participants(current.unwrap_or_default())?.into_iter().collect();
        let update = std::str::from_utf8(update).map_err(|e| e.to_string())?;
        for line in update.lines() {
            match line.split_at_checked(1) {
                Some(("+", user)) => users.push(user.to_owned()),
                Some(("-", user)) => users.retain(|u| u != user),
                _ => return Err(format!("bad participant-list update line {line:?}")),
            }
        }
        Ok(users.join("\n").into_bytes())
    })
}

/// The committer and epoch of an accepted commit.
fn committed(event: HubEvent) -> (String, u64) {
    match event {
        HubEvent::Commit { committer, epoch, .. } => (committer, epoch),
        other => panic!("expected a commit, got {other:?}"),
    }
}

struct Setup {
    hub_identity: HubIdentity,
    hub: HubRoom,
    alice: Room,
    bob_client: Arc<MlsClient>,
}

/// alice creates the room with participant list {alice}; the hub follows from her GroupInfo.
fn setup(ciphersuite: Ciphersuite) -> Setup {
    let hub_identity = HubIdentity::new("mimi://a.example").unwrap();
    let alice_client = Arc::new(MlsClient::new(ALICE).unwrap());
    assert_eq!(alice_client.user(), "mimi://a.example/u/alice");
    let alice = Room::create(
        alice_client,
        RoomConfig {
            ciphersuite,
            room_id: ROOM.to_owned(),
            hub: hub_identity.external_sender(),
            participant_list: b"mimi://a.example/u/alice".to_vec(),
            room_metadata: b"clubhouse".to_vec(),
            rules: rules(),
            components: Vec::new(),
        },
    )
    .unwrap();
    let hub = HubRoom::follow(
        hub_identity.external_sender(),
        &alice.group_info().unwrap(),
        None,
        rules(),
        &participants,
    )
    .unwrap();
    Setup {
        hub_identity,
        hub,
        alice,
        bob_client: Arc::new(MlsClient::new(BOB).unwrap()),
    }
}

fn three_party_flow(ciphersuite: Ciphersuite) {
    let Setup {
        hub_identity: _,
        mut hub,
        mut alice,
        bob_client,
    } = setup(ciphersuite);
    assert_eq!(alice.room_id(), ROOM);
    assert_eq!(hub.group_id(), ROOM.as_bytes());
    assert_eq!((alice.epoch(), hub.epoch()), (0, 0));
    assert_eq!(hub.members(), vec![ALICE.to_owned()]);
    assert_eq!(hub.room_metadata().as_deref(), Some(&b"clubhouse"[..]));

    // Adding a client whose user is not a participant: the hub refuses (arch §4.1).
    let mallory = MlsClient::new(MALLORY).unwrap();
    let refused = alice
        .add_clients(&mallory.key_packages(ciphersuite, 1).unwrap())
        .unwrap();
    match hub.process(&refused.commit, &participants) {
        Err(HubProcessError::NotAParticipant { client, user }) => {
            assert_eq!(client, MALLORY);
            assert_eq!(user, "mimi://c.example/u/mallory");
        }
        other => panic!("expected NotAParticipant, got {other:?}"),
    }
    assert_eq!(hub.epoch(), 0, "a refused commit leaves the room unchanged");
    alice.discard_commit().unwrap();

    // PROT-11: the participant-list update and the Add of bob's client in one commit.
    let bob_key_packages = bob_client.key_packages(ciphersuite, 2).unwrap();
    let added = alice
        .commit(RoomChanges {
            add: vec![bob_key_packages[0].clone()],
            update: vec![(PARTICIPANT_LIST, b"+mimi://b.example/u/bob".to_vec())],
            ..RoomChanges::default()
        })
        .unwrap();
    assert_eq!(
        committed(hub.process(&added.commit, &participants).unwrap()),
        (ALICE.to_owned(), 1)
    );
    alice.confirm_commit().unwrap();
    let welcome = added.welcome.expect("a Welcome for bob");
    let mut bob = Room::join(bob_client.clone(), &welcome, rules()).unwrap();
    let list = b"mimi://a.example/u/alice\nmimi://b.example/u/bob".to_vec();
    for component in [alice.component(PARTICIPANT_LIST), bob.component(PARTICIPANT_LIST)] {
        assert_eq!(component.as_ref(), Some(&list));
    }
    assert_eq!(hub.participant_list(), Some(list));
    assert_eq!(hub.members(), vec![ALICE.to_owned(), BOB.to_owned()]);
    assert_eq!(bob.members(), hub.members());

    // One-time KeyPackage: the same Welcome cannot be used again.
    assert!(matches!(
        Room::join(bob_client.clone(), &welcome, rules()),
        Err(JoinRoomError::Welcome(_))
    ));
    // A replayed commit is for an old epoch.
    assert!(matches!(
        hub.process(&added.commit, &participants),
        Err(HubProcessError::WrongEpoch { expected: 1, got: 0 })
    ));

    assert_eq!((alice.epoch(), bob.epoch(), hub.epoch()), (1, 1, 1));
    assert_eq!(alice.epoch_authenticator(), bob.epoch_authenticator());

    // Application message alice → bob; the hub only sees a PrivateMessage of the epoch.
    let message = alice.send(b"hello bob").unwrap();
    assert_eq!(
        hub.process(&message, &participants).unwrap(),
        HubEvent::Application { epoch: 1 }
    );
    assert_eq!(
        bob.process(&message).unwrap(),
        Received::Application {
            sender: ALICE.to_owned(),
            data: b"hello bob".to_vec()
        }
    );

    // A room metadata change (§7.6, full replacement) committed by bob.
    let renamed = bob.update_component(ROOM_METADATA, b"the clubhouse".to_vec()).unwrap();
    hub.process(&renamed.commit, &participants).unwrap();
    bob.confirm_commit().unwrap();
    assert!(matches!(
        alice.process(&renamed.commit).unwrap(),
        Received::Commit {
            epoch: 2,
            removed: false,
            ..
        }
    ));
    assert_eq!(alice.component(ROOM_METADATA).as_deref(), Some(&b"the clubhouse"[..]));
    assert_eq!(hub.room_metadata().as_deref(), Some(&b"the clubhouse"[..]));
    assert_eq!((alice.epoch(), bob.epoch(), hub.epoch()), (2, 2, 2));
    assert_eq!(alice.epoch_authenticator(), bob.epoch_authenticator());

    // Removing bob, and bob from the participant list.
    let removed = alice
        .commit(RoomChanges {
            remove: vec![BOB.to_owned()],
            update: vec![(PARTICIPANT_LIST, b"-mimi://b.example/u/bob".to_vec())],
            ..RoomChanges::default()
        })
        .unwrap();
    hub.process(&removed.commit, &participants).unwrap();
    alice.confirm_commit().unwrap();
    assert_eq!(
        bob.process(&removed.commit).unwrap(),
        Received::Commit {
            committer: ALICE.to_owned(),
            epoch: 3,
            removed: true
        }
    );
    assert!(!bob.is_active());
    assert_eq!((alice.epoch(), hub.epoch()), (3, 3));
    assert_eq!(hub.members(), vec![ALICE.to_owned()]);
    assert_eq!(alice.members(), hub.members());
    assert_eq!(
        hub.participant_list().as_deref(),
        Some(&b"mimi://a.example/u/alice"[..])
    );
}

#[test]
fn three_party_flow_ciphersuite_1() {
    three_party_flow(Ciphersuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519);
}

#[test]
fn three_party_flow_ciphersuite_3() {
    three_party_flow(Ciphersuite::MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519);
}

#[test]
fn hub_rejects_removing_a_participant_whose_client_stays() {
    let Setup { mut hub, mut alice, .. } = setup(CIPHERSUITES[0]);
    let commit = alice
        .update_component(PARTICIPANT_LIST, b"-mimi://a.example/u/alice".to_vec())
        .unwrap();
    assert!(matches!(
        hub.process(&commit.commit, &participants),
        Err(HubProcessError::NotAParticipant { client, .. }) if client == ALICE
    ));
}

#[test]
fn hub_refuses_to_follow_a_room_without_it_in_external_senders() {
    let Setup { alice, .. } = setup(CIPHERSUITES[0]);
    let other_hub = HubIdentity::new("mimi://other.example").unwrap();
    assert!(matches!(
        HubRoom::follow(
            other_hub.external_sender(),
            &alice.group_info().unwrap(),
            None,
            rules(),
            &participants,
        ),
        Err(FollowRoomError::HubNotAnExternalSender)
    ));
}

#[test]
fn hub_reports_an_unreadable_participant_list() {
    let Setup { mut hub, mut alice, .. } = setup(CIPHERSUITES[0]);
    let commit = alice
        .update_component(PARTICIPANT_LIST, b"+mimi://b.example/u/bob".to_vec())
        .unwrap();
    let refuse_all = |_: &[u8]| -> Result<BTreeSet<String>, String> { Err("unreadable".into()) };
    assert!(matches!(
        hub.process(&commit.commit, &refuse_all),
        Err(HubProcessError::ParticipantListUnreadable(reason)) if reason == "unreadable"
    ));
}

#[test]
fn rejects_malformed_bytes_everywhere() {
    let Setup {
        hub_identity,
        mut hub,
        mut alice,
        bob_client,
    } = setup(CIPHERSUITES[0]);
    let group_info = alice.group_info().unwrap();
    let key_package = bob_client.key_packages(CIPHERSUITES[0], 1).unwrap().remove(0);
    let commit = alice.add_clients(std::slice::from_ref(&key_package)).unwrap();
    alice.discard_commit().unwrap();

    let garbage: [&[u8]; 4] = [b"", b"\x00", b"\x00\x01\x00\x05\xff\xff\xff\xff", &[0xff; 64]];
    for bytes in garbage {
        assert!(hub.process(bytes, &participants).is_err());
        assert!(alice.process(bytes).is_err());
        assert!(Room::join(bob_client.clone(), bytes, rules()).is_err());
        assert!(HubRoom::follow(hub_identity.external_sender(), bytes, None, rules(), &participants).is_err());
        assert!(alice.add_clients(&[bytes.to_vec()]).is_err());
    }
    // Every proper prefix of a commit, a GroupInfo and a KeyPackage is refused.
    for cut in 0..commit.commit.len() {
        assert!(matches!(
            hub.process(&commit.commit[..cut], &participants),
            Err(HubProcessError::InvalidMessage(_))
        ));
    }
    for cut in (0..group_info.len()).step_by(7) {
        assert!(
            HubRoom::follow(
                hub_identity.external_sender(),
                &group_info[..cut],
                None,
                rules(),
                &participants
            )
            .is_err()
        );
    }
    for cut in (0..key_package.len()).step_by(5) {
        assert!(matches!(
            alice.add_clients(&[key_package[..cut].to_vec()]),
            Err(CommitError::KeyPackageDecode { .. })
        ));
    }
    // Flipped bytes in the commit: refused, never accepted, never a panic.
    for at in (0..commit.commit.len()).step_by(11) {
        let mut flipped = commit.commit.clone();
        flipped[at] ^= 0x01;
        assert!(hub.process(&flipped, &participants).is_err(), "flip at {at}");
    }
    // The wrong kind of message.
    assert!(matches!(
        hub.process(&group_info, &participants),
        Err(HubProcessError::NotAGroupMessage(_))
    ));
    assert!(matches!(
        alice.add_clients(std::slice::from_ref(&group_info)),
        Err(CommitError::NotAKeyPackage { index: 0, .. })
    ));
    assert!(matches!(
        Room::join(bob_client, &key_package, rules()),
        Err(JoinRoomError::NotAWelcome(_))
    ));
    assert_eq!(hub.epoch(), 0);
}

#[test]
fn key_packages_are_mls_messages_with_the_mimi_capabilities() {
    use openmls::prelude::tls_codec::DeserializeBytes as _;
    use openmls::prelude::{ExtensionType, MlsMessageBodyIn, MlsMessageIn, ProposalType};

    let client = MlsClient::new(BOB).unwrap();
    for ciphersuite in CIPHERSUITES {
        let packages = client.key_packages(ciphersuite, 3).unwrap();
        assert_eq!(packages.len(), 3);
        assert_eq!(packages.iter().collect::<BTreeSet<_>>().len(), 3);
        for bytes in packages {
            let MlsMessageBodyIn::KeyPackage(key_package) =
                MlsMessageIn::tls_deserialize_exact_bytes(&bytes).unwrap().extract()
            else {
                panic!("not a KeyPackage");
            };
            let key_package = key_package
                .validate(
                    &openmls_rust_crypto::RustCrypto::default(),
                    openmls::prelude::ProtocolVersion::Mls10,
                )
                .unwrap();
            assert_eq!(key_package.ciphersuite(), ciphersuite);
            assert!(!key_package.last_resort());
            let capabilities = key_package.leaf_node().capabilities();
            assert!(capabilities.extensions().contains(&ExtensionType::AppDataDictionary));
            assert!(capabilities.proposals().contains(&ProposalType::AppDataUpdate));
        }
    }
    assert!(matches!(
        client.key_packages(Ciphersuite::MLS_128_DHKEMP256_AES128GCM_SHA256_P256, 1),
        Err(KeyPackageError::UnsupportedCiphersuite(_))
    ));
}

#[test]
fn user_of_client_maps_device_uris_to_user_uris() {
    assert_eq!(user_of_client(ALICE).unwrap(), "mimi://a.example/u/alice");
    for bad in [
        "",
        "https://a.example/d/alice/phone",
        "mimi://a.example/u/alice",
        "mimi://a.example/d/ClientA1",
        "mimi://a.example/d/alice/phone/extra",
        "mimi://a.example/d//phone",
        "mimi:///d/alice/phone",
        "mimi://a.example/d/al ice/phone",
    ] {
        assert!(user_of_client(bad).is_err(), "{bad:?}");
    }
    assert!(matches!(
        MlsClient::new("mimi://a.example/d/ClientA1"),
        Err(NewClientError::ClientUri(_))
    ));
}

/// The hub removes bob's client with an external Remove proposal (§7.3, §7.4); alice commits it
/// together with bob's removal from the participant list, and learns that the hub accepted her
/// commit when it is fanned back to her.
#[test]
fn hub_external_remove_proposal_is_committed_by_a_member() {
    let ciphersuite = CIPHERSUITES[1];
    let Setup {
        hub_identity,
        mut hub,
        mut alice,
        bob_client,
    } = setup(ciphersuite);
    let added = alice
        .commit(RoomChanges {
            add: bob_client.key_packages(ciphersuite, 1).unwrap(),
            update: vec![(PARTICIPANT_LIST, b"+mimi://b.example/u/bob".to_vec())],
            ..RoomChanges::default()
        })
        .unwrap();
    hub.process(&added.commit, &participants).unwrap();
    // The hub fans the commit out to alice too: her pending commit is merged.
    assert!(matches!(
        alice.process(&added.commit).unwrap(),
        Received::Commit {
            epoch: 1,
            removed: false,
            ..
        }
    ));
    let mut bob = Room::join(bob_client, &added.welcome.unwrap(), rules()).unwrap();

    let other_hub = HubIdentity::new("mimi://other.example").unwrap();
    assert!(matches!(
        hub.propose_remove(&other_hub, BOB),
        Err(HubProposeError::NotThisHub(_))
    ));
    assert!(matches!(
        hub.propose_remove(&hub_identity, MALLORY),
        Err(HubProposeError::UnknownMember(_))
    ));
    let proposal = hub.propose_remove(&hub_identity, BOB).unwrap();
    let from_hub = "mimi://a.example".to_owned();
    assert_eq!(
        hub.process(&proposal, &participants).unwrap(),
        HubEvent::Proposal {
            sender: from_hub.clone()
        }
    );
    for member in [&mut alice, &mut bob] {
        assert_eq!(
            member.process(&proposal).unwrap(),
            Received::Proposal {
                sender: from_hub.clone()
            }
        );
    }

    // Committing only the participant-list change also commits the stored Remove.
    let commit = alice
        .update_component(PARTICIPANT_LIST, b"-mimi://b.example/u/bob".to_vec())
        .unwrap();
    assert_eq!(
        committed(hub.process(&commit.commit, &participants).unwrap()),
        (ALICE.to_owned(), 2)
    );
    assert!(matches!(
        alice.process(&commit.commit).unwrap(),
        Received::Commit {
            epoch: 2,
            removed: false,
            ..
        }
    ));
    assert!(matches!(
        bob.process(&commit.commit).unwrap(),
        Received::Commit {
            epoch: 2,
            removed: true,
            ..
        }
    ));
    assert_eq!(hub.members(), vec![ALICE.to_owned()]);
    assert_eq!(alice.members(), hub.members());
}

/// A new device of a participant joins by external commit (§3.6) and the hub accepts it; a
/// client of a non-participant doing the same is refused.
#[test]
fn external_commit_of_a_new_device() {
    let ciphersuite = CIPHERSUITES[0];
    let Setup { mut hub, mut alice, .. } = setup(ciphersuite);
    let group_info = alice.group_info().unwrap();

    let mallory = Arc::new(MlsClient::new(MALLORY).unwrap());
    let (_, intrusion) = Room::join_external(mallory, &group_info, None, rules(), Vec::new()).unwrap();
    let intrusion = intrusion.commit;
    assert!(matches!(
        hub.process(&intrusion, &participants),
        Err(HubProcessError::NotAParticipant { client, .. }) if client == MALLORY
    ));

    let laptop_uri = "mimi://a.example/d/alice/laptop";
    let laptop = Arc::new(MlsClient::new(laptop_uri).unwrap());
    let tree = alice.ratchet_tree().unwrap();
    let (mut laptop_room, out) = Room::join_external(laptop, &group_info, Some(&tree), rules(), Vec::new()).unwrap();
    let commit = out.commit;
    assert_eq!(
        committed(hub.process(&commit, &participants).unwrap()),
        (laptop_uri.to_owned(), 1)
    );
    assert!(matches!(
        alice.process(&commit).unwrap(),
        Received::Commit {
            epoch: 1,
            removed: false,
            ..
        }
    ));
    assert_eq!(hub.members(), vec![ALICE.to_owned(), laptop_uri.to_owned()]);
    assert_eq!(laptop_room.members(), hub.members());
    assert_eq!(laptop_room.epoch_authenticator(), alice.epoch_authenticator());
    let hello = laptop_room.send(b"from the laptop").unwrap();
    assert_eq!(
        alice.process(&hello).unwrap(),
        Received::Application {
            sender: laptop_uri.to_owned(),
            data: b"from the laptop".to_vec()
        }
    );
}

/// The provider's HTTP handlers keep rooms in shared state across tasks.
#[test]
fn rooms_and_hub_views_can_move_between_threads() {
    fn send_and_sync<T: Send + Sync>() {}
    send_and_sync::<MlsClient>();
    send_and_sync::<Room>();
    send_and_sync::<HubRoom>();
    send_and_sync::<HubIdentity>();
    send_and_sync::<AppDataRules>();
}
