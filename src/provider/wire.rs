//! The reference implementation's TLS-struct operations (protocol-06 §5, §7; room-policy-03
//! Appendix B): the codecs the reference provider itself speaks on the wire, exposed for vectors.

use serde_json::{Value, json};

use super::{Fault, Reference, to_value};
use crate::codec::tls;
use crate::driver::DriverError;
use crate::driver::messages::{Rejection, WireDecodeParams, WireDecodeResult, WireEncodeParams, WireEncodeResult};

/// Whether `name` asks for protocol-06's alternative reading.
fn alternative(name: Option<&str>) -> Result<bool, DriverError> {
    match name {
        None | Some("default") => Ok(false),
        Some("alternative") => Ok(true),
        Some(other) => Err(DriverError::invalid_params(format!(
            "reading {other:?} is neither default nor alternative"
        ))),
    }
}

/// The largest struct `wire.decode` takes.
const MAX_STRUCT: usize = 1 << 20;

impl Reference {
    pub(super) fn wire_decode(&self, p: WireDecodeParams) -> Result<Value, DriverError> {
        // A struct decodes into JSON several times its size: keep answers within the driver's limit.
        if p.hex.len() > MAX_STRUCT {
            return Err(DriverError::failed(format!(
                "{} bytes: this implementation decodes structs up to {MAX_STRUCT}",
                p.hex.len()
            )));
        }
        let result = match tls::decode_named(&p.structure, &p.hex, alternative(p.reading.as_deref())?) {
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
            Err(_) if self.has(Fault::WireDecodeNeverRejects) => WireDecodeResult {
                accepted: true,
                value: Some(json!({})),
                rejection: Rejection::default(),
            },
            Err(e) if e.slug() == "unknown-struct" => {
                return Err(DriverError::unsupported(&format!("struct {}", p.structure)));
            }
            Err(e) => WireDecodeResult {
                accepted: false,
                value: None,
                rejection: Rejection {
                    reason: Some(e.to_string()),
                    rule: Some(if self.has(Fault::WireDecodeNamesAnotherRule) {
                        "truncated".to_owned()
                    } else {
                        e.slug().to_owned()
                    }),
                    section: None,
                },
            },
        };
        to_value(&result)
    }

    pub(super) fn wire_encode(&self, p: WireEncodeParams) -> Result<Value, DriverError> {
        let mut hex = tls::encode_named(&p.structure, &p.value, alternative(p.reading.as_deref())?)
            .map_err(|e| DriverError::invalid_params(e.to_string()))?;
        if self.has(Fault::WireEncodeDropsLastByte) {
            // A classic slip: the last byte of the struct is forgotten.
            hex.pop();
        }
        to_value(&WireEncodeResult { hex })
    }
}

impl Reference {
    /// `policy.decide` (room-policy-03 §3, §4, §8) with the policy faults that are on.
    pub(super) fn policy_decide(&self, p: crate::policy::DecideParams) -> Result<Value, DriverError> {
        let faults = self.behaviour.faults.policy();
        let mut decision =
            crate::policy::decide_with(&p, &faults).map_err(|e| DriverError::invalid_params(e.to_string()))?;
        if self.has(Fault::PolicyAllowsEverything) {
            decision.allowed = true;
        }
        if self.has(Fault::PolicyDeniesEverything) {
            decision.allowed = false;
        }
        to_value(&decision)
    }
}
