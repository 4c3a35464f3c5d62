//! Fault knobs: deliberate defects of the reference implementation. `selftest` runs the suite
//! once per fault and shows which tests catch it; a fault no test catches, or a test no fault
//! trips, is a hole in the suite.

use super::https::DoorChecks;
use super::hub::HubBehaviour;
use super::key_material::KeyMaterialBehaviour;
use super::notify::FollowerBehaviour;
use super::{ProviderBehaviour, Reference};
use crate::codec::cbor::{self, Item, Value};
use crate::codec::content::MimiContent;
use crate::validate::Kind;

/// One deliberate defect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fault {
    /// Message ID with the other revision's formula (-07 has no length prefixes).
    MessageIdWrongRevision,
    /// Message ID without the salt appended after the message (§3.3).
    MessageIdNoSaltSuffix,
    /// Message ID of 31 bytes (the hash-algorithm octet forgotten).
    MessageIdTruncated,
    /// Encoder writes extensions in the order it was given them.
    EncoderUnsortedKeys,
    /// Encoder sorts map keys length-first (RFC 7049 canonical), not bytewise.
    EncoderLengthFirst,
    /// Encoder writes every unsigned integer in 4-byte form.
    EncoderFixedWidthInts,
    /// Encoder copies extension values as given instead of writing them deterministically.
    EncoderRawExtensionValues,
    /// Decoder accepts everything it can read, breaking rules or not.
    DecoderNeverRejects,
    /// Decoder drops extensions other than senderUri and roomUri.
    DecoderDropsUnknownExtensions,
    /// Decoder swaps the senderUri and roomUri keys.
    DecoderSwapsSenderRoom,
    /// Decoder reverses the parts of every MultiPart.
    DecoderReversesParts,
    /// Decoder rewrites unknown dispositions to render (1) instead of keeping the wire value.
    DecoderNormalisesDisposition,
    /// The message ID hashes a re-encoding of the content, not the bytes given.
    MessageIdOverReencoding,
    /// Decoder rejects what it should, but always names rule `malformed-cbor` (section A.1).
    DecoderNamesAnotherRule,
    /// Status decoder loses the last entry.
    StatusDropsLastEntry,
    /// The provider serves requests whose `Host` names another provider.
    DoorIgnoresHost,
    /// Door: compares the whole Host, port included, with its name (breaks §4.1, PROT-I01).
    DoorHostPortStrict,
    /// The provider does not check `From` (its form, or that the client certificate holds it).
    DoorIgnoresFrom,
    /// The provider does not require a client certificate.
    DoorNoClientAuth,
    /// The provider accepts client certificates from any CA.
    DoorAnyClientCa,
    /// The provider refuses every request with 403, good or bad.
    DoorRefusesEverything,
    /// The provider's directory leaves out the `update` endpoint.
    DirectoryIncomplete,
    /// The provider's directory names URLs where nothing is served (§5.1: peers find the
    /// endpoints from it).
    DirectoryLies,
    /// Key material: the KeyPackages of the first response are handed out again (§5.2, PROT-09).
    KeyMaterialReusesKeyPackages,
    /// Key material: a client is listed under a user code that forbids it (PROT-08).
    KeyMaterialPopulatesClientsOnError,
    /// Key material: a body that is not a KeyMaterialRequest is served, not refused.
    KeyMaterialAcceptsMalformedBody,
    /// Key material: the request's ciphersuites and required capabilities are ignored.
    KeyMaterialIgnoresCiphersuites,
    /// Key material: the KeyPackages handed out have expired (PROT-10).
    KeyMaterialExpiredKeyPackages,
    /// Key material: requests leave out the room id (PROT-06).
    KeyMaterialRequestWithoutRoom,
    /// Hub: commits whose members are not all participants are accepted (arch §4.1, PROT-11).
    HubAcceptsNonParticipants,
    /// Hub: a commit of another epoch is answered notAllowed, not wrongEpoch (PROT-X04).
    HubWrongEpochAsNotAllowed,
    /// Hub: Welcomes are not forwarded (§5.5).
    HubDropsWelcome,
    /// Hub: only the committer's provider is notified (§5.5).
    HubNotifiesSenderOnly,
    /// Hub: moreProposals are fanned out in another order (PROT-17).
    HubReordersMoreProposals,
    /// Hub: application messages are accepted from users who are not participants (PROT-12).
    HubSubmitAnySender,
    /// Hub: application messages still go to providers with no participant left (PROT-12).
    HubFansOutToRemoved,
    /// Hub: a refused commit is fanned out all the same (§5.3).
    HubFansOutRefused,
    /// Hub: room-policy components and parent-dependent rooms are not checked (POL-01, POL-02, ...).
    HubSkipsComponentRules,
    /// Hub: a follower gets 200 ms to answer a /notify.
    HubImpatient,
    /// Hub: a /notify a follower refused with 503 is not retried (PROT-18).
    HubNeverRetries,
    /// Hub: a commit with two room metadata updates is accepted (PROT-I13).
    HubAcceptsDoubleMetadata,
    /// Hub: a commit that removes the hub from external_senders is accepted (PROT-31, PROT-32).
    HubAcceptsLosingExternalSender,
    /// Hub: a commit whose participant-list updates touch one user twice is accepted (PROT-I12).
    HubLenientParticipantUpdates,
    /// Hub: an /update or /submitMessage body that does not decode gets an in-body refusal, not 400.
    HubAcceptsMalformedBodies,
    /// Follower: a /notify body that does not decode is answered 201.
    NotifyAcceptsMalformedBody,
    /// Follower: a duplicate /notify is answered 409 (PROT-19).
    NotifyRefusesDuplicates,
    /// Follower: /notify is answered 200 with a body, not 201 (§5.5).
    NotifyAnswers200,
    /// Protocol-struct decoder accepts whatever it cannot read, as an empty struct.
    WireDecodeNeverRejects,
    /// Protocol-struct decoder loses the first field of what it decodes.
    WireDecodeDropsFirstField,
    /// Protocol-struct decoder rejects what it should, but always names rule `truncated`.
    WireDecodeNamesAnotherRule,
    /// Protocol-struct encoder drops the last byte.
    WireEncodeDropsLastByte,
    /// Validator does not check this rule.
    Skip(Kind),
    /// The hub's policy engine has this defect.
    Policy(crate::policy::PolicyFault),
    /// The hub enforces no policy: every change is allowed.
    PolicyAllowsEverything,
    /// The hub's policy engine denies every change.
    PolicyDeniesEverything,
    /// Client: sends assets of media types the room's asset policy forbids (POL-08).
    ClientIgnoresAssetPolicy,
    /// Hub: gives a room's GroupInfo to any requester (§5.6).
    HubGroupInfoToAnyone,
    /// Hub: signs its GroupInfoResponse with the wrong label (§5.6).
    HubGroupInfoBadSignature,
    /// Hub: does not verify the GroupInfoRequest's signature (§5.6).
    HubGroupInfoUnverified,
    /// Hub: answers a GroupInfoRequest as a hub_sender that is not the room's external sender.
    HubGroupInfoForeignSender,
    /// Client: signs its GroupInfoRequest with the wrong label (§5.6).
    ClientBadGroupInfoRequest,
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

impl Fault {
    /// The part of the implementation this fault breaks.
    pub fn area(&self) -> Area {
        match self {
            Fault::MessageIdWrongRevision
            | Fault::MessageIdNoSaltSuffix
            | Fault::MessageIdTruncated
            | Fault::EncoderUnsortedKeys
            | Fault::EncoderLengthFirst
            | Fault::EncoderFixedWidthInts
            | Fault::EncoderRawExtensionValues
            | Fault::DecoderNeverRejects
            | Fault::DecoderDropsUnknownExtensions
            | Fault::DecoderSwapsSenderRoom
            | Fault::DecoderReversesParts
            | Fault::DecoderNormalisesDisposition
            | Fault::DecoderNamesAnotherRule
            | Fault::MessageIdOverReencoding
            | Fault::StatusDropsLastEntry
            | Fault::Skip(_) => Area::Content,
            Fault::WireDecodeNeverRejects
            | Fault::WireDecodeDropsFirstField
            | Fault::WireDecodeNamesAnotherRule
            | Fault::WireEncodeDropsLastByte => Area::Wire,
            Fault::Policy(_)
            | Fault::PolicyAllowsEverything
            | Fault::PolicyDeniesEverything
            | Fault::HubSkipsComponentRules
            | Fault::ClientIgnoresAssetPolicy => Area::Policy,
            _ => Area::Https,
        }
    }

    /// Every fault, behaviours first, then one skipped check per rule.
    pub fn all() -> Vec<Fault> {
        let mut v = vec![
            Fault::MessageIdWrongRevision,
            Fault::MessageIdNoSaltSuffix,
            Fault::MessageIdTruncated,
            Fault::EncoderUnsortedKeys,
            Fault::EncoderLengthFirst,
            Fault::EncoderFixedWidthInts,
            Fault::EncoderRawExtensionValues,
            Fault::DecoderNeverRejects,
            Fault::DecoderDropsUnknownExtensions,
            Fault::DecoderSwapsSenderRoom,
            Fault::DecoderReversesParts,
            Fault::DecoderNormalisesDisposition,
            Fault::DecoderNamesAnotherRule,
            Fault::MessageIdOverReencoding,
            Fault::StatusDropsLastEntry,
            Fault::DoorIgnoresHost,
            Fault::DoorHostPortStrict,
            Fault::DoorIgnoresFrom,
            Fault::DoorNoClientAuth,
            Fault::DoorAnyClientCa,
            Fault::DoorRefusesEverything,
            Fault::DirectoryIncomplete,
            Fault::DirectoryLies,
            Fault::KeyMaterialReusesKeyPackages,
            Fault::KeyMaterialPopulatesClientsOnError,
            Fault::KeyMaterialAcceptsMalformedBody,
            Fault::KeyMaterialIgnoresCiphersuites,
            Fault::KeyMaterialExpiredKeyPackages,
            Fault::KeyMaterialRequestWithoutRoom,
            Fault::HubAcceptsNonParticipants,
            Fault::HubWrongEpochAsNotAllowed,
            Fault::HubDropsWelcome,
            Fault::HubNotifiesSenderOnly,
            Fault::HubReordersMoreProposals,
            Fault::HubSubmitAnySender,
            Fault::HubFansOutToRemoved,
            Fault::HubFansOutRefused,
            Fault::HubSkipsComponentRules,
            Fault::HubImpatient,
            Fault::HubNeverRetries,
            Fault::HubAcceptsDoubleMetadata,
            Fault::HubAcceptsLosingExternalSender,
            Fault::HubLenientParticipantUpdates,
            Fault::HubAcceptsMalformedBodies,
            Fault::HubGroupInfoToAnyone,
            Fault::HubGroupInfoBadSignature,
            Fault::HubGroupInfoUnverified,
            Fault::HubGroupInfoForeignSender,
            Fault::ClientBadGroupInfoRequest,
            Fault::NotifyAcceptsMalformedBody,
            Fault::NotifyRefusesDuplicates,
            Fault::NotifyAnswers200,
            Fault::WireDecodeNeverRejects,
            Fault::WireDecodeDropsFirstField,
            Fault::WireDecodeNamesAnotherRule,
            Fault::WireEncodeDropsLastByte,
        ];
        v.extend(
            Kind::ALL
                .into_iter()
                .filter(|k| !UNSKIPPABLE.contains(k))
                .map(Fault::Skip),
        );
        v.extend([
            Fault::PolicyAllowsEverything,
            Fault::PolicyDeniesEverything,
            Fault::ClientIgnoresAssetPolicy,
        ]);
        v.extend(crate::policy::PolicyFault::ALL.into_iter().map(Fault::Policy));
        v
    }

    /// The name `--fault` takes, e.g. `message-id-wrong-revision` or `skip:salt-length`.
    pub fn name(&self) -> String {
        let s = match self {
            Fault::MessageIdWrongRevision => "message-id-wrong-revision",
            Fault::MessageIdNoSaltSuffix => "message-id-no-salt-suffix",
            Fault::MessageIdTruncated => "message-id-truncated",
            Fault::EncoderUnsortedKeys => "encoder-unsorted-keys",
            Fault::EncoderLengthFirst => "encoder-length-first",
            Fault::EncoderFixedWidthInts => "encoder-fixed-width-ints",
            Fault::EncoderRawExtensionValues => "encoder-raw-extension-values",
            Fault::DecoderNeverRejects => "decoder-never-rejects",
            Fault::DecoderDropsUnknownExtensions => "decoder-drops-unknown-extensions",
            Fault::DecoderSwapsSenderRoom => "decoder-swaps-sender-room",
            Fault::DecoderReversesParts => "decoder-reverses-parts",
            Fault::DecoderNormalisesDisposition => "decoder-normalises-disposition",
            Fault::DecoderNamesAnotherRule => "decoder-names-another-rule",
            Fault::MessageIdOverReencoding => "message-id-over-reencoding",
            Fault::StatusDropsLastEntry => "status-drops-last-entry",
            Fault::DoorIgnoresHost => "door-ignores-host",
            Fault::DoorHostPortStrict => "door-host-port-strict",
            Fault::DoorIgnoresFrom => "door-ignores-from",
            Fault::DoorNoClientAuth => "door-no-client-auth",
            Fault::DoorAnyClientCa => "door-any-client-ca",
            Fault::DoorRefusesEverything => "door-refuses-everything",
            Fault::DirectoryIncomplete => "directory-incomplete",
            Fault::DirectoryLies => "directory-lies",
            Fault::KeyMaterialReusesKeyPackages => "key-material-reuses-key-packages",
            Fault::KeyMaterialPopulatesClientsOnError => "key-material-populates-clients-on-error",
            Fault::KeyMaterialAcceptsMalformedBody => "key-material-accepts-malformed-body",
            Fault::KeyMaterialIgnoresCiphersuites => "key-material-ignores-ciphersuites",
            Fault::KeyMaterialExpiredKeyPackages => "key-material-expired-key-packages",
            Fault::KeyMaterialRequestWithoutRoom => "key-material-request-without-room",
            Fault::HubAcceptsNonParticipants => "hub-accepts-non-participants",
            Fault::HubWrongEpochAsNotAllowed => "hub-wrong-epoch-as-not-allowed",
            Fault::HubDropsWelcome => "hub-drops-welcome",
            Fault::HubNotifiesSenderOnly => "hub-notifies-sender-only",
            Fault::HubReordersMoreProposals => "hub-reorders-more-proposals",
            Fault::HubSubmitAnySender => "hub-submit-any-sender",
            Fault::HubFansOutToRemoved => "hub-fans-out-to-removed",
            Fault::HubFansOutRefused => "hub-fans-out-refused",
            Fault::HubSkipsComponentRules => "hub-skips-component-rules",
            Fault::HubImpatient => "hub-impatient",
            Fault::HubNeverRetries => "hub-never-retries",
            Fault::HubAcceptsDoubleMetadata => "hub-accepts-double-metadata",
            Fault::HubAcceptsLosingExternalSender => "hub-accepts-losing-external-sender",
            Fault::HubLenientParticipantUpdates => "hub-lenient-participant-updates",
            Fault::HubAcceptsMalformedBodies => "hub-accepts-malformed-bodies",
            Fault::NotifyAcceptsMalformedBody => "notify-accepts-malformed-body",
            Fault::NotifyRefusesDuplicates => "notify-refuses-duplicates",
            Fault::NotifyAnswers200 => "notify-answers-200",
            Fault::WireDecodeNeverRejects => "wire-decode-never-rejects",
            Fault::WireDecodeDropsFirstField => "wire-decode-drops-first-field",
            Fault::WireDecodeNamesAnotherRule => "wire-decode-names-another-rule",
            Fault::WireEncodeDropsLastByte => "wire-encode-drops-last-byte",
            Fault::Skip(k) => return format!("skip:{}", k.slug()),
            Fault::Policy(p) => return format!("policy:{}", p.name()),
            Fault::PolicyAllowsEverything => "policy-allows-everything",
            Fault::PolicyDeniesEverything => "policy-denies-everything",
            Fault::ClientIgnoresAssetPolicy => "client-ignores-asset-policy",
            Fault::HubGroupInfoToAnyone => "hub-group-info-to-anyone",
            Fault::HubGroupInfoBadSignature => "hub-group-info-bad-signature",
            Fault::HubGroupInfoUnverified => "hub-group-info-unverified",
            Fault::HubGroupInfoForeignSender => "hub-group-info-foreign-sender",
            Fault::ClientBadGroupInfoRequest => "client-bad-group-info-request",
        };
        s.to_owned()
    }

    pub fn from_name(name: &str) -> Option<Fault> {
        Fault::all().into_iter().find(|f| f.name() == name)
    }
}

impl Reference {
    /// What its HTTPS side checks at the door (§4.1), minus the faults.
    pub fn door(&self) -> DoorChecks {
        DoorChecks {
            host: !self.has(Fault::DoorIgnoresHost),
            host_port_ignored: !self.has(Fault::DoorHostPortStrict),
            from: !self.has(Fault::DoorIgnoresFrom),
            client_auth: !self.has(Fault::DoorNoClientAuth),
            client_ca: !self.has(Fault::DoorAnyClientCa),
            directory: !self.has(Fault::DirectoryIncomplete),
            directory_lies: self.has(Fault::DirectoryLies),
            refuse_all: self.has(Fault::DoorRefusesEverything),
            prefix: self.endpoint_prefix,
        }
    }

    /// How its HTTPS side behaves (door checks and endpoints), minus the faults.
    pub fn behaviour(&self) -> ProviderBehaviour {
        ProviderBehaviour {
            door: self.door(),
            key_material: KeyMaterialBehaviour {
                reuse_key_packages: self.has(Fault::KeyMaterialReusesKeyPackages),
                populate_clients_on_error: self.has(Fault::KeyMaterialPopulatesClientsOnError),
                accept_malformed_body: self.has(Fault::KeyMaterialAcceptsMalformedBody),
                ignore_ciphersuites: self.has(Fault::KeyMaterialIgnoresCiphersuites),
                expired_key_packages: self.has(Fault::KeyMaterialExpiredKeyPackages),
                request_without_room: self.has(Fault::KeyMaterialRequestWithoutRoom),
                require_consent: self.require_consent,
            },
            hub: HubBehaviour {
                accept_non_participants: self.has(Fault::HubAcceptsNonParticipants),
                wrong_epoch_as_not_allowed: self.has(Fault::HubWrongEpochAsNotAllowed),
                drop_welcome: self.has(Fault::HubDropsWelcome),
                notify_sender_only: self.has(Fault::HubNotifiesSenderOnly),
                reorder_more_proposals: self.has(Fault::HubReordersMoreProposals),
                submit_any_sender: self.has(Fault::HubSubmitAnySender),
                fanout_to_removed: self.has(Fault::HubFansOutToRemoved),
                fanout_refused: self.has(Fault::HubFansOutRefused),
                accept_malformed_bodies: self.has(Fault::HubAcceptsMalformedBodies),
                lenient_participant_updates: self.has(Fault::HubLenientParticipantUpdates),
                accept_without_hub_sender: self.has(Fault::HubAcceptsLosingExternalSender),
                accept_double_metadata: self.has(Fault::HubAcceptsDoubleMetadata),
                never_retry: self.has(Fault::HubNeverRetries),
                impatient: self.has(Fault::HubImpatient),
                skip_component_rules: self.has(Fault::HubSkipsComponentRules),
                group_info_to_anyone: self.has(Fault::HubGroupInfoToAnyone),
                group_info_bad_signature: self.has(Fault::HubGroupInfoBadSignature),
                group_info_unverified: self.has(Fault::HubGroupInfoUnverified),
                group_info_foreign_sender: self.has(Fault::HubGroupInfoForeignSender),
                policy: super::enforce::PolicyBehaviour {
                    faults: crate::policy::PolicyFault::ALL
                        .iter()
                        .enumerate()
                        .filter(|(_, p)| self.has(Fault::Policy(**p)))
                        .fold(0, |bits, (i, _)| bits | (1 << i)),
                    allow_all: self.has(Fault::PolicyAllowsEverything),
                    deny_all: self.has(Fault::PolicyDeniesEverything),
                },
            },
            follower: FollowerBehaviour {
                refuse_duplicates: self.has(Fault::NotifyRefusesDuplicates),
                accept_malformed_body: self.has(Fault::NotifyAcceptsMalformedBody),
                answer_200: self.has(Fault::NotifyAnswers200),
            },
            client: super::actions::ClientBehaviour {
                ignore_asset_policy: self.has(Fault::ClientIgnoresAssetPolicy),
                bad_group_info_request: self.has(Fault::ClientBadGroupInfoRequest),
            },
        }
    }

    /// The content encoder, deterministic unless an encoder fault is on.
    pub(super) fn encode(&self, c: &MimiContent) -> Vec<u8> {
        let good = c.encode();
        let habits = Habits {
            order: if self.has(Fault::EncoderUnsortedKeys) {
                KeyOrder::AsGiven(c.extensions.iter().map(|x| x.key.encoding()).collect())
            } else if self.has(Fault::EncoderLengthFirst) {
                KeyOrder::LengthFirst
            } else {
                KeyOrder::Bytewise
            },
            fixed_width: self.has(Fault::EncoderFixedWidthInts),
            raw_values: self.has(Fault::EncoderRawExtensionValues).then(|| {
                c.extensions
                    .iter()
                    .map(|x| (x.key.encoding(), x.value.0.clone()))
                    .collect()
            }),
        };
        if matches!(habits.order, KeyOrder::Bytewise) && !habits.fixed_width && habits.raw_values.is_none() {
            return good;
        }
        let Ok(parsed) = cbor::parse(&good) else { return good };
        let mut out = Vec::new();
        write(&parsed.item, &habits, true, &mut out);
        out
    }
}

/// The faulty encoder's habits.
struct Habits {
    order: KeyOrder,
    /// Every unsigned integer in 4-byte form.
    fixed_width: bool,
    /// Extension values written as the model gave them (key encoding → raw value).
    raw_values: Option<Vec<(Vec<u8>, Vec<u8>)>>,
}

enum KeyOrder {
    Bytewise,
    LengthFirst,
    /// The extensions map in this key order; nested maps bytewise.
    AsGiven(Vec<Vec<u8>>),
}

/// Writes an item like `Item::encode_deterministic`, but with the faulty habits. `top` is
/// true for the content array and for the extensions map inside it.
fn write(item: &Item, habits: &Habits, top: bool, out: &mut Vec<u8>) {
    let det = |i: &Item| {
        let mut e = minicbor::Encoder::new(Vec::new());
        i.encode_deterministic(&mut e);
        e.into_writer()
    };
    match &item.value {
        Value::Uint(n) if habits.fixed_width && *n <= u64::from(u32::MAX) => {
            out.push(0x1a);
            out.extend_from_slice(&(*n as u32).to_be_bytes());
        }
        Value::Array(items) => {
            out.extend(header(4, items.len() as u64));
            for (i, x) in items.iter().enumerate() {
                // The extensions map is field 5 of the top-level array.
                write(x, habits, top && i == 5, out);
            }
        }
        Value::Map(entries) => {
            let mut keyed: Vec<(Vec<u8>, &Item, &Item)> = entries.iter().map(|(k, v)| (det(k), k, v)).collect();
            match &habits.order {
                KeyOrder::LengthFirst => keyed.sort_by(|a, b| (a.0.len(), &a.0).cmp(&(b.0.len(), &b.0))),
                KeyOrder::AsGiven(keys) if top => {
                    keyed.sort_by_key(|(k, _, _)| keys.iter().position(|x| x == k).unwrap_or(usize::MAX))
                }
                _ => {}
            }
            out.extend(header(5, keyed.len() as u64));
            for (key, k, v) in keyed {
                write(k, habits, false, out);
                match habits
                    .raw_values
                    .as_ref()
                    .filter(|_| top)
                    .and_then(|r| r.iter().find(|(rk, _)| *rk == key))
                {
                    Some((_, raw)) => out.extend_from_slice(raw),
                    None => write(v, habits, false, out),
                }
            }
        }
        _ => out.extend(det(item)),
    }
}

fn header(major: u8, len: u64) -> Vec<u8> {
    let mut e = minicbor::Encoder::new(Vec::new());
    let r = if major == 4 {
        e.array(len).map(|_| ())
    } else {
        e.map(len).map(|_| ())
    };
    r.expect("encoding into a Vec<u8> cannot fail");
    e.into_writer()
}
