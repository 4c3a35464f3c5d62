//! RFC 8949 §4.2.1 deterministic encoding (draft-ietf-mimi-content-08 §6.1) and the data-model
//! restrictions of §6.2 and §6.3, checked on the item tree of a whole document.

use super::{Finding, Findings, Kind};
use crate::codec::cbor::{Item, Value, shortest_float_width};

/// Integer keys must fit a double without loss (§6.2): |key| ≤ 2^53 − 1.
const MAX_SAFE_INT: i128 = (1 << 53) - 1;
/// Levels of tags, maps and arrays allowed in the extensions map, the map itself being 1 (§6.3).
pub const MAX_EXTENSION_DEPTH: usize = 4;
/// `name = tstr .size (1..255)`.
const MAX_TEXT_KEY: usize = 255;

/// Which key rules apply to a map (§6.2).
#[derive(Clone, Copy, PartialEq)]
enum Place {
    Outside,
    /// The extensions map itself: keys are int or tstr of 1..255 octets.
    ExtensionsMap,
    /// A map inside an extension value: keys are int, tstr or bstr.
    InExtension,
}

/// Walks the whole document. `extensions_at` is the index of the extensions map in the
/// top-level array (5 for mimiContent; `None` for documents without one).
pub(super) fn check(input: &[u8], root: &Item, extensions_at: Option<usize>, out: &mut Findings) {
    match (&root.value, extensions_at) {
        (Value::Array(fields), Some(i)) => {
            item_rules(root, out);
            for (n, f) in fields.iter().enumerate() {
                let ext_map = n == i && matches!(f.value, Value::Map(_));
                walk(input, f, ext_map.then_some(1), ext_map, out);
            }
        }
        _ => walk(input, root, None, false, out),
    }
}

/// `level` is this item's tag/map/array level when it is inside the extensions map (which
/// is level 1); scalars have no level of their own.
fn walk(input: &[u8], item: &Item, level: Option<usize>, is_extensions_map: bool, out: &mut Findings) {
    item_rules(item, out);
    if let Some(l) = level.filter(|&l| l > MAX_EXTENSION_DEPTH && is_container(item)) {
        out.push(Finding::new(
            Kind::ExtensionDepth,
            item.span.start,
            format!(
                "a {} at level {l} of the extensions (at most {MAX_EXTENSION_DEPTH})",
                item.value.type_name()
            ),
        ));
    }
    let child = level.map(|l| l + 1);
    match &item.value {
        Value::Array(items) => items.iter().for_each(|i| walk(input, i, child, false, out)),
        Value::Tag(_, inner) => walk(input, inner, child, false, out),
        Value::Map(entries) => {
            let place = match (is_extensions_map, level) {
                (true, _) => Place::ExtensionsMap,
                (false, Some(_)) => Place::InExtension,
                (false, None) => Place::Outside,
            };
            map_rules(input, item, entries, place, out);
            for (k, v) in entries {
                walk(input, k, child, false, out);
                walk(input, v, child, false, out);
            }
        }
        _ => {}
    }
}

fn is_container(i: &Item) -> bool {
    matches!(i.value, Value::Array(_) | Value::Map(_) | Value::Tag(..))
}

/// Rules about one item on its own.
fn item_rules(item: &Item, out: &mut Findings) {
    let at = item.span.start;
    if !item.shortest {
        out.push(Finding::new(
            Kind::NonShortestArgument,
            at,
            format!("{} header not in shortest form", item.value.type_name()),
        ));
    }
    if item.indefinite {
        out.push(Finding::new(
            Kind::IndefiniteLength,
            at,
            format!("indefinite-length {}", item.value.type_name()),
        ));
    }
    match item.value {
        Value::BadText(_) => out.push(Finding::new(Kind::InvalidUtf8, at, "text string is not valid UTF-8")),
        // RFC 8949 §4.2.1 ("bigints as integers when they fit") and §3.4.3 (no leading zeros).
        Value::Tag(t @ (2 | 3), ref inner) => {
            if let Value::Bytes(b) = &inner.value
                && (b.len() <= 8 || b.first() == Some(&0))
            {
                let why = if b.len() <= 8 {
                    "fits a plain integer"
                } else {
                    "has leading zero bytes"
                };
                out.push(Finding::new(
                    Kind::BignumNotPreferred,
                    at,
                    format!("tag {t} bignum of {} bytes {why}", b.len()),
                ));
            }
        }
        // RFC 8746 typed arrays of floats: permitted (NaNs included), but still floats.
        Value::Tag(t @ 80..=87, _) => out.push(Finding::new(
            Kind::FloatUsed,
            at,
            format!("tag {t}: a typed array of floats"),
        )),
        Value::Float { value, width, bits } => {
            out.push(Finding::new(
                Kind::FloatUsed,
                at,
                format!("{}-byte float {value}", width),
            ));
            if value.is_nan() {
                if (width, bits) != (2, 0x7e00) {
                    out.push(Finding::new(
                        Kind::NanEncoding,
                        at,
                        format!("NaN {bits:#x} as a {width}-byte float; only 0xf97e00 is permitted"),
                    ));
                }
            } else if shortest_float_width(value) < width {
                out.push(Finding::new(
                    Kind::NonShortestFloat,
                    at,
                    format!("{value} in {width} bytes fits in {}", shortest_float_width(value)),
                ));
            }
        }
        _ => {}
    }
}

/// Rules about a map's keys: their types (§6.2), range, uniqueness and order (§6.1).
fn map_rules(input: &[u8], map: &Item, entries: &[(Item, Item)], place: Place, out: &mut Findings) {
    let mut keys = Vec::with_capacity(entries.len());
    for (k, _) in entries {
        let at = k.span.start;
        match (&k.value, place) {
            (Value::Text(s), Place::ExtensionsMap) if s.is_empty() || s.len() > MAX_TEXT_KEY => out.push(Finding::new(
                Kind::ExtensionKeyType,
                at,
                format!("text key of {} octets; extension keys are tstr .size (1..255)", s.len()),
            )),
            (Value::Uint(_) | Value::Nint(_) | Value::Text(_) | Value::BadText(_), _) => {}
            (Value::Bytes(_), Place::InExtension) => {}
            (other, Place::ExtensionsMap) => out.push(Finding::new(
                Kind::ExtensionKeyType,
                at,
                format!("{} key in the extensions map; keys are int or tstr", other.type_name()),
            )),
            (other, _) => out.push(Finding::new(
                Kind::NestedMapKeyType,
                at,
                format!(
                    "{} map key inside an extension; keys are int, tstr or bstr",
                    other.type_name()
                ),
            )),
        }
        if let Some(n) = k.value.as_int().filter(|n| n.abs() > MAX_SAFE_INT) {
            out.push(Finding::new(
                Kind::IntegerKeyRange,
                at,
                format!("integer key {n} is beyond ±(2^53−1)"),
            ));
        }
        // A shortest-form scalar is its own deterministic encoding: compare it in place.
        let key: std::borrow::Cow<'_, [u8]> = match k.value {
            Value::Uint(_) | Value::Nint(_) | Value::Bytes(_) | Value::Text(_) | Value::BadText(_)
                if k.shortest && !k.indefinite =>
            {
                input[k.span.clone()].into()
            }
            _ => {
                let mut e = minicbor::Encoder::new(Vec::new());
                k.encode_deterministic(&mut e);
                e.into_writer().into()
            }
        };
        keys.push((key, at));
    }
    let mut seen: Vec<&[u8]> = keys.iter().map(|(k, _)| k.as_ref()).collect();
    seen.sort();
    if seen.windows(2).any(|w| w[0] == w[1]) {
        let kind = match place {
            Place::Outside => Kind::CddlShape,
            Place::ExtensionsMap | Place::InExtension => Kind::DuplicateExtensionKey,
        };
        out.push(Finding::new(
            kind,
            map.span.start,
            "the same key appears more than once in a map",
        ));
    }
    let bytewise = keys.windows(2).all(|w| w[0].0 <= w[1].0);
    if !bytewise {
        let length_first = keys
            .windows(2)
            .all(|w| (w[0].0.len(), &w[0].0) <= (w[1].0.len(), &w[1].0));
        let (kind, what) = if length_first {
            (
                Kind::LengthFirstKeyOrder,
                "map keys in RFC 7049 length-first order, not bytewise order",
            )
        } else {
            (
                Kind::UnsortedMapKeys,
                "map keys not in bytewise lexicographic order of their encodings",
            )
        };
        out.push(Finding::new(kind, map.span.start, what));
    }
}
