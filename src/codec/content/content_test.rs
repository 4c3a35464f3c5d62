//! Codec tests on the draft's own examples (bytes from `vectors/content/examples.json`).

use super::*;
use crate::vectors::{CaseBody, VectorFile};

fn example(slug: &str) -> (Vec<u8>, String, String) {
    let file = VectorFile::parse("examples.json", include_str!("../../../vectors/content/examples.json")).unwrap();
    let case = file.cases.into_iter().find(|c| c.head.slug == slug).unwrap();
    match case.body {
        CaseBody::Content { cbor, sender, room, .. } => (cbor, sender, room),
        _ => unreachable!(),
    }
}

#[test]
fn round_trips_every_example_byte_for_byte() {
    for slug in [
        "example-original",
        "example-attachment",
        "example-multipart-3",
        "example-delete",
    ] {
        let (cbor, ..) = example(slug);
        assert_eq!(MimiContent::decode(&cbor).unwrap().encode(), cbor, "{slug}");
    }
}

#[test]
fn computes_the_08_and_07_message_ids_of_the_original() {
    let (cbor, sender, room) = example("example-original");
    let salt = MimiContent::decode(&cbor).unwrap().salt;
    let id08 = message_id(ContentRev::Rev08, &sender, &room, &cbor, &salt).unwrap();
    let id07 = message_id(ContentRev::Rev07, &sender, &room, &cbor, &salt).unwrap();
    assert_eq!(
        hex::encode(id08),
        "017ce54837404c3696e0c747b985cb172716d0ed0a3d249ca63ace7d82a096f4"
    );
    assert_eq!(
        hex::encode(id07),
        "01b0084467273cc43d6f0ebeac13eb84229c4fffe8f6c3594c905f47779e5a79"
    );
}

#[test]
fn numbers_multipart_3_parts_depth_first() {
    let (cbor, ..) = example("example-multipart-3");
    let parts = MimiContent::decode(&cbor).unwrap().nested_part.part_indices();
    let got: Vec<(usize, Cardinality)> = parts.iter().map(|p| (p.depth, p.cardinality)).collect();
    use Cardinality::*;
    let want = [
        (1, Multi),
        (2, Multi),
        (3, Multi),
        (4, Single),
        (4, Single),
        (3, Single),
        (2, Multi),
        (3, Multi),
    ];
    assert_eq!(&got[..8], &want);
    assert_eq!(parts.len(), 11);
}

#[test]
fn rejects_truncated_input_naming_it() {
    let (cbor, ..) = example("example-original");
    assert!(matches!(
        MimiContent::decode(&cbor[..100]),
        Err(DecodeError::Cbor(cbor::ParseError::Truncated { .. }))
    ));
}

#[test]
fn rejects_trailing_bytes() {
    let (mut cbor, ..) = example("example-original");
    cbor.push(0);
    assert_eq!(
        MimiContent::decode(&cbor),
        Err(DecodeError::TrailingBytes { trailing: 1 })
    );
}

#[test]
fn rejects_an_unknown_cardinality_naming_the_field() {
    let (mut cbor, ..) = example("example-delete");
    let last = cbor.len() - 1;
    cbor[last] = 0x04; // cardinality 4
    let err = MimiContent::decode(&cbor).unwrap_err();
    assert_eq!(
        err.to_string(),
        "nestedPart.cardinality: cardinality 4 is not nullpart(0), single(1), external(2) or multi(3)"
    );
}

#[test]
fn encodes_extensions_sorted_whatever_their_order() {
    let (cbor, ..) = example("example-original");
    let mut c = MimiContent::decode(&cbor).unwrap();
    c.extensions.reverse();
    assert_eq!(c.encode(), cbor);
}

#[test]
fn json_model_round_trips() {
    let (cbor, ..) = example("example-attachment");
    let c = MimiContent::decode(&cbor).unwrap();
    let json = serde_json::to_string(&c).unwrap();
    assert!(json.contains(r#""cardinality":"external""#), "{json}");
    assert_eq!(serde_json::from_str::<MimiContent>(&json).unwrap(), c);
}
