//! How to plug a third-party MIMI content library into mimi-conformance.
//!
//! An adapter is a small program that speaks the driver protocol (docs/driver.md) and turns each
//! operation into calls to the library under test. This one speaks it on stdin/stdout, so the
//! suite can start it as a child process:
//!
//! ```text
//! cargo build --example content_adapter
//! cargo run --release -- run --iut-driver-cmd target/debug/examples/content_adapter
//! ```
//!
//! The "library" here is `mylib`, a stand-in module: replace its three functions with calls
//! into your crate. It answers `unsupported` for `status.decode` (draft-mahy-mimi-message-status),
//! which the report then shows as `unsupported`, not as a failure.

use std::sync::Arc;

use mimi_conformance::driver::messages::{
    CborParams, DecodeResult, EncodeParams, EncodeResult, MessageIdParams, MessageIdResult, Rejection,
};
use mimi_conformance::driver::server::{Handler, serve_stdio};
use mimi_conformance::driver::{DriverError, ops};
use serde_json::{Value, json};

/// Stand-in for the library under test. Its API is what a typical content crate offers:
/// parse bytes into a message, serialize a message, compute a message ID.
mod mylib {
    use mimi_conformance::codec::content::{ContentRev, MimiContent, message_id};
    use mimi_conformance::validate::{Kind, Options, validate_content};

    pub type Message = MimiContent;

    /// Parses and validates (discarding what §9.1 says to discard; floats are only
    /// discouraged); the error says why the bytes are not acceptable content.
    pub fn parse(bytes: &[u8]) -> Result<Message, String> {
        let report = validate_content(bytes, Options::default());
        match (
            report.findings.iter().find(|f| f.kind != Kind::FloatUsed),
            report.content,
        ) {
            (None, Some(m)) => Ok(m),
            (Some(f), _) => Err(f.to_string()),
            (None, None) => Err("not MIMI content".into()),
        }
    }

    pub fn serialize(m: &Message) -> Vec<u8> {
        m.encode()
    }

    pub fn compute_message_id(sender: &str, room: &str, bytes: &[u8]) -> Result<[u8; 32], String> {
        let m = MimiContent::decode(bytes).map_err(|e| e.to_string())?;
        message_id(ContentRev::Rev08, sender, room, bytes, &m.salt).map_err(|e| e.to_string())
    }
}

/// The adapter: driver operation in, library call, driver result out.
struct Adapter;

fn params<T: serde::de::DeserializeOwned>(v: Value) -> Result<T, DriverError> {
    serde_json::from_value(v).map_err(|e| DriverError::invalid_params(e.to_string()))
}

fn result<T: serde::Serialize>(v: T) -> Result<Value, DriverError> {
    serde_json::to_value(v).map_err(|e| DriverError::failed(e.to_string()))
}

impl Handler for Adapter {
    fn handle(&self, op: &str, p: Value) -> Result<Value, DriverError> {
        match op {
            ops::CAPABILITIES => Ok(json!({
                "driver": "1",
                "name": "mylib (example adapter)",
                "version": "0.1.0",
                "ops": [ops::CAPABILITIES, ops::CONTENT_DECODE, ops::CONTENT_ENCODE, ops::CONTENT_MESSAGE_ID],
                "drafts": {"draft-ietf-mimi-content": "08"},
            })),
            ops::CONTENT_DECODE => {
                let p: CborParams = params(p)?;
                result(match mylib::parse(&p.cbor) {
                    Ok(m) => DecodeResult {
                        accepted: true,
                        content: Some(m),
                        rejection: Rejection::default(),
                    },
                    Err(why) => DecodeResult {
                        accepted: false,
                        content: None,
                        rejection: Rejection {
                            reason: Some(why),
                            ..Rejection::default()
                        },
                    },
                })
            }
            ops::CONTENT_ENCODE => {
                let p: EncodeParams = params(p)?;
                result(EncodeResult {
                    cbor: mylib::serialize(&p.content),
                })
            }
            ops::CONTENT_MESSAGE_ID => {
                let p: MessageIdParams = params(p)?;
                let id = mylib::compute_message_id(&p.sender, &p.room, &p.cbor).map_err(DriverError::invalid_params)?;
                result(MessageIdResult {
                    message_id: id.to_vec(),
                })
            }
            other => Err(DriverError::unsupported(other)),
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    serve_stdio(Arc::new(Adapter)).await
}
