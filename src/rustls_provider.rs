//! The process's rustls crypto provider: rustls needs one chosen explicitly, and the HTTPS
//! providers, the driver's HTTP client and the scenario deployments all build TLS configs.

use std::sync::Once;

/// Installs rustls's ring provider, once per process.
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}
