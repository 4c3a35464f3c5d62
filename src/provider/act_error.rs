//! Why a user could not act: what the driver's user, room and message operations answer as an
//! error (a refusal by the hub is a result, not an error: see the `actions` module).

/// Why a user could not act (a refusal by the hub is not an error: see the module documentation).
#[derive(Debug, thiserror::Error)]
pub enum ActError {
    #[error("no user {0} on this provider")]
    UnknownUser(String),
    #[error("{0} has no client in room {1}")]
    NotInRoom(String, String),
    #[error("no client of {0} could be given key material ({1})")]
    NoKeyMaterial(String, String),
    /// openmls refused to build the message.
    #[error("MLS: {0}")]
    Mls(String),
    /// The peer could not be reached or its answer could not be read.
    #[error("{0}")]
    Transport(String),
    /// The peer did not answer within the run's step timeout.
    #[error("{0}")]
    Timeout(String),
    /// The peer answered with a status the draft does not give for this request.
    #[error("{endpoint}: HTTP {status}: {body}")]
    Status {
        endpoint: &'static str,
        status: u16,
        body: String,
    },
    /// The peer's answer does not decode.
    #[error("{endpoint}: the answer is not a {expected}: {why}")]
    Answer {
        endpoint: &'static str,
        expected: &'static str,
        why: String,
    },
    /// An implementation acting through the driver answered `failed` (its message).
    #[error("{0}")]
    Failed(String),
}

pub(crate) fn mls(e: impl std::fmt::Display) -> ActError {
    ActError::Mls(e.to_string())
}

pub(crate) fn status_error(endpoint: &'static str, status: u16, body: &[u8]) -> ActError {
    ActError::Status {
        endpoint,
        status,
        body: String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned(),
    }
}
