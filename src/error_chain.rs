//! An error with its causes: reqwest's "error sending request for url (...)" says nothing of a
//! reset, a bad status line or a TLS alert until its sources are read.

use std::error::Error;

/// `e` and each of its sources, joined with ": " (a source whose text its parent already shows
/// is left out).
pub fn chain(e: &dyn Error) -> String {
    let mut out = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        next = cause.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::chain;

    #[derive(Debug, thiserror::Error)]
    #[error("error sending request")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn the_causes_follow_the_error() {
        let e = Outer(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "connection reset by peer",
        ));
        assert_eq!(chain(&e), "error sending request: connection reset by peer");
    }
}
