//! The HTTPS face of a provider: every endpoint it serves (§5.2 keyMaterial, §5.3 update, §5.4
//! submitMessage, §5.5 notify, §5.6 groupInfo; the directory and the §4.1 door checks are added by
//! [`super::https::ProviderServer`]), and a log of every request it receives.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};

use super::outbound::{fan_out, post_logged};
use super::peer_faults::{PeerFault, SLOW_ANSWER};
use super::state::{Exchange, Shared, domain_of, lock};
use super::{hub, key_material, notify};
use crate::codec::protocol;

/// The largest request body a provider reads (16 MiB, as the driver).
const BODY_LIMIT: usize = 16 << 20;

/// Every endpoint of the provider whose state is `state`, under its prefix (the directory says
/// where), each request logged.
pub fn routes(state: Shared) -> Router {
    let prefix = lock(&state).behaviour.prefix;
    let endpoints = Router::new()
        .route("/keyMaterial/{target_user}", axum::routing::post(key_material_route))
        .route("/update/{room}", axum::routing::post(update_route))
        .route("/submitMessage/{room}", axum::routing::post(submit_route))
        .route("/notify/{room}", axum::routing::post(notify_route))
        .route("/groupInfo/{room}", axum::routing::post(group_info_route));
    Router::new()
        .nest(prefix, endpoints)
        .layer(middleware::from_fn_with_state(state.clone(), record))
        .with_state(state)
}

fn binary(bytes: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response()
}

fn encoded<T: protocol::Message>(value: &T) -> Response {
    match protocol::encode(value) {
        Ok(bytes) => binary(bytes),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// §5.2. A request for a user of another provider is forwarded there (the hub proxies key
/// material for its followers, PROT-05) and its answer passed back as it came.
async fn key_material_route(State(state): State<Shared>, Path(target): Path<String>, body: Bytes) -> Response {
    let own = lock(&state).domain.clone();
    match domain_of(&target) {
        Some(domain) if domain != own => {
            match post_logged(&state, domain, "keyMaterial", &target, body.to_vec()).await {
                Ok((status, bytes)) => {
                    (StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY), bytes).into_response()
                }
                Err(e) => (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
            }
        }
        _ => match key_material::answer(&mut lock(&state), &target, &body) {
            Ok(response) => encoded(&response),
            Err(refusal) => refusal.into_response(),
        },
    }
}

/// §5.3, hub role.
async fn update_route(State(state): State<Shared>, Path(room): Path<String>, body: Bytes) -> Response {
    hub_route(&state, &room, &body, hub::update).await
}

/// §5.4, hub role.
async fn submit_route(State(state): State<Shared>, Path(room): Path<String>, body: Bytes) -> Response {
    hub_route(&state, &room, &body, hub::submit).await
}

/// §5.6, hub role.
async fn group_info_route(
    State(state): State<Shared>,
    Path(room): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let from = sender_domain(&headers);
    let result = super::group_info::answer_from(&mut lock(&state), &from, &room, &body);
    match result {
        Ok(answer) => encoded(&answer),
        Err(refusal) => refusal.into_response(),
    }
}

/// A hub endpoint: the answer, sent once the fan-out it caused is done.
async fn hub_route<T: protocol::Message>(
    state: &Shared,
    room: &str,
    body: &[u8],
    endpoint: super::outbound::HubEndpoint<T>,
) -> Response {
    let result = endpoint(&mut lock(state), room, body);
    match result {
        Ok((answer, notifies)) => {
            fan_out(state, notifies).await;
            encoded(&answer)
        }
        Err(refusal) => refusal.into_response(),
    }
}

/// §5.5, follower role.
async fn notify_route(
    State(state): State<Shared>,
    Path(room): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let from = sender_domain(&headers);
    let slow = lock(&state).has_fault(PeerFault::SlowNotify);
    if slow {
        tokio::time::sleep(SLOW_ANSWER).await;
    }
    let mut st = lock(&state);
    if st.has_fault(PeerFault::NotifyFailsOnce) && !st.notify_failed {
        st.notify_failed = true;
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "0")],
            "try again",
        )
            .into_response();
    }
    let (status, bytes) = notify::deliver(&mut st, &from, &room, &body);
    (status, bytes).into_response()
}

/// The domain of `From: mimi@<domain>` (the door has checked it against the certificate).
fn sender_domain(headers: &HeaderMap) -> String {
    headers
        .get(header::FROM)
        .and_then(|h| h.to_str().ok())
        .and_then(|f| f.split_once('@'))
        .map(|(_, d)| d.to_owned())
        .unwrap_or_default()
}

/// Logs the request and its answer in the provider's state.
async fn record(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "body over 16 MiB").into_response();
    };
    let peer = sender_domain(&parts.headers);
    let path = parts.uri.path().to_owned();
    let prefix = lock(&state).behaviour.prefix;
    let endpoint = path
        .strip_prefix(prefix)
        .unwrap_or(&path)
        .split('/')
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    let response = next.run(Request::from_parts(parts, Body::from(body.clone()))).await;
    let (parts, response_body) = response.into_parts();
    let response_body = axum::body::to_bytes(response_body, BODY_LIMIT)
        .await
        .unwrap_or_default();
    lock(&state).log.push(Exchange {
        sent: false,
        peer,
        endpoint,
        path,
        body: body.to_vec(),
        status: parts.status.as_u16(),
        response: response_body.to_vec(),
    });
    Response::from_parts(parts, Body::from(response_body))
}
