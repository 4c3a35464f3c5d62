//! The harness side of the driver protocol: one [`Driver`] per implementation under test, over
//! HTTP, a child process's stdio, or in-process for the built-in reference implementation.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

use super::{DriverError, ErrorCode, Handler};

/// A driver message larger than this is refused: a hostile IUT must not exhaust memory.
pub const MAX_MESSAGE: usize = 16 << 20;

/// What can go wrong with one call, from the harness's point of view.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CallError {
    /// The IUT answered the error object `unsupported`.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// The IUT answered another error object.
    #[error("the implementation answered {0}")]
    Driver(DriverError),
    /// The IUT could not be reached or the channel broke.
    #[error("driver transport: {0}")]
    Transport(String),
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// The answer broke the driver protocol (not JSON, wrong shape, over the size limit).
    #[error("malformed answer: {0}")]
    BadResponse(String),
}

/// One request and its answer, for the transcript.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Exchange {
    pub op: String,
    pub request: Value,
    /// The result object, or the error object / failure as text.
    pub response: Value,
    /// What a stdio driver printed on stderr meanwhile.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stderr: Vec<String>,
    pub duration_ms: u64,
}

/// An implementation under test, reachable through the driver protocol.
pub enum Driver {
    /// In-process: the same JSON messages, handed to a handler directly.
    Builtin {
        name: String,
        handler: Arc<dyn Handler>,
    },
    Http {
        base: String,
        client: reqwest::Client,
    },
    Stdio(Box<StdioDriver>),
}

impl Driver {
    pub fn builtin(name: impl Into<String>, handler: Arc<dyn Handler>) -> Self {
        Driver::Builtin {
            name: name.into(),
            handler,
        }
    }

    pub fn http(base: &str) -> Result<Self, CallError> {
        crate::rustls_provider::install();
        let client = reqwest::Client::builder()
            .build()
            .map_err(|e| CallError::Transport(format!("cannot build an HTTP client: {e}")))?;
        Ok(Driver::Http {
            base: base.trim_end_matches('/').to_owned(),
            client,
        })
    }

    /// Starts `command` through `sh -c`, speaking the protocol on its stdin/stdout.
    pub fn stdio(command: &str) -> Result<Self, CallError> {
        StdioDriver::spawn(command).map(|d| Driver::Stdio(Box::new(d)))
    }

    /// How the report names this driver.
    pub fn describe(&self) -> String {
        match self {
            Driver::Builtin { name, .. } => format!("builtin:{name}"),
            Driver::Http { base, .. } => base.clone(),
            Driver::Stdio(s) => format!("cmd:{}", s.command),
        }
    }

    /// Calls `op`, recording the exchange in `transcript`.
    pub async fn call<P: Serialize, R: DeserializeOwned>(
        &self,
        op: &str,
        params: &P,
        timeout: Duration,
        transcript: &mut Vec<Exchange>,
    ) -> Result<R, CallError> {
        let request =
            serde_json::to_value(params).map_err(|e| CallError::Transport(format!("cannot encode params: {e}")))?;
        let recorded = shortened(&request);
        let started = Instant::now();
        let outcome = match tokio::time::timeout(timeout, self.raw_call(op, request)).await {
            Ok(r) => r,
            Err(_) => Err(CallError::Timeout(timeout)),
        };
        // A stdio stream cut mid-frame by the timeout is mended now, before the next test's call.
        let restarted = match (self, &outcome) {
            (Driver::Stdio(s), Err(CallError::Timeout(_))) => s.resync().await,
            _ => None,
        };
        let stderr = match self {
            Driver::Stdio(s) => s.take_stderr().into_iter().chain(restarted).collect(),
            _ => Vec::new(),
        };
        let response = match &outcome {
            Ok(v) => shortened(v),
            Err(CallError::Driver(e)) => shortened(&json!({ "error": e })),
            Err(e) => shortened(&json!({ "failure": e.to_string() })),
        };
        transcript.push(Exchange {
            op: op.to_owned(),
            request: recorded,
            response,
            stderr,
            duration_ms: started.elapsed().as_millis() as u64,
        });
        let value = outcome?;
        serde_path_to_error::deserialize(value)
            .map_err(|e| CallError::BadResponse(format!("{op} result at `{}`: {}", e.path(), e.inner())))
    }

    async fn raw_call(&self, op: &str, params: Value) -> Result<Value, CallError> {
        let result = match self {
            Driver::Builtin { handler, .. } => handler.handle_async(op, params).await.map_err(CallError::from),
            Driver::Http { base, client } => http_call(client, base, op, params).await,
            Driver::Stdio(s) => s.call(op, params).await,
        };
        result.and_then(|v| match v {
            Value::Object(_) => Ok(v),
            other => Err(CallError::BadResponse(format!(
                "{op} result is not a JSON object: {other}"
            ))),
        })
    }
}

/// Strings longer than this are cut in transcripts (a 500 KB vector would swamp a report).
const TRANSCRIPT_STRING: usize = 2048;
/// At most this many values (at any depth) of one request or answer are recorded: a wrong
/// answer of millions of small elements costs a transcript kilobytes, not a gigabyte.
const TRANSCRIPT_VALUES: usize = 1000;

/// `v` with long strings cut, saying how much was left out, and private keys left out (a
/// transcript goes into reports, which are published).
fn shortened(v: &Value) -> Value {
    let mut left = TRANSCRIPT_VALUES;
    shorten(v, &mut left)
}

/// [`shortened`] with `left` values still to spend: past it, arrays and objects say how much
/// they leave out.
fn shorten(v: &Value, left: &mut usize) -> Value {
    *left = left.saturating_sub(1);
    match v {
        Value::String(s) if s.contains("PRIVATE KEY-----") => Value::String("(a private key, not recorded)".into()),
        Value::String(s) if s.len() > TRANSCRIPT_STRING => {
            let cut = s.floor_char_boundary(TRANSCRIPT_STRING);
            Value::String(format!("{}… ({} more bytes)", &s[..cut], s.len() - cut))
        }
        Value::Array(a) => {
            let mut out = Vec::new();
            for (i, x) in a.iter().enumerate() {
                if *left == 0 {
                    out.push(Value::String(format!("… ({} more elements)", a.len() - i)));
                    break;
                }
                out.push(shorten(x, left));
            }
            Value::Array(out)
        }
        Value::Object(o) => {
            let mut out = serde_json::Map::new();
            for (i, (k, x)) in o.iter().enumerate() {
                if *left == 0 {
                    out.insert("…".into(), Value::String(format!("{} more members", o.len() - i)));
                    break;
                }
                out.insert(k.clone(), shorten(x, left));
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

impl From<DriverError> for CallError {
    fn from(e: DriverError) -> Self {
        match e.code {
            ErrorCode::Unsupported => CallError::Unsupported(e.message),
            _ => CallError::Driver(e),
        }
    }
}

async fn http_call(client: &reqwest::Client, base: &str, op: &str, params: Value) -> Result<Value, CallError> {
    let url = format!("{base}/v1/{op}");
    let mut resp = client
        .post(&url)
        .json(&params)
        .send()
        .await
        .map_err(|e| CallError::Transport(format!("POST {url}: {}", crate::error_chain::chain(&e))))?;
    let status = resp.status();
    let mut body = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| CallError::Transport(format!("reading {url}: {}", crate::error_chain::chain(&e))))?
    {
        if body.len() + chunk.len() > MAX_MESSAGE {
            return Err(CallError::BadResponse(format!("{url}: body over {MAX_MESSAGE} bytes")));
        }
        body.extend_from_slice(&chunk);
    }
    let value: Value = serde_json::from_slice(&body)
        .map_err(|e| CallError::BadResponse(format!("{url} answered {status} with a body that is not JSON: {e}")))?;
    if status.is_success() {
        return Ok(value);
    }
    let error = value.get("error").cloned().unwrap_or(value);
    match serde_json::from_value::<DriverError>(error) {
        Ok(e) => Err(e.into()),
        Err(_) => Err(CallError::BadResponse(format!(
            "{url} answered {status} without an error object"
        ))),
    }
}

/// At most this many stderr lines are kept between two calls, each cut to [`STDERR_LINE_MAX`]
/// bytes: an adapter printing without end costs at most about 1 MiB.
const STDERR_LINES_MAX: usize = 1000;
const STDERR_LINE_MAX: usize = 1024;

/// Reads an adapter's stderr into `sink` line by line, each line cut to [`STDERR_LINE_MAX`]
/// bytes (the rest read and counted, never held), at most [`STDERR_LINES_MAX`] lines kept.
async fn keep_stderr(err: tokio::process::ChildStderr, sink: Arc<Mutex<Vec<String>>>) {
    use tokio::io::AsyncBufReadExt;
    let mut reader = BufReader::new(err);
    let (mut line, mut omitted) = (Vec::new(), 0usize);
    loop {
        let chunk = match reader.fill_buf().await {
            Ok([]) | Err(_) => break,
            Ok(c) => c,
        };
        let (part, end) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (&chunk[..i], Some(i + 1)),
            None => (chunk, None),
        };
        let room = STDERR_LINE_MAX.saturating_sub(line.len());
        line.extend_from_slice(&part[..part.len().min(room)]);
        omitted += part.len().saturating_sub(room);
        let used = end.unwrap_or(chunk.len());
        reader.consume(used);
        if end.is_some() {
            let mut text = String::from_utf8_lossy(&line).into_owned();
            if omitted > 0 {
                text.push_str(&format!("… ({omitted} more bytes)"));
            }
            let mut kept = sink.lock().expect("stderr lock");
            if kept.len() < STDERR_LINES_MAX {
                kept.push(text);
            }
            (line, omitted) = (Vec::new(), 0);
        }
    }
    if !line.is_empty() {
        let mut kept = sink.lock().expect("stderr lock");
        if kept.len() < STDERR_LINES_MAX {
            kept.push(String::from_utf8_lossy(&line).into_owned());
        }
    }
}

/// A child process speaking the protocol one JSON message per line.
pub struct StdioDriver {
    command: String,
    io: tokio::sync::Mutex<StdioIo>,
    stderr: Arc<Mutex<Vec<String>>>,
}

struct StdioIo {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next_id: u64,
    /// Set once the stream is out of step (an over-long line): later calls fail at once.
    broken: Option<String>,
    /// The line being read, kept across a call cut by its timeout (`read_until` is cancel-safe):
    /// not empty between calls means the stream stopped mid-frame.
    pending: Vec<u8>,
    /// A request is being written: still set between calls means one was cut mid-frame.
    writing: bool,
}

impl StdioIo {
    /// Ends the adapter and every process of its group (a grandchild that called `setsid` has
    /// left the group and is out of reach: see the README).
    fn kill_group(&mut self) {
        if let Some(pid) = self.child.id().and_then(|p| i32::try_from(p).ok()) {
            // SAFETY: kill(2) with a negative pid signals a process group; no memory is involved.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
        }
    }
}

impl Drop for StdioDriver {
    /// Stops the adapter and everything it started (its process group).
    fn drop(&mut self) {
        self.io.get_mut().kill_group();
    }
}

/// Starts `command` in its own process group (so that the whole adapter, not just `sh`, can be
/// ended), its stderr read into `sink`.
fn start(
    command: &str,
    sink: &Arc<Mutex<Vec<String>>>,
) -> Result<(Child, ChildStdin, BufReader<ChildStdout>), CallError> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| CallError::Transport(format!("cannot start `{command}`: {e}")))?;
    let stdin = child.stdin.take().expect("piped stdin");
    let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    if let Some(err) = child.stderr.take() {
        tokio::spawn(keep_stderr(err, sink.clone()));
    }
    Ok((child, stdin, stdout))
}

impl StdioDriver {
    fn spawn(command: &str) -> Result<Self, CallError> {
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let (child, stdin, stdout) = start(command, &stderr)?;
        Ok(StdioDriver {
            command: command.to_owned(),
            io: tokio::sync::Mutex::new(StdioIo {
                child,
                stdin,
                stdout,
                next_id: 1,
                broken: None,
                pending: Vec::new(),
                writing: false,
            }),
            stderr,
        })
    }

    /// If a call was cut mid-frame (half a request written, or half an answer read, then its
    /// timeout), the stream's framing is lost: whatever comes next could be read as the next
    /// call's answer. The adapter is restarted instead (its group ended, the command started
    /// again; the state it held is gone); says so, for the transcript.
    async fn resync(&self) -> Option<String> {
        let mut io = self.io.lock().await;
        self.resync_locked(&mut io)
    }

    fn resync_locked(&self, io: &mut StdioIo) -> Option<String> {
        if io.broken.is_some() || (!io.writing && io.pending.is_empty()) {
            return None;
        }
        let why = if io.writing {
            "a request half written".to_owned()
        } else {
            format!("{} bytes of an answer without its end of line", io.pending.len())
        };
        io.kill_group();
        let note = match start(&self.command, &self.stderr) {
            Ok((child, stdin, stdout)) => {
                (io.child, io.stdin, io.stdout) = (child, stdin, stdout);
                format!("mimi-conformance: the stream lost its framing ({why}); the adapter was restarted")
            }
            Err(e) => {
                let why = format!("the stream lost its framing ({why}) and the adapter could not be restarted: {e}");
                io.broken = Some(why.clone());
                format!("mimi-conformance: {why}")
            }
        };
        (io.pending, io.writing) = (Vec::new(), false);
        Some(note)
    }

    fn take_stderr(&self) -> Vec<String> {
        std::mem::take(&mut *self.stderr.lock().expect("stderr lock"))
    }

    async fn call(&self, op: &str, params: Value) -> Result<Value, CallError> {
        let mut guard = self.io.lock().await;
        let io = &mut *guard;
        // A call cut by something other than its own timeout (the run's deadline) is mended here.
        if let Some(note) = self.resync_locked(io) {
            self.stderr.lock().expect("stderr lock").push(note);
        }
        if let Some(why) = &io.broken {
            return Err(CallError::Transport(why.clone()));
        }
        let id = io.next_id;
        io.next_id += 1;
        let mut line = serde_json::to_vec(&json!({ "id": id, "op": op, "params": params })).expect("JSON");
        line.push(b'\n');
        // Cleared when the write ends, well or not: still set means a timeout cut it.
        io.writing = true;
        let written = match io.stdin.write_all(&line).await {
            Ok(()) => io.stdin.flush().await,
            Err(e) => Err(e),
        };
        io.writing = false;
        written.map_err(|e| CallError::Transport(format!("writing to `{}`: {e}", self.command)))?;
        loop {
            let room = (MAX_MESSAGE + 1).saturating_sub(io.pending.len()) as u64;
            let n = (&mut io.stdout)
                .take(room)
                .read_until(b'\n', &mut io.pending)
                .await
                .map_err(|e| CallError::Transport(format!("reading from `{}`: {e}", self.command)))?;
            if n == 0 && io.pending.is_empty() {
                return Err(CallError::Transport(format!("`{}` closed its stdout", self.command)));
            }
            let buf = std::mem::take(&mut io.pending);
            if buf.len() > MAX_MESSAGE {
                let why = format!("`{}` wrote a line over {MAX_MESSAGE} bytes", self.command);
                io.broken = Some(why.clone());
                return Err(CallError::BadResponse(why));
            }
            let msg: Value = serde_json::from_slice(&buf).map_err(|e| {
                CallError::BadResponse(format!(
                    "stdout line is not JSON ({e}): {}",
                    String::from_utf8_lossy(&buf).trim_end()
                ))
            })?;
            // A late answer to a call that timed out: skip it.
            match msg.get("id").and_then(Value::as_u64) {
                Some(got) if got < id => continue,
                Some(got) if got == id => {}
                _ => {
                    return Err(CallError::BadResponse(format!("answer without id {id}: {msg}")));
                }
            }
            if let Some(result) = msg.get("result") {
                return Ok(result.clone());
            }
            return match msg
                .get("error")
                .map(|e| serde_json::from_value::<DriverError>(e.clone()))
            {
                Some(Ok(e)) => Err(e.into()),
                _ => Err(CallError::BadResponse(format!(
                    "answer with neither result nor error object: {msg}"
                ))),
            };
        }
    }
}
