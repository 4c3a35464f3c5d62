//! The test-driver protocol, v1: how the harness makes an implementation under test act and
//! tells what it saw. Same JSON messages over HTTP (`POST <url>/v1/<op>`) and over a child
//! process's stdin/stdout (one message per line). `docs/driver.md` is the specification and
//! `docs/driver.schema.json` its JSON Schema.

pub mod client;
pub mod messages;
pub mod server;

use serde::{Deserialize, Serialize};

pub use client::{CallError, Driver, Exchange};
pub use server::Handler;

/// The protocol version this harness speaks.
pub const PROTOCOL_VERSION: &str = "1";

/// Operation names of the content slice.
pub mod ops {
    pub const CAPABILITIES: &str = "capabilities";
    pub const CONTENT_DECODE: &str = "content.decode";
    pub const CONTENT_ENCODE: &str = "content.encode";
    pub const CONTENT_MESSAGE_ID: &str = "content.messageId";
    pub const STATUS_DECODE: &str = "status.decode";
    pub const WIRE_DECODE: &str = "wire.decode";
    pub const WIRE_ENCODE: &str = "wire.encode";
    pub const POLICY_DECIDE: &str = "policy.decide";
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
