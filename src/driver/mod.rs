//! The test-driver protocol, v1: how the harness makes an implementation under test act and
//! tells what it saw. Same JSON messages over HTTP (`POST <url>/v1/<op>`) and over a child
//! process's stdin/stdout (one message per line). `docs/driver.md` is the specification and
//! `docs/driver.schema.json` its JSON Schema.

pub mod client;
pub mod messages;
pub mod server;

use serde::{Deserialize, Serialize};

pub use client::{CallError, Driver, Exchange};
pub use server::{Handler, HandlerFuture};

/// The protocol version this harness speaks.
pub const PROTOCOL_VERSION: &str = "1";

/// Operation names.
pub mod ops {
    pub const CAPABILITIES: &str = "capabilities";
    pub const CONTENT_DECODE: &str = "content.decode";
    pub const CONTENT_ENCODE: &str = "content.encode";
    pub const CONTENT_MESSAGE_ID: &str = "content.messageId";
    pub const STATUS_DECODE: &str = "status.decode";
    pub const WIRE_DECODE: &str = "wire.decode";
    pub const WIRE_ENCODE: &str = "wire.encode";
    pub const POLICY_DECIDE: &str = "policy.decide";
    // The stateful operations: an implementation outside the harness's process playing a role
    // of a protocol scenario (its MIMI endpoints at `--iut-url`).
    pub const RESET: &str = "reset";
    pub const CONFIGURE: &str = "configure";
    pub const USER_CREATE: &str = "user.create";
    pub const ROOM_CREATE: &str = "room.create";
    pub const ROOM_ADD: &str = "room.add";
    pub const ROOM_REMOVE: &str = "room.remove";
    pub const ROOM_LEAVE: &str = "room.leave";
    pub const ROOM_JOIN: &str = "room.join";
    pub const ROOM_COMMIT: &str = "room.commit";
    pub const ROOM_CHANGE_ROLE: &str = "room.change_role";
    pub const ROOM_BAN: &str = "room.ban";
    pub const ROOM_UNBAN: &str = "room.unban";
    pub const ROOM_KICK: &str = "room.kick";
    pub const ROOM_ADD_OWN_CLIENT: &str = "room.add_own_client";
    pub const ROOM_REMOVE_OWN_CLIENT: &str = "room.remove_own_client";
    pub const ROOM_STATE: &str = "room.state";
    pub const MESSAGE_SEND: &str = "message.send";
    pub const MESSAGE_LIST: &str = "message.list";
    /// Either mode: the implementation's user grants another provider's user consent (§5.7, §8).
    pub const CONSENT_GRANT: &str = "consent.grant";
    // Server-only mode: the implementation is a provider whose users' clients are the harness's
    // (docs/driver.md, "Server-only providers").
    pub const USER_PROVISION: &str = "user.provision";
    pub const CLIENT_PUBLISH: &str = "client.publish";
    pub const ROOM_HOST: &str = "room.host";
    pub const CLIENT_SUBMIT: &str = "client.submit";
    pub const CLIENT_INBOX: &str = "client.inbox";

    /// The stateful operations, in the order the documentation lists them.
    pub const STATEFUL: &[&str] = &[
        RESET,
        CONFIGURE,
        USER_CREATE,
        ROOM_CREATE,
        ROOM_ADD,
        ROOM_REMOVE,
        ROOM_LEAVE,
        ROOM_JOIN,
        ROOM_COMMIT,
        ROOM_CHANGE_ROLE,
        ROOM_BAN,
        ROOM_UNBAN,
        ROOM_KICK,
        ROOM_ADD_OWN_CLIENT,
        ROOM_REMOVE_OWN_CLIENT,
        ROOM_STATE,
        MESSAGE_SEND,
        MESSAGE_LIST,
        CONSENT_GRANT,
    ];

    /// The operations of a server-only implementation, in the order the documentation lists them.
    pub const SERVER_ONLY: &[&str] = &[
        RESET,
        CONFIGURE,
        USER_PROVISION,
        CLIENT_PUBLISH,
        ROOM_HOST,
        CLIENT_SUBMIT,
        CLIENT_INBOX,
        CONSENT_GRANT,
    ];
}

/// The error object a driver answers with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{code}: {message}")]
pub struct DriverError {
    pub code: ErrorCode,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The implementation does not do this: reported as `unsupported`, never `fail`.
    Unsupported,
    /// The request did not make sense to the implementation.
    InvalidParams,
    /// The implementation tried and failed.
    Failed,
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ErrorCode::Unsupported => "unsupported",
            ErrorCode::InvalidParams => "invalid_params",
            ErrorCode::Failed => "failed",
        })
    }
}

impl DriverError {
    pub fn unsupported(op: &str) -> Self {
        DriverError {
            code: ErrorCode::Unsupported,
            message: format!("operation {op} is not supported"),
        }
    }

    pub fn invalid_params(message: impl Into<String>) -> Self {
        DriverError {
            code: ErrorCode::InvalidParams,
            message: message.into(),
        }
    }

    pub fn failed(message: impl Into<String>) -> Self {
        DriverError {
            code: ErrorCode::Failed,
            message: message.into(),
        }
    }

    /// The HTTP status the HTTP transport uses for this error.
    pub fn http_status(&self) -> u16 {
        match self.code {
            ErrorCode::Unsupported => 501,
            ErrorCode::InvalidParams => 400,
            ErrorCode::Failed => 500,
        }
    }
}
