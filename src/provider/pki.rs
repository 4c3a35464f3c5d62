//! A per-run test certificate authority and the provider certificates it issues
//! (draft-ietf-mimi-protocol-06 §4.1: "both certificates MUST authenticate the domain names of
//! the source and target providers").
//!
//! Every run makes a fresh CA, so nothing secret is ever committed and no two runs trust each
//! other. Each provider domain gets one certificate, used both as TLS server certificate and
//! as client certificate when that provider calls another.

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// Why a certificate could not be made.
#[derive(Debug, thiserror::Error)]
#[error("test PKI: {0}")]
pub struct PkiError(#[from] rcgen::Error);

/// The run's certificate authority.
pub struct TestCa {
    issuer: Issuer<'static, KeyPair>,
    cert_der: CertificateDer<'static>,
    cert_pem: String,
}

/// A provider's certificate and key, in the forms rustls and reqwest want.
#[derive(Clone)]
pub struct ProviderIdentity {
    pub domain: String,
    pub cert_der: CertificateDer<'static>,
    /// PKCS#8 DER of the private key.
    pub key_der: Vec<u8>,
    pub cert_pem: String,
    pub key_pem: String,
}

impl TestCa {
    pub fn new() -> Result<Self, PkiError> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params
            .distinguished_name
            .push(DnType::CommonName, "mimi-conformance test CA");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate()?;
        let cert = params.self_signed(&key)?;
        Ok(TestCa {
            cert_der: cert.der().clone(),
            cert_pem: cert.pem(),
            issuer: Issuer::new(params, key),
        })
    }

    /// The CA certificate, to trust.
    pub fn cert_der(&self) -> &CertificateDer<'static> {
        &self.cert_der
    }

    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// A certificate for `domain` (its only subjectAltName), for server and client use.
    pub fn issue(&self, domain: &str) -> Result<ProviderIdentity, PkiError> {
        let mut params = CertificateParams::new(vec![domain.to_owned()])?;
        params.distinguished_name.push(DnType::CommonName, domain);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth, ExtendedKeyUsagePurpose::ClientAuth];
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &self.issuer)?;
        Ok(ProviderIdentity {
            domain: domain.to_owned(),
            cert_der: cert.der().clone(),
            key_der: key.serialize_der(),
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        })
    }
}

impl ProviderIdentity {
    pub fn key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone()))
    }

    /// An identity handed over as PEM (the driver's `configure`): the certificate must be valid
    /// for `domain`, the key a PKCS#8 private key. The error says what is wrong, for the harness.
    pub fn from_pem(domain: &str, cert_pem: &str, key_pem: &str) -> Result<Self, String> {
        let cert_der = CertificateDer::from_pem_slice(cert_pem.as_bytes())
            .map_err(|e| format!("cert_pem is not a PEM certificate: {e}"))?;
        if !certificate_names(&cert_der, domain) {
            return Err(format!("cert_pem is not valid for {domain}"));
        }
        let key_der = match PrivateKeyDer::from_pem_slice(key_pem.as_bytes()) {
            Ok(PrivateKeyDer::Pkcs8(k)) => k.secret_pkcs8_der().to_vec(),
            Ok(_) => return Err("key_pem is not a PKCS#8 private key (BEGIN PRIVATE KEY)".into()),
            Err(e) => return Err(format!("key_pem is not a PEM private key: {e}")),
        };
        Ok(ProviderIdentity {
            domain: domain.to_owned(),
            cert_der,
            key_der,
            cert_pem: cert_pem.to_owned(),
            key_pem: key_pem.to_owned(),
        })
    }
}

/// The DER of a PEM CA certificate (the driver's `configure`).
pub fn ca_der_from_pem(ca_pem: &str) -> Result<CertificateDer<'static>, String> {
    CertificateDer::from_pem_slice(ca_pem.as_bytes()).map_err(|e| format!("ca_pem is not a PEM certificate: {e}"))
}

/// Whether a DER certificate is valid for `domain` by its subjectAltNames (RFC 6125 via webpki).
pub fn certificate_names(der: &[u8], domain: &str) -> bool {
    let der = CertificateDer::from(der);
    let Ok(cert) = webpki::EndEntityCert::try_from(&der) else {
        return false;
    };
    let Ok(name) = rustls::pki_types::ServerName::try_from(domain) else {
        return false;
    };
    cert.verify_is_valid_for_subject_name(&name).is_ok()
}
