#!/usr/bin/env python3
"""Generates vectors/policy/*.json for draft-ietf-mimi-room-policy-03.

Independent of the Rust code: the TLS encoder and the decision procedure below are written
from the draft (Appendix B syntax; sections 3, 4, 5 and 8), and `cargo test` checks every case
against the Rust codec and engine (src/policy/vectors_test.rs). Every deny case is denied by the
rule it names alone and names an allowed control (see "Decision cases" below). Run from the
repository root, then bring the catalog's test lists in line:

    python3 tools/policy-vectors/generate.py
    python3 tools/catalog/sync.py

Readings of -03 that these vectors rely on are listed in the catalog
(spec/draft-ietf-mimi-room-policy-03.yaml, POL-S01 and the POL-S rules) and in READINGS below.
"""

import copy
import json
import os
import struct

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "vectors", "policy")
SCHEMA = "mimi-conformance/vectors/v1"
DRAFT = "draft-ietf-mimi-room-policy"
REV = "03"
GENERATOR = "tools/policy-vectors/generate.py"
SOURCE = ("draft-ietf-mimi-room-policy-03 (ietf-wg-mimi/mimi-room-policy, tag -03 = 952626a; "
          "draft-ietf-mimi-room-policy.md at 4cedfdf \"Submit -03\"); section numbers from the "
          "rendered -03 text; Appendix A role sets, Appendix B syntax")

# --------------------------------------------------------------------------------------------
# Capability registry (section 10.2)

CAPS = {
    "canAddParticipant": 0x0000, "canRemoveParticipant": 0x0001, "canAddOwnClient": 0x0002,
    "canRemoveOwnClient": 0x0003, "canOpenJoin": 0x0004, "canJoinIfPreauthorized": 0x0005,
    "canRemoveSelf": 0x0006, "canCreateJoinCode": 0x0007, "canDeleteJoinCode": 0x0008,
    "canUseJoinCode": 0x0009, "canBan": 0x000a, "canUnBan": 0x000b, "canKick": 0x000c,
    "canKnock": 0x000d, "canAcceptKnock": 0x000e, "canChangeUserRole": 0x000f,
    "canChangeOwnRole": 0x0010, "canCreateSubgroup": 0x0011,
    "canSendMessage": 0x0100, "canReceiveMessage": 0x0101, "canCopyMessage": 0x0102,
    "canReportAbuse": 0x0103, "canReplyToMessage": 0x0104, "canReactToMessage": 0x0105,
    "canEditReaction": 0x0106, "canDeleteOwnReaction": 0x0107, "canDeleteOtherReaction": 0x0108,
    "canEditOwnMessage": 0x0109, "canDeleteOwnMessage": 0x010a, "canDeleteOtherMessage": 0x010b,
    "canStartTopic": 0x010c, "canReplyInTopic": 0x010d, "canEditOwnTopic": 0x010e,
    "canEditOtherTopic": 0x010f, "canSendDirectMessage": 0x0110, "canTargetMessage": 0x0111,
    "canUploadImage": 0x0200, "canUploadAudio": 0x0201, "canUploadVideo": 0x0202,
    "canUploadAttachment": 0x0203, "canDownloadImage": 0x0204, "canDownloadAudio": 0x0205,
    "canDownloadVideo": 0x0206, "canDownloadAttachment": 0x0207, "canSendLink": 0x0208,
    "canSendLinkPreview": 0x0209, "canFollowLink": 0x020a, "canCopyLink": 0x020b,
    "canChangeRoomName": 0x0300, "canChangeRoomDescription": 0x0301, "canChangeRoomAvatar": 0x0302,
    "canChangeRoomSubject": 0x0303, "canChangeRoomMood": 0x0304,
    "canChangeOwnName": 0x0380, "canChangeOwnPresence": 0x0381, "canChangeOwnMood": 0x0382,
    "canChangeOwnAvatar": 0x0383,
    "canStartCall": 0x0400, "canJoinCall": 0x0401, "canSendAudio": 0x0402, "canReceiveAudio": 0x0403,
    "canSendVideo": 0x0404, "canReceiveVideo": 0x0405, "canShareScreen": 0x0406,
    "canViewSharedScreen": 0x0407,
    "canCreateRoom": 0x0500, "canDestroyRoom": 0x0501, "canChangeRoomMembershipStyle": 0x0502,
    "canChangeRoleDefinitions": 0x0503, "canChangePreauthorizedUserList": 0x0504,
    "canChangeOtherPolicyAttribute": 0x0505, "canChangeMlsOperationalPolicies": 0x0600,
    "canSendMLSReinitProposal": 0x0601, "canSendMLSUpdateProposal": 0x0602,
    "canSendMLSPSKProposal": 0x0603, "canSendMLSExternalProposal": 0x0604,
    "canSendMLSExternalCommit": 0x0605,
}
ALIASES = {"canUnban": "canUnBan"}
# Appendix A lists two capabilities the registry does not have; they have no code, so the
# fixtures leave them out.
UNREGISTERED = {"canRevokeVoice", "canGrantVoice"}

# --------------------------------------------------------------------------------------------
# TLS presentation language (RFC 9420 section 2.1)


def varint(n):
    if n < 64:
        return bytes([n])
    if n < 16384:
        return struct.pack(">H", n | 0x4000)
    if n < (1 << 30):
        return struct.pack(">I", n | 0x80000000)
    raise ValueError("too long")


def vec(body):
    return varint(len(body)) + body


def opaque(b):
    return vec(b)


def u8(n):
    return struct.pack(">B", n)


def u16(n):
    return struct.pack(">H", n)


def u32(n):
    return struct.pack(">I", n)


def u64(n):
    return struct.pack(">Q", n)


def boolean(b):
    return u8(1 if b else 0)


def optional(v, enc):
    return b"\x00" if v is None else b"\x01" + enc(v)


def text(s):
    return opaque(s.encode())


def enc_role(r):
    return (u32(r["role_index"]) + text(r["role_name"]) + text(r["role_description"])
            + vec(b"".join(u16(CAPS[c]) for c in r["role_capabilities"]))
            + u32(r["minimum_participants_constraint"])
            + optional(r["maximum_participants_constraint"], u32)
            + u32(r["minimum_active_participants_constraint"])
            + optional(r["maximum_active_participants_constraint"], u32)
            + vec(b"".join(u32(e["from_role_index"]) + vec(b"".join(u32(t) for t in e["target_role_indexes"]))
                           for e in r["authorized_role_changes"])))


def enc_role_data(d):
    return vec(b"".join(enc_role(r) for r in d["roles"]))


def enc_claim(c):
    return u16(c["claim_id"]["credential_type"]) + opaque(bytes.fromhex(c["claim_id"]["id"])) + opaque(
        bytes.fromhex(c["claim_value"]))


def enc_preauth(p):
    return vec(b"".join(vec(b"".join(enc_claim(c) for c in e["claimset"])) + enc_role(e["target_role"])
                        for e in p["preauthorized_entries"]))


def enc_uri(u):
    return text(u)


def enc_base(b):
    return (boolean(b["fixed_membership"]) + boolean(b["parent_dependant"])
            + vec(b"".join(enc_uri(u) for u in b["parent_room"])) + boolean(b["multi_device"])
            + optional(b["max_clients"], u32) + optional(b["max_users"], u32)
            + boolean(b["pseudonyms_allowed"]) + boolean(b["persistent_room"]) + boolean(b["discoverable"])
            + vec(b"".join(u16(c) for c in b["policy_component_ids"])))


OPTIONALITY = {"optional": 0, "required": 1, "forbidden": 2}

# --------------------------------------------------------------------------------------------
# Appendix A role sets


def role(index, name, caps, arc, mn=0, mx=None, mna=0, mxa=None):
    caps = [ALIASES.get(c, c) for c in caps if c not in UNREGISTERED]
    for c in caps:
        assert c in CAPS, c
    return {
        "role_index": index, "role_name": name, "role_description": "",
        "role_capabilities": caps,
        "minimum_participants_constraint": mn, "maximum_participants_constraint": mx,
        "minimum_active_participants_constraint": mna, "maximum_active_participants_constraint": mxa,
        "authorized_role_changes": [{"from_role_index": f, "target_role_indexes": t} for f, t in arc],
    }


def full_matrix(n):
    return [(i, [j for j in range(n + 1) if j != i]) for i in range(n + 1)]


NO_ROLE = role(0, "no_role", [], [], mxa=0)
BANNED = role(1, "banned", [], [], mxa=0)
ENFORCER_CAPS = ["canRemoveParticipant", "canChangeUserRole", "canBan", "canUnban", "canChangeRoleDefinitions",
                 "canChangePreauthorizedUserList", "canChangeMlsOperationalPolicies", "canDestroyRoom",
                 "canSendMLSReinitProposal"]

# A.1 Cooperatively administered room
A1_ORDINARY = ["canAddParticipant", "canRemoveParticipant", "canAddOwnClient", "canRemoveOwnClient", "canRemoveSelf",
               "canSendMessage", "canReceiveMessage", "canCopyMessage", "canReportAbuse", "canReplyToMessage",
               "canReactToMessage", "canDeleteOwnReaction", "canEditOwnMessage", "canDeleteOwnMessage",
               "canStartTopic", "canReplyInTopic", "canEditOwnTopic", "canUploadImage", "canUploadVideo",
               "canUploadAudio", "canUploadAttachment", "canDownloadImage", "canDownloadVideo", "canDownloadAudio",
               "canDownloadAttachment", "canSendLink", "canSendLinkPreview", "canFollowLink", "canCopyLink",
               "canChangeRoomName", "canChangeRoomAvatar", "canChangeRoomSubject", "canChangeRoomMood",
               "canChangeOwnName", "canChangeOwnPresence", "canChangeOwnMood", "canChangeOwnAvatar"]
A1_ADMIN = A1_ORDINARY + ["canBan", "canUnBan", "canKick", "canRevokeVoice", "canGrantVoice", "canChangeUserRole",
                          "canDeleteOtherMessage", "canEditOtherTopic", "canChangeRoomDescription"]
A1_SUPER = A1_ADMIN + ["canChangeRoomMembershipStyle", "canChangePreauthorizedUserList", "canDestroyRoom"]
COOPERATIVE = [
    NO_ROLE, BANNED,
    role(2, "ordinary_user", A1_ORDINARY, [(0, [2]), (2, [0])]),
    role(3, "group_admin", A1_ADMIN, [(0, [1, 2, 3]), (1, [0, 2, 3]), (2, [0, 1, 3]), (3, [0, 1, 2])], mn=1),
    role(4, "super_admin", A1_SUPER, full_matrix(4)),
    role(5, "policy_enforcer", ENFORCER_CAPS, [(0, [1]), (1, [0]), (2, [0, 1]), (3, [0, 1]), (4, [0, 1])],
         mn=1, mx=2, mxa=0),
]

# A.2 Strictly administered room
A2_ORDINARY = ["canAddOwnClient", "canJoinIfPreauthorized", "canRemoveOwnClient", "canRemoveSelf", "canChangeOwnRole",
               "canSendMessage", "canReceiveMessage", "canCopyMessage", "canReportAbuse", "canReactToMessage",
               "canDeleteOwnReaction", "canEditOwnMessage", "canDeleteOwnMessage", "canStartTopic", "canReplyInTopic",
               "canUploadImage", "canUploadVideo", "canUploadAudio", "canUploadAttachment", "canDownloadImage",
               "canDownloadVideo", "canDownloadAudio", "canDownloadAttachment", "canSendLink", "canSendLinkPreview",
               "canFollowLink", "canCopyLink", "canChangeOwnName", "canChangeOwnPresence", "canChangeOwnMood",
               "canChangeOwnAvatar"]
A2_ADMIN = A2_ORDINARY + ["canAddParticipant", "canRemoveParticipant", "canBan", "canUnBan", "canKick",
                          "canChangeUserRole", "canCreateJoinCode", "canDeleteJoinCode", "canDeleteOtherReaction",
                          "canDeleteOtherMessage", "canEditOwnTopic", "canEditOtherTopic", "canChangeRoomDescription",
                          "canChangeRoomName", "canChangeRoomAvatar", "canChangeRoomSubject", "canChangeRoomMood"]
A2_SUPER = A2_ADMIN + ["canChangeRoomMembershipStyle", "canChangeRoleDefinitions", "canChangePreauthorizedUserList",
                       "canDestroyRoom", "canSendMLSReinitProposal"]
STRICT = [
    role(0, "no_role", ["canUseJoinCode"], [(0, [2])], mxa=0), BANNED,
    role(2, "ordinary_user", A2_ORDINARY, [(0, [2]), (2, [0])]),
    role(3, "group_admin", A2_ADMIN, [(0, [1, 2, 3]), (1, [0, 2, 3]), (2, [0, 1, 3]), (3, [0, 1, 2])], mn=1),
    role(4, "super_admin", A2_SUPER, full_matrix(4)),
    role(5, "policy_enforcer", ENFORCER_CAPS, [(0, [1]), (1, [0]), (2, [0, 1]), (3, [0, 1]), (4, [0, 1])],
         mn=1, mx=2, mxa=0),
]

# A.3 Moderated room. The speaker "includes all the capabilities authorized for a speaker" (read:
# an attendee); the moderator "for an ordinary_user", a role A.3 does not define (read: a speaker).
A3_GUEST = ["canRemoveSelf", "canReceiveMessage", "canCopyMessage", "canReactToMessage", "canDeleteOwnReaction",
            "canFollowLink", "canCopyLink", "canDownloadImage", "canDownloadVideo", "canDownloadAudio"]
A3_ATTENDEE = A3_GUEST + ["canAddOwnClient", "canJoinIfPreauthorized", "canRemoveOwnClient", "canChangeOwnRole",
                          "canReportAbuse", "canReplyInTopic", "canDownloadAttachment", "canChangeOwnName",
                          "canChangeOwnPresence", "canChangeOwnAvatar"]
A3_SPEAKER = A3_ATTENDEE + ["canSendMessage", "canEditOwnMessage", "canDeleteOwnMessage", "canStartTopic",
                            "canUploadImage", "canUploadVideo", "canUploadAudio", "canUploadAttachment", "canSendLink",
                            "canSendLinkPreview"]
A3_MODERATOR = A3_SPEAKER + ["canAddParticipant", "canRemoveParticipant", "canBan", "canUnBan", "canKick",
                             "canChangeUserRole", "canCreateJoinCode", "canDeleteJoinCode", "canDeleteOtherReaction",
                             "canDeleteOtherMessage", "canEditOwnTopic", "canEditOtherTopic", "canChangeRoomName",
                             "canChangeRoomAvatar", "canChangeRoomSubject", "canChangeRoomMood"]
A3_SUPER = A3_MODERATOR + ["canChangeRoomDescription", "canChangeRoomMembershipStyle", "canChangeRoleDefinitions",
                           "canChangePreauthorizedUserList", "canDestroyRoom", "canSendMLSReinitProposal"]
MODERATED = [
    role(0, "no_role", ["canUseJoinCode"], [(0, [2, 3])]), BANNED,
    role(2, "guest", A3_GUEST, [(0, [2]), (2, [0])]),
    role(3, "attendee", A3_ATTENDEE, [(0, [3]), (3, [0])]),
    role(4, "speaker", A3_SPEAKER, [(0, [4]), (4, [0])]),
    role(5, "moderator", A3_MODERATOR, full_matrix(5), mn=1),
    role(6, "super_admin", A3_SUPER, full_matrix(6)),
    role(7, "policy_enforcer", ENFORCER_CAPS,
         [(0, [1]), (1, [0]), (2, [0, 1]), (3, [0, 1]), (4, [0, 1]), (5, [0, 1]), (6, [0, 1])], mn=1, mx=2, mxa=0),
]

# A.4 Multi-organization administered room
A4_B_USER = ["canRemoveSelf", "canAddOwnClient", "canRemoveOwnClient", "canSendMessage", "canReceiveMessage",
             "canCopyMessage", "canReportAbuse", "canReplyInTopic", "canReactToMessage", "canDeleteOwnReaction",
             "canEditOwnMessage", "canSendLink", "canSendLinkPreview", "canFollowLink", "canCopyLink",
             "canDownloadImage", "canDownloadVideo", "canDownloadAudio", "canDownloadAttachment", "canChangeOwnName",
             "canChangeOwnPresence", "canChangeOwnAvatar"]
A4_A_USER = A4_B_USER + ["canChangeOwnRole", "canJoinIfPreauthorized"]
A4_B_ADMIN = A4_B_USER + ["canDeleteOwnMessage", "canStartTopic", "canUploadImage", "canUploadVideo", "canUploadAudio",
                          "canUploadAttachment", "canAddParticipant", "canRemoveParticipant", "canBan", "canKick",
                          "canChangeUserRole"]
A4_A_ADMIN = A4_B_ADMIN + ["canChangeOwnRole", "canJoinIfPreauthorized"]
A4_SUPER = A4_A_ADMIN + ["canUnBan", "canDeleteOtherReaction", "canDeleteOtherMessage", "canEditOwnTopic",
                         "canEditOtherTopic", "canChangeRoomDescription", "canChangeRoomName", "canChangeRoomAvatar",
                         "canChangeRoomSubject", "canChangeRoomMood", "canChangeRoomMembershipStyle",
                         "canChangeRoleDefinitions", "canChangePreauthorizedUserList", "canDestroyRoom",
                         "canSendMLSReinitProposal"]
MULTI_ORG = [
    NO_ROLE, BANNED,
    role(2, "org_a_user", A4_A_USER, [(0, [2]), (2, [0])]),
    role(3, "org_b_user", A4_B_USER, [(0, [3]), (3, [0])]),
    role(4, "org_c_user", A4_B_USER, [(0, [4]), (4, [0])]),
    role(5, "org_a_admin", A4_A_ADMIN, [(0, [2, 5]), (2, [0, 1, 5]), (5, [0, 1, 2])]),
    role(6, "org_b_admin", A4_B_ADMIN, [(0, [3, 6]), (3, [0, 1, 6]), (6, [0, 1, 3])], mn=1, mx=3, mna=1),
    role(7, "org_c_admin", A4_B_ADMIN, [(0, [4, 7]), (4, [0, 1, 7]), (7, [0, 1, 4])], mn=1, mx=3, mna=1),
    role(8, "super_admin", A4_SUPER,
         [(0, [1, 2, 3, 4, 5, 6, 7, 8]), (1, [0, 2, 3, 4, 5, 6, 7, 8]), (2, [0, 1, 5, 8]), (3, [0, 1, 6]),
          (4, [0, 1, 7]), (5, [0, 1, 2, 8]), (6, [0, 1, 3]), (7, [0, 1, 4]), (8, [0, 1, 2, 5])], mn=1, mna=1),
    role(9, "policy_enforcer", ENFORCER_CAPS,
         [(0, [1]), (1, [0]), (3, [0, 1]), (4, [0, 1]), (5, [0, 1]), (6, [0, 1]), (7, [0, 1]), (8, [0, 1])],
         mn=1, mx=2, mxa=0),
]

# Derived role sets (not in the draft), each changing one thing of an Appendix A set.
OPEN = copy.deepcopy(COOPERATIVE)
OPEN[0] = role(0, "no_role", ["canOpenJoin"], [(0, [2])], mxa=0)
OPEN_BAD = copy.deepcopy(OPEN)
OPEN_BAD[2]["role_capabilities"] = OPEN_BAD[2]["role_capabilities"] + ["canOpenJoin"]
ACTIVE_1 = copy.deepcopy(STRICT)
ACTIVE_1[2]["maximum_active_participants_constraint"] = 1
NO_BANNED = copy.deepcopy(COOPERATIVE)
NO_BANNED[1]["role_name"] = "blocked"
# In the Appendix A role sets every role that lacks a membership capability also lacks the
# authorized_role_changes entries the change needs, so a denial for the capability alone needs a
# role that has the entries and not the capability.
ORDINARY_ENTRIES = copy.deepcopy(COOPERATIVE)
ORDINARY_ENTRIES[2]["authorized_role_changes"] = role(2, "", [], full_matrix(4))["authorized_role_changes"]
# And a denial for an undefined target role alone needs an entry that names it.
DANGLING = copy.deepcopy(COOPERATIVE)
DANGLING[4]["authorized_role_changes"] = [
    {"from_role_index": e["from_role_index"],
     "target_role_indexes": e["target_role_indexes"] + ([9] if e["from_role_index"] in (0, 1) else [])}
    for e in DANGLING[4]["authorized_role_changes"]]
# No Appendix A role that may hold a client lacks canRemoveSelf and has an entry from itself to 0;
# a leave denied for the capability alone needs one.
NO_SELF_REMOVAL = copy.deepcopy(COOPERATIVE)
NO_SELF_REMOVAL[2]["role_capabilities"] = [c for c in NO_SELF_REMOVAL[2]["role_capabilities"] if c != "canRemoveSelf"]
# A listed user holding canUseJoinCode is refused for being listed, not for the capability.
CODE_ON_USER = copy.deepcopy(STRICT)
CODE_ON_USER[2]["role_capabilities"] = CODE_ON_USER[2]["role_capabilities"] + ["canUseJoinCode"]

FIXTURES = [
    ("cooperative", "A.1", COOPERATIVE, [], "Appendix A.1, cooperatively administered room."),
    ("strict", "A.2", STRICT, [], "Appendix A.2, strictly administered room."),
    ("moderated", "A.3", MODERATED, [],
     "Appendix A.3, moderated room. Readings: the speaker includes the attendee's capabilities (the draft says "
     "'a speaker'); the moderator includes the speaker's (the draft says 'an ordinary_user', which A.3 lacks)."),
    ("multi-org", "A.4", MULTI_ORG, [], "Appendix A.4, multi-organization administered room."),
    ("cooperative-open-join", "8.1.1", OPEN, ["Derived"],
     "A.1 with canOpenJoin on role 0 and role 0's authorized_role_changes [(0,[2])]."),
    ("cooperative-open-join-on-user", "8.1.1", OPEN_BAD, ["Derived"],
     "cooperative-open-join with canOpenJoin also on role 2 (ordinary_user), which section 8.1.1 forbids."),
    ("strict-one-active-user", "3", ACTIVE_1, ["Derived"],
     "A.2 with ordinary_user's maximum_active_participants_constraint 1."),
    ("cooperative-no-banned-role", "8.1.3", NO_BANNED, ["Derived"],
     "A.1 with role 1 named 'blocked' instead of 'banned'."),
    ("cooperative-ordinary-entries", "8", ORDINARY_ENTRIES, ["Derived"],
     "A.1 with ordinary_user's authorized_role_changes widened to every move among roles 0-4, its capabilities "
     "unchanged (no canBan, canUnBan, canKick or canChangeUserRole): a denial is for the capability alone."),
    ("cooperative-dangling-role", "3", DANGLING, ["Derived"],
     "A.1 with super_admin's entries from 0 and from 1 also naming role 9, which roles_list does not define."),
    ("strict-join-code-on-user", "8.1.1", CODE_ON_USER, ["Derived"],
     "A.2 with canUseJoinCode also on ordinary_user (role 2)."),
    ("cooperative-no-self-removal", "8.1.2", NO_SELF_REMOVAL, ["Derived"],
     "A.1 without canRemoveSelf on ordinary_user (role 2), its entries unchanged ((2,[0]) included): a leave "
     "is denied for the capability alone."),
]
FIX = {name: {"roles": roles} for name, _, roles, _, _ in FIXTURES}


def role_of(fixture, index):
    return next(r for r in FIX[fixture]["roles"] if r["role_index"] == index)


# --------------------------------------------------------------------------------------------
# Populations, preauthorization lists and base policies


def U(name):
    return "mimi://example.com/u/" + name


POP = {
    "cooperative": [("alice", 4, 1), ("bob", 3, 2), ("carol", 2, 1), ("dave", 2, 1), ("erin", 1, 0), ("pat", 5, 0)],
    "moderated": [("alice", 6, 1), ("mo", 5, 1), ("sam", 4, 1), ("ann", 3, 1), ("gus", 2, 1), ("erin", 1, 0),
                  ("pat", 7, 0)],
    "multi-org": [("alice", 8, 1), ("aa", 5, 1), ("au", 2, 1), ("b1", 6, 1), ("b2", 6, 1), ("bu", 3, 1),
                  ("c1", 7, 1), ("cu", 4, 1), ("erin", 1, 0), ("pat", 9, 0)],
}
POP["strict"] = POP["cooperative"]
POP["cooperative-open-join"] = POP["cooperative"]
POP["cooperative-open-join-on-user"] = POP["cooperative"]
POP["cooperative-no-banned-role"] = POP["cooperative"]
POP["strict-one-active-user"] = POP["cooperative"]
POP["cooperative-ordinary-entries"] = POP["cooperative"]
POP["cooperative-dangling-role"] = POP["cooperative"]
POP["strict-join-code-on-user"] = POP["cooperative"]
POP["cooperative-no-self-removal"] = POP["cooperative"]


def participants(fixture, changes=None, drop=()):
    out = []
    for name, r, c in POP[fixture]:
        if name in drop:
            continue
        if changes and name in changes:
            r, c = changes[name]
        out.append({"user": U(name), "role": r, "clients": c})
    for name, rc in (changes or {}).items():
        if name not in [p[0] for p in POP[fixture]]:
            out.append({"user": U(name), "role": rc[0], "clients": rc[1]})
    return out


OID_O = "0603550a04"    # not a real DER OID encoding; an opaque claim id is all the draft needs
OID_OU = "0603550b04"


def claim(cid, value):
    return {"claim_id": {"credential_type": 2, "id": cid}, "claim_value": value.encode().hex()}


ORG_A = claim(OID_O, "a.example")
ORG_B = claim(OID_O, "b.example")
OU_HR = claim(OID_OU, "hr")


def preauth(fixture, entries):
    return {"preauthorized_entries": [{"claimset": cs, "target_role": role_of(fixture, r)} for cs, r in entries]}


def base(**kw):
    b = {"fixed_membership": False, "parent_dependant": False, "parent_room": [], "multi_device": True,
         "max_clients": None, "max_users": None, "pseudonyms_allowed": False, "persistent_room": True,
         "discoverable": False, "policy_component_ids": [0x25, 0x26]}
    b.update(kw)
    return b


# --------------------------------------------------------------------------------------------
# The decision procedure, written from sections 3, 4, 5 and 8 of the draft. Check order:
# capability, shape of the action, authorized_role_changes, min/max constraints, room limits.

SECTION = {
    "capability-held": "8", "capability-missing": "8", "commit-authorized": "8", "conflicting-changes": "8",
    "role-update-with-membership-change": "3", "preauth-update-with-membership-change": "4", "unknown-role": "3",
    "target-self": "8.1", "target-not-listed": "8.1", "add-target-listed": "8.1.1", "add-role-change": "8.1.1",
    "max-participants": "8.1.1", "open-join-nonzero-role": "8.1.1", "open-join-role-change": "8.1.1",
    "preauth-listed-requester": "4", "preauth-match": "4", "join-code": "8.1.1", "own-client": "8.1.1",
    "max-active-participants": "3", "remove-role-change": "8.1.2", "remove-clients-remain": "8.1.2",
    "leave-clients-remain": "8.1.2", "leave-role-change": "8.1.2", "min-participants": "8.1.2",
    "min-active-participants": "8.1.2", "self-commit": "8.1.2", "role-change": "8.1.3", "role-change-max": "8.1.3",
    "ban-banned-role": "8.1.3", "ban-role-change": "8.1.3", "unban-banned-role": "8.1.3",
    "unban-role-change": "8.1.3", "fixed-membership": "5", "multi-device": "5", "max-clients": "5", "max-users": "5",
}
REQ = {
    "capability-held": "POL-S02", "capability-missing": "POL-S02", "commit-authorized": "POL-S03",
    "conflicting-changes": "POL-S03", "role-update-with-membership-change": "POL-X03",
    "preauth-update-with-membership-change": "POL-X04", "unknown-role": "POL-S04", "target-self": "POL-S14",
    "target-not-listed": "POL-S14", "add-target-listed": "POL-S05", "add-role-change": "POL-09",
    "max-participants": "POL-12", "open-join-nonzero-role": "POL-11", "open-join-role-change": "POL-10",
    "preauth-listed-requester": "POL-X05", "preauth-match": "POL-X06", "join-code": "POL-S06", "own-client": "POL-S07",
    "max-active-participants": "POL-X02", "remove-role-change": "POL-S08", "remove-clients-remain": "POL-13",
    "leave-clients-remain": "POL-14", "leave-role-change": "POL-S09", "min-participants": "POL-S08",
    "min-active-participants": "POL-S10", "self-commit": "POL-X14", "role-change": "POL-S12",
    "role-change-max": "POL-S12", "ban-banned-role": "POL-X13", "ban-role-change": "POL-S13",
    "unban-banned-role": "POL-15", "unban-role-change": "POL-15", "fixed-membership": "POL-X07",
    "multi-device": "POL-X08", "max-clients": "POL-03", "max-users": "POL-04",
}
assert set(SECTION) == set(REQ)


class Deny(Exception):
    def __init__(self, rule, cap):
        self.rule, self.cap = rule, cap


class Room:
    """The room while a commit is walked through. `off` is a set of rule slugs switched off: a
    check of a switched-off rule never denies (the single-cause check below switches off the rule
    a deny case names, and that alone must turn the verdict into an allow)."""

    def __init__(self, roles, parts, base_policy, pre, off=frozenset()):
        self.roles = {r["role_index"]: r for r in roles["roles"]}
        self.list = {p["user"]: [p["role"], p.get("clients", 1)] for p in parts}
        self.base = base_policy
        self.pre = pre or {"preauthorized_entries": []}
        self.off = off

    def deny(self, rule, cap):
        if rule not in self.off:
            raise Deny(rule, cap)

    def role_of(self, u):
        return self.list[u][0] if u in self.list else 0

    def clients(self, u):
        return self.list[u][1] if u in self.list else 0

    def count(self, r):
        return sum(1 for v in self.list.values() if v[0] == r)

    def active(self, r):
        return sum(1 for v in self.list.values() if v[0] == r and v[1] > 0)

    def may(self, holder, frm, to):
        for e in self.roles.get(holder, {}).get("authorized_role_changes", []):
            if e["from_role_index"] == frm:
                return to in e["target_role_indexes"]
        return False

    def has(self, r, cap):
        return r in self.roles and cap in self.roles[r]["role_capabilities"]


LIST_OPS = {"add", "remove", "change_role", "ban", "unban"}
SELF_LIST_OPS = {"leave", "change_own_role", "join_preauth", "open_join", "join_code"}


def target_of(a, actor):
    if a["op"] in LIST_OPS:
        return a["user"]
    if a["op"] in SELF_LIST_OPS:
        return actor
    return None


def decide(roles, parts, change, base_policy=None, pre=None, off=frozenset()):
    s = Room(roles, parts, base_policy, pre, off)
    actor = change["actor"]
    acts = change["actions"]
    lc = [a for a in acts if target_of(a, actor) is not None]
    try:
        if any(a["op"] == "update_roles" for a in acts) and lc:
            s.deny("role-update-with-membership-change", None)
        if any(a["op"] == "update_preauth" for a in acts) and any(a["op"] not in ("remove", "leave") for a in lc):
            s.deny("preauth-update-with-membership-change", None)
        targets = [target_of(a, actor) for a in lc]
        if len(set(targets)) != len(targets):
            s.deny("conflicting-changes", None)
        result = None
        for a in acts:
            result = step(s, change, a)
    except Deny as d:
        return False, d.rule, d.cap
    if len(acts) > 1:
        return True, "commit-authorized", None
    return True, result[0], result[1]


def step(s, change, a):
    actor = change["actor"]
    ar = s.role_of(actor)
    op = a["op"]
    deny = s.deny

    def need(cap):
        if not s.has(ar, cap):
            deny("capability-missing", cap)

    def fixed(cap):
        if s.base and s.base["fixed_membership"]:
            deny("fixed-membership", cap)

    def defined(r, cap):
        if r == 0 or r not in s.roles:
            deny("unknown-role", cap)

    def other(u, cap):
        if u == actor:
            deny("target-self", cap)
        if u not in s.list:
            deny("target-not-listed", cap)

    def maxc(r, clients, rule, cap):
        ro = s.roles.get(r)
        if ro is None:  # an undefined role (unknown-role switched off) has no constraint
            return
        if ro["maximum_participants_constraint"] is not None and s.count(r) + 1 > ro["maximum_participants_constraint"]:
            deny(rule, cap)
        mxa = ro["maximum_active_participants_constraint"]
        if clients > 0 and mxa is not None and s.active(r) + 1 > mxa:
            deny(rule, cap)

    def minc(r, was_active, cap):
        if r == 0:
            return
        ro = s.roles[r]
        if s.count(r) < ro["minimum_participants_constraint"] + 1:
            deny("min-participants", cap)
        if was_active and s.active(r) < ro["minimum_active_participants_constraint"] + 1:
            deny("min-active-participants", cap)

    def limits(new_entry, clients, cap):
        b = s.base
        if not b:
            return
        if new_entry and b["max_users"] is not None and sum(1 for v in s.list.values() if v[0] != 1) + 1 > b["max_users"]:
            deny("max-users", cap)
        if not b["multi_device"] and clients > 1:
            deny("multi-device", cap)
        if b["max_clients"] is not None and sum(v[1] for v in s.list.values()) + clients > b["max_clients"]:
            deny("max-clients", cap)

    def self_commit(cap):
        if change.get("committer") == actor:
            deny("self-commit", cap)

    def move(u, frm, to, cap):
        c = s.clients(u)
        minc(frm, c > 0, cap)
        maxc(to, c, "role-change-max", cap)
        if frm == 1 and to != 1:
            limits(True, 0, cap)
        s.list[u] = [to, c]

    def first_preauth(accept):
        # preauth-match switched off: the claims are not compared (the first acceptable entry wins).
        skip = "preauth-match" in s.off
        for e in s.pre["preauthorized_entries"]:
            r = e["target_role"]["role_index"]
            if accept(r) and (skip or all(c in change.get("actor_claims", []) for c in e["claimset"])):
                return r
        return None

    def role_min_active(r):
        return s.roles[r]["minimum_active_participants_constraint"] if r in s.roles else 0

    if op == "add":
        cap = "canAddParticipant"
        need(cap)
        fixed(cap)
        u, r, c = a["user"], a["role"], a.get("clients", 1)
        if u == actor or u in s.list:
            deny("add-target-listed", cap)
        defined(r, cap)
        if not s.may(ar, 0, r):
            deny("add-role-change", cap)
        maxc(r, c, "max-participants", cap)
        limits(r != 1, c, cap)
        s.list[u] = [r, c]
        return "add-role-change", cap
    if op == "remove":
        cap = "canRemoveParticipant"
        need(cap)
        fixed(cap)
        u = a["user"]
        other(u, cap)
        if not a.get("removes_all_clients", True) and s.clients(u) > 0:
            deny("remove-clients-remain", cap)
        tr = s.role_of(u)
        if not s.may(ar, tr, 0):
            deny("remove-role-change", cap)
        minc(tr, s.clients(u) > 0, cap)
        s.list.pop(u, None)
        return "remove-role-change", cap
    if op == "leave":
        cap = "canRemoveSelf"
        need(cap)
        fixed(cap)
        if not a.get("removes_all_clients", True) and s.clients(actor) > 0:
            deny("leave-clients-remain", cap)
        self_commit(cap)
        if not s.may(ar, ar, 0):
            deny("leave-role-change", cap)
        minc(ar, s.clients(actor) > 0, cap)
        s.list.pop(actor, None)
        return "leave-role-change", cap
    if op == "kick":
        cap = "canKick"
        need(cap)
        u = a["user"]
        other(u, cap)
        if s.clients(u) == 0:
            deny("target-not-listed", cap)
        tr = s.role_of(u)
        if s.clients(u) > 0 and s.active(tr) < role_min_active(tr) + 1:
            deny("min-active-participants", cap)
        if u in s.list:
            s.list[u] = [tr, 0]
        return "capability-held", cap
    if op == "change_role":
        cap = "canChangeUserRole"
        need(cap)
        u, r = a["user"], a["role"]
        other(u, cap)
        defined(r, cap)
        frm = s.role_of(u)
        if not s.may(ar, frm, r):
            deny("role-change", cap)
        move(u, frm, r, cap)
        return "role-change", cap
    if op == "change_own_role":
        cap = "canChangeOwnRole"
        need(cap)
        r = first_preauth(lambda r: r != 0)
        if r is None:
            raise Deny("preauth-match", cap)  # nothing to change to, whatever is switched off
        defined(r, cap)
        move(actor, ar, r, cap)
        return "preauth-match", cap
    if op == "ban":
        cap = "canBan"
        need(cap)
        u = a["user"]
        if u == actor:
            deny("target-self", cap)
        if not (1 in s.roles and s.roles[1]["role_name"] == "banned"):
            deny("ban-banned-role", cap)
        frm = s.role_of(u)
        if not s.may(ar, frm, 1):
            deny("ban-role-change", cap)
        minc(frm, s.clients(u) > 0, cap)
        s.list[u] = [1, 0]
        return "ban-role-change", cap
    if op == "unban":
        cap = "canUnBan"
        need(cap)
        u, r = a["user"], a["role"]
        other(u, cap)
        if not (1 in s.roles and s.roles[1]["role_name"] == "banned"):
            deny("unban-banned-role", cap)
        frm = s.role_of(u)
        if frm != 1:
            deny("unban-banned-role", cap)
        defined(r, cap)
        if not s.may(ar, 1, r):
            deny("unban-role-change", cap)
        move(u, frm, r, cap)
        return "unban-role-change", cap
    if op == "add_own_client":
        cap = "canAddOwnClient"
        need(cap)
        if actor not in s.list:
            deny("own-client", cap)
        have, n = s.clients(actor), a.get("clients", 1)
        if s.base and not s.base["multi_device"] and have + n > 1:
            deny("multi-device", cap)
        mxa = s.roles[ar]["maximum_active_participants_constraint"] if ar in s.roles else None
        if have == 0 and mxa is not None and s.active(ar) + 1 > mxa:
            deny("max-active-participants", cap)
        if s.base and s.base["max_clients"] is not None and sum(v[1] for v in s.list.values()) + n > s.base["max_clients"]:
            deny("max-clients", cap)
        s.list[actor] = [ar, have + n]
        return "own-client", cap
    if op == "remove_own_client":
        cap = "canRemoveOwnClient"
        need(cap)
        have = s.clients(actor)
        if have == 0:
            deny("own-client", cap)
        self_commit(cap)
        if have == 1 and s.active(ar) < role_min_active(ar) + 1:
            deny("min-active-participants", cap)
        s.list[actor] = [ar, max(have - 1, 0)]
        return "own-client", cap
    if op == "join_preauth":
        cap = "canJoinIfPreauthorized"
        if actor in s.list:
            deny("preauth-listed-requester", cap)
        r = first_preauth(lambda r: True)
        if r is None:
            raise Deny("preauth-match", cap)  # no role to join with, whatever is switched off
        defined(r, cap)
        if not s.has(r, cap):
            deny("capability-missing", cap)
        fixed(cap)
        c = a.get("clients", 1)
        maxc(r, c, "max-participants", cap)
        limits(r != 1, c, cap)
        s.list[actor] = [r, c]
        return "preauth-match", cap
    if op == "open_join":
        cap = "canOpenJoin"
        if actor in s.list:
            deny("add-target-listed", cap)
        need(cap)
        if any(i != 0 and cap in ro["role_capabilities"] for i, ro in s.roles.items()):
            deny("open-join-nonzero-role", cap)
        fixed(cap)
        r, c = a["role"], a.get("clients", 1)
        defined(r, cap)
        if not s.may(0, 0, r):
            deny("open-join-role-change", cap)
        maxc(r, c, "max-participants", cap)
        limits(r != 1, c, cap)
        s.list[actor] = [r, c]
        return "open-join-role-change", cap
    if op == "join_code":
        cap = "canUseJoinCode"
        need(cap)
        if actor in s.list:
            deny("add-target-listed", cap)
        if not a.get("code_valid", True):
            deny("join-code", cap)
        r, c = a["role"], a.get("clients", 1)
        defined(r, cap)
        if not s.may(0, 0, r):
            deny("join-code", cap)
        fixed(cap)
        maxc(r, c, "max-participants", cap)
        limits(r != 1, c, cap)
        s.list[actor] = [r, c]
        return "join-code", cap
    plain = {"send_message": "canSendMessage", "reinit": "canSendMLSReinitProposal", "destroy_room": "canDestroyRoom"}
    if op == "metadata":
        cap = "canChangeRoom" + a["field"].capitalize()
        need(cap)
        return "capability-held", cap
    if op in plain:
        need(plain[op])
        return "capability-held", plain[op]
    if op == "update_roles":
        cap = "canChangeRoleDefinitions"
        need(cap)
        new = a["roles"]["roles"]
        if any(r["role_index"] != 0 and "canOpenJoin" in r["role_capabilities"] for r in new):
            deny("open-join-nonzero-role", cap)
        if s.base and s.base["fixed_membership"] and any(
                r["role_index"] > 1 and "canAddParticipant" in r["role_capabilities"] for r in new):
            deny("fixed-membership", cap)
        s.roles = {r["role_index"]: r for r in new}
        return "capability-held", cap
    if op == "update_preauth":
        cap = "canChangePreauthorizedUserList"
        need(cap)
        s.pre = a["preauth"]
        return "capability-held", cap
    if op == "update_base_policy":
        cap = "canChangeRoomMembershipStyle"
        need(cap)
        if a["base_policy"]["fixed_membership"] and any(
                i > 1 and "canAddParticipant" in ro["role_capabilities"] for i, ro in s.roles.items()):
            deny("fixed-membership", cap)
        s.base = a["base_policy"]
        return "capability-held", cap
    raise ValueError(op)


# --------------------------------------------------------------------------------------------
# Decision cases
#
# Single cause. A deny case is denied by the rule it names and by no other: with that rule
# switched off (Room.off) the same change is allowed. A case that two rules deny cannot tell
# whether an implementation enforces the one it names (without that rule it still denies), so
# case() refuses to write one. The Rust engine switches rules off with its PolicyFault values
# (Rule::fault in src/policy/rules.rs); src/policy/vectors_test.rs proves the same of every deny
# vector there.
#
# Consistent starting states. Before the change every role's participant and active counts are
# within its constraints and the base policy's limits hold, so an implementation that checks the
# state a change leaves behind, rather than the step, meets the same single cause.
#
# Controls. A deny case names in expected.control the tcId of an allowed case of the same fixture
# and the same kind of change (the same ops, the same metadata field), by the same actor unless the
# case is denied for the actor's capability: an engine that denies everything passes every deny
# case and fails its control, and the policy suite runs the two together.
#
# tcIds. 1-396 are the cases of the first release of these vectors, in their order; a case keeps
# its tcId as long as it keeps its meaning, and a retired tcId is not reused. Cases added since are
# numbered from 397 on, in the order below. What the single-cause rule changed is in CHANGES.
#
# CHANGES (single cause and controls; tcIds of the first release):
#  - Matrix cells whose target was the only holder of a role with a minimum, denied by another
#    rule too: a second holder of that role is in the cell's participant list (pat2, alice2 or c2):
#    5, 10, 39, 40, 45, 48, 58, 63, 66, 67, 72, 75, 85, 93, 125, 130, 156, 162.
#  - 36, 112, 118 (a ban of the only, active, org_c_admin or super_admin, min 1 and min active 1):
#    an inactive second holder; denied by min-active-participants, which was the one cause left.
#  - Retired matrix cells, denied for the capability and for the missing entry whatever the state
#    (all of the ban and remove rows of ordinary users, org users, speakers, attendees, guests and
#    banned users but strict's ordinary users removing each other): 11-25, 49-57, 76-84, 94-111,
#    131-132, 134-137, 139-145, 163-186.
#  - Retired otherwise (the reason is at each case): 194, 250, 251, 252, 266, 272, 280, 309, 317,
#    318. 397-402 cover alone what can be covered alone in these role sets: canBan, canKick,
#    canChangeUserRole, canAddOwnClient and canRemoveParticipant, and a kick of a non-member;
#    canRemoveSelf alone and an open join by a listed user cannot be.
#  - 204 multi-org-last-org-b-admin-cannot-leave is multi-org-last-active-org-b-admin-cannot-leave:
#    b2 stays without a client (min-participants and min-active-participants both denied it).
#  - 212 is multi-org-super-admin-cannot-unban-own-ban-in-same-commit: org_b_admin lacks canUnBan.
#  - 215: the decision procedure moves an unbanned user from its actual role (it said 1), which
#    changes nothing unless unban-banned-role is switched off.
#  - 216 (cooperative-ordinary-entries), 217 and 230 (cooperative-dangling-role; 230 adds as role 9,
#    not 7), 312 (cooperative-open-join), 321 (strict): a role set where the role has the entry the
#    change needs, so that the capability, or the undefined role, alone denies.
#  - 223, 271, 277: a second group_admin or moderator (the actor targeting itself was the last one).
#  - 247, 248, 249, 300: bob has one client, not two, where multi_device is false.
#  - 278, 283: the promoted user has no client (policy_enforcer allows no active participant).
#  - 310 strict-join-code-member: strict-join-code-on-user, denied by add-target-listed (carol holds
#    canUseJoinCode there); it was denied for the capability and for being listed.
#  - 325 cooperative-role-update-with-add is strict-role-update-with-add: the policy_enforcer, the
#    only A.1 role with canChangeRoleDefinitions, lacks canAddParticipant.
#  - 340: the denied second change is a kick, not a ban (ordinary_user lacks the ban entry too).
#  - 343, 344: carol has no client, so that the room starts with one active ordinary_user.
#  - Every deny case carries expected.control; 403-428 are allowed cases added as controls.

CASES = []
RETIRED = []
FIRST_RELEASE = 396
_next = {"original": 0, "added": FIRST_RELEASE}


def verdict(fixture, parts, change, base_policy=None, pre=None, off=frozenset()):
    return decide(FIX[fixture], parts, change, base_policy, pre, off)


def causes(fixture, parts, change, base_policy=None, pre=None):
    """The rules that deny the change, each found by switching off the ones before it, and whether
    the change is allowed once they are all off."""
    off = []
    while True:
        allowed, rule, _ = verdict(fixture, parts, change, base_policy, pre, frozenset(off))
        if allowed:
            return off, True
        if rule in off:  # denied whatever is switched off (no preauthorization entry to use)
            return off, False
        off.append(rule)


def single_cause(fixture, parts, change, base_policy=None, pre=None):
    found, flips = causes(fixture, parts, change, base_policy, pre)
    return len(found) == 1 and flips


def inconsistencies(fixture, parts, base_policy):
    out = []
    for r in FIX[fixture]["roles"]:
        i = r["role_index"]
        if i == 0:
            continue
        n = sum(1 for p in parts if p["role"] == i)
        a = sum(1 for p in parts if p["role"] == i and p["clients"] > 0)
        if n < r["minimum_participants_constraint"] or a < r["minimum_active_participants_constraint"]:
            out.append(f"role {i} below its minimum")
        if (r["maximum_participants_constraint"] is not None and n > r["maximum_participants_constraint"]) or (
                r["maximum_active_participants_constraint"] is not None
                and a > r["maximum_active_participants_constraint"]):
            out.append(f"role {i} above its maximum")
    b = base_policy
    if b:
        if b["max_users"] is not None and sum(1 for p in parts if p["role"] != 1) > b["max_users"]:
            out.append("max_users exceeded")
        if b["max_clients"] is not None and sum(p["clients"] for p in parts) > b["max_clients"]:
            out.append("max_clients exceeded")
        if not b["multi_device"] and any(p["clients"] > 1 for p in parts):
            out.append("a user with two clients where multi_device is false")
    return out


def make_change(actor, actions, committer=None, claims=None):
    change = {"actor": U(actor), "actions": actions}
    if claims is not None:
        change["actor_claims"] = claims
    if committer is not None:
        change["committer"] = U(committer)
    return change


def case(slug, fixture, actor, actions, comment, flags=(), parts=None, base_policy=None, pre=None, committer=None,
         claims=None, expect=None, added=False, retire=None):
    """One decision case. `added`: not in the first release (numbered from 397). `retire`: a case of
    the first release that no longer exists, and why; it keeps its tcId from being reused."""
    key = "added" if added else "original"
    _next[key] += 1
    tc = _next[key]
    if retire is not None:
        assert not added
        RETIRED.append((tc, slug, retire))
        return
    assert added or tc <= FIRST_RELEASE, slug
    parts = participants(fixture) if parts is None else parts
    bad = inconsistencies(fixture, parts, base_policy)
    assert not bad, (tc, slug, bad)
    change = make_change(actor, actions, committer, claims)
    allowed, rule, cap = verdict(fixture, parts, change, base_policy, pre)
    if expect is not None:
        assert (allowed, rule) == expect, (slug, allowed, rule, expect)
    if not allowed:
        found, flips = causes(fixture, parts, change, base_policy, pre)
        if len(found) != 1 or not flips:
            raise SystemExit(f"tcId {tc} {slug}: denied by {', '.join(found)}"
                             f"{'' if flips else ' and more'}: a deny case needs a single cause")
    c = {
        "tcId": tc, "slug": slug, "section": SECTION[rule], "result": "valid" if allowed else "invalid",
        "flags": list(flags), "comment": comment, "fixture": fixture, "participants": parts,
    }
    if base_policy is not None:
        c["base_policy"] = base_policy
    if pre is not None:
        c["preauth"] = pre
    c["change"] = change
    c["expected"] = {"allowed": allowed, "rule": rule}
    if cap is not None:
        c["expected"]["capability"] = cap
    c["req"] = REQ[rule]
    assert slug not in [x["slug"] for x in CASES], slug
    CASES.append(c)


def name_of(fixture, idx):
    return role_of(fixture, idx)["role_name"]


def who(fixture, user):
    r = next(p[1] for p in POP[fixture] if p[0] == user)
    return f"{user} ({name_of(fixture, r)}, role {r})"


# 1. Ban and remove matrices: every listed actor against every other listed user. Two things
# keep a cell to a single cause. When the target is the only holder of a role with a minimum
# (pat, the policy_enforcer; in A.4 alice, the super_admin, and c1, the org_c_admin), a cell that
# some other rule denies gets a second holder of that role (SECOND), without a client where that
# is enough and with one otherwise; a cell denied for that minimum alone keeps the state. And a cell
# whose actor lacks the capability is left out when its role also lacks the entry the change
# needs: in these role sets that is every such cell except strict's ordinary users removing each
# other (capability-missing is covered where a role has the entry and not the capability:
# cooperative-ordinary-entries and the cases near it).
SECOND = {"pat": "pat2", "alice": "alice2", "c1": "c2", "bob": "gina", "mo": "mo2"}


def matrix_cell(slug, fx, actor, target, op, comment):
    actions = [{"op": op, "user": U(target)}]
    parts = participants(fx)
    change = make_change(actor, actions)
    allowed, _, _ = verdict(fx, parts, change)
    if allowed or single_cause(fx, parts, change):
        return case(slug, fx, actor, actions, comment, flags=["Matrix"])
    r = next(p[1] for p in POP[fx] if p[0] == target)
    for clients in (0, 1):
        more = participants(fx, {SECOND[target]: (r, clients)}) if target in SECOND else None
        if more and not inconsistencies(fx, more, None) and single_cause(fx, more, change) \
                and not verdict(fx, more, change)[0]:
            held = "one client" if clients else "no client"
            return case(slug, fx, actor, actions,
                        comment + f" {SECOND[target]} also holds {name_of(fx, r)} ({held}), so that one rule denies "
                        "the change.", flags=["Matrix"], parts=more)
    found, _ = causes(fx, parts, change)
    case(slug, fx, actor, actions, comment, retire=f"denied by {' and '.join(found)} in any state: "
         f"{name_of(fx, next(p[1] for p in POP[fx] if p[0] == actor))} lacks the capability and the entry")


for fx in ("cooperative", "multi-org"):
    users = [p[0] for p in POP[fx]]
    for actor in users:
        for target in users:
            if target == actor:
                continue
            matrix_cell(f"{fx}-ban-{actor}-bans-{target}", fx, actor, target, "ban",
                        f"{who(fx, actor)} bans {who(fx, target)}: needs canBan, role 1 named banned, an entry from "
                        f"the target's role including 1, and the target role's minimum constraints.")
for fx in ("strict", "moderated"):
    users = [p[0] for p in POP[fx]]
    for actor in users:
        for target in users:
            if target == actor:
                continue
            matrix_cell(f"{fx}-remove-{actor}-removes-{target}", fx, actor, target, "remove",
                        f"{who(fx, actor)} removes {who(fx, target)}: needs canRemoveParticipant, an entry from the "
                        f"target's role including 0, and the target role's minimum constraints.")

# 2. Derived assertions of NOTES / Appendix A.4 prose.
fx = "multi-org"
case("multi-org-org-b-admin-bans-org-b-user", fx, "b1", [{"op": "ban", "user": U("bu")}],
     "A.4: organizational admins 'can ban (but not unban) their own org users': org_b_admin (6) has (3,[0,1,6]).",
     flags=["Derived"], expect=(True, "ban-role-change"))
banned_bu = participants(fx, {"bu": (1, 0)})
case("multi-org-org-b-admin-cannot-unban-org-b-user", fx, "b1", [{"op": "unban", "user": U("bu"), "role": 3}],
     "A.4: org_b_admin lacks canUnBan (and has no entry from 1): it may not restore the user it banned.",
     flags=["Derived"], parts=banned_bu, expect=(False, "capability-missing"),
     retire="denied by capability-missing and unban-role-change: org_b_admin lacks canUnBan and every entry from 1")
case("multi-org-super-admin-unbans-org-b-user", fx, "alice", [{"op": "unban", "user": U("bu"), "role": 3}],
     "A.4: super_admin holds canUnBan and (1,[0,2,3,4,5,6,7,8]).", flags=["Derived"], parts=banned_bu,
     expect=(True, "unban-role-change"))
case("multi-org-org-b-admin-cannot-touch-org-c-user", fx, "b1", [{"op": "change_role", "user": U("cu"), "role": 3}],
     "A.4: org_b_admin has no entry from org_c_user (4).", flags=["Derived"], expect=(False, "role-change"))
case("multi-org-org-b-admin-cannot-remove-org-c-user", fx, "b1", [{"op": "remove", "user": U("cu")}],
     "A.4: org_b_admin has no entry from 4.", flags=["Derived"], expect=(False, "remove-role-change"))
three_b = participants(fx, {"b3": (6, 1)})
case("multi-org-fourth-org-b-admin-breaks-max-3", fx, "b1", [{"op": "change_role", "user": U("bu"), "role": 6}],
     "A.4: org_b_admin has maximum_participants_constraint 3; b1, b2 and b3 hold it, so promoting bu is a 4th.",
     flags=["Derived", "Boundary"], parts=three_b, expect=(False, "role-change-max"))
case("multi-org-third-org-b-admin-within-max-3", fx, "b1", [{"op": "change_role", "user": U("bu"), "role": 6}],
     "A.4: two org_b_admins, promoting bu makes the third, exactly the maximum.", flags=["Derived", "Boundary"],
     expect=(True, "role-change"))
case("multi-org-fourth-org-b-admin-added-breaks-max-3", fx, "alice", [{"op": "add", "user": U("b4"), "role": 6}],
     "A.4: super_admin adds a 4th org_b_admin: (0,[..6..]) allows it but max 3 does not.",
     flags=["Derived", "Boundary"], parts=three_b, expect=(False, "max-participants"))
case("multi-org-org-b-admin-adds-org-b-user", fx, "b1", [{"op": "add", "user": U("bnew"), "role": 3}],
     "A.4: org_b_admin has canAddParticipant and (0,[3,6]).", expect=(True, "add-role-change"))
case("multi-org-org-b-admin-cannot-add-org-a-user", fx, "b1", [{"op": "add", "user": U("anew"), "role": 2}],
     "A.4: org_b_admin's entry from 0 is [3,6].", expect=(False, "add-role-change"))
case("multi-org-org-b-user-cannot-add", fx, "bu", [{"op": "add", "user": U("bnew"), "role": 3}],
     "A.4: org_b_user lacks canAddParticipant.", expect=(False, "capability-missing"))
b2_idle = participants(fx, {"b2": (6, 0)})
case("multi-org-last-active-org-b-admin-cannot-leave", fx, "b1", [{"op": "leave"}],
     "A.4: org_b_admin has canRemoveSelf (from org_b_user) and (6,[0,1,3]), but b2 holds no client, so b1 leaving "
     "breaks minimum_active_participants_constraint 1.", flags=["Boundary"], parts=b2_idle,
     expect=(False, "min-active-participants"))
case("multi-org-second-org-b-admin-may-leave", fx, "b1", [{"op": "leave"}],
     "A.4: two org_b_admins; one leaving keeps the minimum of 1.", flags=["Boundary"],
     expect=(True, "leave-role-change"))
case("multi-org-org-b-user-leaves", fx, "bu", [{"op": "leave"}],
     "A.4: org_b_user has canRemoveSelf and (3,[0]).", expect=(True, "leave-role-change"))
case("multi-org-policy-enforcer-cannot-restore-banned", fx, "pat", [{"op": "unban", "user": U("erin"), "role": 3}],
     "A.4: policy_enforcer holds canUnban but its entry from 1 is [0]: it may clean up, not restore.",
     expect=(False, "unban-role-change"))
case("multi-org-policy-enforcer-removes-banned", fx, "pat", [{"op": "remove", "user": U("erin")}],
     "A.4: policy_enforcer's (1,[0]) lets it remove a banned user from the list.", expect=(True, "remove-role-change"))
case("multi-org-policy-enforcer-cannot-remove-org-a-user", fx, "pat", [{"op": "remove", "user": U("au")}],
     "A.4: policy_enforcer has no entry from 2 (org_a_user).", expect=(False, "remove-role-change"))
case("multi-org-org-b-admin-kicks-org-b-user", fx, "b1", [{"op": "kick", "user": U("bu")}],
     "A.4: org_b_admin holds canKick; org_b_user has no minimum of active participants.",
     expect=(True, "capability-held"))
case("multi-org-org-b-admin-cannot-kick-last-active-org-c-admin", fx, "b1", [{"op": "kick", "user": U("c1")}],
     "A.4: org_c_admin has minimum_active_participants_constraint 1 and c1 is its only active holder.",
     flags=["Boundary"], expect=(False, "min-active-participants"))
case("multi-org-super-admin-cannot-unban-own-ban-in-same-commit", fx, "alice",
     [{"op": "ban", "user": U("bu")}, {"op": "unban", "user": U("bu"), "role": 3}],
     "A.4: super_admin holds canBan, canUnBan, (3,[0,1,6]) and (1,[0,2,3,4,5,6,7,8]), and still two changes to bu's "
     "entry in "
     "one commit are not a consistent set of proposals.",
     flags=["Combination"], expect=(False, "conflicting-changes"))

# 3. Unban and ban edges.
fx = "cooperative"
case("cooperative-admin-unbans-to-ordinary", fx, "bob", [{"op": "unban", "user": U("erin"), "role": 2}],
     "A.1: group_admin holds canUnBan and (1,[0,2,3]).", expect=(True, "unban-role-change"))
case("cooperative-admin-cannot-unban-to-role-0", fx, "bob", [{"op": "unban", "user": U("erin"), "role": 0}],
     "Section 8.1.3: an unban moves to another non-zero role.", expect=(False, "unknown-role"))
case("cooperative-admin-cannot-unban-non-banned", fx, "bob", [{"op": "unban", "user": U("carol"), "role": 3}],
     "Section 8.1.3: the from_role_index of the unbanned user MUST be 1.", expect=(False, "unban-banned-role"))
case("cooperative-ordinary-cannot-unban", "cooperative-ordinary-entries", "carol",
     [{"op": "unban", "user": U("erin"), "role": 2}],
     "A.1: ordinary_user lacks canUnBan (here it has the entry (1,[0,2,3,4]), so the capability alone denies).",
     expect=(False, "capability-missing"))
case("ordinary-entries-ordinary-cannot-ban", "cooperative-ordinary-entries", "carol",
     [{"op": "ban", "user": U("dave")}],
     "A.1: ordinary_user lacks canBan (here it has the entry (2,[0,1,3,4])).", flags=["Derived"],
     expect=(False, "capability-missing"), added=True)
case("ordinary-entries-ordinary-cannot-change-role", "cooperative-ordinary-entries", "carol",
     [{"op": "change_role", "user": U("dave"), "role": 3}],
     "A.1: ordinary_user lacks canChangeUserRole (here it has the entry (2,[0,1,3,4])).", flags=["Derived"],
     expect=(False, "capability-missing"), added=True)
case("cooperative-ordinary-cannot-kick", fx, "carol", [{"op": "kick", "user": U("dave")}],
     "A.1: ordinary_user lacks canKick.", expect=(False, "capability-missing"), added=True)
case("cooperative-unban-to-undefined-role", "cooperative-dangling-role", "alice",
     [{"op": "unban", "user": U("erin"), "role": 9}],
     "Role 9 is not in roles_list (here super_admin's entry (1,[0,2,3,4,9]) names it, so that alone denies).",
     expect=(False, "unknown-role"))
fx = "cooperative-no-banned-role"
case("no-banned-role-ban-denied", fx, "bob", [{"op": "ban", "user": U("carol")}],
     "Section 8.1.3: to use canBan, role 1 must exist with role_name 'banned'; here it is 'blocked'.",
     flags=["Derived"], expect=(False, "ban-banned-role"))
case("no-banned-role-unban-denied", fx, "bob", [{"op": "unban", "user": U("erin"), "role": 2}],
     "Section 8.1.3: the role_name of role 1 MUST be 'banned' for canUnBan; here it is 'blocked'.",
     flags=["Derived"], expect=(False, "unban-banned-role"))
case("no-banned-role-change-to-role-1-allowed", fx, "bob", [{"op": "change_role", "user": U("dave"), "role": 1}],
     "canChangeUserRole does not need role 1 to be 'banned'; (2,[0,1,3]) allows the move; dave has a client and "
     "role 1's maximum_active_participants_constraint is 0.", flags=["Derived"], expect=(False, "role-change-max"))
case("no-banned-role-change-inactive-to-role-1-allowed", fx, "bob",
     [{"op": "change_role", "user": U("dave"), "role": 1}],
     "As before with dave holding no client: the move is an ordinary role change.", flags=["Derived"],
     parts=participants(fx, {"dave": (2, 0)}), expect=(True, "role-change"))
fx = "cooperative"
case("cooperative-admin-bans-non-member", fx, "bob", [{"op": "ban", "user": U("zed")}],
     "A.1: group_admin's (0,[1,2,3]) lets it ban a user who is not in the list (from role 0).",
     expect=(True, "ban-role-change"))
case("cooperative-cannot-ban-self", fx, "bob", [{"op": "ban", "user": U("bob")}],
     "Section 8.1.3: canBan bans another user (gina is a second group_admin, so the minimum of 1 is not at stake).",
     parts=participants(fx, {"gina": (3, 1)}), expect=(False, "target-self"))
case("cooperative-last-group-admin-cannot-be-banned", fx, "pat", [{"op": "ban", "user": U("bob")}],
     "A.1: group_admin has minimum_participants_constraint 1; bob is the only one.", flags=["Boundary"],
     parts=participants(fx), expect=(False, "min-participants"))
case("cooperative-group-admin-banned-when-two", fx, "pat", [{"op": "ban", "user": U("bob")}],
     "A.1: with two group_admins the minimum of 1 holds after the ban.", flags=["Boundary"],
     parts=participants(fx, {"gina": (3, 1)}), expect=(True, "ban-role-change"))

# 4. Adds, max constraints, room limits.
fx = "cooperative"
case("cooperative-ordinary-adds-ordinary", fx, "carol", [{"op": "add", "user": U("zed"), "role": 2}],
     "A.1: ordinary_user holds canAddParticipant and (0,[2]).", expect=(True, "add-role-change"))
case("cooperative-ordinary-cannot-add-admin", fx, "carol", [{"op": "add", "user": U("zed"), "role": 3}],
     "A.1: ordinary_user's entry from 0 is [2].", expect=(False, "add-role-change"))
case("cooperative-cannot-add-listed", fx, "carol", [{"op": "add", "user": U("dave"), "role": 2}],
     "Section 8.1.1: the added user is not already in the participant list.", expect=(False, "add-target-listed"))
case("cooperative-cannot-add-self", fx, "carol", [{"op": "add", "user": U("carol"), "role": 2}],
     "Section 8.1.1: canAddParticipant does not apply to the holder adding itself.",
     expect=(False, "add-target-listed"))
case("cooperative-add-undefined-role", "cooperative-dangling-role", "alice",
     [{"op": "add", "user": U("zed"), "role": 9}],
     "Role 9 is not in roles_list (here super_admin's entry (0,[1,2,3,4,9]) names it, so that alone denies).",
     expect=(False, "unknown-role"))
case("cooperative-super-admin-cannot-add-enforcer", fx, "alice",
     [{"op": "add", "user": U("pat2"), "role": 5, "clients": 0}],
     "A.1: super_admin's entry from 0 is [1,2,3,4]: it cannot add a policy_enforcer (5).",
     expect=(False, "add-role-change"))
case("cooperative-super-admin-adds-super-admin", fx, "alice",
     [{"op": "add", "user": U("pat2"), "role": 4, "clients": 1}],
     "A.1: super_admin adds another super_admin (full matrix).", expect=(True, "add-role-change"))
fx = "strict"
case("strict-admin-adds-ordinary", fx, "bob", [{"op": "add", "user": U("zed"), "role": 2}],
     "A.2: group_admin has canAddParticipant and (0,[1,2,3]).", expect=(True, "add-role-change"))
case("strict-ordinary-cannot-add", fx, "carol", [{"op": "add", "user": U("zed"), "role": 2}],
     "A.2: ordinary_user lacks canAddParticipant.", expect=(False, "capability-missing"))
case("strict-super-admin-adds-second-enforcer", fx, "alice", [{"op": "add", "user": U("pat2"), "role": 5, "clients": 0}],
     "A.2: super_admin's (0,[1,2,3,4]) does not include 5.", expect=(False, "add-role-change"))
fx = "moderated"
case("moderated-super-admin-adds-second-enforcer-inactive", fx, "alice",
     [{"op": "add", "user": U("pat2"), "role": 7, "clients": 0}],
     "A.3: super_admin's full matrix lacks 7 (it covers 0-6).", expect=(False, "add-role-change"))
case("moderated-moderator-adds-guest", fx, "mo", [{"op": "add", "user": U("zed"), "role": 2}],
     "A.3: moderator has canAddParticipant and (0,[1..5]).", expect=(True, "add-role-change"))
case("moderated-attendee-cannot-add", fx, "ann", [{"op": "add", "user": U("zed"), "role": 3}],
     "A.3: attendee lacks canAddParticipant.", expect=(False, "capability-missing"))
fx = "cooperative"
for users, limit, ok in ((5, 6, True), (5, 5, False)):
    case(f"cooperative-max-users-{limit}-with-{users}", fx, "carol", [{"op": "add", "user": U("zed"), "role": 2}],
         f"Section 5: max_users {limit}; {users} non-banned entries before the add (erin is banned and not counted).",
         flags=["Boundary"], base_policy=base(max_users=limit),
         expect=(True, "add-role-change") if ok else (False, "max-users"))
case("cooperative-max-users-add-banned-not-counted", fx, "bob", [{"op": "add", "user": U("zed"), "role": 1, "clients": 0}],
     "Section 5: max_users counts non-banned entries; adding a banned entry at the limit is allowed.",
     flags=["Boundary"], base_policy=base(max_users=5), expect=(True, "add-role-change"))
case("cooperative-max-users-unban-at-limit", fx, "bob", [{"op": "unban", "user": U("erin"), "role": 2}],
     "Section 5: unbanning makes a banned entry non-banned, a 6th with max_users 5.", flags=["Boundary"],
     base_policy=base(max_users=5), expect=(False, "max-users"))
for limit, ok in ((6, True), (5, False)):
    case(f"cooperative-max-clients-{limit}", fx, "carol", [{"op": "add", "user": U("zed"), "role": 2}],
         f"Section 5: max_clients {limit}; the group has 5 clients and the added user brings 1.", flags=["Boundary"],
         base_policy=base(max_clients=limit), expect=(True, "add-role-change") if ok else (False, "max-clients"))
    case(f"cooperative-max-clients-own-client-{limit}", fx, "carol", [{"op": "add_own_client"}],
         f"Section 5: max_clients {limit}; 5 clients, carol adds a second.", flags=["Boundary"],
         base_policy=base(max_clients=limit), expect=(True, "own-client") if ok else (False, "max-clients"))
# multi_device false: bob keeps one client (of his two), so that the room starts within it.
one_device = participants(fx, {"bob": (3, 1)})
case("cooperative-single-device-second-client", fx, "carol", [{"op": "add_own_client"}],
     "Section 5: multi_device false, carol already has a client.", base_policy=base(multi_device=False),
     parts=one_device, expect=(False, "multi-device"))
case("cooperative-single-device-first-client", fx, "carol", [{"op": "add_own_client"}],
     "Section 5: multi_device false, carol has no client yet.", base_policy=base(multi_device=False),
     parts=participants(fx, {"bob": (3, 1), "carol": (2, 0)}), expect=(True, "own-client"))
case("cooperative-single-device-add-two-clients", fx, "carol", [{"op": "add", "user": U("zed"), "role": 2, "clients": 2}],
     "Section 5: multi_device false; the added user cannot bring two clients.", base_policy=base(multi_device=False),
     parts=one_device, expect=(False, "multi-device"))
case("cooperative-banned-cannot-add-own-client", fx, "erin", [{"op": "add_own_client"}],
     "A.1: banned has no capability.", expect=(False, "capability-missing"),
     retire="denied by capability-missing and max-active-participants: banned lacks canAddOwnClient and has "
            "maximum_active_participants_constraint 0")
case("cooperative-non-member-cannot-add-own-client", fx, "zed", [{"op": "add_own_client"}],
     "Section 8.1.1: canAddOwnClient is for holders in the participant list; role 0 has no capability.",
     expect=(False, "capability-missing"),
     retire="denied by capability-missing, own-client and max-active-participants: role 0 lacks canAddOwnClient, "
            "the actor is not listed and role 0 has maximum_active_participants_constraint 0")
case("cooperative-enforcer-cannot-become-active", fx, "pat", [{"op": "add_own_client"}],
     "A.1: policy_enforcer lacks canAddOwnClient.", expect=(False, "capability-missing"),
     retire="denied by capability-missing and max-active-participants: policy_enforcer lacks canAddOwnClient and has "
            "maximum_active_participants_constraint 0")
case("moderated-guest-cannot-add-own-client", "moderated", "gus", [{"op": "add_own_client"}],
     "A.3: guest lacks canAddOwnClient (and has no maximum of active participants).",
     expect=(False, "capability-missing"), added=True)

# 5. Fixed membership.
fixed = base(fixed_membership=True)
case("cooperative-fixed-membership-add-denied", "cooperative", "carol", [{"op": "add", "user": U("zed"), "role": 2}],
     "Section 5: in a fixed-membership room other users cannot be added (the A.1 roles contradict the base policy; "
     "the base policy wins).", base_policy=fixed, expect=(False, "fixed-membership"))
case("cooperative-fixed-membership-leave-denied", "cooperative", "carol", [{"op": "leave"}],
     "Section 5: ordinary users cannot leave a fixed-membership room.", base_policy=fixed,
     expect=(False, "fixed-membership"))
case("cooperative-fixed-membership-remove-denied", "cooperative", "bob", [{"op": "remove", "user": U("carol")}],
     "Section 5: users cannot be removed from a fixed-membership room.", base_policy=fixed,
     expect=(False, "fixed-membership"))
case("cooperative-fixed-membership-own-client-removal", "cooperative", "bob", [{"op": "remove_own_client"}],
     "Section 5: a user can remove its clients from a fixed-membership room.", base_policy=fixed,
     expect=(True, "own-client"))
case("cooperative-fixed-membership-switch-denied", "cooperative", "alice",
     [{"op": "update_base_policy", "base_policy": fixed}],
     "Section 5: none of a fixed-membership room's non-zero, non-banned roles can hold canAddParticipant; A.1's do.",
     expect=(False, "fixed-membership"))
case("strict-super-admin-changes-base-policy", "strict", "alice",
     [{"op": "update_base_policy", "base_policy": base(max_users=50)}],
     "A.2: super_admin holds canChangeRoomMembershipStyle.", expect=(True, "capability-held"))
case("strict-admin-cannot-change-base-policy", "strict", "bob",
     [{"op": "update_base_policy", "base_policy": base(max_users=50)}],
     "A.2: group_admin lacks canChangeRoomMembershipStyle.", expect=(False, "capability-missing"))

# 6. Leave, own clients, self-commit.
fx = "cooperative"
case("cooperative-ordinary-leaves", fx, "carol", [{"op": "leave"}], "A.1: ordinary_user has canRemoveSelf and (2,[0]).",
     expect=(True, "leave-role-change"))
case("cooperative-leave-keeping-clients", fx, "carol", [{"op": "leave", "removes_all_clients": False}],
     "Section 8.1.2: the leaver MUST simultaneously remove all of its clients.", expect=(False, "leave-clients-remain"))
case("cooperative-leave-self-committed", fx, "carol", [{"op": "leave"}],
     "Section 8.1.2: a leave cannot be committed by the leaving user.", committer="carol", expect=(False, "self-commit"))
case("cooperative-leave-committed-by-other", fx, "carol", [{"op": "leave"}],
     "Section 8.1.2: dave commits carol's leave.", committer="dave", expect=(True, "leave-role-change"))
case("cooperative-admin-leave-needs-entry", fx, "bob", [{"op": "leave"}],
     "A.1: group_admin's entry from 3 is [0,1,2]; bob is the only group_admin and min is 1.", flags=["Boundary"],
     expect=(False, "min-participants"))
case("cooperative-super-admin-leaves", fx, "alice", [{"op": "leave"}], "A.1: super_admin's entry from 4 includes 0.",
     expect=(True, "leave-role-change"))
case("cooperative-banned-cannot-leave", fx, "erin", [{"op": "leave"}], "A.1: banned has no capability.",
     expect=(False, "capability-missing"),
     retire="denied by capability-missing and leave-role-change: banned lacks canRemoveSelf and the entry (1,[0])")
case("cooperative-remove-own-client", fx, "bob", [{"op": "remove_own_client"}],
     "A.1: group_admin holds canRemoveOwnClient; bob has two clients.", expect=(True, "own-client"))
case("cooperative-remove-own-client-self-committed", fx, "bob", [{"op": "remove_own_client"}],
     "Section 8.1.2: removing its own client cannot be committed by the leaving client's user.", committer="bob",
     expect=(False, "self-commit"))
case("cooperative-remove-own-client-none", fx, "carol", [{"op": "remove_own_client"}],
     "carol has no client to remove.", parts=participants(fx, {"carol": (2, 0)}), expect=(False, "own-client"))
case("cooperative-remove-keeping-clients", fx, "bob", [{"op": "remove", "user": U("carol"), "removes_all_clients": False}],
     "Section 8.1.2: no client of the removed user may remain after the commit.",
     expect=(False, "remove-clients-remain"))
case("cooperative-remove-self-via-remove", fx, "bob", [{"op": "remove", "user": U("bob")}],
     "Section 8.1.2: canRemoveParticipant removes another user (excluding itself); gina is a second group_admin, so "
     "the minimum of 1 is not at stake.", parts=participants(fx, {"gina": (3, 1)}), expect=(False, "target-self"))
case("cooperative-remove-non-member", fx, "bob", [{"op": "remove", "user": U("zed")}],
     "zed is not in the participant list.", expect=(False, "target-not-listed"),
     retire="denied by target-not-listed and remove-role-change: no role has an entry from 0 including 0")
case("cooperative-kick-non-member", fx, "bob", [{"op": "kick", "user": U("zed")}],
     "Section 8.1: zed is not in the participant list, so bob has no client of zed to kick.",
     expect=(False, "target-not-listed"), added=True)
case("multi-org-last-active-org-b-admin-cannot-drop-client", "multi-org", "b1", [{"op": "remove_own_client"}],
     "A.4: org_b_admin has minimum_active_participants_constraint 1; b2 holds no client, so b1 is the last active.",
     flags=["Boundary"], parts=participants("multi-org", {"b2": (6, 0)}), expect=(False, "min-active-participants"))
case("multi-org-active-org-b-admin-drops-client", "multi-org", "b1", [{"op": "remove_own_client"}],
     "A.4: b2 stays active, so the minimum of 1 holds.", flags=["Boundary"], expect=(True, "own-client"))

# 7. Role changes.
fx = "moderated"
case("moderated-moderator-promotes-guest-to-speaker", fx, "mo", [{"op": "change_role", "user": U("gus"), "role": 4}],
     "A.3: moderator has canChangeUserRole and (2,[0,1,3,4,5]).", expect=(True, "role-change"))
case("moderated-moderator-cannot-demote-to-zero", fx, "mo", [{"op": "change_role", "user": U("gus"), "role": 0}],
     "Section 8.1.3: canChangeUserRole moves to non-zero roles; removal is canRemoveParticipant.",
     expect=(False, "unknown-role"))
case("moderated-moderator-cannot-change-own-role-via-user-role", fx, "mo",
     [{"op": "change_role", "user": U("mo"), "role": 4}],
     "Section 8.1.3: canChangeUserRole changes another participant's role, not the holder's (mo2 is a second "
     "moderator, so the minimum of 1 is not at stake).", parts=participants(fx, {"mo2": (5, 1)}),
     expect=(False, "target-self"))
case("moderated-moderator-cannot-promote-to-enforcer", fx, "mo", [{"op": "change_role", "user": U("gus"), "role": 7}],
     "A.3: moderator's entries cover roles 0-5 (gus holds no client, so policy_enforcer's "
     "maximum_active_participants_constraint 0 is not at stake).", parts=participants(fx, {"gus": (2, 0)}),
     expect=(False, "role-change"))
case("moderated-last-moderator-cannot-be-demoted", fx, "alice", [{"op": "change_role", "user": U("mo"), "role": 4}],
     "A.3: moderator has minimum_participants_constraint 1.", flags=["Boundary"], expect=(False, "min-participants"))
case("moderated-speaker-cannot-change-roles", fx, "sam", [{"op": "change_role", "user": U("gus"), "role": 3}],
     "A.3: speaker lacks canChangeUserRole.", expect=(False, "capability-missing"),
     retire="denied by capability-missing and role-change: speaker lacks canChangeUserRole and every entry from 2")
case("moderated-speaker-cannot-remove-speaker", fx, "sam", [{"op": "remove", "user": U("sue")}],
     "A.3: speaker lacks canRemoveParticipant, though its entry (4,[0]) would let it remove sue, a second speaker.",
     parts=participants(fx, {"sue": (4, 1)}), expect=(False, "capability-missing"), added=True)
case("moderated-change-role-non-member", fx, "mo", [{"op": "change_role", "user": U("zed"), "role": 3}],
     "zed is not in the participant list.", expect=(False, "target-not-listed"))
case("moderated-super-admin-promotes-guest-to-super-admin", fx, "alice", [{"op": "change_role", "user": U("gus"), "role": 6}],
     "A.3: super_admin's full matrix moves a guest to super_admin.", expect=(True, "role-change"))
fx = "cooperative"
case("cooperative-super-admin-cannot-promote-to-enforcer", fx, "alice", [{"op": "change_role", "user": U("carol"), "role": 5}],
     "A.1: super_admin's matrix covers roles 0-4, so it cannot promote to policy_enforcer (carol holds no client and "
     "pat is the only policy_enforcer, so its maxima are not at stake).", parts=participants(fx, {"carol": (2, 0)}),
     expect=(False, "role-change"))
case("cooperative-enforcer-bans-ordinary", fx, "pat", [{"op": "ban", "user": U("carol")}],
     "A.1: policy_enforcer has canBan and (2,[0,1]).", expect=(True, "ban-role-change"))

# 8. Preauthorization.
fx = "multi-org"
pre_mo = preauth(fx, [([ORG_A, OU_HR], 5), ([ORG_A], 2), ([ORG_B], 3)])
case("multi-org-preauth-join-first-match-admin", fx, "newa", [{"op": "join_preauth"}],
     "Section 4: the first matching entry wins: o=a.example and ou=hr match org_a_admin (5), which holds "
     "canJoinIfPreauthorized.", pre=pre_mo, claims=[ORG_A, OU_HR], expect=(True, "preauth-match"))
case("multi-org-preauth-join-user", fx, "newa", [{"op": "join_preauth"}],
     "Section 4: o=a.example alone matches the second entry, org_a_user (2).", pre=pre_mo, claims=[ORG_A],
     expect=(True, "preauth-match"))
case("multi-org-preauth-join-org-b-lacks-capability", fx, "newb", [{"op": "join_preauth"}],
     "A.4: o=b.example matches org_b_user (3), which lacks canJoinIfPreauthorized.", pre=pre_mo, claims=[ORG_B],
     expect=(False, "capability-missing"))
case("multi-org-preauth-join-no-match", fx, "newx", [{"op": "join_preauth"}],
     "Section 4: no entry's claims all match (only ou=hr).", pre=pre_mo, claims=[OU_HR], expect=(False, "preauth-match"))
case("multi-org-preauth-join-no-claims", fx, "newx", [{"op": "join_preauth"}],
     "Section 4: a requester with no claims matches no entry here.", pre=pre_mo, claims=[],
     expect=(False, "preauth-match"))
case("multi-org-preauth-banned-cannot-rejoin", fx, "erin", [{"op": "join_preauth"}],
     "Section 4: preauthorization is only consulted for requesters not in the participant list, so a banned user "
     "cannot rejoin through it.", pre=pre_mo, claims=[ORG_A], expect=(False, "preauth-listed-requester"))
case("multi-org-preauth-member-cannot-join-again", fx, "au", [{"op": "join_preauth"}],
     "Section 4: au is already listed.", pre=pre_mo, claims=[ORG_A], expect=(False, "preauth-listed-requester"))
case("multi-org-change-own-role-to-admin", fx, "au", [{"op": "change_own_role"}],
     "Section 8.1.3: org_a_user has canChangeOwnRole; with ou=hr its first non-zero match is org_a_admin.",
     pre=pre_mo, claims=[ORG_A, OU_HR], expect=(True, "preauth-match"))
case("multi-org-change-own-role-no-match", fx, "au", [{"op": "change_own_role"}],
     "Section 8.1.3: no preauthorization entry matches only ou=hr.", pre=pre_mo, claims=[OU_HR],
     expect=(False, "preauth-match"))
case("multi-org-org-b-user-cannot-change-own-role", fx, "bu", [{"op": "change_own_role"}],
     "A.4: org_b_user lacks canChangeOwnRole.", pre=pre_mo, claims=[ORG_B], expect=(False, "capability-missing"))
pre_b6 = preauth(fx, [([ORG_B], 6)])
case("multi-org-preauth-admin-max-via-own-role", fx, "aa", [{"op": "change_own_role"}],
     "Section 8.1.3: org_a_admin's first match is org_b_admin (6), already held by three: max 3.",
     flags=["Boundary"], pre=pre_b6, claims=[ORG_B], parts=three_b, expect=(False, "role-change-max"))
fx = "strict"
pre_st = preauth(fx, [([ORG_A, OU_HR], 3), ([ORG_A], 2)])
case("strict-preauth-join-ordinary", fx, "newa", [{"op": "join_preauth"}],
     "A.2: ordinary_user holds canJoinIfPreauthorized.", pre=pre_st, claims=[ORG_A], expect=(True, "preauth-match"))
case("strict-preauth-join-admin", fx, "newh", [{"op": "join_preauth"}],
     "A.2: group_admin (all ordinary_user capabilities) matched first.", pre=pre_st, claims=[ORG_A, OU_HR],
     expect=(True, "preauth-match"))
case("strict-preauth-first-match-order-matters", fx, "newh", [{"op": "join_preauth"}],
     "Section 4: with the general entry first, o=a.example and ou=hr get ordinary_user.",
     pre=preauth(fx, [([ORG_A], 2), ([ORG_A, OU_HR], 3)]), claims=[ORG_A, OU_HR], expect=(True, "preauth-match"))
case("strict-change-own-role-to-admin", fx, "carol", [{"op": "change_own_role"}],
     "A.2: ordinary_user has canChangeOwnRole; authorized_role_changes is not consulted.", pre=pre_st,
     claims=[ORG_A, OU_HR], expect=(True, "preauth-match"))
case("strict-preauth-single-device-two-clients", fx, "newa", [{"op": "join_preauth", "clients": 2}],
     "Section 5: multi_device false (bob keeps one of his two clients).", pre=pre_st, claims=[ORG_A],
     base_policy=base(multi_device=False), parts=participants(fx, {"bob": (3, 1)}), expect=(False, "multi-device"))
case("strict-preauth-max-users", fx, "newa", [{"op": "join_preauth"}],
     "Section 5: max_users 5 reached.", pre=pre_st, claims=[ORG_A], base_policy=base(max_users=5),
     flags=["Boundary"], expect=(False, "max-users"))
case("cooperative-preauth-no-join-capability", "cooperative", "newa", [{"op": "join_preauth"}],
     "A.1: no role holds canJoinIfPreauthorized.", pre=preauth("cooperative", [([ORG_A], 2)]), claims=[ORG_A],
     expect=(False, "capability-missing"))
fx = "moderated"
pre_md = preauth(fx, [([ORG_A], 3)])
case("moderated-preauth-attendee-joins", fx, "newa", [{"op": "join_preauth"}],
     "A.3: attendee holds canJoinIfPreauthorized.", pre=pre_md, claims=[ORG_A], expect=(True, "preauth-match"))
case("moderated-preauth-guest-lacks-capability", fx, "newa", [{"op": "join_preauth"}],
     "A.3: guest lacks canJoinIfPreauthorized.", pre=preauth(fx, [([ORG_A], 2)]), claims=[ORG_A],
     expect=(False, "capability-missing"))
case("moderated-preauth-empty-claimset-matches-all", fx, "newx", [{"op": "join_preauth"}],
     "Section 4: an entry with no claims is satisfied by every requester.", pre=preauth(fx, [([], 3)]), claims=[],
     expect=(True, "preauth-match"))

# 9. Join codes and open join.
fx = "strict"
case("strict-join-code-ordinary", fx, "zed", [{"op": "join_code", "role": 2}],
     "A.2: role 0 holds canUseJoinCode; the code refers to role 2, a target of (0,[2]).", expect=(True, "join-code"))
case("strict-join-code-invalid", fx, "zed", [{"op": "join_code", "role": 2, "code_valid": False}],
     "Section 8.1.1: the join code must be valid.", expect=(False, "join-code"))
case("strict-join-code-admin-role", fx, "zed", [{"op": "join_code", "role": 3}],
     "A.2: role 0's entry from 0 is [2]; a code for group_admin is not a valid target.", expect=(False, "join-code"))
case("strict-join-code-banned-user", fx, "erin", [{"op": "join_code", "role": 2}],
     "A.2: a banned user has role 1, which lacks canUseJoinCode.", expect=(False, "capability-missing"),
     retire="denied by capability-missing and add-target-listed: banned lacks canUseJoinCode and erin is listed")
case("strict-join-code-member", "strict-join-code-on-user", "carol", [{"op": "join_code", "role": 2}],
     "Section 8.1.1: a join code is for users not in the participant list: carol is listed, and here ordinary_user "
     "holds canUseJoinCode, so that alone denies.", flags=["Derived"], expect=(False, "add-target-listed"))
case("strict-join-code-max-clients", fx, "zed", [{"op": "join_code", "role": 2}],
     "Section 5: max_clients 5 reached.", base_policy=base(max_clients=5), flags=["Boundary"],
     expect=(False, "max-clients"))
case("cooperative-join-code-not-held", "cooperative-open-join", "zed", [{"op": "join_code", "role": 2}],
     "A.1: role 0 lacks canUseJoinCode (here role 0 has the entry (0,[2]), for canOpenJoin, so that alone denies).",
     expect=(False, "capability-missing"))
fx = "moderated"
case("moderated-join-code-attendee", fx, "zed", [{"op": "join_code", "role": 3}],
     "A.3: role 0's (0,[2,3]).", expect=(True, "join-code"))
case("moderated-join-code-speaker", fx, "zed", [{"op": "join_code", "role": 4}],
     "A.3: speaker is not a target of role 0's entry.", expect=(False, "join-code"))
fx = "cooperative-open-join"
case("open-join-ordinary", fx, "zed", [{"op": "open_join", "role": 2}],
     "Section 8.1.1: canOpenJoin on role 0; (0,[2]).", flags=["Derived"], expect=(True, "open-join-role-change"))
case("open-join-admin-denied", fx, "zed", [{"op": "open_join", "role": 3}],
     "Section 8.1.1: the target must be in role 0's entry from 0.", flags=["Derived"],
     expect=(False, "open-join-role-change"))
case("open-join-member-denied", fx, "carol", [{"op": "open_join", "role": 2}],
     "Section 8.1.1: only users not already in the participant list.", flags=["Derived"],
     expect=(False, "add-target-listed"),
     retire="denied by add-target-listed and capability-missing: a listed user's role cannot hold canOpenJoin")
case("open-join-banned-denied", fx, "erin", [{"op": "open_join", "role": 2}],
     "A banned user is in the participant list.", flags=["Derived"], expect=(False, "add-target-listed"),
     retire="denied by add-target-listed and capability-missing: a listed user's role cannot hold canOpenJoin")
case("open-join-max-users", fx, "zed", [{"op": "open_join", "role": 2}],
     "Section 5: max_users 5.", flags=["Derived", "Boundary"], base_policy=base(max_users=5),
     expect=(False, "max-users"))
case("open-join-on-user-role-denied", "cooperative-open-join-on-user", "zed", [{"op": "open_join", "role": 2}],
     "Section 8.1.1: canOpenJoin MUST NOT appear in any non-zero role.", flags=["Derived"],
     expect=(False, "open-join-nonzero-role"))
case("open-join-not-offered", "strict", "zed", [{"op": "open_join", "role": 2}],
     "A.2: role 0 lacks canOpenJoin (it has the entry (0,[2]), for canUseJoinCode, so that alone denies).",
     expect=(False, "capability-missing"))
case("open-join-update-roles-puts-it-on-user", "cooperative", "pat",
     [{"op": "update_roles", "roles": FIX["cooperative-open-join-on-user"]}],
     "Section 8.1.1: a RoleUpdate putting canOpenJoin on a non-zero role.", flags=["Derived"],
     expect=(False, "open-join-nonzero-role"))

# 10. Role, preauth and base-policy updates; combinations in one commit.
fx = "cooperative"
case("cooperative-enforcer-updates-roles", fx, "pat", [{"op": "update_roles", "roles": FIX["cooperative"]}],
     "A.1: policy_enforcer holds canChangeRoleDefinitions.", expect=(True, "capability-held"))
case("cooperative-super-admin-cannot-update-roles", fx, "alice", [{"op": "update_roles", "roles": FIX["cooperative"]}],
     "A.1: super_admin lacks canChangeRoleDefinitions (only the policy_enforcer holds it).",
     expect=(False, "capability-missing"))
case("strict-role-update-with-add", "strict", "alice",
     [{"op": "update_roles", "roles": FIX["strict"]}, {"op": "add", "user": U("zed"), "role": 2}],
     "Section 3: a RoleUpdate is not valid in the same commit as any participant-list change (A.2's super_admin "
     "holds canChangeRoleDefinitions, canAddParticipant and (0,[1,2,3,4])).",
     flags=["Combination"], expect=(False, "role-update-with-membership-change"))
case("cooperative-role-update-with-removal", fx, "pat",
     [{"op": "update_roles", "roles": FIX["cooperative"]}, {"op": "remove", "user": U("erin")}],
     "Section 3: removals are participant-list changes too.", flags=["Combination"],
     expect=(False, "role-update-with-membership-change"))
case("cooperative-role-update-with-reinit", fx, "pat",
     [{"op": "update_roles", "roles": FIX["cooperative"]}, {"op": "reinit"}],
     "Section 3: a RoleUpdate with a ReInit proposal changes no participant-list entry.", flags=["Combination"],
     expect=(True, "commit-authorized"))
pre_co = preauth(fx, [([ORG_A], 2)])
case("cooperative-preauth-update", fx, "alice", [{"op": "update_preauth", "preauth": pre_co}],
     "A.1: super_admin holds canChangePreauthorizedUserList.", expect=(True, "capability-held"))
case("cooperative-preauth-update-ordinary-denied", fx, "carol", [{"op": "update_preauth", "preauth": pre_co}],
     "A.1: ordinary_user lacks canChangePreauthorizedUserList.", expect=(False, "capability-missing"))
case("cooperative-preauth-update-with-removal", fx, "alice",
     [{"op": "update_preauth", "preauth": pre_co}, {"op": "remove", "user": U("carol")}],
     "Section 4: a PreAuthUpdate may share a commit with user removals.", flags=["Combination"],
     expect=(True, "commit-authorized"))
case("cooperative-preauth-update-with-add", fx, "alice",
     [{"op": "update_preauth", "preauth": pre_co}, {"op": "add", "user": U("zed"), "role": 2}],
     "Section 4: but not with an addition.", flags=["Combination"], expect=(False, "preauth-update-with-membership-change"))
case("cooperative-preauth-update-with-ban", fx, "alice",
     [{"op": "update_preauth", "preauth": pre_co}, {"op": "ban", "user": U("carol")}],
     "Section 4: a ban is a role change, not a removal.", flags=["Combination"],
     expect=(False, "preauth-update-with-membership-change"))
case("cooperative-preauth-update-with-role-change", fx, "alice",
     [{"op": "update_preauth", "preauth": pre_co}, {"op": "change_role", "user": U("carol"), "role": 3}],
     "Section 4: nor with a role change.", flags=["Combination"],
     expect=(False, "preauth-update-with-membership-change"))
case("cooperative-two-adds-in-one-commit", fx, "carol",
     [{"op": "add", "user": U("zed"), "role": 2}, {"op": "add", "user": U("yan"), "role": 2}],
     "Section 8: each participant-list change is authorized on its own.", flags=["Combination"],
     expect=(True, "commit-authorized"))
case("cooperative-two-adds-second-breaks-max-users", fx, "carol",
     [{"op": "add", "user": U("zed"), "role": 2}, {"op": "add", "user": U("yan"), "role": 2}],
     "Section 5: max_users 6: the first add reaches it, the second exceeds it.", flags=["Combination", "Boundary"],
     base_policy=base(max_users=6), expect=(False, "max-users"))
case("cooperative-add-and-remove-same-user", fx, "bob",
     [{"op": "add", "user": U("zed"), "role": 2}, {"op": "remove", "user": U("zed")}],
     "Section 8: adding and removing one user in one commit is not a consistent set of proposals.",
     flags=["Combination"], expect=(False, "conflicting-changes"))
case("cooperative-ban-and-remove-in-one-commit", fx, "bob",
     [{"op": "ban", "user": U("carol")}, {"op": "remove", "user": U("dave")}],
     "Two changes to two users.", flags=["Combination"], expect=(True, "commit-authorized"))
case("cooperative-remove-two-admins-breaks-min", fx, "alice",
     [{"op": "remove", "user": U("gina")}, {"op": "remove", "user": U("bob")}],
     "A.1: two group_admins, min 1: the second removal breaks it.", flags=["Combination", "Boundary"],
     parts=participants(fx, {"gina": (3, 1)}), expect=(False, "min-participants"))
case("multi-org-two-promotions-break-max-3", "multi-org", "alice",
     [{"op": "change_role", "user": U("bu"), "role": 6}, {"op": "add", "user": U("b5"), "role": 6}],
     "A.4: two org_b_admins; the promotion makes 3, the addition a 4th.", flags=["Combination", "Boundary"],
     expect=(False, "max-participants"))
case("cooperative-add-then-denied-change", fx, "carol",
     [{"op": "add", "user": U("zed"), "role": 2}, {"op": "kick", "user": U("dave")}],
     "A.1: the add is authorized, the kick is not (ordinary_user lacks canKick): the commit is denied.",
     flags=["Combination"], expect=(False, "capability-missing"))

fx = "strict-one-active-user"
case("one-active-user-second-becomes-active", fx, "carol", [{"op": "add_own_client"}],
     "Section 3: ordinary_user allows one active participant; dave is active, carol has no client yet.",
     flags=["Derived", "Boundary"], parts=participants(fx, {"carol": (2, 0)}), expect=(False, "max-active-participants"))
case("one-active-user-first-becomes-active", fx, "carol", [{"op": "add_own_client"}],
     "Section 3: with dave inactive too, carol becomes the one active ordinary_user.", flags=["Derived", "Boundary"],
     parts=participants(fx, {"carol": (2, 0), "dave": (2, 0)}), expect=(True, "own-client"))
case("one-active-user-active-add-denied", fx, "bob", [{"op": "add", "user": U("zed"), "role": 2}],
     "Section 8.1.1: dave is the one active ordinary_user allowed (carol holds no client); the added user's client "
     "would make a second.", flags=["Derived", "Boundary"], parts=participants(fx, {"carol": (2, 0)}),
     expect=(False, "max-participants"))
case("one-active-user-inactive-add-allowed", fx, "bob", [{"op": "add", "user": U("zed"), "role": 2, "clients": 0}],
     "Section 8.1.1: added without clients, the active maximum is not touched.", flags=["Derived", "Boundary"],
     parts=participants(fx, {"carol": (2, 0)}), expect=(True, "add-role-change"))

# 11. Metadata and other plain capabilities.
for fx, actor in (("cooperative", "carol"), ("cooperative", "bob"), ("strict", "carol"), ("strict", "bob"),
                  ("moderated", "sam"), ("moderated", "mo"), ("multi-org", "b1"), ("multi-org", "alice")):
    for field in ("name", "description", "avatar", "subject", "mood"):
        case(f"{fx}-metadata-{actor}-{field}", fx, actor, [{"op": "metadata", "field": field}],
             f"Section 8.2: {who(fx, actor)} changes the room {field}: canChangeRoom{field.capitalize()}.",
             flags=["Matrix"])
for fx, actor in (("moderated", "ann"), ("moderated", "sam"), ("multi-org", "pat"), ("cooperative", "erin")):
    case(f"{fx}-send-message-{actor}", fx, actor, [{"op": "send_message"}],
         f"Section 8.3: the hub enforces canSendMessage; {who(fx, actor)}.")
for fx, actor in (("strict", "alice"), ("strict", "bob"), ("cooperative", "alice"), ("cooperative", "pat")):
    case(f"{fx}-reinit-{actor}", fx, actor, [{"op": "reinit"}], f"Section 8.6: canSendMLSReinitProposal; {who(fx, actor)}.")
    case(f"{fx}-destroy-{actor}", fx, actor, [{"op": "destroy_room"}], f"Section 8.6: canDestroyRoom; {who(fx, actor)}.")


# 12. Allowed changes added as controls of deny cases: the same actor making the same kind of change
# where it is allowed (most differ from their deny case in one thing).
fx = "cooperative"
case("cooperative-super-admin-promotes-ordinary", fx, "alice", [{"op": "change_role", "user": U("carol"), "role": 3}],
     "A.1: super_admin holds canChangeUserRole and (2,[0,1,3,4]).", expect=(True, "role-change"), added=True)
case("cooperative-admin-kicks-ordinary", fx, "bob", [{"op": "kick", "user": U("dave")}],
     "A.1: group_admin holds canKick; ordinary_user has no minimum of active participants.",
     expect=(True, "capability-held"), added=True)
case("cooperative-admin-removes-ordinary", fx, "bob", [{"op": "remove", "user": U("carol")}],
     "A.1: group_admin holds canRemoveParticipant and (2,[0,1,3]).", expect=(True, "remove-role-change"), added=True)
case("cooperative-super-admin-changes-base-policy", fx, "alice",
     [{"op": "update_base_policy", "base_policy": base(max_users=50)}],
     "A.1: super_admin holds canChangeRoomMembershipStyle; the new policy does not fix the membership.",
     expect=(True, "capability-held"), added=True)
case("cooperative-add-and-remove-two-users", fx, "bob",
     [{"op": "add", "user": U("zed"), "role": 2}, {"op": "remove", "user": U("carol")}],
     "Section 8: adding one user and removing another in one commit.", flags=["Combination"],
     expect=(True, "commit-authorized"), added=True)
case("cooperative-remove-two-of-three-admins", fx, "alice",
     [{"op": "remove", "user": U("gina")}, {"op": "remove", "user": U("bob")}],
     "A.1: three group_admins, min 1: after both removals one is left.", flags=["Combination", "Boundary"],
     parts=participants(fx, {"gina": (3, 1), "hal": (3, 1)}), expect=(True, "commit-authorized"), added=True)
case("cooperative-add-then-kick", fx, "bob",
     [{"op": "add", "user": U("zed"), "role": 2}, {"op": "kick", "user": U("dave")}],
     "A.1: group_admin may add an ordinary_user and kick another in one commit.", flags=["Combination"],
     expect=(True, "commit-authorized"), added=True)
case("cooperative-send-message-carol", fx, "carol", [{"op": "send_message"}],
     f"Section 8.3: the hub enforces canSendMessage; {who(fx, 'carol')}.", added=True)
fx = "multi-org"
case("multi-org-super-admin-bans-and-unbans-two-users", fx, "alice",
     [{"op": "ban", "user": U("bu")}, {"op": "unban", "user": U("erin"), "role": 3}],
     "A.4: super_admin bans one user and unbans another in one commit.", flags=["Combination"],
     expect=(True, "commit-authorized"), added=True)
case("multi-org-two-promotions-reach-max-3", fx, "alice",
     [{"op": "change_role", "user": U("bu"), "role": 6}, {"op": "add", "user": U("b5"), "role": 6}],
     "A.4: one org_b_admin (b2 is not in the room); the promotion makes 2, the addition 3, the maximum.",
     flags=["Combination", "Boundary"], parts=participants(fx, drop=("b2",)), expect=(True, "commit-authorized"),
     added=True)
case("multi-org-send-message-bu", fx, "bu", [{"op": "send_message"}],
     f"Section 8.3: the hub enforces canSendMessage; {who(fx, 'bu')}.", added=True)
fx = "strict"
case("strict-super-admin-updates-roles", fx, "alice", [{"op": "update_roles", "roles": FIX["strict"]}],
     "A.2: super_admin holds canChangeRoleDefinitions.", expect=(True, "capability-held"), added=True)
fx = "moderated"
case("moderated-attendee-adds-own-client", fx, "ann", [{"op": "add_own_client"}],
     "A.3: attendee holds canAddOwnClient.", expect=(True, "own-client"), added=True)
case("moderated-metadata-alice-description", fx, "alice", [{"op": "metadata", "field": "description"}],
     f"Section 8.2: {who(fx, 'alice')} changes the room description: canChangeRoomDescription.", added=True)


fx = "cooperative"
case("cooperative-admin-leaves-when-two", fx, "bob", [{"op": "leave"}],
     "A.1: with gina a second group_admin, bob leaving keeps the minimum of 1.", flags=["Boundary"],
     parts=participants(fx, {"gina": (3, 1)}), expect=(True, "leave-role-change"), added=True)
case("cooperative-ordinary-removes-own-client", fx, "carol", [{"op": "remove_own_client"}],
     "A.1: ordinary_user holds canRemoveOwnClient and has no minimum of active participants.",
     expect=(True, "own-client"), added=True)
case("dangling-role-super-admin-unbans-to-ordinary", "cooperative-dangling-role", "alice",
     [{"op": "unban", "user": U("erin"), "role": 2}],
     "A.1: super_admin holds canUnBan and (1,[0,2,3,4,9]); role 2 is defined.", flags=["Derived"],
     expect=(True, "unban-role-change"), added=True)
case("strict-super-admin-adds-ordinary", "strict", "alice", [{"op": "add", "user": U("zed"), "role": 2}],
     "A.2: super_admin has canAddParticipant and (0,[1,2,3,4]).", expect=(True, "add-role-change"), added=True)
case("moderated-super-admin-adds-attendee", "moderated", "alice", [{"op": "add", "user": U("zed"), "role": 3}],
     "A.3: super_admin has canAddParticipant and (0,[1,2,3,4,5,6]).", expect=(True, "add-role-change"), added=True)
fx = "multi-org"
case("multi-org-org-b-admin-removes-org-b-user", fx, "b1", [{"op": "remove", "user": U("bu")}],
     "A.4: org_b_admin holds canRemoveParticipant and (3,[0,1,6]).", expect=(True, "remove-role-change"), added=True)
case("multi-org-third-org-b-admin-added-within-max-3", fx, "alice", [{"op": "add", "user": U("b4"), "role": 6}],
     "A.4: two org_b_admins; super_admin adds a third, exactly the maximum.", flags=["Derived", "Boundary"],
     expect=(True, "add-role-change"), added=True)
case("multi-org-preauth-join-newx-org-a", fx, "newx", [{"op": "join_preauth"}],
     "Section 4: o=a.example matches the second entry, org_a_user (2).", pre=pre_mo, claims=[ORG_A],
     expect=(True, "preauth-match"), added=True)
case("multi-org-preauth-unlisted-banned-user-joins", fx, "erin", [{"op": "join_preauth"}],
     "Section 4: erin is no longer in the participant list (the policy_enforcer removed her entry), so her "
     "preauthorization is consulted.", pre=pre_mo, claims=[ORG_A], parts=participants(fx, drop=("erin",)),
     expect=(True, "preauth-match"), added=True)
case("multi-org-preauth-departed-member-joins", fx, "au", [{"op": "join_preauth"}],
     "Section 4: au has left the participant list, so its preauthorization is consulted.", pre=pre_mo, claims=[ORG_A],
     parts=participants(fx, drop=("au",)), expect=(True, "preauth-match"), added=True)
case("multi-org-preauth-admin-via-own-role-within-max-3", fx, "aa", [{"op": "change_own_role"}],
     "Section 8.1.3: org_a_admin's first match is org_b_admin (6), held by two: aa becomes the third.",
     flags=["Boundary"], pre=pre_b6, claims=[ORG_B], expect=(True, "preauth-match"), added=True)
case("join-code-on-user-departed-member-joins", "strict-join-code-on-user", "carol",
     [{"op": "join_code", "role": 2}],
     "Section 8.1.1: carol has left the participant list; role 0 holds canUseJoinCode and (0,[2]).",
     flags=["Derived"], parts=participants("strict-join-code-on-user", drop=("carol",)), expect=(True, "join-code"),
     added=True)
case("no-self-removal-ordinary-cannot-leave", "cooperative-no-self-removal", "carol", [{"op": "leave"}],
     "Section 8.1.2: ordinary_user lacks canRemoveSelf here (it keeps the entry (2,[0])); dave commits.",
     flags=["Derived"], committer="dave", expect=(False, "capability-missing"), added=True)


# --------------------------------------------------------------------------------------------
# Controls (see "Controls" above Decision cases).

# The Appendix A role set a derived one changes: a derived fixture may deny a change for good (no
# ban can succeed where role 1 is not "banned"), so its control may be the same change there.
BASE = {"cooperative-open-join": "cooperative", "cooperative-open-join-on-user": "cooperative-open-join",
        "strict-one-active-user": "strict", "cooperative-no-banned-role": "cooperative",
        "cooperative-ordinary-entries": "cooperative", "cooperative-dangling-role": "cooperative",
        "strict-join-code-on-user": "strict", "cooperative-no-self-removal": "cooperative"}
assert set(BASE) == {name for name, _, _, flags, _ in FIXTURES if "Derived" in flags}
# Rules that deny a combination of changes: no commit of the same changes is ever allowed, so the
# control is a commit of the same actor that starts with the same change.
COMBINATION_RULES = {"role-update-with-membership-change", "preauth-update-with-membership-change"}


def ops(c):
    return tuple((a["op"], a.get("field")) for a in c["change"]["actions"])


def control_of(d):
    """The best control of deny case d: an allowed case of the same kind of change, by the same
    actor if there is one, in the same fixture before its base one; failing those, the same actor's
    change in another role set (a role 0 capability that one set offers and another does not)."""
    fx, actor = d["fixture"], d["change"]["actor"]
    rule = d["expected"]["rule"]
    allowed = [c for c in CASES if c["expected"]["allowed"]]
    if rule in COMBINATION_RULES:
        same = [c for c in allowed if c["fixture"] == fx and c["change"]["actor"] == actor and ops(c)[0] == ops(d)[0]]
        return same[0] if same else None
    every = tuple(FIX)
    for fixtures, by_actor in (((fx,), True), ((BASE.get(fx),), True), ((fx,), False), ((BASE.get(fx),), False),
                               (every, True)):
        same = [c for c in allowed if c["fixture"] in fixtures and ops(c) == ops(d)
                and (not by_actor or c["change"]["actor"] == actor)]
        if same:
            return same[0]
    return None


def pair_controls():
    missing, by_other = [], []
    for d in CASES:
        if d["expected"]["allowed"]:
            continue
        c = control_of(d)
        if c is None:
            missing.append(d["slug"])
            continue
        d["expected"]["control"] = c["tcId"]
        if c["change"]["actor"] != d["change"]["actor"]:
            by_other.append(d)
    if missing:
        raise SystemExit("deny cases without a control: " + ", ".join(missing))
    # By another actor only where the actor can never make such a change.
    odd = [d["slug"] for d in by_other
           if d["expected"]["rule"] != "capability-missing" and d["slug"] not in NO_OWN_CONTROL]
    if odd:
        raise SystemExit("deny cases whose control is by another actor: " + ", ".join(odd))


# Deny cases whose actor holds the capability and still can never make that kind of change.
NO_OWN_CONTROL = {
    "multi-org-policy-enforcer-cannot-restore-banned":
        "policy_enforcer's only entry from 1 is [0]: it unbans to no role",
}


# --------------------------------------------------------------------------------------------
# Codec cases

CODEC = []


def codec_case(slug, struct_name, section, data, comment, expected=None, rule=None, flags=()):
    c = {"tcId": len(CODEC) + 1, "slug": slug, "section": section, "result": "invalid" if rule else "valid",
         "flags": list(flags), "comment": comment, "struct": struct_name, "hex": data.hex()}
    if rule:
        c["rule"] = rule
        c["req"] = "POL-S01"
    else:
        c["expected"] = expected
        c["req"] = "POL-S01"
    CODEC.append(c)


for name, section, roles, _, _ in FIXTURES[:4]:
    codec_case(f"role-data-{name}", "RoleData", section, enc_role_data({"roles": roles}),
               f"Appendix {section} role set as RoleData.", expected={"roles": roles})
ROLE = role_of("multi-org", 6)
codec_case("role-org-b-admin", "Role", "3", enc_role(ROLE), "A.4 org_b_admin: both optional maxima, one present.",
           expected=ROLE)
r_unreg = enc_role(role(2, "bot", [], []))
# role_capabilities sits after role_index (4), role_name (4) and role_description (1): splice in 0xf00d.
r_unreg = r_unreg[:9] + b"\x02\xf0\x0d" + r_unreg[10:]
exp = role(2, "bot", [], [])
exp["role_capabilities"] = [0xF00D]
codec_case("role-private-use-capability", "Role", "10.2", r_unreg,
           "A capability code in the private-use range (0xf00d) decodes and travels as a number.", expected=exp)
B = base(max_users=50, parent_dependant=True, parent_room=["mimi://example.com/r/parent"])
codec_case("base-room-policy-parent-dependent", "BaseRoomPolicy", "5", enc_base(B),
           "Section 5: parent-dependent room with its parent's room ID, max_users 50, no max_clients.", expected=B)
codec_case("status-notification-policy", "StatusNotificationPolicy", "6.1", bytes([1, 0]),
           "delivery_notifications required, read_receipts optional.",
           expected={"delivery_notifications": "required", "read_receipts": "optional"})
ME = {"expiring_messages": "optional",
      "settings": {"min_expiration_duration": 60, "max_expiration_duration": 86400, "default_expiration_duration": None}}
codec_case("message-expiration-optional", "MessageExpiration", "6.8",
           bytes([0]) + u32(60) + u32(86400) + b"\x00", "Section 6.8: optional, no default.", expected=ME)
codec_case("message-expiration-forbidden", "MessageExpiration", "6.8", bytes([2]),
           "Section 6.8: forbidden: nothing follows the tag.", expected={"expiring_messages": "forbidden", "settings": None})
LP = {"autodetect_hyperlinks_in_text": "optional", "send_link_previews": "optional", "automatic_link_previews": "forbidden",
      "link_preview_proxy_use": "required", "link_preview_proxy": ["https://proxy.example.com/"]}
codec_case("link-preview-policy-proxy-required", "LinkPreviewPolicy", "6.3",
           bytes([0, 0, 2, 1]) + vec(text("https://proxy.example.com/")),
           "Section 6.3: link_preview_proxy_use 'mandatory' (required(1)) with one proxy URI.", expected=LP)
JU = {"removedIndices": [0, 2], "added_links": [{"join_link": "https://join.example.com/x"}]}
codec_case("join-links-update", "JoinLinksUpdate", "6.2",
           vec(u32(0) + u32(2)) + vec(text("https://join.example.com/x")),
           "Section 6.2: JoinLink.join_link read as opaque<V>.", expected=JU)
PA = preauth("strict", [([ORG_A], 2)])
codec_case("preauth-data", "PreAuthData", "4", enc_preauth(PA), "Section 4: one entry, one claim, A.2 ordinary_user.",
           expected=PA)
codec_case("history-policy-forbidden", "HistoryPolicy", "6.6", bytes([2]), "Section 6.6: forbidden.",
           expected={"history_sharing": "forbidden", "settings": None})
codec_case("pending-proposal-random-delay", "PendingProposalPolicy", "7", bytes([2]) + u64(10) + u64(500),
           "Section 7: random_delay with its two delays.",
           expected={"pending_proposal_strategy": "random_delay", "delay_ms": [10, 500]})

# Malformed inputs.
rd = enc_role_data({"roles": COOPERATIVE[:2]})
codec_case("trailing-byte-after-role-data", "RoleData", "3", rd + b"\x00", "A.1 roles 0 and 1, then one byte more.",
           rule="trailing-bytes")
codec_case("truncated-role-index", "Role", "3", enc_role(COOPERATIVE[0])[:2], "A Role cut inside role_index.",
           rule="truncated")
codec_case("truncated-inside-roles-vector", "RoleData", "3", rd[:-3],
           "RoleData cut three bytes short: the roles vector declares more than remains.", rule="over-long-vector")
r0 = bytearray(enc_role(COOPERATIVE[0]))
# no_role: index(4) name(1+7) description(1) capabilities(1) min(4) -> max presence octet at 18.
assert r0[18] == 0
r0[18] = 2
codec_case("bad-optional-flag-max-participants", "Role", "3", bytes(r0),
           "maximum_participants_constraint's presence octet is 2.", rule="bad-optional-presence")
b = bytearray(enc_base(base()))
b[0] = 2
codec_case("bad-bool-fixed-membership", "BaseRoomPolicy", "5", bytes(b), "fixed_membership octet 2.", rule="bad-bool")
codec_case("huge-declared-length", "RoleData", "3", bytes([0xbf, 0xff, 0xff, 0xff]) + b"\x00" * 8,
           "The roles vector declares 2^30-1 bytes; 8 follow.", rule="over-long-vector", flags=["Hostile"])
codec_case("eight-octet-length", "RoleData", "3", bytes([0xc0, 0, 0, 0, 0, 0, 0, 0]),
           "The 8-octet variable-size length form does not exist in RFC 9420 section 2.1.2.",
           rule="bad-length-prefix", flags=["Hostile"])
codec_case("non-minimal-length", "RoleData", "3", bytes([0x40, 0x00]),
           "An empty roles vector with a two-octet length.", rule="non-minimal-length")
codec_case("element-overruns-vector", "SingleSourceRoleChangeTargets", "3", u32(0) + bytes([0x03]) + u32(2),
           "target_role_indexes declares 3 bytes but holds a uint32 of 4.", rule="vector-length-mismatch")
codec_case("unknown-optionality", "StatusNotificationPolicy", "6.1", bytes([0, 3]),
           "read_receipts 3 is not an Optionality value.", rule="bad-enum-value")
codec_case("pending-proposal-extension-arm", "PendingProposalPolicy", "7", bytes([3, 0, 0x24]),
           "The 'extension' arm has no PendingProposalStrategy value; 3 is unknown.", rule="bad-enum-value")
codec_case("empty-input", "RoleData", "3", b"", "No bytes at all.", rule="truncated")

# --------------------------------------------------------------------------------------------


def write(name, kind, flags, tests):
    doc = {"schema": SCHEMA, "kind": kind, "draft": DRAFT, "rev": REV, "source": SOURCE, "generator": GENERATOR,
           "flags": flags, "tests": tests}
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")


def check_a3_readings():
    """No moderated case may rest on the two A.3 readings (speaker includes the attendee's
    capabilities, moderator and super_admin the speaker's) unless the catalog names it as a
    reading: fail here when a case's capability reaches its role only through one of them."""
    through_reading = {4: set(A3_ATTENDEE), 5: set(A3_SPEAKER), 6: set(A3_SPEAKER)}
    roles = {name: r for name, r, _ in POP["moderated"]}
    for c in CASES:
        if c["fixture"] != "moderated":
            continue
        role = roles.get(c["change"]["actor"].rsplit("/", 1)[-1])
        for entry in c.get("preauthorized_entries", []):
            role = entry["target_role"]["role_index"]
        if c["expected"].get("capability") in through_reading.get(role, set()):
            raise SystemExit(f"{c['slug']}: {c['expected']['capability']} reaches role {role} only through an A.3 "
                             "reading; name the case under that reading in the room-policy catalog")


def main():
    os.makedirs(OUT, exist_ok=True)
    pair_controls()
    check_a3_readings()
    fixtures = []
    for name, section, roles, flags, comment in FIXTURES:
        fixtures.append({"tcId": len(fixtures) + 1, "slug": name, "name": name, "section": section, "result": "valid",
                         "flags": flags, "comment": comment, "roles": {"roles": roles},
                         "hex": enc_role_data({"roles": roles}).hex()})
    write("fixtures.json", "policy-fixtures",
          {"Derived": "Not in the draft: an Appendix A role set with one deliberate change, named in the comment."},
          fixtures)
    write("decisions.json", "policy-decision", {
        "Matrix": "One of a systematic set (every actor against every target, leaving out the cells that more "
                  "than one rule denies, or every metadata field).",
        "Derived": "An assertion the draft's prose makes about its own example, or a derived role set.",
        "Boundary": "A minimum or maximum constraint exactly at its limit (allowed) or just past it (denied).",
        "Combination": "Several changes in one commit.",
    }, sorted(CASES, key=lambda c: c["tcId"]))
    write("codec.json", "policy-codec", {
        "Hostile": "A length chosen to make a careless decoder allocate or read far past the input."}, CODEC)
    allowed = sum(1 for c in CASES if c["expected"]["allowed"])
    print(f"{len(fixtures)} fixtures, {len(CASES)} decision cases ({allowed} allowed), {len(CODEC)} codec cases")


if __name__ == "__main__":
    main()
