//! Two models compared through their JSON form: the first difference named by field, and an
//! extension by its key (a misread key moves entries, so positions mislead).

use serde_json::Value;

use crate::harness::Outcome;

/// Compares two models through their JSON form, naming the first difference by field name, and
/// an extension by its key (not its position: a misread key moves entries).
pub(super) fn same_model<T: serde::Serialize + PartialEq>(what: &str, expected: &T, actual: &T) -> Outcome {
    if expected == actual {
        return Outcome::pass();
    }
    let (e, a) = (
        serde_json::to_value(expected).unwrap_or_default(),
        serde_json::to_value(actual).unwrap_or_default(),
    );
    match first_difference(&e, &a, String::new()) {
        Some((path, e, a)) => Outcome::mismatch(&format!("{what}: expected {e}, got {a} at `{path}`"), e, a),
        None => Outcome::mismatch(what, e, a),
    }
}

/// The key of an Extension's JSON form (`key`, or `keyCbor` for a key §6.2 forbids).
fn extension_key(v: &Value) -> Option<String> {
    // An external part has a `key` too (its encryption key), and a `cardinality`.
    let o = v.as_object().filter(|o| !o.contains_key("cardinality"))?;
    o.get("key")
        .map(|k| k.to_string())
        .or_else(|| o.get("keyCbor").map(|k| format!("keyCbor {k}")))
}

/// What stands for a member one side lacks.
fn absent() -> Value {
    Value::String("(absent)".into())
}

fn first_difference(e: &Value, a: &Value, path: String) -> Option<(String, Value, Value)> {
    let keyed = |v: &[Value]| !v.is_empty() && v.iter().all(|x| extension_key(x).is_some());
    match (e, a) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                let (xe, ya) = (
                    x.get(k).cloned().unwrap_or_else(absent),
                    y.get(k).cloned().unwrap_or_else(absent),
                );
                first_difference(&xe, &ya, p)
            })
        }
        // Extensions: matched by key; then their order, which the model keeps as on the wire.
        (Value::Array(x), Value::Array(y)) if keyed(x) || keyed(y) => {
            let find = |v: &[Value], k: &str| v.iter().find(|e| extension_key(e).as_deref() == Some(k)).cloned();
            for ex in x {
                let k = extension_key(ex).unwrap_or_default();
                let at = format!("{path}[key {k}]");
                match find(y, &k) {
                    None => return Some((at, ex.clone(), absent())),
                    Some(ay) => {
                        if let Some(d) = first_difference(ex, &ay, at) {
                            return Some(d);
                        }
                    }
                }
            }
            if let Some(ay) = y
                .iter()
                .find(|ay| find(x, &extension_key(ay).unwrap_or_default()).is_none())
            {
                let k = extension_key(ay).unwrap_or_default();
                return Some((format!("{path}[key {k}]"), absent(), ay.clone()));
            }
            let order = |v: &[Value]| Value::from(v.iter().filter_map(extension_key).collect::<Vec<_>>());
            (e != a).then(|| (format!("{path} (order of keys)"), order(x), order(y)))
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_difference(p, q, format!("{path}[{i}]"))),
        _ if e == a => None,
        _ => Some((
            if path.is_empty() { "(root)".into() } else { path },
            e.clone(),
            a.clone(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_misread_extension_key_is_named_by_key_not_position() {
        let e = json!({"extensions": [{"key": 1, "text": "a"}, {"key": "org.example.flag", "cbor": "f5"}]});
        let a = json!({"extensions": [{"key": "rg.example.flag", "cbor": "f5"}, {"key": 1, "text": "a"}]});
        let (path, want, got) = first_difference(&e, &a, String::new()).expect("a difference");
        assert_eq!(path, "extensions[key \"org.example.flag\"]");
        assert_eq!(want, json!({"key": "org.example.flag", "cbor": "f5"}));
        assert_eq!(got, absent());
    }

    #[test]
    fn the_same_extensions_in_another_order_say_so() {
        let e = json!({"extensions": [{"key": 1, "text": "a"}, {"key": 2, "text": "b"}]});
        let a = json!({"extensions": [{"key": 2, "text": "b"}, {"key": 1, "text": "a"}]});
        let (path, want, got) = first_difference(&e, &a, String::new()).expect("a difference");
        assert_eq!(
            (path.as_str(), want, got),
            ("extensions (order of keys)", json!(["1", "2"]), json!(["2", "1"]))
        );
    }

    #[test]
    fn a_value_difference_names_its_field() {
        let e = json!({"nestedPart": {"disposition": 1, "language": ""}});
        let a = json!({"nestedPart": {"disposition": 9, "language": ""}});
        let o = same_model("decoded content", &e, &a);
        assert!(
            o.message
                .starts_with("decoded content: expected 1, got 9 at `nestedPart.disposition`"),
            "{}",
            o.message
        );
    }
}
