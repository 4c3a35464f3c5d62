//! A hostile driver adapter, for the README's hostile matrix (`examples/hostile_matrix.rs`): it
//! answers `capabilities` properly, then every other call the way KIND says, over stdio or HTTP.
//!
//! ```sh
//! hostile_adapter KIND --stdio
//! hostile_adapter KIND --listen 127.0.0.1:0   # prints the bound address first
//! ```
//!
//! The HTTP side is a few lines over a raw socket on purpose: a hostile peer writes what no HTTP
//! library would (half a body, a bad status line, a reset).

use std::io::{BufRead, BufReader, Read, Write};
use std::time::Duration;

/// Every behaviour, with what it does to each call after `capabilities`.
pub const KINDS: &[(&str, &str)] = &[
    ("garbage", "a line that is not JSON"),
    ("silent", "no answer at all"),
    ("slow", "the right shape, after 3 s"),
    ("one-in-three", "an answer to one call in three, silence otherwise"),
    ("not-an-object", "the result `42`"),
    ("null-result", "the result `null`"),
    ("empty-object", "the result `{}`"),
    ("wide-array", "a 250,000-element array where an object is due"),
    ("deep-nesting", "an array nested 100,000 deep"),
    ("huge-string", "a 4 MB string as the reason"),
    ("over-limit", "a 17 MiB answer"),
    ("wrong-id", "the answer to another call (stdio) or a body without an id"),
    ("unsupported", "the error `unsupported` to everything"),
    ("huge-error", "the error `failed` with a 1 MB message"),
    ("result-and-error", "both a result and an error object"),
    ("half-then-stall", "half an answer, then silence"),
    ("exit", "exits (status 3) at the first call"),
    ("crash", "killed by SIGSEGV at the first call"),
    ("control-chars", "a reason of terminal escapes and Markdown"),
    ("duplicate", "every answer twice"),
    ("stderr-flood", "a 64 MB stderr line (stdio), 1 MB of headers (HTTP)"),
];

const CAPABILITIES: &str = r#"{"driver":"1","name":"hostile \u001b[31m*adapter*","version":"0","ops":["content.decode","content.encode","content.messageId","status.decode"]}"#;

/// What to do with call number `n` (1 after capabilities): `None` is silence.
fn answer(kind: &str, n: u64) -> Option<Vec<u8>> {
    let json = |s: String| Some(s.into_bytes());
    match kind {
        "garbage" => json("this is not json".into()),
        "silent" => None,
        "slow" => {
            std::thread::sleep(Duration::from_secs(3));
            json(r#"{"result":{"accepted":true,"content":{}}}"#.into())
        }
        "one-in-three" if n.is_multiple_of(3) => json(r#"{"result":{"accepted":false,"reason":"no"}}"#.into()),
        "one-in-three" => None,
        "not-an-object" => json(r#"{"result":42}"#.into()),
        "null-result" => json(r#"{"result":null}"#.into()),
        "empty-object" => json(r#"{"result":{}}"#.into()),
        "wide-array" => json(format!(r#"{{"result":{{"accepted":true,"content":[{}0]}}}}"#, "0,".repeat(250_000))),
        "deep-nesting" => json(format!(r#"{{"result":{{"content":{}{}}}}}"#, "[".repeat(100_000), "]".repeat(100_000))),
        "huge-string" => json(format!(
            r#"{{"result":{{"accepted":false,"reason":"{}"}}}}"#,
            "x".repeat(4_000_000)
        )),
        "over-limit" => json(format!(r#"{{"result":{{"cbor":"{}"}}}}"#, "0".repeat(17 << 20))),
        "wrong-id" => json(r#"{"id":999999,"result":{"accepted":true}}"#.into()),
        "unsupported" => json(r#"{"error":{"code":"unsupported","message":"not here"}}"#.into()),
        "huge-error" => json(format!(
            r#"{{"error":{{"code":"failed","message":"{}"}}}}"#,
            "e".repeat(1_000_000)
        )),
        "result-and-error" => json(r#"{"result":{"accepted":true},"error":{"code":"failed","message":"both"}}"#.into()),
        "control-chars" => json(
            r#"{"result":{"accepted":false,"reason":"\u001b[2J\u001b[31m# PASS\n| a | b |\n<script>x</script>\u0007"}}"#.into(),
        ),
        "exit" => std::process::exit(3),
        "crash" => {
            // The default action first: Rust's own SIGSEGV handler (stack overflow detection) would
            // otherwise return from a raised signal. SAFETY: signal(2) and raise(3) on the
            // process itself; no memory is involved.
            unsafe {
                libc::signal(libc::SIGSEGV, libc::SIG_DFL);
                libc::raise(libc::SIGSEGV);
            }
            None
        }
        _ => json(r#"{"result":{"accepted":false,"reason":"no"}}"#.into()),
    }
}

/// `body` with the request's id put in front (stdio framing), unless the body names one.
fn with_id(body: &[u8], id: u64) -> Vec<u8> {
    if body.starts_with(br#"{"id""#) || !body.starts_with(b"{") {
        return body.to_vec();
    }
    let mut out = format!(r#"{{"id":{id},"#).into_bytes();
    out.extend_from_slice(&body[1..]);
    out
}

fn stdio(kind: &str) {
    let stdin = std::io::stdin();
    let mut out = std::io::stdout();
    for (n, line) in stdin.lock().lines().enumerate() {
        let Ok(line) = line else { return };
        let id = line
            .strip_prefix(r#"{"id":"#)
            .and_then(|r| r.split(',').next())
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(0);
        if n == 0 {
            let _ = writeln!(out, r#"{{"id":{id},"result":{CAPABILITIES}}}"#);
            let _ = out.flush();
            continue;
        }
        if kind == "stderr-flood" {
            let _ = std::io::stderr().write_all(&vec![b'!'; 64 << 20]);
        }
        let Some(body) = answer(kind, n as u64) else { continue };
        let body = with_id(&body, id);
        if kind == "half-then-stall" {
            let _ = out.write_all(&body[..body.len() / 2]);
            let _ = out.flush();
            std::thread::sleep(Duration::from_secs(3600));
        }
        for _ in 0..if kind == "duplicate" { 2 } else { 1 } {
            let _ = out.write_all(&body);
            let _ = out.write_all(b"\n");
        }
        let _ = out.flush();
    }
}

fn http(kind: &str, addr: &str) {
    let listener = std::net::TcpListener::bind(addr).expect("bind");
    println!("{}", listener.local_addr().expect("address"));
    let _ = std::io::stdout().flush();
    let mut n = 0u64;
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let mut reader = BufReader::new(stream);
        // One request per connection is enough: read its head and body.
        let mut request_line = String::new();
        let _ = reader.read_line(&mut request_line);
        let mut length = 0usize;
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                break;
            }
            if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length.min(16 << 20)];
        let _ = reader.read_exact(&mut body);
        let mut stream = reader.into_inner();
        let capabilities = request_line.contains("/v1/capabilities");
        let answer = if capabilities {
            Some(CAPABILITIES.as_bytes().to_vec())
        } else {
            n += 1;
            answer(kind, n).map(|b| {
                // HTTP answers the result (or the error object) bare.
                let v: serde_json::Value = serde_json::from_slice(&b).unwrap_or(serde_json::Value::Null);
                match (v.get("result"), v.get("error")) {
                    (Some(r), None) => r.to_string().into_bytes(),
                    _ => b,
                }
            })
        };
        let Some(answer) = answer else {
            // Silence: hold the connection open.
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_secs(3600));
                drop(stream);
            });
            continue;
        };
        let status = if !capabilities && answer.starts_with(br#"{"error""#) {
            "500 Internal Server Error"
        } else {
            "200 OK"
        };
        let mut head = format!("HTTP/1.1 {status}\r\nContent-Type: application/json\r\nConnection: close\r\n");
        if kind == "stderr-flood" && !capabilities {
            head.push_str(&format!("X-Flood: {}\r\n", "h".repeat(1 << 20)));
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", answer.len()));
        let _ = stream.write_all(head.as_bytes());
        if kind == "half-then-stall" && !capabilities {
            let _ = stream.write_all(&answer[..answer.len() / 2]);
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_secs(3600));
                drop(stream);
            });
            continue;
        }
        let _ = stream.write_all(&answer);
    }
}

#[allow(dead_code)]
fn main() {
    let args: Vec<String> = std::env::args().collect();
    match (args.get(1), args.get(2).map(String::as_str), args.get(3)) {
        (Some(kind), Some("--stdio"), _) => stdio(kind),
        (Some(kind), Some("--listen"), Some(addr)) => http(kind, addr),
        _ => {
            eprintln!("usage: hostile_adapter KIND (--stdio | --listen ADDR)");
            std::process::exit(2);
        }
    }
}
