//! One act of a user, typed once. The scenario runner builds it from a step, the reference
//! served outside the process from the driver's params ([`UserAct::from_driver`]), and
//! [`perform`] carries it out on a provider's state: a simulated provider's, the built-in
//! implementation's, or the harness's clients of a server-only implementation. For an
//! implementation whose own clients act (full-client), [`UserAct::driver_call`] is the same act
//! as the driver's operation.

use serde_json::Value;

use super::actions::{self, ActError, Outgoing, RoomSetup};
use super::participants;
use super::state::{Shared, lock};
use crate::codec::policy::{ComponentId, encode_json};
use crate::driver::messages::{
    MessageSendParams, RoomCreateParams, RoomJoinParams, RoomParams, RoomPolicyParams, RoomTargetParams,
};
use crate::driver::{DriverError, ops};

/// `user` does `act` in `room` (their URIs).
#[derive(Debug, Clone, PartialEq)]
pub struct UserAct {
    pub user: String,
    pub room: String,
    pub act: Act,
}

/// What a user does (docs/driver.md; the scenarios' acts).
#[derive(Debug, Clone, PartialEq)]
pub enum Act {
    /// §3.1, on the user's own provider (the room's hub).
    Create {
        ciphersuite: u16,
        role: Option<u32>,
        policy: Option<RoomPolicyParams>,
    },
    Add {
        target: String,
        role: Option<u32>,
        clients: Option<usize>,
    },
    Remove {
        target: String,
    },
    ChangeRole {
        target: String,
        role: u32,
    },
    Ban {
        target: String,
    },
    Unban {
        target: String,
        role: u32,
    },
    Kick {
        target: String,
    },
    AddOwnClient,
    RemoveOwnClient,
    /// A policy component (or `RoomMetaData`) by its struct's name, replaced by `value`.
    SetComponent {
        component: String,
        value: Value,
    },
    RemoveComponent {
        component: String,
    },
    Leave,
    Join {
        role: Option<u32>,
    },
    Commit,
    SendText(String),
    /// An asset (an ExternalPart) of this media type.
    SendAsset(String),
    ListMessages,
    State,
    /// A simulated provider resends its last UpdateRequest for the room.
    Replay,
}

impl Act {
    /// The driver operation of the act, if the driver protocol has one.
    pub fn driver_op(&self) -> Option<&'static str> {
        Some(match self {
            Act::Create { .. } => ops::ROOM_CREATE,
            Act::Add { .. } => ops::ROOM_ADD,
            Act::Remove { .. } => ops::ROOM_REMOVE,
            Act::ChangeRole { .. } => ops::ROOM_CHANGE_ROLE,
            Act::Ban { .. } => ops::ROOM_BAN,
            Act::Unban { .. } => ops::ROOM_UNBAN,
            Act::Kick { .. } => ops::ROOM_KICK,
            Act::AddOwnClient => ops::ROOM_ADD_OWN_CLIENT,
            Act::RemoveOwnClient => ops::ROOM_REMOVE_OWN_CLIENT,
            Act::Leave => ops::ROOM_LEAVE,
            Act::Join { .. } => ops::ROOM_JOIN,
            Act::Commit => ops::ROOM_COMMIT,
            Act::SendText(_) | Act::SendAsset(_) => ops::MESSAGE_SEND,
            Act::ListMessages => ops::MESSAGE_LIST,
            Act::State => ops::ROOM_STATE,
            Act::SetComponent { .. } | Act::RemoveComponent { .. } | Act::Replay => return None,
        })
    }
}

impl UserAct {
    /// The act of a driver operation's params (`op` one of the room and message operations).
    pub fn from_driver(op: &str, params: Value) -> Result<Self, DriverError> {
        use super::parse;
        let (user, room, act) = match op {
            ops::ROOM_CREATE => {
                let p: RoomCreateParams = parse(op, params)?;
                let act = Act::Create {
                    ciphersuite: p.ciphersuite,
                    role: p.role,
                    policy: p.room_policy,
                };
                (p.user, p.room, act)
            }
            ops::ROOM_ADD
            | ops::ROOM_REMOVE
            | ops::ROOM_CHANGE_ROLE
            | ops::ROOM_BAN
            | ops::ROOM_UNBAN
            | ops::ROOM_KICK => {
                let p: RoomTargetParams = parse(op, params)?;
                let role = || {
                    p.role
                        .ok_or_else(|| DriverError::invalid_params(format!("{op} needs `role`")))
                };
                let target = p.target.clone();
                let act = match op {
                    ops::ROOM_ADD => Act::Add {
                        target,
                        role: p.role,
                        clients: p.clients,
                    },
                    ops::ROOM_REMOVE => Act::Remove { target },
                    ops::ROOM_CHANGE_ROLE => Act::ChangeRole { target, role: role()? },
                    ops::ROOM_BAN => Act::Ban { target },
                    ops::ROOM_UNBAN => Act::Unban { target, role: role()? },
                    _ => Act::Kick { target },
                };
                (p.user, p.room, act)
            }
            ops::ROOM_JOIN => {
                let p: RoomJoinParams = parse(op, params)?;
                (p.user, p.room, Act::Join { role: p.role })
            }
            ops::MESSAGE_SEND => {
                let p: MessageSendParams = parse(op, params)?;
                let act = match (p.text, p.media_type) {
                    (Some(text), None) => Act::SendText(text),
                    (None, Some(media_type)) => Act::SendAsset(media_type),
                    _ => {
                        return Err(DriverError::invalid_params(
                            "message.send takes one of text and media_type",
                        ));
                    }
                };
                (p.user, p.room, act)
            }
            _ => {
                let act = match op {
                    ops::ROOM_ADD_OWN_CLIENT => Act::AddOwnClient,
                    ops::ROOM_REMOVE_OWN_CLIENT => Act::RemoveOwnClient,
                    ops::ROOM_LEAVE => Act::Leave,
                    ops::ROOM_COMMIT => Act::Commit,
                    ops::MESSAGE_LIST => Act::ListMessages,
                    ops::ROOM_STATE => Act::State,
                    _ => return Err(DriverError::unsupported(op)),
                };
                let p: RoomParams = parse(op, params)?;
                (p.user, p.room, act)
            }
        };
        Ok(UserAct { user, room, act })
    }

    /// The driver operation and its params: the act for an implementation whose own clients act.
    pub fn driver_call(&self) -> Option<(&'static str, Value)> {
        let op = self.act.driver_op()?;
        let (user, room) = (self.user.clone(), self.room.clone());
        let target_params = |target: &String, role: Option<u32>, clients: Option<usize>| RoomTargetParams {
            user: user.clone(),
            room: room.clone(),
            target: target.clone(),
            role,
            clients,
        };
        let params = match &self.act {
            Act::Create {
                ciphersuite,
                role,
                policy,
            } => to_json(&RoomCreateParams {
                user,
                room,
                ciphersuite: *ciphersuite,
                role: *role,
                room_policy: policy.clone(),
            }),
            Act::Add { target, role, clients } => to_json(&target_params(target, *role, *clients)),
            Act::Remove { target } | Act::Ban { target } | Act::Kick { target } => {
                to_json(&target_params(target, None, None))
            }
            Act::ChangeRole { target, role } | Act::Unban { target, role } => {
                to_json(&target_params(target, Some(*role), None))
            }
            Act::Join { role } => to_json(&RoomJoinParams {
                user,
                room,
                role: *role,
            }),
            Act::SendText(text) => to_json(&MessageSendParams {
                user,
                room,
                text: Some(text.clone()),
                media_type: None,
            }),
            Act::SendAsset(media_type) => to_json(&MessageSendParams {
                user,
                room,
                text: None,
                media_type: Some(media_type.clone()),
            }),
            _ => to_json(&RoomParams { user, room }),
        };
        Some((op, params))
    }
}

/// Params as JSON (plain structs: this cannot fail).
fn to_json<T: serde::Serialize>(params: &T) -> Value {
    serde_json::to_value(params).unwrap_or_default()
}

/// Carries out `a` on the provider whose state is `state`: its result (a refusal by the hub is
/// a result), or why the user could not act.
pub async fn perform(state: &Shared, a: &UserAct) -> Result<Value, ActError> {
    let (user, room) = (a.user.as_str(), a.room.as_str());
    match &a.act {
        Act::Create {
            ciphersuite,
            role,
            policy,
        } => {
            let domain = lock(state).domain.clone();
            let name = super::state::local_name(&domain, "r", room)
                .map_err(|e| ActError::Failed(format!("{e} (a room is created on its hub, this provider)")))?;
            let setup = room_setup(*role, policy.as_ref()).map_err(ActError::Failed)?;
            actions::create_room(state, user, name, *ciphersuite, setup).await
        }
        Act::Add { target, role, clients } => actions::add(state, user, room, target, *role, *clients).await,
        Act::Remove { target } => actions::remove(state, user, room, target).await,
        Act::ChangeRole { target, role } | Act::Unban { target, role } => {
            actions::set_role(state, user, room, target, *role).await
        }
        Act::Ban { target } => actions::set_role(state, user, room, target, participants::BANNED_ROLE).await,
        Act::Kick { target } => actions::kick(state, user, room, target).await,
        Act::AddOwnClient => actions::add_own_client(state, user, room).await,
        Act::RemoveOwnClient => actions::remove_own_client(state, user, room).await,
        Act::SetComponent { component, value } => {
            // A policy struct, or the protocol codec's RoomMetaData.
            let encoded = crate::codec::tls::encode_named(component, value, false)
                .map_err(|e| ActError::Failed(format!("the {component} does not encode: {e}")))?;
            actions::set_component(state, user, room, component_id(component)?, encoded).await
        }
        Act::RemoveComponent { component } => {
            actions::remove_component(state, user, room, component_id(component)?).await
        }
        Act::Leave => actions::leave(state, user, room).await,
        Act::Join { role } => super::join::join(state, user, room, *role).await,
        Act::Commit => actions::commit(state, user, room).await,
        Act::SendText(text) => actions::send(state, user, room, Outgoing::Text(text)).await,
        Act::SendAsset(media_type) => actions::send(state, user, room, Outgoing::Asset(media_type)).await,
        Act::ListMessages => actions::messages(state, user, room),
        Act::State => actions::room_state(state, user, room),
        Act::Replay => actions::replay(state, room).await,
    }
}

/// The GroupContext component of a policy struct (or `RoomMetaData`) named `component`.
fn component_id(component: &str) -> Result<u16, ActError> {
    crate::codec::policy::component_of(component)
        .map(|c| c.0)
        .ok_or_else(|| ActError::Failed(format!("{component:?} is not a policy component's struct")))
}

/// What a room starts with: the creator's role and the policy components, each encoded by the
/// policy codec (an error names the one that does not encode).
fn room_setup(role: Option<u32>, policy: Option<&RoomPolicyParams>) -> Result<RoomSetup, String> {
    let mut components = Vec::new();
    let parts = [
        (
            "RoleData",
            ComponentId::ROLES_LIST,
            policy.and_then(|p| p.roles.as_ref()),
        ),
        (
            "BaseRoomPolicy",
            ComponentId::BASE_ROOM_POLICY,
            policy.and_then(|p| p.base_policy.as_ref()),
        ),
    ];
    for (name, id, json) in parts {
        if let Some(json) = json {
            let bytes = encode_json(name, json)
                .unwrap_or_else(|| Err(format!("no policy struct {name}")))
                .map_err(|e| format!("room_policy: not a {name}: {e}"))?;
            components.push((id.0, bytes));
        }
    }
    Ok(RoomSetup { role, components })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_driver_act_reads_back_as_itself() {
        let (user, room, target) = (
            "mimi://a.example/u/alice",
            "mimi://a.example/r/club",
            "mimi://b.example/u/bob",
        );
        let t = || target.to_owned();
        let acts = [
            Act::Create {
                ciphersuite: 3,
                role: Some(6),
                policy: Some(RoomPolicyParams {
                    roles: Some(serde_json::json!({"roles": []})),
                    base_policy: None,
                }),
            },
            Act::Add {
                target: t(),
                role: Some(2),
                clients: Some(1),
            },
            Act::Remove { target: t() },
            Act::ChangeRole { target: t(), role: 3 },
            Act::Ban { target: t() },
            Act::Unban { target: t(), role: 2 },
            Act::Kick { target: t() },
            Act::AddOwnClient,
            Act::RemoveOwnClient,
            Act::Leave,
            Act::Join { role: Some(2) },
            Act::Commit,
            Act::SendText("hi".into()),
            Act::SendAsset("image/png".into()),
            Act::ListMessages,
            Act::State,
        ];
        for act in acts {
            let a = UserAct {
                user: user.into(),
                room: room.into(),
                act,
            };
            let (op, params) = a.driver_call().expect("a driver operation");
            assert_eq!(UserAct::from_driver(op, params), Ok(a.clone()), "{op}");
        }
        for act in [
            Act::Replay,
            Act::RemoveComponent {
                component: "RoleData".into(),
            },
        ] {
            assert_eq!(act.driver_op(), None);
        }
    }
}
