//! How a reference provider behaves: its faults, where it serves its endpoints and whether it
//! asks for consent. One `Copy` value, kept in every provider's state and read where each acts.

use super::directory::PREFIX;
use super::faults::FaultSet;

/// How a reference provider behaves on its HTTPS side: its faults, and two choices a conforming
/// provider may make either way. `Default` is a conforming provider at the usual place;
/// the built-in implementation (`Reference`) gives its own to every provider it plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProviderBehaviour {
    pub faults: FaultSet,
    /// Where its MIMI endpoints are served ([`PREFIX`] unless moved; the
    /// directory says where, so peers find them anywhere).
    pub prefix: &'static str,
    /// Hands out a user's key material to a user of another provider only with the user's
    /// consent (`noConsent` otherwise, §5.2).
    pub require_consent: bool,
}

impl Default for ProviderBehaviour {
    fn default() -> Self {
        ProviderBehaviour {
            faults: FaultSet::NONE,
            prefix: PREFIX,
            require_consent: false,
        }
    }
}
