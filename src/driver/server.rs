//! The implementation side of the driver protocol: serve any [`Handler`] over HTTP or stdio.
//! The reference implementation is served this way by `mimi-conformance driver`, and a
//! third-party adapter can reuse it (see `examples/content_adapter.rs`).

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

use axum::Json;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use super::DriverError;
use super::client::MAX_MESSAGE;

/// What [`Handler::handle_async`] returns.
pub type HandlerFuture<'a> = Pin<Box<dyn Future<Output = Result<Value, DriverError>> + Send + 'a>>;

/// Answers driver operations. `params` and the result are the protocol's JSON objects.
pub trait Handler: Send + Sync {
    fn handle(&self, op: &str, params: Value) -> Result<Value, DriverError>;

    /// The entry point the transports call. The stateful operations (rooms, messages) wait on
    /// the network, so a handler that has them overrides this; the default answers with
    /// [`Handler::handle`], which is all a stateless adapter needs.
    fn handle_async<'a>(&'a self, op: &'a str, params: Value) -> HandlerFuture<'a> {
        Box::pin(async move { self.handle(op, params) })
    }
}

/// Serves `POST /v1/<op>` on `listener` until the process ends.
pub async fn serve_http(listener: tokio::net::TcpListener, handler: Arc<dyn Handler>) -> std::io::Result<()> {
    let app = axum::Router::new()
        .route("/v1/{op}", axum::routing::post(http_op))
        .layer(DefaultBodyLimit::max(MAX_MESSAGE))
        .with_state(handler);
    axum::serve(listener, app).await
}

/// Binds `addr` and returns the bound address with the server future.
pub async fn bind_http(
    addr: SocketAddr,
    handler: Arc<dyn Handler>,
) -> std::io::Result<(SocketAddr, impl Future<Output = std::io::Result<()>>)> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    Ok((bound, serve_http(listener, handler)))
}

async fn http_op(State(handler): State<Arc<dyn Handler>>, Path(op): Path<String>, body: axum::body::Bytes) -> Response {
    let params: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return error_response(DriverError::invalid_params(format!("body is not JSON: {e}")));
        }
    };
    match handler.handle_async(&op, params).await {
        Ok(v) => (StatusCode::OK, Json(v)).into_response(),
        Err(e) => error_response(e),
    }
}

fn error_response(e: DriverError) -> Response {
    let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(json!({ "error": e }))).into_response()
}

/// Serves one request per stdin line, one answer per stdout line, until stdin closes.
pub async fn serve_stdio(handler: Arc<dyn Handler>) -> std::io::Result<()> {
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut stdout = tokio::io::stdout();
    while let Some(line) = lines.next_line().await? {
        if line.trim().is_empty() {
            continue;
        }
        let answer = answer_line(handler.as_ref(), &line).await;
        let mut out = serde_json::to_vec(&answer).expect("JSON");
        out.push(b'\n');
        stdout.write_all(&out).await?;
        stdout.flush().await?;
    }
    Ok(())
}

/// The answer to one stdio request line.
pub async fn answer_line(handler: &dyn Handler, line: &str) -> Value {
    let msg: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => {
            return json!({ "id": null, "error": DriverError::invalid_params(format!("request is not JSON: {e}")) });
        }
    };
    let id = msg.get("id").cloned().unwrap_or(Value::Null);
    let Some(op) = msg.get("op").and_then(Value::as_str) else {
        return json!({ "id": id, "error": DriverError::invalid_params("request has no `op`") });
    };
    let params = msg.get("params").cloned().unwrap_or_else(|| json!({}));
    match handler.handle_async(op, params).await {
        Ok(result) => json!({ "id": id, "result": result }),
        Err(e) => json!({ "id": id, "error": e }),
    }
}
