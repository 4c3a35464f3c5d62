//! draft-ietf-mimi-room-policy-03 §6 (Other MIMI policy components): status notifications
//! (§6.1), join links (§6.2), link preview (§6.3), assets (§6.4), logging (§6.5), chat history
//! (§6.6), bots (§6.7) and message expiration (§6.8).
//!
//! Four of them hold `select (x) { case mandatory: …; case optional: …; case forbidden:
//! struct {}; }` on an `Optionality` whose values are `optional(0)`, `required(1)` and
//! `forbidden(2)`: there is no `mandatory`. It is read as `required(1)`, the only value left
//! (§6.3's prose says "mandatory" of the same field). Those types carry the tag and
//! `Option<…Settings>`, `Some` exactly when the tag is not `forbidden`; their codecs are written
//! by hand.

use serde::{Deserialize, Serialize};
use tls_codec::{DeserializeBytes, Error, SerializeBytes, Size, TlsDeserializeBytes, TlsSerializeBytes, TlsSize};

use super::base_policy::Uri;
use crate::codec::tls::{self, Text, bad_enum, open_newtype_codec};

/// `enum { optional(0), required(1), forbidden(2) } Optionality`. Closed: the value selects
/// what follows, so an unknown value cannot be read past.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Optionality {
    Optional = 0,
    /// Also the `mandatory` of the selects.
    #[serde(alias = "mandatory")]
    Required = 1,
    Forbidden = 2,
}

impl Size for Optionality {
    fn tls_serialized_len(&self) -> usize {
        1
    }
}

impl SerializeBytes for Optionality {
    fn tls_serialize_bytes(&self) -> Result<Vec<u8>, Error> {
        Ok(vec![*self as u8])
    }
}

impl DeserializeBytes for Optionality {
    fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), Error> {
        let (&v, rest) = bytes.split_first().ok_or(Error::EndOfStream)?;
        let o = match v {
            0 => Optionality::Optional,
            1 => Optionality::Required,
            2 => Optionality::Forbidden,
            _ => return Err(bad_enum("Optionality", u64::from(v))),
        };
        Ok((o, rest))
    }
}

/// Implements the codec of a struct `{ Optionality tag; select (tag) { case mandatory: case
/// optional: Settings; case forbidden: struct {}; } }`.
macro_rules! optionality_select {
    ($t:ident, $tag:ident, $settings:ident) => {
        impl Size for $t {
            fn tls_serialized_len(&self) -> usize {
                1 + self.settings.as_ref().map_or(0, Size::tls_serialized_len)
            }
        }

        impl SerializeBytes for $t {
            fn tls_serialize_bytes(&self) -> Result<Vec<u8>, Error> {
                let mut out = self.$tag.tls_serialize_bytes()?;
                match (self.$tag, &self.settings) {
                    (Optionality::Forbidden, None) => {}
                    (Optionality::Forbidden, Some(_)) => {
                        return Err(Error::EncodingError(format!(
                            "{}: {} is forbidden, so the settings must be absent",
                            stringify!($t),
                            stringify!($tag)
                        )));
                    }
                    (_, Some(s)) => out.extend_from_slice(&s.tls_serialize_bytes()?),
                    (_, None) => {
                        return Err(Error::EncodingError(format!(
                            "{}: {} is not forbidden, so the settings must be present",
                            stringify!($t),
                            stringify!($tag)
                        )));
                    }
                }
                Ok(out)
            }
        }

        impl DeserializeBytes for $t {
            fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), Error> {
                let ($tag, rest) = Optionality::tls_deserialize_bytes(bytes)?;
                let (settings, rest) = match $tag {
                    Optionality::Forbidden => (None, rest),
                    _ => {
                        let (s, rest) = $settings::tls_deserialize_bytes(rest)?;
                        (Some(s), rest)
                    }
                };
                Ok(($t { $tag, settings }, rest))
            }
        }
    };
}

/// §6.1 `StatusNotificationPolicy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TlsSize, TlsSerializeBytes, TlsDeserializeBytes)]
#[serde(deny_unknown_fields)]
pub struct StatusNotificationPolicy {
    pub delivery_notifications: Optionality,
    pub read_receipts: Optionality,
}

/// §6.2 `JoinLinkPolicy`. (The prose's `link_requests` is this `join_link`.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TlsSize, TlsSerializeBytes, TlsDeserializeBytes)]
#[serde(deny_unknown_fields)]
pub struct JoinLinkPolicy {
    #[tls_codec(with = "tls::boolean")]
    pub on_request: bool,
    pub join_link: Uri,
    #[tls_codec(with = "tls::boolean")]
    pub multiuser: bool,
    pub expiration: u32,
}

/// §6.2 `JoinLink`. `opaque join_link;` has no length in -03; it is read as `opaque
/// join_link<V>` (a bare `opaque` has no defined size in the presentation language).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TlsSize, TlsSerializeBytes, TlsDeserializeBytes)]
#[serde(deny_unknown_fields)]
pub struct JoinLink {
    pub join_link: Text,
}

/// §6.2 `JoinLink JoinLinksData<V>`: the active join links; JSON: an array.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TlsSize, TlsSerializeBytes, TlsDeserializeBytes)]
#[serde(transparent)]
pub struct JoinLinksData {
    #[tls_codec(with = "tls::vector")]
    pub links: Vec<JoinLink>,
}

/// §6.2 `JoinLinksUpdate` (a delta, not a replacement).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TlsSize, TlsSerializeBytes, TlsDeserializeBytes)]
#[serde(deny_unknown_fields)]
pub struct JoinLinksUpdate {
    #[tls_codec(with = "tls::vector")]
    #[serde(rename = "removedIndices")]
    pub removed_indices: Vec<u32>,
    #[tls_codec(with = "tls::vector")]
    pub added_links: Vec<JoinLink>,
}

/// §6.3 `LinkPreviewPolicy`. `settings` is the `link_preview_proxy` arm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkPreviewPolicy {
    pub autodetect_hyperlinks_in_text: Optionality,
    pub send_link_previews: Optionality,
    pub automatic_link_previews: Optionality,
    pub link_preview_proxy_use: Optionality,
    /// `Uri link_preview_proxy<V>` when `link_preview_proxy_use` is not forbidden.
    pub link_preview_proxy: Option<Vec<Uri>>,
}

impl Size for LinkPreviewPolicy {
    fn tls_serialized_len(&self) -> usize {
        4 + self
            .link_preview_proxy
            .as_ref()
            .map_or(0, tls::vector::tls_serialized_len)
    }
}

impl SerializeBytes for LinkPreviewPolicy {
    fn tls_serialize_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut out = vec![
            self.autodetect_hyperlinks_in_text as u8,
            self.send_link_previews as u8,
            self.automatic_link_previews as u8,
            self.link_preview_proxy_use as u8,
        ];
        match (self.link_preview_proxy_use, &self.link_preview_proxy) {
            (Optionality::Forbidden, None) => {}
            (Optionality::Forbidden, Some(_)) | (_, None) => {
                return Err(Error::EncodingError(
                    "LinkPreviewPolicy: link_preview_proxy must be present exactly when link_preview_proxy_use is not forbidden"
                        .into(),
                ));
            }
            (_, Some(p)) => out.extend_from_slice(&tls::vector::tls_serialize_bytes(p)?),
        }
        Ok(out)
    }
}

impl DeserializeBytes for LinkPreviewPolicy {
    fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), Error> {
        let (autodetect_hyperlinks_in_text, rest) = Optionality::tls_deserialize_bytes(bytes)?;
        let (send_link_previews, rest) = Optionality::tls_deserialize_bytes(rest)?;
        let (automatic_link_previews, rest) = Optionality::tls_deserialize_bytes(rest)?;
        let (link_preview_proxy_use, rest) = Optionality::tls_deserialize_bytes(rest)?;
        let (link_preview_proxy, rest) = match link_preview_proxy_use {
            Optionality::Forbidden => (None, rest),
            _ => {
                let (p, rest) = tls::vector::tls_deserialize_bytes(rest)?;
                (Some(p), rest)
            }
        };
        Ok((
            LinkPreviewPolicy {
                autodetect_hyperlinks_in_text,
                send_link_previews,
                automatic_link_previews,
                link_preview_proxy_use,
                link_preview_proxy,
            },
            rest,
        ))
    }
}

/// §6.4 `enum { unspecified(0), localProvider(1), hub(2), (255) } AssetUploadLocation`. Open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AssetUploadLocation(pub u8);

open_newtype_codec!(AssetUploadLocation, u8);

impl AssetUploadLocation {
    pub const UNSPECIFIED: AssetUploadLocation = AssetUploadLocation(0);
    pub const LOCAL_PROVIDER: AssetUploadLocation = AssetUploadLocation(1);
    pub const HUB: AssetUploadLocation = AssetUploadLocation(2);
}

/// §6.4 `DomainName`; JSON: the domain as a string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TlsSize, TlsSerializeBytes, TlsDeserializeBytes)]
#[serde(transparent)]
pub struct DomainName {
    pub domain: Text,
}

/// §6.4 `ProviderAssetUploadDomains`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TlsSize, TlsSerializeBytes, TlsDeserializeBytes)]
#[serde(deny_unknown_fields)]
pub struct ProviderAssetUploadDomains {
    pub provider: DomainName,
    #[tls_codec(with = "tls::vector")]
    pub asset_upload_destinations: Vec<DomainName>,
}

/// §6.4 `enum { direct(0), hubProxy(1), ohttp(2), (255) } DownloadPrivacyType`. Open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DownloadPrivacyType(pub u8);

open_newtype_codec!(DownloadPrivacyType, u8);

impl DownloadPrivacyType {
    pub const DIRECT: DownloadPrivacyType = DownloadPrivacyType(0);
    pub const HUB_PROXY: DownloadPrivacyType = DownloadPrivacyType(1);
    pub const OHTTP: DownloadPrivacyType = DownloadPrivacyType(2);
}

/// §6.4 `DownloadPrivacy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TlsSize, TlsSerializeBytes, TlsDeserializeBytes)]
#[serde(deny_unknown_fields)]
pub struct DownloadPrivacy {
    #[tls_codec(with = "tls::vector")]
    pub allowed_download_types: Vec<DownloadPrivacyType>,
    #[tls_codec(with = "tls::vector")]
    pub forbidden_download_types: Vec<DownloadPrivacyType>,
    pub default_download_type: DownloadPrivacyType,
}

/// draft-ietf-mls-extensions §6.2.2 `Parameter` of a `MediaType`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TlsSize, TlsSerializeBytes, TlsDeserializeBytes)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    pub parameter_name: Text,
    pub parameter_value: Text,
}

/// draft-ietf-mls-extensions §6.2.2 `MediaType`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TlsSize, TlsSerializeBytes, TlsDeserializeBytes)]
#[serde(deny_unknown_fields)]
pub struct MediaType {
    pub media_type: Text,
    #[tls_codec(with = "tls::vector")]
    pub parameters: Vec<Parameter>,
}

/// §6.4 `AssetPolicy`. `optional<MediaType> permitted_media_types<V>` is read as an optional
/// vector of `MediaType` ("If present, permitted_media_types is a list"): JSON `null` when
/// absent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TlsSize, TlsSerializeBytes, TlsDeserializeBytes)]
#[serde(deny_unknown_fields)]
pub struct AssetPolicy {
    pub asset_upload_location: AssetUploadLocation,
    #[tls_codec(with = "tls::vector")]
    pub upload_domains: Vec<ProviderAssetUploadDomains>,
    pub download_privacy: DownloadPrivacy,
    pub max_image: u64,
    pub max_audio: u64,
    pub max_video: u64,
    pub max_attachment: u64,
    #[tls_codec(with = "tls::vector")]
    pub forbidden_media_types: Vec<MediaType>,
    #[tls_codec(with = "tls::optional_vector")]
    pub permitted_media_types: Option<Vec<MediaType>>,
}

/// The `mandatory`/`optional` arm of §6.5 `LoggingPolicy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TlsSize, TlsSerializeBytes, TlsDeserializeBytes)]
#[serde(deny_unknown_fields)]
pub struct LoggingSettings {
    #[tls_codec(with = "tls::vector")]
    pub logging_clients: Vec<Uri>,
    pub machine_readable_policy: Uri,
    pub human_readable_policy: Uri,
}

/// §6.5 `LoggingPolicy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoggingPolicy {
    pub logging: Optionality,
    pub settings: Option<LoggingSettings>,
}

optionality_select!(LoggingPolicy, logging, LoggingSettings);

/// The `mandatory`/`optional` arm of §6.6 `HistoryPolicy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TlsSize, TlsSerializeBytes, TlsDeserializeBytes)]
#[serde(deny_unknown_fields)]
pub struct HistorySettings {
    #[tls_codec(with = "tls::vector")]
    pub roles_that_can_share: Vec<u32>,
    #[tls_codec(with = "tls::boolean")]
    pub automatically_share: bool,
    pub max_time_period: u32,
}

/// §6.6 `HistoryPolicy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryPolicy {
    pub history_sharing: Optionality,
    pub settings: Option<HistorySettings>,
}

optionality_select!(HistoryPolicy, history_sharing, HistorySettings);

/// §6.7 `Bot`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TlsSize, TlsSerializeBytes, TlsDeserializeBytes)]
#[serde(deny_unknown_fields)]
pub struct Bot {
    pub name: Text,
    pub description: Text,
    pub homepage: Uri,
    #[tls_codec(with = "tls::boolean")]
    pub local_client_bot: bool,
    pub bot_role_index: u32,
    #[tls_codec(with = "tls::boolean")]
    pub can_target_message_in_group: bool,
    #[tls_codec(with = "tls::boolean")]
    pub per_user_content: bool,
}

/// §6.7 `BotPolicy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TlsSize, TlsSerializeBytes, TlsDeserializeBytes)]
#[serde(deny_unknown_fields)]
pub struct BotPolicy {
    #[tls_codec(with = "tls::vector")]
    pub allowed_bots: Vec<Bot>,
}

/// The `mandatory`/`optional` arm of §6.8 `MessageExpiration`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TlsSize, TlsSerializeBytes, TlsDeserializeBytes)]
#[serde(deny_unknown_fields)]
pub struct ExpirationSettings {
    pub min_expiration_duration: u32,
    pub max_expiration_duration: u32,
    #[tls_codec(with = "tls::optional")]
    pub default_expiration_duration: Option<u32>,
}

/// §6.8 `MessageExpiration`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageExpiration {
    pub expiring_messages: Optionality,
    pub settings: Option<ExpirationSettings>,
}

optionality_select!(MessageExpiration, expiring_messages, ExpirationSettings);
