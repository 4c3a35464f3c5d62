//! draft-ietf-mimi-protocol-06 §5.1: the directory, "a JSON document with URIs for each type of
//! endpoint" at `/.well-known/mimi-protocol-directory`, "as opposed to hard coding the
//! endpoints". A provider serves its own ([`document`]); every request to a peer is built from
//! the peer's ([`Directory::path`]): the template of the endpoint, its one `{…}` placeholder
//! replaced by the URI it names, percent-encoded whole as one path segment (reading PROT-X01).

use std::collections::BTreeMap;

use super::faults::{Fault, FaultSet};

/// The well-known path of the directory.
pub const PATH: &str = "/.well-known/mimi-protocol-directory";

/// Where the reference serves its endpoints unless told otherwise.
pub const PREFIX: &str = "/v1";

/// The endpoints of the directory and the name of each one's placeholder (§5.1's example, the
/// consent endpoints' as §5.7 names them: reading PROT-X02).
const ENDPOINTS: &[(&str, &str)] = &[
    ("keyMaterial", "targetUser"),
    ("update", "roomId"),
    ("notify", "roomId"),
    ("submitMessage", "roomId"),
    ("groupInfo", "roomId"),
    ("requestConsent", "targetDomain"),
    ("updateConsent", "requesterDomain"),
    ("identifierQuery", "domain"),
    ("reportAbuse", "roomId"),
    ("proxyDownload", "downloadUrl"),
];

/// The directory a provider at `authority` serves for endpoints under `prefix`; without
/// `update` with [`Fault::DirectoryIncomplete`], and naming `/nowhere` (where nothing is served)
/// with [`Fault::DirectoryLies`].
pub fn document(authority: &str, prefix: &str, faults: FaultSet) -> serde_json::Value {
    let complete = !faults.has(Fault::DirectoryIncomplete);
    let base = if faults.has(Fault::DirectoryLies) {
        format!("https://{authority}/nowhere{prefix}")
    } else {
        format!("https://{authority}{prefix}")
    };
    let urls = ENDPOINTS
        .iter()
        .filter(|(endpoint, _)| complete || *endpoint != "update")
        .map(|(endpoint, placeholder)| {
            (
                endpoint.to_string(),
                serde_json::Value::String(format!("{base}/{endpoint}/{{{placeholder}}}")),
            )
        })
        .collect();
    serde_json::Value::Object(urls)
}

/// A URI percent-encoded as one path segment (reading PROT-X01: the whole URI is the segment).
pub fn path_segment(uri: &str) -> String {
    percent_encoding::utf8_percent_encode(uri, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// A peer's directory: endpoint name → URL template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directory(BTreeMap<String, String>);

impl Directory {
    /// Reads a directory document: a JSON object whose members are strings (others are ignored,
    /// for endpoints of later revisions).
    pub fn parse(body: &[u8]) -> Result<Self, String> {
        let json: serde_json::Value =
            serde_json::from_slice(body).map_err(|e| format!("§5.1: the directory is not JSON: {e}"))?;
        let members = json
            .as_object()
            .ok_or("§5.1: the directory is not a JSON object")?
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
            .collect();
        Ok(Directory(members))
    }

    /// The path (and query) of `endpoint`'s URL for `value` (a user or room URI, a domain), as
    /// `domain`'s directory gives it: an https URL on `domain` itself, whose one `{…}`
    /// placeholder is replaced by `value`, percent-encoded.
    pub fn path(&self, domain: &str, endpoint: &str, value: &str) -> Result<String, String> {
        let template = self
            .0
            .get(endpoint)
            .ok_or_else(|| format!("§5.1: the directory of {domain} has no `{endpoint}`"))?;
        let bad = |why: &str| format!("§5.1: the directory of {domain} gives `{endpoint}` as {template:?}: {why}");
        let open = template.find('{').ok_or_else(|| bad("no {…} placeholder"))?;
        let close = open
            + template[open..]
                .find('}')
                .ok_or_else(|| bad("an unclosed placeholder"))?;
        if template[close + 1..].contains('{') {
            return Err(bad("more than one placeholder"));
        }
        let url = format!("{}{}{}", &template[..open], path_segment(value), &template[close + 1..]);
        let url = reqwest::Url::parse(&url).map_err(|e| bad(&format!("not a URL ({e})")))?;
        if url.scheme() != "https" {
            return Err(bad("not an https URL"));
        }
        if url.host_str() != Some(domain) {
            return Err(bad(&format!(
                "its host is not {domain} (the suite reaches the scenario's providers only)"
            )));
        }
        Ok(match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn directory(json: serde_json::Value) -> Directory {
        Directory::parse(json.to_string().as_bytes()).expect("a directory")
    }

    #[test]
    fn a_path_is_built_from_the_template() {
        let d = directory(document("hub.example:8443", "/mimi/v2", FaultSet::NONE));
        assert_eq!(
            d.path("hub.example", "update", "mimi://hub.example/r/club"),
            Ok("/mimi/v2/update/mimi%3A%2F%2Fhub%2Eexample%2Fr%2Fclub".into())
        );
        // The draft's own example writes `update{roomId}`: the template is followed as written.
        let d = directory(serde_json::json!({"update": "https://hub.example/v1/update{roomId}"}));
        assert_eq!(d.path("hub.example", "update", "r"), Ok("/v1/updater".into()));
    }

    #[test]
    fn a_directory_that_cannot_be_followed_is_named() {
        let d = directory(serde_json::json!({
            "update": "https://other.example/v1/update/{roomId}",
            "notify": "http://hub.example/v1/notify/{roomId}",
            "groupInfo": "https://hub.example/v1/groupInfo",
            "submitMessage": "https://hub.example/{a}/{b}",
            "keyMaterial": 7,
        }));
        for (endpoint, why) in [
            ("update", "its host is not hub.example"),
            ("notify", "not an https URL"),
            ("groupInfo", "no {…} placeholder"),
            ("submitMessage", "more than one placeholder"),
            ("keyMaterial", "has no `keyMaterial`"),
            ("reportAbuse", "has no `reportAbuse`"),
        ] {
            let e = d.path("hub.example", endpoint, "x").expect_err(endpoint);
            assert!(e.contains(why), "{endpoint}: {e}");
        }
        assert!(Directory::parse(b"[]").is_err());
        assert!(Directory::parse(b"{").is_err());
        let full = directory(document("hub.example", PREFIX, FaultSet::NONE));
        assert!(full.path("hub.example", "update", "x").is_ok());
        let incomplete = directory(document(
            "hub.example",
            PREFIX,
            FaultSet::NONE.with(Fault::DirectoryIncomplete),
        ));
        assert!(incomplete.path("hub.example", "update", "x").is_err());
    }
}
