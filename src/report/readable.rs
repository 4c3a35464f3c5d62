//! A result's transcript made readable for `report.html`: each driver exchange and each note as
//! a block, CBOR in diagnostic notation, TLS-presentation structs decoded to JSON, and RFC 9420
//! messages summarised (type, epoch, sender, proposals). Every block is plain text: the template
//! escapes it. Nothing here panics on what an implementation sent.

use serde::Serialize;
use serde_json::Value;

use crate::harness::Transcript;

/// One piece of a transcript: a label and preformatted text.
#[derive(Debug, Clone, Serialize)]
pub struct Block {
    /// `request`, `response`, `cbor`, `decoded`, `mls`, `note`, `stderr`, `omitted`.
    pub kind: &'static str,
    pub label: String,
    pub text: String,
}

/// The readable blocks of `t`, at most `cap` bytes of text in all; what is left out is said in a
/// last block (`… N bytes omitted`).
pub fn blocks(t: &Transcript, cap: usize) -> Vec<Block> {
    let mut out = Vec::new();
    for (i, x) in t.exchanges.iter().enumerate() {
        let n = i + 1;
        out.push(block(
            "request",
            format!("#{n} → {} ({} ms)", x.op, x.duration_ms),
            pretty(&x.request),
        ));
        out.push(block("response", format!("#{n} ← {}", x.op), pretty(&x.response)));
        out.extend(derived(&x.op, &x.request, &x.response, n));
        if !x.stderr.is_empty() {
            out.push(block("stderr", format!("#{n} driver stderr"), x.stderr.join("\n")));
        }
    }
    for (i, note) in t.notes.iter().enumerate() {
        out.push(block("note", String::new(), note.clone()));
        out.extend(from_note(note, t.notes.get(i + 1).map(String::as_str)));
    }
    for b in &mut out {
        b.text = redact(&b.text);
    }
    cap_blocks(out, cap)
}

fn block(kind: &'static str, label: String, text: String) -> Block {
    Block { kind, label, text }
}

/// Private keys are never shown (the driver already leaves them out of transcripts).
fn redact(s: &str) -> String {
    if s.contains("PRIVATE KEY-----") {
        "(text holding a private key, not shown)".into()
    } else {
        s.to_owned()
    }
}

fn cap_blocks(blocks: Vec<Block>, cap: usize) -> Vec<Block> {
    let total: usize = blocks.iter().map(|b| b.text.len() + b.label.len()).sum();
    if total <= cap {
        return blocks;
    }
    let mut out = Vec::new();
    let mut used = 0;
    for mut b in blocks {
        let room = cap.saturating_sub(used + b.label.len());
        if room == 0 {
            break;
        }
        if b.text.len() > room {
            b.text.truncate(b.text.floor_char_boundary(room));
            b.text.push('…');
        }
        used += b.label.len() + b.text.len();
        out.push(b);
    }
    out.push(block(
        "omitted",
        String::new(),
        format!("… {} bytes omitted", total.saturating_sub(used)),
    ));
    out
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string())
}

/// Hex that the transcript kept whole (a clipped string ends in `… (N more bytes)`).
fn whole_hex(v: Option<&Value>) -> Option<Vec<u8>> {
    hex::decode(v?.as_str()?).ok()
}

/// What an exchange's bytes mean: CBOR of the content operations, the structs of `wire.*`, and
/// the MLS messages inside either.
fn derived(op: &str, request: &Value, response: &Value, n: usize) -> Vec<Block> {
    let mut out = Vec::new();
    let mut mls = Vec::new();
    match op {
        "content.decode" | "content.messageId" | "status.decode" => match whole_hex(request.get("cbor")) {
            Some(bytes) => out.push(block(
                "cbor",
                format!("#{n} request cbor, {} bytes, in diagnostic notation", bytes.len()),
                crate::codec::cbor::diagnostic(&bytes),
            )),
            None if request.get("cbor").is_some() => out.push(block(
                "cbor",
                format!("#{n} request cbor"),
                "(cut in the transcript: not decoded)".into(),
            )),
            None => {}
        },
        "content.encode" => {
            if let Some(bytes) = whole_hex(response.get("cbor")) {
                out.push(block(
                    "cbor",
                    format!("#{n} answered cbor, {} bytes, in diagnostic notation", bytes.len()),
                    crate::codec::cbor::diagnostic(&bytes),
                ));
            }
        }
        "wire.decode" | "wire.encode" => {
            let name = request.get("struct").and_then(Value::as_str).unwrap_or("");
            let bytes = if op == "wire.decode" {
                whole_hex(request.get("hex"))
            } else {
                whole_hex(response.get("hex"))
            };
            if let (false, Some(bytes)) = (name.is_empty(), bytes) {
                let which = if op == "wire.decode" { "request" } else { "answered" };
                let text = match crate::codec::tls::decode_named(name, &bytes, false) {
                    Ok(v) => {
                        mls_in(&v, name, &mut mls);
                        pretty(&v)
                    }
                    Err(e) => format!("does not decode as {name}: {e}"),
                };
                out.push(block(
                    "decoded",
                    format!("#{n} {which} bytes as the suite reads {name} ({} bytes)", bytes.len()),
                    text,
                ));
            }
        }
        _ => {}
    }
    mls_in(request, "request", &mut mls);
    mls_in(response, "response", &mut mls);
    // The same message seen twice (the bytes sent, the implementation's decoding) is said once.
    let mut seen = std::collections::BTreeSet::new();
    mls.retain(|line| seen.insert(line.split_once(": ").map_or(line.clone(), |(_, s)| s.to_owned())));
    if !mls.is_empty() {
        out.push(block("mls", format!("#{n} MLS messages"), mls.join("\n")));
    }
    out
}

/// The struct a request body to a §5 endpoint is.
fn struct_of_path(path: &str) -> Option<&'static str> {
    let path = path.split('?').next().unwrap_or(path);
    [
        ("/keyMaterial/", "KeyMaterialRequest"),
        ("/update/", "UpdateRequest"),
        ("/submitMessage/", "SubmitMessageRequest"),
        ("/notify/", "FanoutMessage"),
        ("/groupInfo/", "GroupInfoRequest"),
        ("/identifierQuery/", "IdentifierRequest"),
        ("/reportAbuse/", "AbuseReport"),
    ]
    .into_iter()
    .find(|(p, _)| path.contains(p))
    .map(|(_, s)| s)
}

/// What a scenario note's bytes mean: a request body decoded as the struct its endpoint takes
/// (the next note names the endpoint), a decoded struct's JSON shown whole, MLS inside either.
fn from_note(note: &str, next: Option<&str>) -> Vec<Block> {
    let mut out = Vec::new();
    if let Some((step, hex_body)) = note.split_once(": request body ")
        && let Ok(bytes) = hex::decode(hex_body.trim())
    {
        let name = next
            .and_then(|n| n.split_whitespace().find(|w| w.starts_with("https://")))
            .and_then(struct_of_path);
        if let Some(name) = name {
            let (text, value) = match crate::codec::tls::decode_named(name, &bytes, false) {
                Ok(v) => (pretty(&v), Some(v)),
                Err(e) => (format!("does not decode as {name}: {e}"), None),
            };
            out.push(block(
                "decoded",
                format!("{step}: request body as {name} ({} bytes)", bytes.len()),
                text,
            ));
            if let Some(v) = value {
                let mut mls = Vec::new();
                mls_in(&v, name, &mut mls);
                if !mls.is_empty() {
                    out.push(block("mls", format!("{step}: MLS messages"), mls.join("\n")));
                }
            }
        }
    } else if let Some((head, json)) = note.split_once(": decoded ")
        && let Some((name, json)) = json.split_once(": ")
        && let Ok(v) = serde_json::from_str::<Value>(json)
    {
        out.push(block("decoded", format!("{head}: {name}"), pretty(&v)));
        let mut mls = Vec::new();
        mls_in(&v, name, &mut mls);
        if !mls.is_empty() {
            out.push(block("mls", format!("{head}: MLS messages"), mls.join("\n")));
        }
    }
    out
}

/// Summaries of the MLS objects among the strings of `v` (at most 32), each `path: summary`.
pub fn mls_in(v: &Value, path: &str, out: &mut Vec<String>) {
    if out.len() >= 32 {
        return;
    }
    match v {
        Value::String(s) => {
            // The member's name, past any `[i]` of the arrays it is in.
            let key = path
                .trim_end_matches(|c: char| c == ']' || c == '[' || c.is_ascii_digit())
                .rsplit('.')
                .next()
                .unwrap_or("");
            // A whole struct's or content's bytes: their decoding is shown instead.
            if matches!(key, "hex" | "cbor") {
                return;
            }
            let Ok(bytes) = hex::decode(s) else { return };
            let summary = match key {
                "keyPackage" | "clientKeyPackages" => key_package(&bytes),
                "welcome" => welcome(&bytes).map(|w| format!("Welcome (bare), {w}")),
                "groupInfo" => group_info(&bytes).map(|g| format!("GroupInfo (bare), {g}")),
                _ if bytes.len() >= 8 && bytes[..2] == [0, 1] && (1..=5).contains(&bytes[3]) && bytes[2] == 0 => {
                    mls_message(&bytes)
                }
                _ => None,
            };
            if let Some(s) = summary {
                out.push(format!("{path}: {s}"));
            }
        }
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                mls_in(x, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(m) => {
            for (k, x) in m {
                mls_in(x, &format!("{path}.{k}"), out);
            }
        }
        _ => {}
    }
}

/// A reader of RFC 9420 §2.1 TLS presentation with variable-length vector headers.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Some(a)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Option<u32> {
        self.take(4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self) -> Option<u64> {
        self.take(8).and_then(|b| b.try_into().ok()).map(u64::from_be_bytes)
    }
    /// `opaque x<V>`: a QUIC-style variable-length header, then that many bytes.
    fn vector(&mut self) -> Option<&'a [u8]> {
        let first = self.u8()?;
        let len = match first >> 6 {
            0 => usize::from(first & 0x3f),
            1 => (usize::from(first & 0x3f) << 8) | usize::from(self.u8()?),
            2 => {
                let rest = self.take(3)?;
                (usize::from(first & 0x3f) << 24)
                    | (usize::from(rest[0]) << 16)
                    | (usize::from(rest[1]) << 8)
                    | usize::from(rest[2])
            }
            _ => return None,
        };
        self.take(len)
    }
}

fn short_hex(b: &[u8]) -> String {
    if b.len() <= 16 {
        hex::encode(b)
    } else {
        format!("{}… ({} bytes)", hex::encode(&b[..16]), b.len())
    }
}

/// The group id as text when it is printable, else hex.
fn group_id(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) if !s.is_empty() && s.chars().all(|c| !c.is_control()) => format!("{s:?}"),
        _ => short_hex(b),
    }
}

fn sender(r: &mut Reader) -> Option<String> {
    Some(match r.u8()? {
        1 => format!("member (leaf {})", r.u32()?),
        2 => format!("external sender {}", r.u32()?),
        3 => "new member (proposal)".into(),
        4 => "new member (commit)".into(),
        t => format!("sender type {t}"),
    })
}

fn proposal_name(t: u16) -> String {
    match t {
        1 => "add".into(),
        2 => "update".into(),
        3 => "remove".into(),
        4 => "psk".into(),
        5 => "reinit".into(),
        6 => "external_init".into(),
        7 => "group_context_extensions".into(),
        8 => "app_data_update".into(),
        9 => "app_ephemeral".into(),
        t => format!("type 0x{t:04x}"),
    }
}

/// One proposal's type and, where its length is known without a full parse, its body skipped.
fn proposal(r: &mut Reader) -> Option<(String, bool)> {
    let t = r.u16()?;
    let name = proposal_name(t);
    let parsed = match t {
        1 => {
            use tls_codec::DeserializeBytes as _;
            let before = r.0.len();
            let (_, rest) = openmls::prelude::KeyPackageIn::tls_deserialize_bytes(r.0).ok()?;
            let used = before - rest.len();
            r.take(used)?;
            true
        }
        3 => {
            let leaf = r.u32()?;
            return Some((format!("remove leaf {leaf}"), true));
        }
        // draft-ietf-mls-extensions AppDataUpdate: component_id, then update(data) or remove.
        8 => {
            let component = r.u16()?;
            let what = match r.u8()? {
                1 => format!("update, {} bytes", r.vector()?.len()),
                2 => "remove".to_owned(),
                op => return Some((format!("app_data_update component 0x{component:04x} op {op}"), false)),
            };
            return Some((format!("app_data_update component 0x{component:04x} ({what})"), true));
        }
        6 => r.vector().is_some(),
        7 => r.vector().is_some(),
        5 => r.vector().is_some() && r.u16().is_some() && r.u16().is_some() && r.vector().is_some(),
        _ => false,
    };
    Some((name, parsed))
}

/// The proposals of a commit, as far as they can be read without the group.
fn commit(r: &mut Reader) -> String {
    let Some(span) = r.vector() else {
        return "commit (proposals unreadable)".into();
    };
    let mut list = Reader(span);
    let mut names = Vec::new();
    while !list.0.is_empty() && names.len() < 64 {
        match list.u8() {
            Some(1) => match proposal(&mut list) {
                Some((name, true)) => names.push(name),
                Some((name, false)) => {
                    names.push(format!("{name}, then not read further"));
                    break;
                }
                None => {
                    names.push("(unreadable)".into());
                    break;
                }
            },
            Some(2) => match list.vector() {
                Some(r) => names.push(format!("by reference {}", short_hex(r))),
                None => {
                    names.push("(unreadable reference)".into());
                    break;
                }
            },
            _ => {
                names.push("(unreadable)".into());
                break;
            }
        }
    }
    let path = match r.u8() {
        Some(1) => ", with a path",
        Some(0) => ", no path",
        _ => "",
    };
    if names.is_empty() {
        format!("commit, no proposals{path}")
    } else {
        format!("commit, proposals [{}]{path}", names.join(", "))
    }
}

/// An RFC 9420 §6 MLSMessage: its wire format, group, epoch, sender and content.
pub fn mls_message(bytes: &[u8]) -> Option<String> {
    let mut r = Reader(bytes);
    if r.u16()? != 1 {
        return None;
    }
    Some(match r.u16()? {
        1 => {
            let gid = group_id(r.vector()?);
            let epoch = r.u64()?;
            let sender = sender(&mut r)?;
            r.vector()?; // authenticated_data
            let content = match r.u8()? {
                1 => format!("application, {} bytes", r.vector().map_or(0, <[u8]>::len)),
                2 => match proposal(&mut r) {
                    Some((name, _)) => format!("proposal {name}"),
                    None => "proposal (unreadable)".into(),
                },
                3 => commit(&mut r),
                t => format!("content type {t}"),
            };
            format!("PublicMessage, group {gid}, epoch {epoch}, from {sender}: {content}")
        }
        2 => {
            let gid = group_id(r.vector()?);
            let epoch = r.u64()?;
            let content = match r.u8()? {
                1 => "application".to_owned(),
                2 => "proposal".to_owned(),
                3 => "commit".to_owned(),
                t => format!("content type {t}"),
            };
            format!("PrivateMessage, group {gid}, epoch {epoch}: {content} (encrypted; sender hidden)")
        }
        3 => format!("Welcome, {}", welcome(r.0)?),
        4 => format!("GroupInfo, {}", group_info(r.0)?),
        5 => key_package(r.0)?.replacen("KeyPackage", "KeyPackage (MLSMessage)", 1),
        _ => return None,
    })
}

fn welcome(bytes: &[u8]) -> Option<String> {
    let mut r = Reader(bytes);
    let suite = r.u16()?;
    let mut secrets = Reader(r.vector()?);
    let mut n = 0;
    while !secrets.0.is_empty() {
        secrets.vector()?; // new_member KeyPackageRef
        secrets.vector()?; // kem_output
        secrets.vector()?; // ciphertext
        n += 1;
    }
    Some(format!("ciphersuite {suite}, for {n} new member(s)"))
}

fn group_info(bytes: &[u8]) -> Option<String> {
    let mut r = Reader(bytes);
    r.u16()?; // GroupContext.version
    let suite = r.u16()?;
    let gid = group_id(r.vector()?);
    let epoch = r.u64()?;
    Some(format!("ciphersuite {suite}, group {gid}, epoch {epoch}"))
}

fn key_package(bytes: &[u8]) -> Option<String> {
    let mut r = Reader(bytes);
    if r.u16()? != 1 {
        return None;
    }
    let suite = r.u16()?;
    Some(format!("KeyPackage, ciphersuite {suite}, {} bytes", bytes.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_bytes_are_summarised_or_refused_never_a_panic() {
        for bytes in [
            &[][..],
            &[0, 1, 0, 1],
            &[0, 1, 0, 1, 0xff, 0xff],
            &[0, 1, 0, 3, 0, 1, 0xc0],
        ] {
            let _ = mls_message(bytes);
            let _ = welcome(bytes);
            let _ = group_info(bytes);
        }
        // A PublicMessage commit by member 2 in epoch 7 removing leaf 1.
        let mut m = vec![0, 1, 0, 1, 2, b'g', b'1'];
        m.extend(7u64.to_be_bytes());
        m.extend([1, 0, 0, 0, 2, 0, 3]);
        m.extend([7, 1, 0, 3, 0, 0, 0, 1, 0]);
        let s = mls_message(&m).expect("summary");
        assert!(
            s.contains("epoch 7") && s.contains("leaf 2") && s.contains("remove leaf 1"),
            "{s}"
        );
    }

    #[test]
    fn a_transcript_over_the_cap_says_what_it_left_out() {
        let t = Transcript {
            notes: vec!["x".repeat(1000); 10],
            exchanges: Vec::new(),
        };
        let b = blocks(&t, 2500);
        let last = b.last().expect("blocks");
        assert_eq!(last.kind, "omitted");
        assert!(last.text.contains("bytes omitted"), "{}", last.text);
        assert!(b.iter().map(|b| b.text.len()).sum::<usize>() < 2600);
    }
}
