//! The reference implementation's protocol-struct operations (draft-ietf-mimi-protocol-06 §5,
//! §7): the codecs the reference provider itself speaks on the wire, exposed for vectors.

use serde_json::{Value, json};

use super::{Fault, Reference, to_value};
use crate::codec::protocol::{Reading, decode_named_with, encode_named_with};
use crate::driver::DriverError;
use crate::driver::messages::{Rejection, WireDecodeParams, WireDecodeResult, WireEncodeParams, WireEncodeResult};

fn reading(name: Option<&str>) -> Result<Reading, DriverError> {
    match name {
        None | Some("default") => Ok(Reading::default()),
        Some("alternative") => Ok(Reading::alternative()),
        Some(other) => Err(DriverError::invalid_params(format!(
            "reading {other:?} is neither default nor alternative"
        ))),
    }
}

impl Reference {
    pub(super) fn wire_decode(&self, p: WireDecodeParams) -> Result<Value, DriverError> {
        let result = match decode_named_with(&p.structure, &p.hex, &reading(p.reading.as_deref())?) {
            Ok(mut value) => {
                if self.has(Fault::WireDecodeDropsFirstField) {
                    match value.as_object().and_then(|o| o.keys().next().cloned()) {
                        Some(first) => {
                            value.as_object_mut().map(|o| o.remove(&first));
                        }
                        None => value = Value::Null,
                    }
                }
                WireDecodeResult {
                    accepted: true,
                    value: Some(value),
                    rejection: Rejection::default(),
                }
            }
            Err(_) if self.has(Fault::DecoderNeverRejects) => WireDecodeResult {
                accepted: true,
                value: Some(json!({})),
                rejection: Rejection::default(),
            },
            Err(e) => WireDecodeResult {
                accepted: false,
                value: None,
                rejection: Rejection {
                    reason: Some(e.to_string()),
                    rule: Some(e.rule().to_owned()),
                    section: None,
                },
            },
        };
        to_value(&result)
    }

    pub(super) fn wire_encode(&self, p: WireEncodeParams) -> Result<Value, DriverError> {
        let mut hex = encode_named_with(&p.structure, &p.value, &reading(p.reading.as_deref())?)
            .map_err(|e| DriverError::invalid_params(e.to_string()))?;
        if self.has(Fault::WireEncodeDropsLastByte) {
            // A classic slip: the last byte of the struct is forgotten.
            hex.pop();
        }
        to_value(&WireEncodeResult { hex })
    }
}
