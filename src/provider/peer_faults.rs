//! Misbehaviour of a simulated provider for one scenario step (`fault:` on an act, `peer_faults:`
//! on a step): how a negative scenario plays a peer that breaks the draft. Each is one row of the
//! [`peer_faults!`] table (variant, the name scenario files use, what the sim does); the README's
//! table and the schema's enums and description are kept equal to it by a test.

use std::time::Duration;

/// How long a slow simulated follower ([`PeerFault::SlowNotify`]) takes to answer.
pub const SLOW_ANSWER: Duration = Duration::from_millis(500);

macro_rules! peer_faults {
    ($($v:ident => $name:literal, $what:literal;)*) => {
        /// Misbehaviour of a simulated provider for one scenario step.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize)]
        pub enum PeerFault {
            $(#[doc = concat!("The sim ", $what, ".")] #[serde(rename = $name)] $v,)*
        }

        impl PeerFault {
            pub const ALL: &'static [PeerFault] = &[$(PeerFault::$v),*];

            /// The name scenario files give it (`skip-participant-list`).
            pub fn name(self) -> &'static str {
                match self { $(PeerFault::$v => $name,)* }
            }

            /// What the sim does, as the README's table says it.
            pub fn what(self) -> &'static str {
                match self { $(PeerFault::$v => $what,)* }
            }
        }
    };
}

peer_faults! {
    SkipParticipantList => "skip-participant-list",
        "commits an add's Adds without the participant-list update (PROT-11)";
    CorruptMessage => "corrupt-message",
        "flips the middle byte of the MLS message it sends the hub";
    DuplicateNotify => "duplicate-notify",
        "as hub, sends every /notify twice (PROT-19, PROT-20)";
    ForeignSendingUri => "foreign-sending-uri",
        "names a user who is not a participant as `sendingUri`";
    DropExternalSenders => "drop-external-senders",
        "drops `external_senders`, and the hub with it, in its commit (PROT-31, PROT-32)";
    DoubleParticipantUpdate => "double-participant-update",
        "touches the added user twice in one commit's participant list (PROT-I12)";
    BadGroupInfoSignature => "bad-group-info-signature",
        "signs a `room.join`'s GroupInfoRequest with the wrong label (§5.6)";
    ForeignGroupInfoCredential => "foreign-group-info-credential",
        "sends a `room.join`'s GroupInfoRequest whose credential names a client of the hub's domain (§5.6)";
    DoubleMetadataUpdate => "double-metadata-update",
        "puts two room metadata updates into one commit (PROT-I13)";
    NotifyFailsOnce => "notify-fails-once",
        "as follower, answers the step's first /notify 503, `Retry-After: 0` (PROT-18)";
    SlowNotify => "slow-notify",
        "as follower, answers each /notify of the step after 0.5 s (a slow peer; an impatient hub waits 0.2 s)";
}

/// The README's table of peer faults, one row per fault.
pub fn readme_table() -> String {
    let mut out = String::from("| fault | the sim… |\n|---|---|\n");
    for f in PeerFault::ALL {
        out.push_str(&format!("| `{}` | {} |\n", f.name(), f.what()));
    }
    out
}

/// The schema's description of `act.fault`.
pub fn schema_description() -> String {
    let each: Vec<String> = PeerFault::ALL
        .iter()
        .map(|f| format!("{}: {}.", f.name(), f.what().replace('`', "")))
        .collect();
    format!(
        "Misbehaviour of the acting provider during this step (PeerFault, src/provider/peer_faults.rs); only for users of `sim` roles. {}",
        each.join(" ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const README: &str = include_str!("../../scenarios/README.md");
    const SCHEMA: &str = include_str!("../../scenarios/scenario.schema.json");

    #[test]
    fn the_readme_lists_every_peer_fault_as_the_table_says() {
        assert!(
            README.contains(&readme_table()),
            "scenarios/README.md, \"Peer faults\", should hold this table:\n{}",
            readme_table()
        );
    }

    #[test]
    fn the_schema_names_every_peer_fault_as_the_table_says() {
        let schema: serde_json::Value = serde_json::from_str(SCHEMA).expect("the schema is JSON");
        let names: Vec<&str> = PeerFault::ALL.iter().map(|f| f.name()).collect();
        let act = &schema["$defs"]["act"]["properties"]["fault"];
        let step = &schema["$defs"]["step"]["properties"]["peer_faults"]["additionalProperties"]["items"];
        for (at, enumeration) in [("act.fault", &act["enum"]), ("step.peer_faults", &step["enum"])] {
            let listed: Vec<&str> = enumeration
                .as_array()
                .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
                .unwrap_or_default();
            assert_eq!(
                listed, names,
                "{at}: the schema's enum (left), the table's names (right)"
            );
        }
        assert_eq!(
            act["description"],
            schema_description().as_str(),
            "act.fault's description"
        );
    }

    #[test]
    fn scenario_files_name_peer_faults_by_the_table() {
        for f in PeerFault::ALL {
            let read: PeerFault = serde_json::from_value(serde_json::json!(f.name())).expect("a name of the table");
            assert_eq!(read, *f);
        }
    }
}
