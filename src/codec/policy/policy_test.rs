//! Codec tests: round trips and named rejections.

use super::*;
use crate::codec::tls::{DecodeError, Rule};

fn ordinary_user() -> Role {
    Role {
        role_index: 2,
        role_name: "ordinary_user".into(),
        role_description: "".into(),
        role_capabilities: vec![CapabilityType::CAN_ADD_PARTICIPANT, CapabilityType(0xF00D)],
        minimum_participants_constraint: 0,
        maximum_participants_constraint: None,
        minimum_active_participants_constraint: 0,
        maximum_active_participants_constraint: Some(5),
        authorized_role_changes: vec![SingleSourceRoleChangeTargets {
            from_role_index: 0,
            target_role_indexes: vec![2],
        }],
    }
}

#[test]
fn round_trips_a_role_with_an_unregistered_capability() {
    let role = ordinary_user();
    let bytes = role.encode().unwrap();
    assert_eq!(Role::decode(&bytes).unwrap(), role);
    let json = serde_json::to_value(&role).unwrap();
    assert_eq!(
        json["role_capabilities"],
        serde_json::json!(["canAddParticipant", 61453])
    );
    assert_eq!(json["maximum_participants_constraint"], serde_json::Value::Null);
    assert_eq!(serde_json::from_value::<Role>(json).unwrap(), role);
}

#[test]
fn encodes_a_role_byte_for_byte() {
    let bytes = ordinary_user().encode().unwrap();
    let want = concat!(
        "00000002",                     // role_index
        "0d6f7264696e6172795f75736572", // role_name
        "00",                           // role_description
        "040000f00d",                   // role_capabilities
        "00000000",                     // minimum_participants_constraint
        "00",                           // maximum_participants_constraint: absent
        "00000000",                     // minimum_active_participants_constraint
        "0100000005",                   // maximum_active_participants_constraint: 5
        "09",                           // authorized_role_changes: 9 bytes
        "00000000",                     // from 0
        "0400000002",                   // [2]
    );
    assert_eq!(hex::encode(bytes), want);
}

#[test]
fn rejects_trailing_bytes_after_role_data() {
    let mut bytes = RoleData {
        roles: vec![ordinary_user()],
    }
    .encode()
    .unwrap();
    bytes.push(0);
    assert_eq!(
        RoleData::decode(&bytes).unwrap_err(),
        DecodeError {
            ty: "RoleData",
            rule: Rule::TrailingBytes { count: 1 }
        }
    );
}

#[test]
fn rejects_a_bad_optional_presence_octet() {
    let mut bytes = ordinary_user().encode().unwrap();
    // maximum_participants_constraint presence octet: after 4 + 14 + 1 + 5 + 4 bytes.
    bytes[28] = 2;
    assert_eq!(Role::decode(&bytes).unwrap_err().slug(), "bad-optional-presence");
}

#[test]
fn rejects_a_huge_declared_length_without_allocating() {
    // RoleData whose roles vector claims 2^30-1 bytes.
    let err = RoleData::decode(&[0xbf, 0xff, 0xff, 0xff, 0x00]).unwrap_err();
    assert_eq!(err.slug(), "over-long-vector");
    // The 8-octet length form does not exist in RFC 9420.
    let err = RoleData::decode(&[0xc0, 0, 0, 0, 0, 0, 0, 1]).unwrap_err();
    assert_eq!(err.slug(), "bad-length-prefix");
    // A non-minimal length.
    let err = RoleData::decode(&[0x40, 0x00]).unwrap_err();
    assert_eq!(err.slug(), "non-minimal-length");
}

#[test]
fn rejects_every_truncation_of_a_role_without_panicking() {
    let bytes = RoleData {
        roles: vec![ordinary_user()],
    }
    .encode()
    .unwrap();
    for n in 0..bytes.len() {
        let err = RoleData::decode(&bytes[..n]).unwrap_err();
        assert!(
            ["truncated", "over-long-vector", "vector-length-mismatch"].contains(&err.slug()),
            "{n}: {err}"
        );
    }
}

#[test]
fn rejects_a_bad_bool_in_base_room_policy() {
    let mut bytes = BaseRoomPolicy::default().encode().unwrap();
    bytes[0] = 7;
    assert_eq!(BaseRoomPolicy::decode(&bytes).unwrap_err().slug(), "bad-bool");
}

#[test]
fn rejects_an_unknown_optionality() {
    assert_eq!(
        StatusNotificationPolicy::decode(&[0, 3]).unwrap_err(),
        DecodeError {
            ty: "StatusNotificationPolicy",
            rule: Rule::BadEnumValue {
                enum_name: "Optionality".into(),
                value: 3
            }
        }
    );
}

#[test]
fn round_trips_the_select_arms() {
    let forbidden = MessageExpiration {
        expiring_messages: Optionality::Forbidden,
        settings: None,
    };
    assert_eq!(forbidden.encode().unwrap(), vec![2]);
    let required = MessageExpiration {
        expiring_messages: Optionality::Required,
        settings: Some(ExpirationSettings {
            min_expiration_duration: 60,
            max_expiration_duration: 3600,
            default_expiration_duration: Some(600),
        }),
    };
    let bytes = required.encode().unwrap();
    assert_eq!(hex::encode(&bytes), "010000003c00000e100100000258");
    assert_eq!(MessageExpiration::decode(&bytes).unwrap(), required);
    // A forbidden tag with settings cannot be encoded.
    let bad = MessageExpiration {
        expiring_messages: Optionality::Forbidden,
        settings: required.settings.clone(),
    };
    assert!(bad.encode().is_err());
}

#[test]
fn round_trips_non_utf8_text_through_json() {
    let t = Text(vec![0xff, 0x00]);
    let json = serde_json::to_value(&t).unwrap();
    assert_eq!(json, serde_json::json!({"hex": "ff00"}));
    assert_eq!(serde_json::from_value::<Text>(json).unwrap(), t);
}

#[test]
fn round_trips_every_struct_by_name_through_json() {
    let bytes = RoleData {
        roles: vec![ordinary_user()],
    }
    .encode()
    .unwrap();
    let json = decode_json("RoleData", &bytes).unwrap().unwrap();
    assert_eq!(encode_json("RoleData", &json).unwrap().unwrap(), bytes);
    assert!(decode_json("NoSuchStruct", &bytes).is_none());
}
