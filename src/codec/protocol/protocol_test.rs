//! The codec against `vectors/protocol/*.json` (written by `tools/protocol-vectors/generate.py`
//! with an independent encoder), plus hostile input.

use super::*;
use crate::codec::tls::{DecodeError, EncodeError, Rule};

const FILES: &[(&str, &str)] = &[
    ("common.json", include_str!("../../../vectors/protocol/common.json")),
    (
        "key-material.json",
        include_str!("../../../vectors/protocol/key-material.json"),
    ),
    ("update.json", include_str!("../../../vectors/protocol/update.json")),
    ("submit.json", include_str!("../../../vectors/protocol/submit.json")),
    ("franking.json", include_str!("../../../vectors/protocol/franking.json")),
    ("fanout.json", include_str!("../../../vectors/protocol/fanout.json")),
    (
        "group-info.json",
        include_str!("../../../vectors/protocol/group-info.json"),
    ),
    ("consent.json", include_str!("../../../vectors/protocol/consent.json")),
    (
        "identifier.json",
        include_str!("../../../vectors/protocol/identifier.json"),
    ),
    ("abuse.json", include_str!("../../../vectors/protocol/abuse.json")),
    (
        "pseudonymous.json",
        include_str!("../../../vectors/protocol/pseudonymous.json"),
    ),
    (
        "participant-list.json",
        include_str!("../../../vectors/protocol/participant-list.json"),
    ),
    (
        "room-metadata.json",
        include_str!("../../../vectors/protocol/room-metadata.json"),
    ),
    (
        "ratchet-tree.json",
        include_str!("../../../vectors/protocol/ratchet-tree.json"),
    ),
];

struct Case {
    file: &'static str,
    slug: String,
    valid: bool,
    ty: String,
    bytes: Vec<u8>,
    reading: Reading,
    expected: serde_json::Value,
    rule: String,
    req: String,
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    for (file, text) in FILES {
        let doc: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(doc["schema"], "mimi-conformance/vectors/v1", "{file}");
        assert_eq!(doc["kind"], "tls", "{file}");
        assert_eq!(doc["draft"], "draft-ietf-mimi-protocol", "{file}");
        assert_eq!(doc["rev"], "06", "{file}");
        for t in doc["tests"].as_array().unwrap() {
            let s = |k: &str| t[k].as_str().unwrap_or_default().to_owned();
            out.push(Case {
                file,
                slug: s("slug"),
                valid: t["result"] == "valid",
                ty: s("struct"),
                bytes: hex::decode(s("hex")).unwrap(),
                reading: if t["reading"] == "alternative" {
                    Reading::alternative()
                } else {
                    Reading::default()
                },
                expected: t["expected"].clone(),
                rule: s("rule"),
                req: s("req"),
            });
        }
    }
    out
}

#[test]
fn decodes_every_valid_vector_to_its_expected_json() {
    for c in cases().iter().filter(|c| c.valid) {
        let got =
            decode_named_with(&c.ty, &c.bytes, &c.reading).unwrap_or_else(|e| panic!("{}/{}: {e}", c.file, c.slug));
        assert_eq!(got, c.expected, "{}/{}", c.file, c.slug);
    }
}

#[test]
fn round_trips_every_valid_vector_byte_for_byte() {
    for c in cases().iter().filter(|c| c.valid) {
        let got =
            encode_named_with(&c.ty, &c.expected, &c.reading).unwrap_or_else(|e| panic!("{}/{}: {e}", c.file, c.slug));
        assert_eq!(hex::encode(got), hex::encode(&c.bytes), "{}/{}", c.file, c.slug);
    }
}

#[test]
fn rejects_every_invalid_vector_with_its_rule() {
    for c in cases().iter().filter(|c| !c.valid) {
        match decode_named_with(&c.ty, &c.bytes, &c.reading) {
            Ok(v) => panic!("{}/{}: decoded as {v}", c.file, c.slug),
            Err(e) => {
                assert_eq!(e.slug(), c.rule, "{}/{}: {e}", c.file, c.slug);
                assert!(e.to_string().starts_with(c.ty.as_str()), "{}/{}: {e}", c.file, c.slug);
            }
        }
        assert!(c.req.starts_with("PROT-S"), "{}/{}", c.file, c.slug);
    }
}

#[test]
fn covers_every_named_struct_with_a_valid_vector() {
    let cases = cases();
    for name in NAMES {
        assert!(
            cases.iter().any(|c| c.valid && c.ty == *name),
            "no valid vector for {name}"
        );
    }
}

#[test]
fn rejects_every_prefix_and_survives_every_byte_flip_of_every_vector() {
    for c in cases().iter().filter(|c| c.valid) {
        for cut in 0..c.bytes.len() {
            let e = decode_named_with(&c.ty, &c.bytes[..cut], &c.reading);
            assert!(e.is_err(), "{}/{}: prefix {cut} decodes", c.file, c.slug);
        }
        for i in 0..c.bytes.len() {
            for flip in [0x01u8, 0x40, 0x80, 0xff] {
                let mut b = c.bytes.clone();
                b[i] ^= flip;
                let _ = decode_named_with(&c.ty, &b, &c.reading);
            }
        }
    }
}

#[test]
fn rejects_a_huge_declared_length_without_allocating_it() {
    // A room URI declaring 2^30-1 octets, and a vector of participants declaring as many.
    let e = decode::<RoomMetaData>(&[0xbf, 0xff, 0xff, 0xff, 0x00]).unwrap_err();
    assert_eq!(
        e,
        DecodeError {
            ty: "RoomMetaData",
            rule: Rule::OverLongVector {
                declared: 0x3fff_ffff,
                left: 1
            }
        }
    );
    let e = decode::<ParticipantListData>(&[0xbf, 0xff, 0xff, 0xff]).unwrap_err();
    assert_eq!(e.slug(), "over-long-vector");
}

#[test]
fn rejects_trailing_bytes_naming_the_type() {
    let frank = Frank {
        server_frank: Bytes32([7; 32]),
        franking_signature_ciphersuite: CipherSuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_ED25519,
        franking_integrity_signature: Opaque(vec![1, 2, 3]),
    };
    let mut bytes = encode(&frank).unwrap();
    assert_eq!(decode::<Frank>(&bytes).unwrap(), frank);
    bytes.push(0);
    assert_eq!(
        decode::<Frank>(&bytes).unwrap_err(),
        DecodeError {
            ty: "Frank",
            rule: Rule::TrailingBytes { count: 1 }
        }
    );
}

#[test]
fn keeps_an_unknown_user_code_and_names_an_unknown_client_code() {
    let resp = KeyMaterialResponse {
        protocol: Protocol::MLS10,
        user_status: KeyMaterialUserCode(200),
        user_uri: IdentifierUri::new("mimi://b.example/u/bob"),
        clients: VecOf::default(),
    };
    let bytes = encode(&resp).unwrap();
    assert_eq!(
        decode::<KeyMaterialResponse>(&bytes).unwrap().user_status,
        KeyMaterialUserCode(200)
    );
    let e = decode::<ClientKeyMaterial>(&[9, 0]).unwrap_err();
    assert_eq!(
        e,
        DecodeError {
            ty: "ClientKeyMaterial",
            rule: Rule::BadEnumValue {
                enum_name: "KeyMaterialClientCode".into(),
                value: 9
            }
        }
    );
}

#[test]
fn refuses_to_encode_an_arm_that_does_not_match_its_discriminant() {
    let resp = UpdateRoomResponse {
        response_code: UpdateResponseCode::WRONG_EPOCH,
        error_description: Opaque::default(),
        arm: update::UpdateResponseArm::Success { accepted_timestamp: 1 },
    };
    assert!(matches!(encode(&resp), Err(EncodeError::Encoding { .. })));
}

#[test]
fn reads_a_fanout_stream_of_several_messages() {
    let c = cases();
    let a = c.iter().find(|c| c.slug == "fanout-application").unwrap();
    let b = c.iter().find(|c| c.slug == "fanout-welcome").unwrap();
    let body = [a.bytes.clone(), b.bytes.clone()].concat();
    let all = FanoutMessage::read_all(&body, &Reading::default()).unwrap();
    assert_eq!(all.len(), 2);
}

#[test]
fn names_only_testable_catalog_requirements_in_vectors() {
    let catalogs = crate::spec::Catalogs::from_sources([(
        "spec/draft-ietf-mimi-protocol-06.yaml".to_owned(),
        include_str!("../../../spec/draft-ietf-mimi-protocol-06.yaml").to_owned(),
    )])
    .unwrap();
    for c in cases().iter().filter(|c| !c.valid) {
        let (_, r) = catalogs
            .get(&c.req)
            .unwrap_or_else(|| panic!("{}/{}: no {}", c.file, c.slug, c.req));
        assert!(r.testable, "{}/{}: {} is not testable", c.file, c.slug, c.req);
    }
}

#[test]
fn names_the_embedded_mls_object_that_does_not_parse() {
    let c = cases();
    for (slug, ty, object) in [
        (
            "invalid-handshake-bundle-commit-cut-inside",
            "HandshakeBundle",
            "MLSMessage",
        ),
        (
            "invalid-handshake-bundle-welcome-cut-inside",
            "HandshakeBundle",
            "Welcome",
        ),
        (
            "invalid-client-key-material-key-package-as-mls-message",
            "ClientKeyMaterial",
            "KeyPackage",
        ),
        (
            "invalid-group-info-ratchet-tree-tbe-group-info-cut-inside",
            "GroupInfoRatchetTreeTBE",
            "GroupInfo",
        ),
    ] {
        let case = c.iter().find(|c| c.slug == slug).unwrap();
        match decode_named(&case.ty, &case.bytes).unwrap_err() {
            DecodeError {
                ty: t,
                rule: Rule::MalformedMlsObject { object: o, .. },
            } => {
                assert_eq!((t, o.as_ref()), (ty, object), "{slug}")
            }
            e => panic!("{slug}: {e}"),
        }
    }
}

/// A SemiPrivateMessage (draft-mahy-mls-semiprivatemessage) with content type `content_type`:
/// group_id<V>, epoch, content_type, then six `<V>` fields.
fn semiprivate(wire_format: u16, content_type: u8) -> Vec<u8> {
    let mut m = [&[0, 1][..], &wire_format.to_be_bytes()].concat();
    m.extend([4, b'r', b'o', b'o', b'm']);
    m.extend(7u64.to_be_bytes());
    m.push(content_type);
    for field in [&b""[..], b"ctx", b"", b"tbs-hash", b"sender", b"ciphertext"] {
        m.push(field.len() as u8);
        m.extend(field);
    }
    m
}

#[test]
fn frames_a_semiprivate_message_only_under_a_reading_that_names_it() {
    const TBD: u16 = 0xf5e1;
    let reading = Reading {
        semiprivate_wire_format: Some(TBD),
        ..Reading::default()
    };
    let proposal = semiprivate(TBD, 2);
    let more = semiprivate(TBD, 2);
    let bundle = [proposal.clone(), vec![more.len() as u8], more.clone()].concat();
    let decoded: HandshakeBundle = decode_with(&bundle, &reading).unwrap();
    assert_eq!(decoded.proposal_or_commit.as_slice(), proposal.as_slice());
    assert_eq!(
        decoded.arm,
        update::HandshakeArm::Proposal {
            more_proposals: VecOf(vec![MlsMessageBytes(more)])
        }
    );
    assert_eq!(encode_with(&decoded, &reading).unwrap(), bundle);
    // Without the code point, the wire format is unknown and the message cannot be delimited.
    assert_eq!(
        decode::<HandshakeBundle>(&bundle).unwrap_err(),
        DecodeError {
            ty: "HandshakeBundle",
            rule: Rule::BadEnumValue {
                enum_name: "WireFormat".into(),
                value: u64::from(TBD)
            }
        }
    );
    // Cut inside: a typed error naming the SemiPrivateMessage, at every cut.
    for cut in 4..proposal.len() {
        match decode_with::<HandshakeBundle>(&proposal[..cut], &reading).unwrap_err() {
            DecodeError {
                rule: Rule::MalformedMlsObject { object, .. },
                ..
            } => assert_eq!(object, "SemiPrivateMessage"),
            e => panic!("cut {cut}: {e}"),
        }
    }
    // A pending proposal of §5.6 is read under the reading too.
    let pending = [proposal, 5u64.to_be_bytes().to_vec()].concat();
    assert!(decode_with::<PendingProposal>(&pending, &reading).is_ok());
    assert!(decode::<PendingProposal>(&pending).is_err());
}
