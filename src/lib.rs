//! mimi-conformance: the conformance and interoperability test suite for the IETF MIMI
//! protocols. See ARCHITECTURE.md for how the modules fit together.

pub mod bench;
pub mod cli;
pub mod codec;
pub mod cpu_time;
pub mod driver;
pub mod error_chain;
pub mod harness;
pub mod mls;
pub mod policy;
pub mod provider;
pub mod report;
pub mod rustls_provider;
pub mod selftest;
pub mod spec;
pub mod suites;
pub mod validate;
pub mod vectors;
