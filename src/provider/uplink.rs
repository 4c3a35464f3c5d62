//! The harness playing the clients of a server-only implementation: a `ProviderState` of the
//! implementation's domain that holds only its users' MLS clients, whose every request to "its
//! provider" goes through the driver (`client.submit`, `room.host`) instead of to a provider in
//! this process. The acts of `actions.rs` run on it unchanged; the harness carries the calls to
//! the driver ([`ClientCall`]) and feeds the clients what the implementation delivered
//! (`client.inbox`, `notify::receive`).

use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

use super::act_error::ActError;
use crate::driver::messages::{ClientEndpoint, ClientSubmitParams, ClientSubmitResult, RoomHostParams};
use crate::driver::ops;

/// One driver call a client asks for, with where its answer goes.
#[derive(Debug)]
pub struct ClientCall {
    pub op: &'static str,
    pub params: Value,
    /// The result, or why the call failed (the driver's error, a timeout, a broken transport).
    pub reply: oneshot::Sender<Result<Value, String>>,
}

/// The way from the harness's clients to the implementation's client API.
#[derive(Debug, Clone)]
pub struct Uplink {
    calls: mpsc::UnboundedSender<ClientCall>,
    /// The hub's `external_senders` entry (§7.4), from `configure`: what the rooms these clients
    /// create on it must list. `None` for an implementation that gave none.
    pub hub_sender: Option<openmls::prelude::ExternalSender>,
}

impl Uplink {
    /// An uplink, and the receiving end the harness serves with the driver.
    pub fn new(hub_sender: Option<openmls::prelude::ExternalSender>) -> (Self, mpsc::UnboundedReceiver<ClientCall>) {
        let (calls, rx) = mpsc::unbounded_channel();
        (Uplink { calls, hub_sender }, rx)
    }

    async fn call(&self, op: &'static str, params: Value) -> Result<Value, ActError> {
        let (reply, answer) = oneshot::channel();
        self.calls
            .send(ClientCall { op, params, reply })
            .map_err(|_| ActError::Transport(format!("{op}: nobody carries the call to the implementation")))?;
        answer
            .await
            .map_err(|_| ActError::Transport(format!("{op}: the call was dropped")))?
            .map_err(|e| ActError::Failed(format!("{op}: {e}")))
    }

    /// `client.submit`: the status and body the implementation answered `client`'s request with.
    pub async fn submit(
        &self,
        client: &str,
        endpoint: ClientEndpoint,
        room: &str,
        target: Option<&str>,
        body: Vec<u8>,
    ) -> Result<(u16, Vec<u8>), ActError> {
        let params = ClientSubmitParams {
            client: client.to_owned(),
            endpoint,
            room: room.to_owned(),
            target: target.map(str::to_owned),
            body,
        };
        let answer = self.call(ops::CLIENT_SUBMIT, to_json(&params)).await?;
        let result: ClientSubmitResult = serde_json::from_value(answer.clone()).map_err(|e| ActError::Answer {
            endpoint: ops::CLIENT_SUBMIT,
            expected: "{status, body}",
            why: format!("{e}: {answer}"),
        })?;
        Ok((result.status, result.body))
    }

    /// `room.host`: the implementation becomes the hub of `room`, created by `client`.
    pub async fn host(&self, client: &str, room: &str, group_info: Vec<u8>) -> Result<(), ActError> {
        let params = RoomHostParams {
            client: client.to_owned(),
            room: room.to_owned(),
            group_info,
        };
        self.call(ops::ROOM_HOST, to_json(&params)).await.map(|_| ())
    }
}

/// Params as JSON (plain structs: this cannot fail).
fn to_json<T: serde::Serialize>(params: &T) -> Value {
    serde_json::to_value(params).unwrap_or_default()
}
