//! The clients a provider serves without holding their keys (the reference as a server-only
//! provider, `client_api.rs`): their users, the KeyPackages they published, what waits for them.

use std::collections::{BTreeMap, BTreeSet};

use openmls::prelude::KeyPackageIn;

/// The clients a provider serves without holding their keys.
#[derive(Debug, Default)]
pub struct Accounts {
    /// User URI → its clients' URIs.
    pub users: BTreeMap<String, Vec<String>>,
    /// Client URI → its published KeyPackages not yet handed out: (ciphersuite, KeyPackage).
    pub(super) key_packages: BTreeMap<String, Vec<(u16, KeyPackageIn)>>,
    /// Client URI → what waits for it: (room id, one FanoutMessage, TLS-encoded).
    pub(super) mailboxes: BTreeMap<String, Vec<(String, Vec<u8>)>>,
    /// (client URI, room id): the clients that get a room's messages (they hosted it, joined it by
    /// Welcome, or sent something for it).
    pub(super) joined: BTreeSet<(String, String)>,
}

impl Accounts {
    /// Whether `client` is one of these clients.
    pub fn has_client(&self, client: &str) -> bool {
        self.users.values().flatten().any(|c| c == client)
    }

    /// A published KeyPackage of `client` in `ciphersuite`, removed (each is handed out once).
    pub fn take_key_package(&mut self, client: &str, ciphersuite: u16) -> Option<KeyPackageIn> {
        let list = self.key_packages.get_mut(client)?;
        let at = list.iter().position(|(suite, _)| *suite == ciphersuite)?;
        Some(list.remove(at).1)
    }

    /// `client` gets the messages of `room` from now on.
    pub fn join(&mut self, client: &str, room: &str) {
        self.joined.insert((client.to_owned(), room.to_owned()));
    }

    /// Queues one FanoutMessage of `room` for `client`.
    pub fn deliver_to(&mut self, client: &str, room: &str, message: Vec<u8>) {
        self.mailboxes
            .entry(client.to_owned())
            .or_default()
            .push((room.to_owned(), message));
    }

    /// The clients that get `room`'s messages.
    pub fn members_of(&self, room: &str) -> Vec<String> {
        self.joined
            .iter()
            .filter(|(_, r)| r == room)
            .map(|(c, _)| c.clone())
            .collect()
    }
}
