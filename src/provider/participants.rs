//! The participant list of a room (draft-ietf-mimi-protocol-06 §7.5) as every party applies it:
//! the `participant_list` component holds a `ParticipantListData`, and an AppDataUpdate of it
//! carries a `ParticipantListUpdate` (role changes, then removals by index into the list before
//! the update, then additions). Committer, members and hub all use [`rules`], because the result
//! is part of the GroupContext.

use std::collections::BTreeSet;

use crate::codec::protocol::{
    self, ParticipantListData, ParticipantListUpdate, UserRolePair, UserindexRolePair, VecOf,
};
use crate::mls::{AppDataRules, PARTICIPANT_LIST};

/// The role index the reference gives the creator of a room (the §4.3.2 example's "admin").
pub const CREATOR_ROLE: u32 = 4;
/// The role index the reference gives a user it adds. -06 fixes none but 1 "banned"; room
/// policy says which roles a room has (NOTES §9 item 14).
pub const PARTICIPANT_ROLE: u32 = 2;

/// The (user URI, role index) pairs of a `ParticipantListData`.
pub fn decode(bytes: &[u8]) -> Result<Vec<(String, u32)>, String> {
    let data: ParticipantListData = protocol::decode(bytes).map_err(|e| e.to_string())?;
    Ok(data
        .participants
        .0
        .into_iter()
        .map(|p| (String::from_utf8_lossy(p.user.as_slice()).into_owned(), p.role_index))
        .collect())
}

/// The user URIs of a `ParticipantListData` (the hub's [`crate::mls::ParticipantsDecoder`]).
/// Users with role 1 "banned" are not participants.
pub fn users(bytes: &[u8]) -> Result<BTreeSet<String>, String> {
    Ok(decode(bytes)?
        .into_iter()
        .filter(|(_, role)| *role != BANNED_ROLE)
        .map(|(user, _)| user)
        .collect())
}

/// Role index 1, "banned" (draft-ietf-mimi-room-policy-03 §5.1).
pub const BANNED_ROLE: u32 = 1;

/// A `ParticipantListData` of these (user, role) pairs.
pub fn encode(participants: &[(String, u32)]) -> Vec<u8> {
    let data = ParticipantListData {
        participants: VecOf(participants.iter().map(|(u, r)| pair(u, *r)).collect()),
    };
    protocol::encode(&data).unwrap_or_default()
}

/// A `ParticipantListUpdate` adding `user` with `role`.
pub fn add(user: &str, role: u32) -> Vec<u8> {
    update(Vec::new(), vec![pair(user, role)])
}

/// A `ParticipantListUpdate` removing `user` from the list `current`, or `None` if the user is
/// not on it.
pub fn remove(current: &[u8], user: &str) -> Option<Vec<u8>> {
    let index = decode(current).ok()?.iter().position(|(u, _)| u == user)?;
    Some(update(vec![u32::try_from(index).ok()?], Vec::new()))
}

/// A `ParticipantListUpdate` giving `user` of the list `current` the role `role`, or `None` if
/// the user is not on it.
pub fn change_role(current: &[u8], user: &str, role: u32) -> Option<Vec<u8>> {
    let index = decode(current).ok()?.iter().position(|(u, _)| u == user)?;
    let update = ParticipantListUpdate {
        changed_role_participants: VecOf(vec![UserindexRolePair {
            user_index: u32::try_from(index).ok()?,
            role_index: role,
        }]),
        removed_indices: VecOf(Vec::new()),
        added_participants: VecOf(Vec::new()),
    };
    protocol::encode(&update).ok()
}

fn update(removed: Vec<u32>, added: Vec<UserRolePair>) -> Vec<u8> {
    let update = ParticipantListUpdate {
        changed_role_participants: VecOf(Vec::new()),
        removed_indices: VecOf(removed),
        added_participants: VecOf(added),
    };
    protocol::encode(&update).unwrap_or_default()
}

fn pair(user: &str, role: u32) -> UserRolePair {
    UserRolePair {
        user: user.as_bytes().to_vec().into(),
        role_index: role,
    }
}

/// How AppDataUpdates apply: a `ParticipantListUpdate` to the participant list (§7.5), a whole
/// new value for every other component (room metadata, §7.6: "full replacement").
pub fn rules() -> AppDataRules {
    AppDataRules::new(|component, current, update| {
        if component != PARTICIPANT_LIST {
            return Ok(update.to_vec());
        }
        apply(current.unwrap_or_default(), update)
    })
}

/// [`rules`], except that a participant-list update that cannot be applied leaves the list as it
/// is instead of making the commit invalid: how a careless party breaks PROT-I12 (a simulated
/// committer sending such a commit, or a deliberately broken hub accepting one).
pub fn lenient_rules() -> AppDataRules {
    AppDataRules::new(|component, current, update| {
        if component != PARTICIPANT_LIST {
            return Ok(update.to_vec());
        }
        let current = current.unwrap_or_default();
        Ok(apply(current, update).unwrap_or_else(|_| current.to_vec()))
    })
}

/// Applies a `ParticipantListUpdate` to a `ParticipantListData`. An index out of range, a user
/// added who is already on the list, or one user touched twice (PROT-X12) is refused.
pub fn apply(current: &[u8], update: &[u8]) -> Result<Vec<u8>, String> {
    let mut list = if current.is_empty() {
        Vec::new()
    } else {
        decode(current)?
    };
    let update: ParticipantListUpdate = protocol::decode(update).map_err(|e| e.to_string())?;
    let mut touched = BTreeSet::new();
    for change in update.changed_role_participants.iter() {
        let len = list.len();
        let entry = list
            .get_mut(change.user_index as usize)
            .ok_or_else(|| format!("changed role of index {}, the list has {len}", change.user_index))?;
        if !touched.insert(entry.0.clone()) {
            return Err(format!("{} is changed twice in one update (§7.5)", entry.0));
        }
        entry.1 = change.role_index;
    }
    let mut removed: Vec<usize> = update.removed_indices.iter().map(|i| *i as usize).collect();
    removed.sort_unstable();
    removed.dedup();
    if removed.len() != update.removed_indices.len() {
        return Err("an index is removed twice in one update (§7.5)".into());
    }
    for index in removed.into_iter().rev() {
        if index >= list.len() {
            return Err(format!("removed index {index}, the list has {}", list.len()));
        }
        let (user, _) = list.remove(index);
        if !touched.insert(user.clone()) {
            return Err(format!("{user} is changed and removed in one update (§7.5)"));
        }
    }
    for added in update.added_participants.iter() {
        let user = String::from_utf8_lossy(added.user.as_slice()).into_owned();
        if list.iter().any(|(u, _)| *u == user) || !touched.insert(user.clone()) {
            return Err(format!("{user} is added but already on the list (§7.5)"));
        }
        list.push((user, added.role_index));
    }
    Ok(encode(&list))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_then_remove() {
        let list = encode(&[("mimi://a/u/alice".into(), CREATOR_ROLE)]);
        let list = apply(&list, &add("mimi://b/u/bob", PARTICIPANT_ROLE)).unwrap();
        assert_eq!(
            users(&list).unwrap().into_iter().collect::<Vec<_>>(),
            ["mimi://a/u/alice", "mimi://b/u/bob"]
        );
        let list = apply(&list, &remove(&list, "mimi://a/u/alice").unwrap()).unwrap();
        assert_eq!(
            decode(&list).unwrap(),
            [("mimi://b/u/bob".to_owned(), PARTICIPANT_ROLE)]
        );
    }

    #[test]
    fn refusals() {
        let list = encode(&[("mimi://a/u/alice".into(), CREATOR_ROLE)]);
        assert!(apply(&list, &add("mimi://a/u/alice", 2)).is_err());
        assert!(apply(&list, &update(vec![3], Vec::new())).is_err());
        assert!(apply(&list, &update(vec![0, 0], Vec::new())).is_err());
        assert!(apply(&list, b"\xff").is_err());
    }
}
