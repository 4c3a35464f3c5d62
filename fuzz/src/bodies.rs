//! The fuzz targets' bodies, shared by `cargo fuzz` (`fuzz/fuzz_targets/`) and by a trial of
//! `cargo test` on stable (tests/suite/hostile_time.rs includes this file), which drives them
//! with the seed corpus and mutants of it. Each body must never panic, whatever `data` is.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use mimi_conformance::codec::{cbor, content, policy, protocol, tls};
use mimi_conformance::driver::{Driver, DriverError, Handler};
use mimi_conformance::harness::{Expectations, Test, Transcript};
use mimi_conformance::vectors::{CaseBody, VectorFile};
use serde_json::Value;

/// A target's body.
pub type Body = fn(&[u8]);

/// Every target: (name, body).
pub const TARGETS: &[(&str, Body)] = &[
    ("cbor_item_tree", cbor_item_tree),
    ("content_decode_validate", content_decode_validate),
    ("tls_decode_by_name", tls_decode_by_name),
    ("driver_answer", driver_answer),
    ("scenario_yaml", scenario_yaml),
    ("expectations_yaml", expectations_yaml),
];

/// The CBOR item tree: parse, re-encode deterministically, parse that again, and the diagnostic
/// notation. The deterministic form of a well-formed item is well formed.
pub fn cbor_item_tree(data: &[u8]) {
    let _ = cbor::diagnostic(data);
    if let Ok(parsed) = cbor::parse(data) {
        let mut e = minicbor::Encoder::new(Vec::new());
        parsed.item.encode_deterministic(&mut e);
        let again = e.into_writer();
        assert!(cbor::parse(&again).is_ok(), "re-encoded item does not parse");
    }
}

/// The content decoder and validator, the status report, and the message ID.
pub fn content_decode_validate(data: &[u8]) {
    let _ = mimi_conformance::validate::validate_content(data, mimi_conformance::validate::Options { now: Some(0) });
    if let Ok(c) = content::MimiContent::decode(data) {
        let _ = content::MimiContent::decode(&c.encode());
        let _ = content::message_id(
            content::ContentRev::Rev08,
            "mimi://example.com/u/alice",
            "mimi://example.com/r/room",
            data,
            &c.salt,
        );
    }
    let _ = mimi_conformance::validate::validate_status(data);
}

/// Every struct name `codec::tls::decode_named` takes: the protocol structs, then the policy ones.
pub fn tls_names() -> Vec<&'static str> {
    protocol::NAMES.iter().chain(policy::STRUCT_NAMES).copied().collect()
}

/// The first byte picks the struct, the second byte's low bit protocol-06's other reading; the
/// rest is the struct's bytes. What decodes is encoded again.
pub fn tls_decode_by_name(data: &[u8]) {
    let names = tls_names();
    let [pick, reading, bytes @ ..] = data else { return };
    let name = names[usize::from(*pick) % names.len()];
    let alternative = reading & 1 == 1;
    if let Ok(v) = tls::decode_named(name, bytes, alternative) {
        let _ = tls::encode_named(name, &v, alternative);
    }
}

/// The input as one seed of [`tls_decode_by_name`]: `name`'s index, the reading, the bytes.
pub fn tls_seed(name: &str, alternative: bool, bytes: &[u8]) -> Option<Vec<u8>> {
    let i = tls_names().iter().position(|n| *n == name)?;
    let mut seed = vec![u8::try_from(i).ok()?, u8::from(alternative)];
    seed.extend_from_slice(bytes);
    Some(seed)
}

/// An implementation whose every answer is the fuzzer's JSON (an error object when it is
/// `{"error": …}` of the right shape).
struct Answers(Value);

impl Handler for Answers {
    fn handle(&self, _op: &str, _params: Value) -> Result<Value, DriverError> {
        match self
            .0
            .get("error")
            .map(|e| serde_json::from_value::<DriverError>(e.clone()))
        {
            Some(Ok(e)) => Err(e),
            _ => Ok(self.0.clone()),
        }
    }
}

/// The tests that judge a driver's answer (content, wire, policy; no scenarios), built once.
fn answer_tests() -> &'static (tokio::runtime::Runtime, Vec<Test>) {
    static TESTS: OnceLock<(tokio::runtime::Runtime, Vec<Test>)> = OnceLock::new();
    TESTS.get_or_init(|| {
        let catalogs = mimi_conformance::spec::Catalogs::embedded().expect("catalogs");
        let tests = mimi_conformance::suites::build(
            &["content".into(), "protocol".into(), "policy".into()],
            &VectorFile::embedded().expect("vectors"),
            &[],
            &catalogs,
            content::ContentRev::Rev08,
        )
        .expect("tests");
        let tests = tests
            .into_iter()
            .filter(|t| !matches!(t.check, mimi_conformance::harness::Check::Scenario(..)))
            .collect();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        (rt, tests)
    })
}

/// The driver's JSON answers: the first two bytes pick a test, the rest is the answer to each
/// of its calls (JSON, or a JSON string of the bytes when they are not JSON).
pub fn driver_answer(data: &[u8]) {
    let (rt, tests) = answer_tests();
    let [a, b, answer @ ..] = data else { return };
    let test = &tests[usize::from(u16::from_le_bytes([*a, *b])) % tests.len()];
    let value = serde_json::from_slice::<Value>(answer)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(answer).into_owned()));
    let driver = Driver::builtin("fuzz", Arc::new(Answers(value)));
    let mut transcript = Transcript::default();
    let _ = rt.block_on(test.check.run(&driver, None, Duration::from_secs(5), &mut transcript));
}

/// The scenario loader (the text as UTF-8, lossily).
pub fn scenario_yaml(data: &[u8]) {
    let _ = mimi_conformance::harness::scenario::Scenario::parse("fuzz.yaml", &String::from_utf8_lossy(data));
}

/// The expectations loader.
pub fn expectations_yaml(data: &[u8]) {
    let _ = Expectations::parse("fuzz.yaml", &String::from_utf8_lossy(data));
}

/// The seed corpus of `target`, from the vectors, the scenarios and a few answers and
/// expectations written for it.
pub fn seeds(target: &str) -> Vec<Vec<u8>> {
    let vectors = VectorFile::embedded().expect("vectors");
    let cases = || vectors.iter().flat_map(|f| f.cases.iter());
    match target {
        "cbor_item_tree" | "content_decode_validate" => cases()
            .filter_map(|c| match &c.body {
                CaseBody::Content { cbor, .. }
                | CaseBody::Implied { cbor, .. }
                | CaseBody::Finding { cbor, .. }
                | CaseBody::Encode { cbor, .. }
                | CaseBody::Status { cbor, .. } => Some(cbor.to_vec()),
                _ => None,
            })
            .collect(),
        "tls_decode_by_name" => cases()
            .filter_map(|c| match &c.body {
                CaseBody::Tls {
                    structure,
                    bytes,
                    alternative,
                    ..
                } => tls_seed(structure, *alternative, bytes),
                CaseBody::PolicyFixture { bytes, .. } => tls_seed("RoleData", false, bytes),
                _ => None,
            })
            .collect(),
        "driver_answer" => {
            let answers = [
                r#"{"accepted":true,"content":{}}"#,
                r#"{"accepted":false,"reason":"x","rule":"map-keys","section":"6.2"}"#,
                r#"{"cbor":"a0"}"#,
                r#"{"messageId":"01"}"#,
                r#"{"accepted":true,"value":{"version":1}}"#,
                r#"{"hex":"0001"}"#,
                r#"{"allowed":false,"rule":"x","section":"3"}"#,
                r#"{"error":{"code":"failed","message":"no"}}"#,
                r#"[1,2,3]"#,
            ];
            let n = answer_tests().1.len();
            (0..n)
                .step_by(n / 40 + 1)
                .flat_map(|t| {
                    answers.iter().map(move |a| {
                        let mut seed = u16::try_from(t).unwrap_or(0).to_le_bytes().to_vec();
                        seed.extend_from_slice(a.as_bytes());
                        seed
                    })
                })
                .collect()
        }
        "scenario_yaml" => mimi_conformance::harness::scenario::EMBEDDED
            .iter()
            .map(|(_, text)| text.as_bytes().to_vec())
            .collect(),
        "expectations_yaml" => [
            "- id: content/5.1/*\n  status: xfail\n  reason: known\n",
            "- id: protocol/\n  status: skip\n  reason: later\n- id: policy/3.1/x\n  status: unsupported\n  reason: no\n",
            "[]\n",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect(),
        _ => Vec::new(),
    }
}
