//! Wire formats. Codecs know nothing of HTTP, drivers or reports.
//!
//! One folder per draft family, one file per message family (as rustls's `msgs/` does).

pub mod cbor;
pub mod content;
pub mod hexbytes;
pub mod policy;
pub mod protocol;
pub mod tls;
