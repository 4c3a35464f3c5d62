//! RFC 9420 §5.1.2 SignWithLabel / VerifyWithLabel and §5.1.3 EncryptWithLabel /
//! DecryptWithLabel, for the MIMI structs that use them outside an MLS group
//! (draft-ietf-mimi-protocol-06 §5.6 GroupInfoRequest and GroupInfoResponse). openmls keeps its own
//! versions crate-private; these build the same `SignContent` and `EncryptContext` with tls_codec
//! and call the crypto provider.

use openmls::prelude::tls_codec::{Serialize as _, VLBytes};
use openmls::prelude::{Ciphersuite, OpenMlsCrypto, OpenMlsProvider as _, OpenMlsRand as _};
use openmls_rust_crypto::OpenMlsRustCrypto;
use openmls_traits::signatures::Signer;
use openmls_traits::types::HpkeCiphertext;

/// Why a labeled operation failed.
#[derive(Debug, thiserror::Error)]
pub enum LabeledError {
    #[error("cannot encode the labeled content: {0}")]
    Encode(#[from] openmls::prelude::tls_codec::Error),
    #[error("signature: {0}")]
    Signature(String),
    #[error("HPKE: {0}")]
    Hpke(String),
}

/// `struct { opaque label<V>; opaque content<V>; }` with label "MLS 1.0 " + `label`: the layout
/// of both SignContent (§5.1.2) and EncryptContext (§5.1.3).
fn labeled(label: &str, content: &[u8]) -> Result<Vec<u8>, LabeledError> {
    let mut out = VLBytes::new(format!("MLS 1.0 {label}").into_bytes()).tls_serialize_detached()?;
    out.extend(VLBytes::new(content.to_vec()).tls_serialize_detached()?);
    Ok(out)
}

/// SignWithLabel(signer's key, `label`, `content`).
pub fn sign_with_label(signer: &impl Signer, label: &str, content: &[u8]) -> Result<Vec<u8>, LabeledError> {
    signer
        .sign(&labeled(label, content)?)
        .map_err(|e| LabeledError::Signature(format!("{e:?}")))
}

/// VerifyWithLabel(`public_key`, `label`, `content`, `signature`) under `ciphersuite`'s scheme.
pub fn verify_with_label(
    ciphersuite: Ciphersuite,
    public_key: &[u8],
    label: &str,
    content: &[u8],
    signature: &[u8],
) -> Result<(), LabeledError> {
    let crypto = OpenMlsRustCrypto::default();
    crypto
        .crypto()
        .verify_signature(
            ciphersuite.signature_algorithm(),
            &labeled(label, content)?,
            public_key,
            signature,
        )
        .map_err(|e| LabeledError::Signature(format!("{e:?}")))
}

/// A fresh HPKE key pair of `ciphersuite`: (private, public).
pub fn hpke_key_pair(ciphersuite: Ciphersuite) -> Result<(Vec<u8>, Vec<u8>), LabeledError> {
    let provider = OpenMlsRustCrypto::default();
    let ikm = provider
        .rand()
        .random_vec(32)
        .map_err(|e| LabeledError::Hpke(format!("{e:?}")))?;
    let pair = provider
        .crypto()
        .derive_hpke_keypair(ciphersuite.hpke_config(), &ikm)
        .map_err(|e| LabeledError::Hpke(format!("{e:?}")))?;
    Ok((pair.private.to_vec(), pair.public))
}

/// EncryptWithLabel(`public_key`, `label`, `context`, `plaintext`): (kem_output, ciphertext).
pub fn encrypt_with_label(
    ciphersuite: Ciphersuite,
    public_key: &[u8],
    label: &str,
    context: &[u8],
    plaintext: &[u8],
) -> Result<(Vec<u8>, Vec<u8>), LabeledError> {
    let provider = OpenMlsRustCrypto::default();
    let sealed = provider
        .crypto()
        .hpke_seal(
            ciphersuite.hpke_config(),
            public_key,
            &labeled(label, context)?,
            &[],
            plaintext,
        )
        .map_err(|e| LabeledError::Hpke(format!("{e:?}")))?;
    Ok((
        sealed.kem_output.as_slice().to_vec(),
        sealed.ciphertext.as_slice().to_vec(),
    ))
}

/// DecryptWithLabel(`private_key`, `label`, `context`, kem_output, ciphertext).
pub fn decrypt_with_label(
    ciphersuite: Ciphersuite,
    private_key: &[u8],
    label: &str,
    context: &[u8],
    kem_output: &[u8],
    ciphertext: &[u8],
) -> Result<Vec<u8>, LabeledError> {
    let provider = OpenMlsRustCrypto::default();
    let input = HpkeCiphertext {
        kem_output: kem_output.to_vec().into(),
        ciphertext: ciphertext.to_vec().into(),
    };
    provider
        .crypto()
        .hpke_open(
            ciphersuite.hpke_config(),
            &input,
            private_key,
            &labeled(label, context)?,
            &[],
        )
        .map_err(|e| LabeledError::Hpke(format!("{e:?}")))
}

#[cfg(test)]
mod tests {
    use openmls_basic_credential::SignatureKeyPair;

    use super::*;

    const CS: Ciphersuite = Ciphersuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519;

    #[test]
    fn a_signature_verifies_under_its_label_only() {
        let signer = SignatureKeyPair::new(CS.signature_algorithm()).unwrap();
        let sig = sign_with_label(&signer, "GroupInfoRequestTBS", b"tbs").unwrap();
        assert!(verify_with_label(CS, signer.public(), "GroupInfoRequestTBS", b"tbs", &sig).is_ok());
        assert!(verify_with_label(CS, signer.public(), "GroupInfoResponseTBS", b"tbs", &sig).is_err());
        assert!(verify_with_label(CS, signer.public(), "GroupInfoRequestTBS", b"tbS", &sig).is_err());
    }

    #[test]
    fn a_ciphertext_opens_under_its_label_and_context_only() {
        let (private, public) = hpke_key_pair(CS).unwrap();
        let label = "GroupInfo and ratchet_tree encryption";
        let (kem, ct) = encrypt_with_label(CS, &public, label, b"room", b"secret").unwrap();
        assert_eq!(
            decrypt_with_label(CS, &private, label, b"room", &kem, &ct).unwrap(),
            b"secret"
        );
        assert!(decrypt_with_label(CS, &private, label, b"other room", &kem, &ct).is_err());
    }
}
