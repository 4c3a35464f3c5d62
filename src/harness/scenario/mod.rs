//! Scenarios: YAML files under `scenarios/<draft>/`, each a stable id, the requirements it
//! checks, the roles (`hub`, `follower…`, each played by the implementation under test or by a
//! simulated provider), and steps with named references. Loading names the file, line and field
//! of any mistake; `scenarios/scenario.schema.json` describes the format for editors.
//!
//! ```yaml
//! id: protocol/4.1/reject-unauthenticated-client
//! title: A provider without a client certificate is refused
//! requirements: [PROT-03]
//! roles: {hub: iut, follower1: sim}
//! steps:
//!   - name: directory
//!     request: {from: follower1, to: hub, method: GET, path: /.well-known/mimi-protocol-directory,
//!               client_cert: none}
//!     expect: {tls: rejected}
//! ```
//!
//! # Protocol bodies
//!
//! A role may hold users, which the deployment creates before the first step (`users`: role →
//! list of `{user, clients}`; user `alice` of role `hub` is `mimi://{hub}/u/alice`, her clients
//! `mimi://{hub}/d/alice/1..`). A request body can be a protocol struct given as the JSON of the
//! codec (`body_struct: {struct: KeyMaterialRequest, value: {...}}`, encoded with
//! [`crate::codec::protocol::encode_named`]; `truncate_body: n` drops its last `n` bytes). The
//! expectation can decode the response (`response_struct`), match it (`response_json`, a subset),
//! check the MLS KeyPackages it holds (`mls_key_packages`) and compare it with an earlier step's
//! (`distinct_from`):
//!
//! ```yaml
//! users: {hub: [{user: alice, clients: 2}]}
//! steps:
//!   - name: first fetch
//!     request:
//!       from: follower1
//!       to: hub
//!       method: POST
//!       endpoint: keyMaterial                    # of the hub's §5.1 directory
//!       uri: "mimi://{hub}/u/alice"
//!       body_struct:
//!         struct: KeyMaterialRequest
//!         value: {protocol: mls10, targetUser: "utf8:mimi://{hub}/u/alice", ...}
//!     expect:
//!       status: 200
//!       response_struct: KeyMaterialResponse
//!       response_json: {userStatus: success, clients: [{clientStatus: success}, {clientStatus: success}]}
//!       mls_key_packages: {count: 2, ciphersuite: MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519}
//!   - name: second fetch
//!     request: {...}
//!     expect: {distinct_from: {step: first fetch, member: keyPackage}}
//! ```
//!
//! In `path`, `uri`, `body_struct.value` and `response_json`, `{role}` in a string stands for the role's
//! domain, and a string `utf8:<text>` for the lowercase hex of `<text>`'s UTF-8 bytes (the codec
//! writes URIs and other opaque fields in hex). `response_json` matches when every member it names
//! matches (objects recursively; arrays element by element with the same length; other values
//! equal); `{$one_of: [a, b]}` matches any of its values.

mod act;
mod deploy;
mod expect;
mod load;
mod model;
mod outside;
mod request;
mod run;

pub use deploy::{Actor, Deployment};
pub use load::{EMBEDDED, ScenarioError, embedded, from_dir};
pub use model::*;
pub use outside::{BuiltinIut, DriverRef, IutEndpoint, IutRole, OutsideIut};
pub use run::run_scenario;
