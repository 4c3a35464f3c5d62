//! An MLS client of a MIMI user (draft-ietf-mimi-protocol-06 §2, §7.2; draft-ietf-mimi-arch-02
//! §4.1: "A *client* is a *member* of the *end-to-end security state* of the room").
//!
//! Each client has a basic credential whose identity is its client URI, one Ed25519 signature
//! key (both offered ciphersuites sign with Ed25519), and its own `OpenMlsRustCrypto` provider,
//! whose storage holds the private keys of its KeyPackages and the state of its groups.
//!
//! # Client URI → user URI
//!
//! draft-ietf-mimi-protocol-06 §3 shows the URI forms `mimi://a.example/u/alice` (user) and
//! `mimi://a.example/d/ClientA1` (client); draft-kohbrok-mimi-identifiers-00 fixes nothing more.
//! A client URI of that form does not say whose client it is, so the suite names clients
//! `mimi://<domain>/d/<user>/<device>`, and the user of such a client is
//! `mimi://<domain>/u/<user>` ([`user_of_client`]). The hub relies on this mapping to check
//! that every member client's user is a participant.

use openmls::prelude::tls_codec::Serialize as _;
use openmls::prelude::{
    BasicCredential, Capabilities, Ciphersuite, CredentialType, CredentialWithKey, ExtensionType, KeyPackage,
    KeyPackageNewError, Lifetime, MlsMessageOut, OpenMlsProvider, ProposalType,
};
use openmls_basic_credential::SignatureKeyPair;
use openmls_rust_crypto::OpenMlsRustCrypto;

use super::CIPHERSUITES;

/// The user URI of a client URI: `mimi://<domain>/d/<user>/<device>` gives
/// `mimi://<domain>/u/<user>` (see the module documentation).
pub fn user_of_client(client_uri: &str) -> Result<String, ClientUriError> {
    let bad = |reason: &'static str| ClientUriError {
        uri: client_uri.to_owned(),
        reason,
    };
    let rest = client_uri
        .strip_prefix("mimi://")
        .ok_or_else(|| bad("the scheme is not mimi://"))?;
    let segments: Vec<&str> = rest.split('/').collect();
    let [domain, kind, user, device] = segments.as_slice() else {
        return Err(bad("the form is not mimi://<domain>/d/<user>/<device>"));
    };
    if *kind != "d" {
        return Err(bad("the first path segment is not d"));
    }
    for segment in [domain, user, device] {
        if segment.is_empty() {
            return Err(bad("a segment is empty"));
        }
        if segment
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '?' | '#'))
        {
            return Err(bad("a segment holds whitespace, a control character, ? or #"));
        }
    }
    Ok(format!("mimi://{domain}/u/{user}"))
}

/// A string that is not a client URI of the form `mimi://<domain>/d/<user>/<device>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{uri:?} is not a client URI: {reason}")]
pub struct ClientUriError {
    /// The offending string.
    pub uri: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// Errors of [`MlsClient::new`].
#[derive(Debug, thiserror::Error)]
pub enum NewClientError {
    /// The client URI does not name a user.
    #[error(transparent)]
    ClientUri(#[from] ClientUriError),
    /// The signature key could not be generated.
    #[error("cannot generate the signature key: {0}")]
    SignatureKey(String),
    /// The signature key could not be stored in the client's provider.
    #[error("cannot store the signature key: {0}")]
    Storage(String),
}

/// Errors of [`MlsClient::key_packages`].
#[derive(Debug, thiserror::Error)]
pub enum KeyPackageError {
    /// The ciphersuite is not one of [`CIPHERSUITES`].
    #[error("ciphersuite {0:?} is not offered")]
    UnsupportedCiphersuite(Ciphersuite),
    /// openmls could not build the KeyPackage.
    #[error("cannot build a KeyPackage: {0}")]
    Build(#[from] KeyPackageNewError),
    /// The KeyPackage could not be encoded.
    #[error("cannot encode a KeyPackage: {0}")]
    Encode(#[from] openmls::prelude::tls_codec::Error),
}

/// An MLS client of a MIMI user.
pub struct MlsClient {
    uri: String,
    user: String,
    provider: OpenMlsRustCrypto,
    signer: SignatureKeyPair,
    credential: CredentialWithKey,
}

impl std::fmt::Debug for MlsClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MlsClient")
            .field("uri", &self.uri)
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

impl MlsClient {
    /// A new client named by `client_uri` (`mimi://<domain>/d/<user>/<device>`), with a fresh
    /// Ed25519 signature key.
    pub fn new(client_uri: &str) -> Result<Self, NewClientError> {
        let _mls = super::timing::scope();
        let user = user_of_client(client_uri)?;
        let provider = OpenMlsRustCrypto::default();
        // Ciphersuites 1 and 3 both sign with Ed25519: one key serves both.
        let signer = SignatureKeyPair::new(CIPHERSUITES[0].signature_algorithm())
            .map_err(|e| NewClientError::SignatureKey(format!("{e:?}")))?;
        signer
            .store(provider.storage())
            .map_err(|e| NewClientError::Storage(format!("{e:?}")))?;
        let credential = CredentialWithKey {
            credential: BasicCredential::new(client_uri.as_bytes().to_vec()).into(),
            signature_key: signer.to_public_vec().into(),
        };
        Ok(Self {
            uri: client_uri.to_owned(),
            user,
            provider,
            signer,
            credential,
        })
    }

    /// The client URI (the identity in its credential).
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// SignWithLabel with the client's signature key (e.g. its GroupInfoRequest, §5.6).
    pub fn sign_with_label(&self, label: &str, content: &[u8]) -> Result<Vec<u8>, super::labeled::LabeledError> {
        super::labeled::sign_with_label(&self.signer, label, content)
    }

    /// The URI of the client's user.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The leaf capabilities of every KeyPackage and leaf of this client: both ciphersuites, the
    /// `app_data_dictionary` extension and the `AppDataUpdate` proposal (draft-ietf-mls-extensions,
    /// used by draft-ietf-mimi-protocol-06 §7.2–§7.6), basic credentials.
    pub fn capabilities() -> Capabilities {
        Capabilities::new(
            None,
            Some(&CIPHERSUITES),
            Some(&[ExtensionType::AppDataDictionary]),
            Some(&[ProposalType::AppDataUpdate]),
            Some(&[CredentialType::Basic]),
        )
    }

    /// `n` fresh KeyPackages for `ciphersuite`, each as a serialized MLSMessage. They are one-time
    /// KeyPackages (no last_resort extension): the private keys are removed from the client's
    /// storage when a Welcome uses one, so each can be used to join once.
    pub fn key_packages(&self, ciphersuite: Ciphersuite, n: usize) -> Result<Vec<Vec<u8>>, KeyPackageError> {
        self.key_packages_with_lifetime(ciphersuite, n, None)
    }

    /// `n` KeyPackages whose lifetime ended a day ago (draft-ietf-mimi-protocol-06 §5.2 forbids
    /// handing them out: a fault knob of the reference provider uses them).
    pub fn expired_key_packages(&self, ciphersuite: Ciphersuite, n: usize) -> Result<Vec<Vec<u8>>, KeyPackageError> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let lifetime = Lifetime::init(now.saturating_sub(2 * 86_400), now.saturating_sub(86_400));
        self.key_packages_with_lifetime(ciphersuite, n, Some(lifetime))
    }

    fn key_packages_with_lifetime(
        &self,
        ciphersuite: Ciphersuite,
        n: usize,
        lifetime: Option<Lifetime>,
    ) -> Result<Vec<Vec<u8>>, KeyPackageError> {
        let _mls = super::timing::scope();
        if !CIPHERSUITES.contains(&ciphersuite) {
            return Err(KeyPackageError::UnsupportedCiphersuite(ciphersuite));
        }
        (0..n)
            .map(|_| {
                let mut builder = KeyPackage::builder().leaf_node_capabilities(Self::capabilities());
                if let Some(lifetime) = lifetime {
                    builder = builder.key_package_lifetime(lifetime);
                }
                let bundle = builder.build(ciphersuite, &self.provider, &self.signer, self.credential.clone())?;
                let message = MlsMessageOut::from(bundle.key_package().clone());
                Ok(message.tls_serialize_detached()?)
            })
            .collect()
    }

    pub(crate) fn provider(&self) -> &OpenMlsRustCrypto {
        &self.provider
    }

    pub(crate) fn signer(&self) -> &SignatureKeyPair {
        &self.signer
    }

    pub(crate) fn credential(&self) -> &CredentialWithKey {
        &self.credential
    }
}
