//! The content encoder with the faults of an encoder: keys in the order given or length-first,
//! integers in 4-byte form, extension values copied as given. A conforming encoder writes
//! deterministically (draft-ietf-mimi-content-08 §6.3, RFC 8949 §4.2.1); each habit here breaks
//! one of its rules so that the encoder tests can show they catch it.

use super::faults::{Fault, FaultSet};
use crate::codec::cbor::{self, Item, Value};
use crate::codec::content::MimiContent;

/// The content encoder, deterministic unless an encoder fault is on.
pub(super) fn encode(c: &MimiContent, faults: FaultSet) -> Vec<u8> {
    let good = c.encode();
    let habits = Habits {
        order: if faults.has(Fault::EncoderUnsortedKeys) {
            KeyOrder::AsGiven(c.extensions.iter().map(|x| x.key.encoding()).collect())
        } else if faults.has(Fault::EncoderLengthFirst) {
            KeyOrder::LengthFirst
        } else {
            KeyOrder::Bytewise
        },
        fixed_width: faults.has(Fault::EncoderFixedWidthInts),
        raw_values: faults.has(Fault::EncoderRawExtensionValues).then(|| {
            c.extensions
                .iter()
                .map(|x| (x.key.encoding(), x.value.0.clone()))
                .collect()
        }),
    };
    if matches!(habits.order, KeyOrder::Bytewise) && !habits.fixed_width && habits.raw_values.is_none() {
        return good;
    }
    let Ok(parsed) = cbor::parse(&good) else { return good };
    let mut out = Vec::new();
    write(&parsed.item, &habits, true, &mut out);
    out
}

/// The faulty encoder's habits.
struct Habits {
    order: KeyOrder,
    /// Every unsigned integer in 4-byte form.
    fixed_width: bool,
    /// Extension values written as the model gave them (key encoding → raw value).
    raw_values: Option<Vec<(Vec<u8>, Vec<u8>)>>,
}

enum KeyOrder {
    Bytewise,
    LengthFirst,
    /// The extensions map in this key order; nested maps bytewise.
    AsGiven(Vec<Vec<u8>>),
}

/// Writes an item like `Item::encode_deterministic`, but with the faulty habits. `top` is
/// true for the content array and for the extensions map inside it.
fn write(item: &Item, habits: &Habits, top: bool, out: &mut Vec<u8>) {
    let det = |i: &Item| {
        let mut e = minicbor::Encoder::new(Vec::new());
        i.encode_deterministic(&mut e);
        e.into_writer()
    };
    match &item.value {
        Value::Uint(n) if habits.fixed_width && *n <= u64::from(u32::MAX) => {
            out.push(0x1a);
            out.extend_from_slice(&(*n as u32).to_be_bytes());
        }
        Value::Array(items) => {
            out.extend(header(4, items.len() as u64));
            for (i, x) in items.iter().enumerate() {
                // The extensions map is field 5 of the top-level array.
                write(x, habits, top && i == 5, out);
            }
        }
        Value::Map(entries) => {
            let mut keyed: Vec<(Vec<u8>, &Item, &Item)> = entries.iter().map(|(k, v)| (det(k), k, v)).collect();
            match &habits.order {
                KeyOrder::LengthFirst => keyed.sort_by(|a, b| (a.0.len(), &a.0).cmp(&(b.0.len(), &b.0))),
                KeyOrder::AsGiven(keys) if top => {
                    keyed.sort_by_key(|(k, _, _)| keys.iter().position(|x| x == k).unwrap_or(usize::MAX))
                }
                _ => {}
            }
            out.extend(header(5, keyed.len() as u64));
            for (key, k, v) in keyed {
                write(k, habits, false, out);
                match habits
                    .raw_values
                    .as_ref()
                    .filter(|_| top)
                    .and_then(|r| r.iter().find(|(rk, _)| *rk == key))
                {
                    Some((_, raw)) => out.extend_from_slice(raw),
                    None => write(v, habits, false, out),
                }
            }
        }
        _ => out.extend(det(item)),
    }
}

fn header(major: u8, len: u64) -> Vec<u8> {
    let mut e = minicbor::Encoder::new(Vec::new());
    let r = if major == 4 {
        e.array(len).map(|_| ())
    } else {
        e.map(len).map(|_| ())
    };
    r.expect("encoding into a Vec<u8> cannot fail");
    e.into_writer()
}
