//! The TLS presentation language (RFC 8446 §3, with RFC 9420 §2.1 `<V>` vectors and
//! `optional<T>`) on tls_codec: the one codec under every draft family that uses it
//! (`codec::protocol` for draft-ietf-mimi-protocol-06, `codec::policy` for
//! draft-ietf-mimi-room-policy-03), as rustls's `msgs/codec.rs` is under its messages.
//!
//! | file | what |
//! |---|---|
//! | `rule.rs` | [`Rule`] (one slug vocabulary, [`RULES`]), [`DecodeError`] `{ ty, rule }`, [`EncodeError`], how a rule travels through `tls_codec::Error` |
//! | `vectors.rs` | the `<V>` length header, `opaque x<V>` ([`Opaque`], [`opaque`]), `T x<V>` ([`VecOf`], [`vector`]) |
//! | `optionals.rs` | `optional<T>` ([`Optional`], [`optional`], [`optional_vector`]) and `bool` ([`boolean`]) |
//! | `enums.rs` | `open_newtype_codec!` (the bytes of a code point) and `open_enum!` (with the draft's names) |
//! | `octets.rs` | [`Bytes32`] (`opaque x[32]`) and [`Text`] (an `opaque x<V>` holding text) |
//! | `named.rs` | every struct by its draft name, across drafts: what `wire.decode` / `wire.encode` and the `tls` / `policy-codec` vectors reach |
//!
//! Each reader works on the slice it is given: a declared length is checked against the bytes
//! left before anything is allocated, and every failure is a [`Rule`] that reaches the caller,
//! and the driver's answer, as it was raised.

mod enums;
mod named;
mod octets;
mod optionals;
mod rule;
mod vectors;

pub(crate) use enums::{open_enum, open_newtype_codec};
pub use named::{decode_named, encode_named};
pub use octets::{Bytes32, Text};
pub use optionals::{Optional, boolean, optional, optional_vector, read_optional, read_presence};
pub use rule::{DecodeError, EncodeError, RULES, Rule, bad_enum, decode_whole};
pub use vectors::{MAX_LENGTH, Opaque, VecOf, opaque, read_elements, read_span, vector, vlen_size, write_vlen};
