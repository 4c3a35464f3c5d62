//! Which media types a client may use in a room (draft-ietf-mimi-room-policy-03 §6.4, POL-08):
//! "When it is present, media types MUST be one of the entries in the permitted_media_types
//! list, and MUST NOT be in the forbidden_media_types list. If a media type with no parameters
//! (for example, text/markdown) is present in one of these lists, that entry matches all media
//! types of that type and subtype that contain additional parameters."
//!
//! Readings (the catalog's, spec/draft-ietf-mimi-room-policy-03.yaml): the rule applies to
//! assets, the ExternalParts of MIMI content (§6.4 "Assets refer to attached files, images,
//! audio files, and video files"); type and subtype compare without regard to case (RFC 6838
//! §4.2), parameter names too; an entry with parameters matches exactly those parameters.

use crate::codec::policy::{AssetPolicy, MediaType};

/// A media type as a content type string gives it: `type/subtype` and its parameters, names
/// lowercased, values unquoted.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Parsed {
    essence: String,
    parameters: Vec<(String, String)>,
}

fn parse(content_type: &str) -> Parsed {
    let mut pieces = content_type.split(';');
    let essence = pieces.next().unwrap_or_default().trim().to_ascii_lowercase();
    let mut parameters: Vec<(String, String)> = pieces
        .filter_map(|p| p.split_once('='))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().trim_matches('"').to_owned()))
        .collect();
    parameters.sort();
    Parsed { essence, parameters }
}

fn from_entry(entry: &MediaType) -> Parsed {
    let text = |t: &crate::codec::policy::Text| String::from_utf8_lossy(&t.0).into_owned();
    let mut parameters: Vec<(String, String)> = entry
        .parameters
        .iter()
        .map(|p| (text(&p.parameter_name).to_ascii_lowercase(), text(&p.parameter_value)))
        .collect();
    parameters.sort();
    Parsed {
        essence: text(&entry.media_type).trim().to_ascii_lowercase(),
        parameters,
    }
}

/// Whether list entry `entry` matches `used`: same type and subtype, and either no parameters
/// (it matches every parameter set) or the same parameters.
fn matches(entry: &MediaType, used: &Parsed) -> bool {
    let entry = from_entry(entry);
    entry.essence == used.essence && (entry.parameters.is_empty() || entry.parameters == used.parameters)
}

/// `Err` says why `policy` forbids a client to use an asset of `content_type`.
pub fn media_type_allowed(policy: &AssetPolicy, content_type: &str) -> Result<(), String> {
    let used = parse(content_type);
    if let Some(entry) = policy.forbidden_media_types.iter().find(|e| matches(e, &used)) {
        return Err(format!(
            "room-policy-03 §6.4 (POL-08): {content_type} matches forbidden media type {}",
            String::from_utf8_lossy(&entry.media_type.0)
        ));
    }
    match &policy.permitted_media_types {
        Some(permitted) if !permitted.iter().any(|e| matches(e, &used)) => Err(format!(
            "room-policy-03 §6.4 (POL-08): {content_type} is not among the permitted media types"
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::policy::{AssetUploadLocation, DownloadPrivacy, DownloadPrivacyType, Parameter, Text};

    fn media(essence: &str, parameters: &[(&str, &str)]) -> MediaType {
        MediaType {
            media_type: Text(essence.as_bytes().to_vec()),
            parameters: parameters
                .iter()
                .map(|(n, v)| Parameter {
                    parameter_name: Text(n.as_bytes().to_vec()),
                    parameter_value: Text(v.as_bytes().to_vec()),
                })
                .collect(),
        }
    }

    fn policy(forbidden: Vec<MediaType>, permitted: Option<Vec<MediaType>>) -> AssetPolicy {
        AssetPolicy {
            asset_upload_location: AssetUploadLocation::UNSPECIFIED,
            upload_domains: Vec::new(),
            download_privacy: DownloadPrivacy {
                allowed_download_types: Vec::new(),
                forbidden_download_types: Vec::new(),
                default_download_type: DownloadPrivacyType::DIRECT,
            },
            max_image: 0,
            max_audio: 0,
            max_video: 0,
            max_attachment: 0,
            forbidden_media_types: forbidden,
            permitted_media_types: permitted,
        }
    }

    #[test]
    fn forbidden_entry_without_parameters_matches_every_parameter_set() {
        let p = policy(vec![media("text/markdown", &[])], None);
        assert!(media_type_allowed(&p, "text/markdown").is_err());
        assert!(media_type_allowed(&p, "Text/Markdown; variant=GFM").is_err());
        assert!(media_type_allowed(&p, "text/plain").is_ok());
    }

    #[test]
    fn entry_with_parameters_matches_those_parameters_only() {
        let p = policy(vec![media("text/markdown", &[("variant", "GFM")])], None);
        assert!(media_type_allowed(&p, "text/markdown;variant=\"GFM\"").is_err());
        assert!(media_type_allowed(&p, "text/markdown").is_ok());
        assert!(media_type_allowed(&p, "text/markdown;variant=CommonMark").is_ok());
    }

    #[test]
    fn permitted_list_when_present_is_exhaustive() {
        let p = policy(Vec::new(), Some(vec![media("image/png", &[])]));
        assert!(media_type_allowed(&p, "image/png").is_ok());
        assert!(media_type_allowed(&p, "image/jpeg").is_err());
        assert!(media_type_allowed(&policy(Vec::new(), None), "image/jpeg").is_ok());
        assert!(media_type_allowed(&policy(Vec::new(), Some(Vec::new())), "image/png").is_err());
    }

    #[test]
    fn forbidden_wins_over_permitted() {
        let both = vec![media("video/mp4", &[])];
        let p = policy(both.clone(), Some(both));
        assert!(media_type_allowed(&p, "video/mp4").is_err());
    }
}
