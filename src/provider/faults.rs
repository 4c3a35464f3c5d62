//! Fault knobs: deliberate defects of the reference implementation. `selftest` runs the suite
//! once per fault and shows which tests catch it; a fault no test catches, or a test no fault
//! trips, is a hole in the suite.
//!
//! Every fault is one row of the [`faults!`] table (variant, `--fault` name, [`Area`], what it
//! breaks); the reference keeps the ones switched on as a [`FaultSet`], a copy of which each
//! provider state holds, and the code where a fault acts asks `faults.has(Fault::…)`.

use std::collections::BTreeSet;

use crate::policy::PolicyFault;
use crate::validate::Kind;

/// The part of the implementation a fault breaks: `selftest` runs only the tests that look at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// The content codec and validator (driver `content.*`, `status.*`).
    Content,
    /// The protocol-struct codec (driver `wire.*`).
    Wire,
    /// The policy engine (driver `policy.decide`, and the hub's enforcement).
    Policy,
    /// The provider on HTTPS (scenarios).
    Https,
}

macro_rules! faults {
    ($($v:ident => $name:literal, $area:ident, $what:literal;)*) => {
        /// One deliberate defect.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Fault {
            $(#[doc = $what] $v,)*
            /// Validator does not check this rule.
            Skip(Kind),
            /// The policy engine has this defect (in `policy.decide` and in the hub).
            Policy(PolicyFault),
        }

        impl Fault {
            /// The faults of the table, in its order (without `Skip` and `Policy`).
            const TABLE: &'static [Fault] = &[$(Fault::$v),*];

            /// The part of the implementation this fault breaks.
            pub fn area(&self) -> Area {
                match self {
                    $(Fault::$v => Area::$area,)*
                    Fault::Skip(_) => Area::Content,
                    Fault::Policy(_) => Area::Policy,
                }
            }

            /// The name `--fault` takes, e.g. `message-id-wrong-revision` or `skip:salt-length`.
            pub fn name(&self) -> String {
                match self {
                    $(Fault::$v => $name.to_owned(),)*
                    Fault::Skip(k) => format!("skip:{}", k.slug()),
                    Fault::Policy(p) => format!("policy:{}", p.name()),
                }
            }
        }
    };
}

faults! {
    MessageIdWrongRevision => "message-id-wrong-revision", Content,
        "Message ID with the other revision's formula (-07 has no length prefixes).";
    MessageIdNoSaltSuffix => "message-id-no-salt-suffix", Content,
        "Message ID without the salt appended after the message (§3.3).";
    MessageIdTruncated => "message-id-truncated", Content,
        "Message ID of 31 bytes (the hash-algorithm octet forgotten).";
    EncoderUnsortedKeys => "encoder-unsorted-keys", Content,
        "Encoder writes extensions in the order it was given them.";
    EncoderLengthFirst => "encoder-length-first", Content,
        "Encoder sorts map keys length-first (RFC 7049 canonical), not bytewise.";
    EncoderFixedWidthInts => "encoder-fixed-width-ints", Content,
        "Encoder writes every unsigned integer in 4-byte form.";
    EncoderRawExtensionValues => "encoder-raw-extension-values", Content,
        "Encoder copies extension values as given instead of writing them deterministically.";
    DecoderNeverRejects => "decoder-never-rejects", Content,
        "Decoder accepts everything it can read, breaking rules or not.";
    DecoderDropsUnknownExtensions => "decoder-drops-unknown-extensions", Content,
        "Decoder drops extensions other than senderUri and roomUri.";
    DecoderSwapsSenderRoom => "decoder-swaps-sender-room", Content,
        "Decoder swaps the senderUri and roomUri keys.";
    DecoderReversesParts => "decoder-reverses-parts", Content,
        "Decoder reverses the parts of every MultiPart.";
    DecoderNormalisesDisposition => "decoder-normalises-disposition", Content,
        "Decoder rewrites unknown dispositions to render (1) instead of keeping the wire value.";
    DecoderNamesAnotherRule => "decoder-names-another-rule", Content,
        "Decoder rejects what it should, but always names rule `malformed-cbor` (section A.1).";
    MessageIdOverReencoding => "message-id-over-reencoding", Content,
        "The message ID hashes a re-encoding of the content, not the bytes given.";
    StatusDropsLastEntry => "status-drops-last-entry", Content,
        "Status decoder loses the last entry.";
    DoorIgnoresHost => "door-ignores-host", Https,
        "The provider serves requests whose `Host` names another provider.";
    DoorHostPortStrict => "door-host-port-strict", Https,
        "Door: compares the whole Host, port included, with its name (breaks §4.1, PROT-I01).";
    DoorIgnoresFrom => "door-ignores-from", Https,
        "The provider does not check `From` (its form, or that the client certificate holds it).";
    DoorNoClientAuth => "door-no-client-auth", Https,
        "The provider does not require a client certificate.";
    DoorAnyClientCa => "door-any-client-ca", Https,
        "The provider accepts client certificates from any CA.";
    DoorRefusesEverything => "door-refuses-everything", Https,
        "The provider refuses every request with 403, good or bad.";
    DirectoryIncomplete => "directory-incomplete", Https,
        "The provider's directory leaves out the `update` endpoint.";
    DirectoryLies => "directory-lies", Https,
        "The provider's directory names URLs where nothing is served (§5.1: peers find the endpoints from it).";
    KeyMaterialReusesKeyPackages => "key-material-reuses-key-packages", Https,
        "Key material: the KeyPackages of the first response are handed out again (§5.2, PROT-09).";
    KeyMaterialPopulatesClientsOnError => "key-material-populates-clients-on-error", Https,
        "Key material: a client is listed under a user code that forbids it (PROT-08).";
    KeyMaterialAcceptsMalformedBody => "key-material-accepts-malformed-body", Https,
        "Key material: a body that is not a KeyMaterialRequest is served, not refused.";
    KeyMaterialIgnoresCiphersuites => "key-material-ignores-ciphersuites", Https,
        "Key material: the request's ciphersuites and required capabilities are ignored.";
    KeyMaterialExpiredKeyPackages => "key-material-expired-key-packages", Https,
        "Key material: the KeyPackages handed out have expired (PROT-10).";
    KeyMaterialRequestWithoutRoom => "key-material-request-without-room", Https,
        "Key material: requests leave out the room id (PROT-06).";
    HubAcceptsNonParticipants => "hub-accepts-non-participants", Https,
        "Hub: commits whose members are not all participants are accepted (arch §4.1, PROT-11).";
    HubWrongEpochAsNotAllowed => "hub-wrong-epoch-as-not-allowed", Https,
        "Hub: a commit of another epoch is answered notAllowed, not wrongEpoch (PROT-X04).";
    HubDropsWelcome => "hub-drops-welcome", Https,
        "Hub: Welcomes are not forwarded (§5.5).";
    HubNotifiesSenderOnly => "hub-notifies-sender-only", Https,
        "Hub: only the committer's provider is notified (§5.5).";
    HubReordersMoreProposals => "hub-reorders-more-proposals", Https,
        "Hub: moreProposals are fanned out in another order (PROT-17).";
    HubSubmitAnySender => "hub-submit-any-sender", Https,
        "Hub: application messages are accepted from users who are not participants (PROT-12).";
    HubFansOutToRemoved => "hub-fans-out-to-removed", Https,
        "Hub: application messages still go to providers with no participant left (PROT-12).";
    HubFansOutRefused => "hub-fans-out-refused", Https,
        "Hub: a refused commit is fanned out all the same (§5.3).";
    HubSkipsComponentRules => "hub-skips-component-rules", Policy,
        "Hub: room-policy components and parent-dependent rooms are not checked (POL-01, POL-02, ...).";
    HubImpatient => "hub-impatient", Https,
        "Hub: a follower gets 200 ms to answer a /notify.";
    HubNeverRetries => "hub-never-retries", Https,
        "Hub: a /notify a follower refused with 503 is not retried (PROT-18).";
    HubAcceptsDoubleMetadata => "hub-accepts-double-metadata", Https,
        "Hub: a commit with two room metadata updates is accepted (PROT-I13).";
    HubAcceptsLosingExternalSender => "hub-accepts-losing-external-sender", Https,
        "Hub: a commit that removes the hub from external_senders is accepted (PROT-31, PROT-32).";
    HubLenientParticipantUpdates => "hub-lenient-participant-updates", Https,
        "Hub: a commit whose participant-list updates touch one user twice is accepted (PROT-I12).";
    HubAcceptsMalformedBodies => "hub-accepts-malformed-bodies", Https,
        "Hub: an /update or /submitMessage body that does not decode gets an in-body refusal, not 400.";
    HubGroupInfoToAnyone => "hub-group-info-to-anyone", Https,
        "Hub: gives a room's GroupInfo to any requester (§5.6).";
    HubGroupInfoBadSignature => "hub-group-info-bad-signature", Https,
        "Hub: signs its GroupInfoResponse with the wrong label (§5.6).";
    HubGroupInfoUnverified => "hub-group-info-unverified", Https,
        "Hub: does not verify the GroupInfoRequest's signature (§5.6).";
    HubGroupInfoForeignSender => "hub-group-info-foreign-sender", Https,
        "Hub: answers a GroupInfoRequest as a hub_sender that is not the room's external sender.";
    ClientBadGroupInfoRequest => "client-bad-group-info-request", Https,
        "Client: signs its GroupInfoRequest with the wrong label (§5.6).";
    NotifyAcceptsMalformedBody => "notify-accepts-malformed-body", Https,
        "Follower: a /notify body that does not decode is answered 201.";
    NotifyRefusesDuplicates => "notify-refuses-duplicates", Https,
        "Follower: a duplicate /notify is answered 409 (PROT-19).";
    NotifyAnswers200 => "notify-answers-200", Https,
        "Follower: /notify is answered 200 with a body, not 201 (§5.5).";
    WireDecodeNeverRejects => "wire-decode-never-rejects", Wire,
        "Protocol-struct decoder accepts whatever it cannot read, as an empty struct.";
    WireDecodeDropsFirstField => "wire-decode-drops-first-field", Wire,
        "Protocol-struct decoder loses the first field of what it decodes.";
    WireDecodeNamesAnotherRule => "wire-decode-names-another-rule", Wire,
        "Protocol-struct decoder rejects what it should, but always names rule `truncated`.";
    WireEncodeDropsLastByte => "wire-encode-drops-last-byte", Wire,
        "Protocol-struct encoder drops the last byte.";
    PolicyAllowsEverything => "policy-allows-everything", Policy,
        "The hub enforces no policy: every change is allowed.";
    PolicyDeniesEverything => "policy-denies-everything", Policy,
        "The hub's policy engine denies every change.";
    ClientIgnoresAssetPolicy => "client-ignores-asset-policy", Policy,
        "Client: sends assets of media types the room's asset policy forbids (POL-08).";
}

/// Rules whose check cannot be skipped: without it nothing can be decoded at all, or the
/// reference never rejects for it.
const UNSKIPPABLE: [Kind; 8] = [
    Kind::MalformedCbor,
    Kind::Truncated,
    Kind::CddlShape,
    Kind::UnknownCardinality,
    Kind::InvalidUtf8,
    Kind::FloatUsed,
    Kind::ExpiryWindow,
    Kind::StatusShape,
];

impl Fault {
    /// Every fault: the table's, then one skipped check per rule, then the policy engine's.
    pub fn all() -> Vec<Fault> {
        let skips = Kind::ALL
            .into_iter()
            .filter(|k| !UNSKIPPABLE.contains(k))
            .map(Fault::Skip);
        let policy = PolicyFault::ALL.into_iter().map(Fault::Policy);
        Fault::TABLE.iter().copied().chain(skips).chain(policy).collect()
    }

    pub fn from_name(name: &str) -> Option<Fault> {
        Fault::all().into_iter().find(|f| f.name() == name)
    }

    /// Its bit in a [`FaultSet`]: the table's faults, then one per rule, then one per policy fault.
    fn bit(self) -> u32 {
        let (offset, i) = match self {
            Fault::Skip(k) => (Fault::TABLE.len(), Kind::ALL.iter().position(|x| *x == k)),
            Fault::Policy(p) => (
                Fault::TABLE.len() + Kind::ALL.len(),
                PolicyFault::ALL.iter().position(|x| *x == p),
            ),
            f => (0, Fault::TABLE.iter().position(|x| *x == f)),
        };
        (offset + i.expect("every fault has a bit")) as u32
    }
}

// Every fault has a bit of a `FaultSet`.
const _: () = assert!(Fault::TABLE.len() + Kind::ALL.len() + PolicyFault::ALL.len() <= 128);

/// A set of faults, `Copy`: what a provider keeps of the faults it was started with, asked
/// where a fault acts (`faults.has(Fault::HubDropsWelcome)`). Empty for a conforming provider.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct FaultSet(u128);

impl FaultSet {
    /// No fault: a conforming implementation.
    pub const NONE: FaultSet = FaultSet(0);

    /// Whether `fault` is switched on.
    pub fn has(&self, fault: Fault) -> bool {
        self.0 & (1 << fault.bit()) != 0
    }

    /// This set with `fault` switched on too.
    pub fn with(self, fault: Fault) -> FaultSet {
        FaultSet(self.0 | (1 << fault.bit()))
    }

    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }

    /// The faults switched on, in the order of [`Fault::all`].
    pub fn iter(&self) -> impl Iterator<Item = Fault> + '_ {
        Fault::all().into_iter().filter(|f| self.has(*f))
    }

    /// The policy engine's faults among them, as the engine takes them.
    pub fn policy(&self) -> BTreeSet<PolicyFault> {
        PolicyFault::ALL
            .into_iter()
            .filter(|p| self.has(Fault::Policy(*p)))
            .collect()
    }
}

impl FromIterator<Fault> for FaultSet {
    fn from_iter<I: IntoIterator<Item = Fault>>(faults: I) -> Self {
        faults.into_iter().fold(FaultSet::NONE, FaultSet::with)
    }
}

impl std::fmt::Debug for FaultSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.iter().map(|x| x.name())).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fault_has_its_own_name_and_bit() {
        let all = Fault::all();
        let names: BTreeSet<String> = all.iter().map(Fault::name).collect();
        let bits: BTreeSet<u32> = all.iter().map(|f| f.bit()).collect();
        assert_eq!((names.len(), bits.len()), (all.len(), all.len()));
        for f in &all {
            assert_eq!(Fault::from_name(&f.name()), Some(*f));
            let one = FaultSet::NONE.with(*f);
            assert!(one.has(*f) && one.iter().eq([*f]), "{}", f.name());
        }
    }

    #[test]
    fn a_fault_set_holds_what_it_was_given() {
        let set: FaultSet = [Fault::HubDropsWelcome, Fault::Policy(PolicyFault::ALL[3])]
            .into_iter()
            .collect();
        assert!(set.has(Fault::HubDropsWelcome) && !set.has(Fault::HubImpatient));
        assert_eq!(set.policy(), BTreeSet::from([PolicyFault::ALL[3]]));
        assert!(FaultSet::NONE.is_empty() && FaultSet::NONE.policy().is_empty());
    }
}
