#!/usr/bin/env python3
"""Writes vectors/protocol/*.json: draft-ietf-mimi-protocol-06 wire-format test vectors.

Every struct is encoded here independently of the Rust codec, from the TLS presentation
language of the rendered -06 text (and draft-mahy-mls-ratchet-tree-options), together with the
JSON the codec must decode it to. An encoding is kept as its top-level pieces (fixed-size fields,
select discriminators, length-prefixed vectors), so that each invalid case breaks exactly one
rule at a known place:

  truncated        the input ends inside a fixed-size field (or before the first length header)
  trailing-bytes   one 0x00 after a whole struct
  over-long-vector a top-level vector declares one byte more than is left, or 2^30-1
  bad-enum-value   a select discriminator with no arm
  vector-length-mismatch  a vector's last element runs past the vector's declared length
  ...              bad-length-prefix, non-minimal-length, bad-optional-presence, mls-message-shape,
                   malformed-mls-object

These are the slugs of src/codec/tls (Rule), one vocabulary with the room-policy vectors.

The RFC 9420 objects the structs embed (MLSMessage, KeyPackage, Welcome, GroupInfo) are real ones,
read from mls-samples.json (written once by `cargo run --example mls_samples`), and are embedded
whole, without a length header, as -06 writes them.

Run from the repository root: python3 tools/protocol-vectors/generate.py   (deterministic)
"""

import json
import os

OUT = "vectors/protocol"
SOURCE = ("draft-ietf-mimi-protocol-06 (ietf-wg-mimi/mimi-protocol @ 833394a, the submitted -06 of "
          "25 Apr 2026) §5-§7, section numbers from the rendered -06 text, and "
          "draft-mahy-mls-ratchet-tree-options §3-§4; structs encoded by an independent Python "
          "encoder; MLS objects (MLSMessage, KeyPackage, Welcome, GroupInfo) are real ones made by "
          "openmls 0.9 (tools/protocol-vectors/mls-samples.json), embedded whole without a length "
          "prefix: an MLSMessage where -06 says MLSMessage, the bare struct where it says KeyPackage, "
          "Welcome or GroupInfo")
FLAGS = {
    "Arm": "Exercises one arm of a select.",
    "Empty": "Empty vectors or absent optionals.",
    "OpenEnum": "Carries a code point the draft does not define where no layout depends on it (decodes).",
    "AlternativeReading": "Decoded under the alternative reading of a -06 inconsistency (Reading::alternative()).",
    "Hostile": "A declared length far beyond the input (2^30-1): must fail without allocating it.",
}


def read_vlen(b):
    """(value, header size) of the RFC 9420 §2.1.2 length header at the start of b."""
    size = {0: 1, 1: 2, 2: 4}[b[0] >> 6]
    return int.from_bytes(b[:size], "big") & ((1 << (8 * size - 2)) - 1), size


def vlen(n):
    if n < 0x40:
        return bytes([n])
    if n < 0x4000:
        return (0x4000 | n).to_bytes(2, "big")
    assert n < 0x40000000
    return (0x80000000 | n).to_bytes(4, "big")


class E:
    """An encoding: top-level pieces [(kind, bytes)] and the JSON of the decoded value."""

    def __init__(self, pieces, js):
        self.pieces = pieces
        self.js = js

    @property
    def raw(self):
        return b"".join(b for _, b in self.pieces)


def fixed(v, size, js=None):
    return E([("fixed", v.to_bytes(size, "big"))], v if js is None else js)


def disc(v, size, names):
    return E([("disc", v.to_bytes(size, "big"))], names.get(v, v))


def enum(v, size, names):
    return E([("fixed", v.to_bytes(size, "big"))], names.get(v, v))


def opaque(b):
    if isinstance(b, str):
        b = b.encode()
    return E([("vec", vlen(len(b)) + b)], b.hex())


def mls(b):
    """An RFC 9420 object embedded whole: it delimits itself, so there is no length header."""
    return E([("mls", b)], b.hex())


def array32(b):
    assert len(b) == 32
    return E([("fixed", b)], b.hex())


def vec(items):
    body = b"".join(i.raw for i in items)
    return E([("vec", vlen(len(body)) + body)], [i.js for i in items])


def optional(item):
    if item is None:
        return E([("presence", b"\x00")], None)
    return E([("presence", b"\x01")] + item.pieces, item.js)


def struct(*fields):
    pieces, js = [], {}
    for key, e in fields:
        pieces += e.pieces
        if key is None:  # flattened struct
            js.update(e.js)
        else:
            js[key] = e.js
    return E(pieces, js)


def transparent(e):
    return e


# ----------------------------------------------------------------------------------------------
# Code points

PROTOCOL = {0: "reserved", 1: "mls10"}
CIPHERSUITE = {1: "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519", 2: "MLS_128_DHKEMP256_AES128GCM_SHA256_P256",
               3: "MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519", 4: "MLS_256_DHKEMX448_AES256GCM_SHA512_Ed448",
               5: "MLS_256_DHKEMP521_AES256GCM_SHA512_P521", 6: "MLS_256_DHKEMX448_CHACHA20POLY1305_SHA512_Ed448",
               7: "MLS_256_DHKEMP384_AES256GCM_SHA384_P384"}
VERSION = {1: "mls10"}
EXT = {1: "application_id", 2: "ratchet_tree", 3: "required_capabilities", 4: "external_pub", 5: "external_senders"}
PROP = {1: "add", 2: "update", 3: "remove", 4: "psk", 5: "reinit", 6: "external_init", 7: "group_context_extensions"}
CRED = {1: "basic", 2: "x509"}
USER_CODE = {0: "success", 1: "partialSuccess", 2: "incompatibleProtocol", 3: "noCompatibleMaterial",
             4: "userUnknown", 5: "noConsent", 6: "noConsentForThisRoom", 7: "userDeleted"}
CLIENT_CODE = {0: "success", 1: "keyMaterialExhausted", 2: "nothingCompatible"}
GI_REPR = {0: "reserved", 1: "full", 2: "partial"}
UPDATE_CODE = {0: "success", 1: "wrongEpoch", 2: "notAllowed", 3: "invalidProposal"}
SUBMIT_CODE = {0: "accepted", 1: "notAllowed", 2: "epochTooOld"}
GI_CODE = {0: "reserved", 1: "success", 2: "notAuthorized", 3: "noSuchRoom"}
CONSENT_OP = {0: "cancel", 1: "request", 2: "grant", 3: "revoke"}
SEARCH = {0: "reserved", 1: "handle", 2: "nick", 3: "email", 4: "phone", 5: "partialName", 6: "wholeProfile",
          7: "oidcStdClaim", 8: "vcardField"}
ID_CODE = {0: "success", 1: "notFound", 2: "ambiguous", 3: "forbidden", 4: "unsupportedField"}
FIELD_SOURCE = {0: "reserved", 7: "oidcStdClaim", 8: "vcardField"}
ABUSE = {0: "reserved"}
RT_REPR = {0: "reserved", 1: "full", 2: "httpsUri", 3: "outOfBand", 4: "distributionService"}
RT_PRESENCE = {0: "no_ratchet_tree", 1: "present", 2: "removed", 3: "added"}

# ----------------------------------------------------------------------------------------------
# Common structs


def uri(s):
    return opaque(s)  # IdentifierUri / Uri / UTF8String are transparent in JSON


def u16vec(vals, names):
    return vec([enum(v, 2, names) for v in vals])


def capabilities():
    return struct(("versions", u16vec([1], VERSION)), ("cipher_suites", u16vec([1, 3], CIPHERSUITE)),
                  ("extensions", u16vec([5, 0xf022], EXT)), ("proposals", u16vec([0xf001], PROP)),
                  ("credentials", u16vec([1], CRED)))


def required_capabilities(empty=False):
    if empty:
        return struct(("extension_types", vec([])), ("proposal_types", vec([])), ("credential_types", vec([])))
    return struct(("extension_types", u16vec([0xf022], EXT)), ("proposal_types", u16vec([0xf001], PROP)),
                  ("credential_types", u16vec([1], CRED)))


def basic_credential(identity):
    return struct(("credential_type", enum(1, 2, CRED)), ("identity", opaque(identity)))


def x509_credential():
    certs = vec([struct(("cert_data", opaque(bytes.fromhex("3082000a0a0b0c")))),
                 struct(("cert_data", opaque(bytes.fromhex("30820001ff"))))])
    return struct(("credential_type", enum(2, 2, CRED)), ("certificates", certs))


def external_sender(domain):
    return struct(("signature_key", opaque(bytes(range(32)))), ("credential", basic_credential(domain)))


def hpke_ciphertext():
    return struct(("kem_output", opaque(bytes([0x11] * 32))), ("ciphertext", opaque(bytes([0x22] * 48))))


def app_data_dictionary(n=0):
    items = [struct(("component_id", fixed(0x8000 + i, 2)), ("data", opaque(bytes([i] * 3)))) for i in range(n)]
    return struct(("component_data", vec(items)))


def extension(t, data):
    return struct(("extension_type", enum(t, 2, EXT)), ("extension_data", opaque(data)))


# Real MLS objects (see the module docstring): MLSMessages as openmls serialized them.
SAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mls-samples.json")
with open(SAMPLES) as _f:
    S = {k: bytes.fromhex(v["hex"]) for k, v in json.load(_f)["samples"].items()}


def bare(message, wire_format):
    """The struct inside an MLSMessage: RFC 9420 §6 puts version (mls10) and wire_format first."""
    assert message[:4] == b"\x00\x01" + wire_format.to_bytes(2, "big")
    return message[4:]


def private_content_type_at(message):
    """Offset of a PrivateMessage's content_type: after the MLSMessage header, group_id<V>, epoch."""
    assert message[:4] == b"\x00\x01\x00\x02"
    n, h = read_vlen(message[4:])
    return 4 + h + n + 8


MLS_COMMIT = S["commit"]  # PublicMessage, member sender, commit
MLS_PROPOSAL = S["proposal"]  # PublicMessage, external sender 0 (the hub), proposal
MLS_PROPOSAL2 = S["proposal_2"]  # another one
MLS_APP = S["application"]  # PrivateMessage, application
MLS_WELCOME = S["welcome"]
MLS_GROUPINFO = S["group_info"]
KEY_PACKAGE = bare(S["key_package"], 5)
KEY_PACKAGE2 = bare(S["key_package_2"], 5)
GROUP_INFO = bare(MLS_GROUPINFO, 4)  # carries the ratchet_tree extension, which §5.3 and §5.6 omit
WELCOME = bare(MLS_WELCOME, 3)


def with_byte(b, at, value):
    out = bytearray(b)
    out[at] = value
    return bytes(out)


# The application PrivateMessage relabelled as a commit: the framing of a PrivateMessage commit
# (its ciphertext no longer decrypts, which a codec does not see).
MLS_PRIVATE_COMMIT = with_byte(MLS_APP, private_content_type_at(MLS_APP), 3)

ALICE = "mimi://a.example/u/alice"
BOB = "mimi://b.example/u/bob"
ROOM = "mimi://a.example/r/clubhouse"


def frank():
    return struct(("server_frank", array32(bytes(range(0xa0, 0xc0)))),
                  ("franking_signature_ciphersuite", enum(1, 2, CIPHERSUITE)),
                  ("franking_integrity_signature", opaque(bytes([0x5f] * 64))))


# ----------------------------------------------------------------------------------------------
# Families. Each returns (valid cases, negative bases); a valid case is
# (struct, slug, section, flags, comment, E, reading); a negative base names the struct whose
# bytes get mutated.


def key_material():
    def tbs(protocol=1, cs=(1, 3), empty_caps=False, cred=None):
        return [("protocol", disc(protocol, 1, PROTOCOL)), ("requestingUser", uri(ALICE)),
                ("targetUser", uri(BOB)), ("roomId", uri(ROOM)),
                ("acceptableCiphersuites", u16vec(list(cs), CIPHERSUITE)),
                ("requiredCapabilities", required_capabilities(empty_caps)),
                ("requesterSignatureKey", opaque(bytes(range(32)))),
                ("requesterCredential", cred or basic_credential(ALICE))]

    req = struct(*tbs(), ("key_material_request_signature", opaque(bytes([0x99] * 64))))
    req_x509 = struct(*tbs(cs=(2,), empty_caps=True, cred=x509_credential()),
                      ("key_material_request_signature", opaque(b"")))
    ckm_ok = struct(("clientStatus", disc(0, 1, CLIENT_CODE)), ("clientUri", uri("mimi://b.example/d/bob1")),
                    ("keyPackage", mls(KEY_PACKAGE)))
    ckm_exh = struct(("clientStatus", disc(1, 1, CLIENT_CODE)), ("clientUri", uri("mimi://b.example/d/bob2")))
    ckm_nc = struct(("clientStatus", disc(2, 1, CLIENT_CODE)), ("clientUri", uri("mimi://b.example/d/bob3")),
                    ("clientCapabilities", optional(capabilities())))
    ckm_nc0 = struct(("clientStatus", disc(2, 1, CLIENT_CODE)), ("clientUri", uri("mimi://b.example/d/bob4")),
                     ("clientCapabilities", optional(None)))
    resp = struct(("protocol", fixed(1, 1, "mls10")), ("userStatus", enum(1, 1, USER_CODE)), ("userUri", uri(BOB)),
                  ("clients", vec([ckm_ok, ckm_exh, ckm_nc, ckm_nc0])))
    resp_unknown = struct(("protocol", fixed(1, 1, "mls10")), ("userStatus", enum(200, 1, USER_CODE)),
                          ("userUri", uri(BOB)), ("clients", vec([])))
    resp_incompat = struct(("protocol", fixed(9, 1, 9)), ("userStatus", enum(2, 1, USER_CODE)),
                           ("userUri", uri(BOB)), ("clients", vec([])))
    valid = [
        ("KeyMaterialRequest", "key-material-request", "5.2", ["Arm"], "mls10 request, basic credential.", req),
        ("KeyMaterialRequest", "key-material-request-x509-empty", "5.2", ["Arm", "Empty"],
         "x509 credential, empty RequiredCapabilities lists and an empty signature.", req_x509),
        ("KeyMaterialRequestTBS", "key-material-request-tbs", "5.2", [], "The request without its signature.",
         struct(*tbs())),
        ("ClientKeyMaterial", "client-key-material-success", "5.2", ["Arm"], "success arm: a KeyPackage.", ckm_ok),
        ("ClientKeyMaterial", "client-key-material-exhausted", "5.2", ["Arm"], "keyMaterialExhausted: no arm.", ckm_exh),
        ("ClientKeyMaterial", "client-key-material-nothing-compatible", "5.2", ["Arm"],
         "nothingCompatible with capabilities.", ckm_nc),
        ("KeyMaterialResponse", "key-material-response-partial", "5.2", ["Arm", "Empty"],
         "partialSuccess with one client of each code (one nothingCompatible without capabilities).", resp),
        ("KeyMaterialResponse", "key-material-response-unknown-user-code", "5.2", ["OpenEnum", "Empty"],
         "userStatus 200: KeyMaterialUserCode is open (no layout depends on it).", resp_unknown),
        ("KeyMaterialResponse", "key-material-response-unknown-protocol-no-clients", "5.2", ["OpenEnum", "Empty"],
         "incompatibleProtocol echoing protocol 9: decodes because the clients list is empty.", resp_incompat),
    ]
    extra = [
        ("ClientKeyMaterial", "client-key-material-key-package-as-mls-message", "5.2", "malformed-mls-object",
         "keyPackage sent as an MLSMessage (version, wire_format mls_key_package, KeyPackage): §5.2 embeds the "
         "KeyPackage itself, so its version and cipher_suite are read from the MLSMessage header.",
         ckm_ok.raw[:-len(KEY_PACKAGE)] + S["key_package"]),
        ("ClientKeyMaterial", "client-key-material-trailing-byte", "5.2", "trailing-bytes",
         "One 0x00 after the KeyPackage, which delimits itself: the byte is not part of it.", ckm_ok.raw + b"\x00"),
    ]
    return valid, [("KeyMaterialRequest", req, "5.2"), ("KeyMaterialResponse", resp, "5.2")], extra


def ratchet_tree():
    nodes = bytes.fromhex("01") + b"<leaf node 0>" + bytes.fromhex("00")
    full = struct(("representation", disc(1, 1, RT_REPR)), ("ratchet_tree", opaque(nodes)))
    https = struct(("representation", disc(2, 1, RT_REPR)),
                   ("ratchet_tree_url", opaque("https://hub.a.example/tree/clubhouse/7")),
                   ("tree_signature", opaque(bytes([0x33] * 64))))
    oob = struct(("representation", disc(3, 1, RT_REPR)), ("tree_signature", opaque(bytes([0x44] * 8))))
    ds = struct(("representation", disc(4, 1, RT_REPR)))
    pgi = struct(("ratchet_tree_presence", enum(1, 1, RT_PRESENCE)),
                 ("group_info_extensions", vec([extension(4, bytes([0x55] * 32))])),
                 ("signature", opaque(bytes([0x66] * 64))))
    pgi_open = struct(("ratchet_tree_presence", enum(9, 1, RT_PRESENCE)), ("group_info_extensions", vec([])),
                      ("signature", opaque(b"")))
    dl = struct(("domains", vec([struct(("domain", opaque("a.example"))), struct(("domain", opaque("cdn.a.example")))])))
    valid = [
        ("RatchetTreeOption", "ratchet-tree-option-full", "5.3", ["Arm"], "full: the Node vector's bytes.", full),
        ("RatchetTreeOption", "ratchet-tree-option-https", "5.3", ["Arm"], "httpsUri: URL and signature.", https),
        ("RatchetTreeOption", "ratchet-tree-option-out-of-band", "5.3", ["Arm"], "outOfBand: signature.", oob),
        ("RatchetTreeOption", "ratchet-tree-option-distribution-service", "5.3", ["Arm"], "distributionService: struct {}.", ds),
        ("PartialGroupInfo", "partial-group-info", "5.3", [], "present, with an external_pub extension.", pgi),
        ("PartialGroupInfo", "partial-group-info-unknown-presence", "5.3", ["OpenEnum", "Empty"],
         "ratchet_tree_presence 9 decodes (open); empty extensions and signature.", pgi_open),
        ("DomainList", "domain-list", "5.3", [], "ratchet_tree_source_domains with two domains.", dl),
    ]
    return valid, [("RatchetTreeOption", https, "5.3"), ("PartialGroupInfo", pgi, "5.3")]


def update():
    _, rto_https, _ = ratchet_tree()[1][0]
    rto_ds = struct(("representation", disc(4, 1, RT_REPR)))
    pgi = struct(("ratchet_tree_presence", enum(0, 1, RT_PRESENCE)), ("group_info_extensions", vec([])),
                 ("signature", opaque(bytes([0x66] * 64))))
    gio_full = struct(("representation", disc(1, 1, GI_REPR)), ("groupInfo", mls(GROUP_INFO)))
    gio_partial = struct(("representation", disc(2, 1, GI_REPR)), ("partialGroupInfo", pgi))
    hb_commit = struct(("proposalOrCommit", mls(MLS_COMMIT)), ("welcome", optional(mls(WELCOME))),
                       ("groupInfoOption", gio_full), ("ratchetTreeOption", rto_ds))
    hb_commit2 = struct(("proposalOrCommit", mls(MLS_COMMIT)), ("welcome", optional(None)),
                        ("groupInfoOption", gio_partial), ("ratchetTreeOption", rto_https))
    hb_prop = struct(("proposalOrCommit", mls(MLS_PROPOSAL)),
                     ("moreProposals", vec([mls(MLS_PROPOSAL2), mls(MLS_PROPOSAL)])))
    hb_app = struct(("proposalOrCommit", mls(MLS_APP)), ("moreProposals", vec([])))
    hb_private_commit = struct(("proposalOrCommit", mls(MLS_PRIVATE_COMMIT)), ("welcome", optional(None)),
                               ("groupInfoOption", gio_full), ("ratchetTreeOption", rto_ds))
    ur = struct(("bundle", hb_commit))
    resp_ok = struct(("responseCode", disc(0, 1, UPDATE_CODE)), ("errorDescription", opaque(b"")),
                     ("accepted_timestamp", fixed(1745600000123, 8)))
    resp_epoch = struct(("responseCode", disc(1, 1, UPDATE_CODE)), ("errorDescription", opaque("epoch moved")),
                        ("currentEpoch", fixed(8, 8)))
    resp_na = struct(("responseCode", disc(2, 1, UPDATE_CODE)), ("errorDescription", opaque("policy")))
    resp_inv = struct(("responseCode", disc(3, 1, UPDATE_CODE)), ("errorDescription", opaque(b"")),
                      ("invalidProposals", vec([opaque(bytes([0x0a] * 32)), opaque(bytes([0x0b] * 32))])))
    valid = [
        ("GroupInfoOption", "group-info-option-full", "5.3", ["Arm"], "full: a GroupInfo.", gio_full),
        ("GroupInfoOption", "group-info-option-partial", "5.3", ["Arm"], "partial: a PartialGroupInfo.", gio_partial),
        ("HandshakeBundle", "handshake-bundle-commit", "5.3", ["Arm"],
         "A PublicMessage commit with a Welcome, a full GroupInfo and distributionService.", hb_commit),
        ("HandshakeBundle", "handshake-bundle-commit-no-welcome", "5.3", ["Arm", "Empty"],
         "A commit without Welcome, partial GroupInfo, httpsUri tree.", hb_commit2),
        ("HandshakeBundle", "handshake-bundle-proposal", "5.3", ["Arm"],
         "A hub (external) proposal with two more proposals.", hb_prop),
        ("UpdateRequest", "update-request", "5.3", [], "An mls10 room: the body is the HandshakeBundle.", ur),
        ("UpdateRoomResponse", "update-room-response-success", "5.3", ["Arm", "Empty"], "success.", resp_ok),
        ("UpdateRoomResponse", "update-room-response-wrong-epoch", "5.3", ["Arm"], "wrongEpoch.", resp_epoch),
        ("UpdateRoomResponse", "update-room-response-not-allowed", "5.3", ["Arm"], "notAllowed: no arm.", resp_na),
        ("UpdateRoomResponse", "update-room-response-invalid-proposal", "5.3", ["Arm"], "invalidProposal.", resp_inv),
    ]
    extra = [
        ("HandshakeBundle", "handshake-bundle-application-message", "5.3", "bad-enum-value",
         "proposalOrCommit is a PrivateMessage with content_type application: HandshakeBundle has no arm for it.",
         hb_app.raw),
        ("HandshakeBundle", "handshake-bundle-private-commit", "5.3", "bad-enum-value",
         "proposalOrCommit is a commit sent as a PrivateMessage: §5.3 wants a PublicMessage or "
         "SemiPrivateMessage, which the hub can read.",
         hb_private_commit.raw),
        # An embedded MLS object delimits itself, so a cut one would read on into what follows it
        # (with a rule that depends on those bytes): these cuts end the input, or a vector, inside it.
        ("HandshakeBundle", "handshake-bundle-commit-cut-inside", "5.3", "malformed-mls-object",
         "The input ends %d octets into proposalOrCommit (a %d-octet commit)." % (len(MLS_COMMIT) // 2, len(MLS_COMMIT)),
         MLS_COMMIT[:len(MLS_COMMIT) // 2]),
        ("HandshakeBundle", "handshake-bundle-welcome-cut-inside", "5.3", "malformed-mls-object",
         "The input ends %d octets into the Welcome (%d octets)." % (len(WELCOME) // 2, len(WELCOME)),
         MLS_COMMIT + b"\x01" + WELCOME[:len(WELCOME) // 2]),
        ("HandshakeBundle", "handshake-bundle-more-proposals-cut-inside", "5.3", "malformed-mls-object",
         "moreProposals declares and holds only the first %d of %d octets of its MLSMessage: the proposal ends "
         "with the vector." % (len(MLS_PROPOSAL2) // 2, len(MLS_PROPOSAL2)),
         MLS_PROPOSAL + vlen(len(MLS_PROPOSAL2) // 2) + MLS_PROPOSAL2[:len(MLS_PROPOSAL2) // 2]),
        ("HandshakeBundle", "handshake-bundle-more-proposals-trailing-byte", "5.3", "mls-message-shape",
         "moreProposals declares one octet more than its two MLSMessages hold: the extra 0x00 is too short "
         "for an MLSMessage header.",
         MLS_PROPOSAL + vlen(len(MLS_PROPOSAL2) + len(MLS_PROPOSAL) + 1) + MLS_PROPOSAL2 + MLS_PROPOSAL + b"\x00"),
        ("HandshakeBundle", "handshake-bundle-unknown-wire-format", "5.3", "bad-enum-value",
         "proposalOrCommit has wire_format 0x0009, which RFC 9420 does not define: where it ends is unknown.",
         hb_prop.raw[:2] + b"\x00\x09" + hb_prop.raw[4:]),
        ("GroupInfoOption", "group-info-option-full-trailing-byte", "5.3", "trailing-bytes",
         "One 0x00 after the GroupInfo, which delimits itself: the byte is not part of it.", gio_full.raw + b"\x00"),
    ]
    # The bases with top-level vectors (the full GroupInfo arm and the Welcome have none left).
    return valid, [("HandshakeBundle", hb_commit2, "5.3"), ("UpdateRoomResponse", resp_inv, "5.3"),
                   ("GroupInfoOption", gio_partial, "5.3")], extra


def submit():
    req = struct(("protocol", disc(1, 1, PROTOCOL)), ("appMessage", mls(MLS_APP)),
                 ("sendingUri", uri("mimi://c.example/u/cathy")))
    ok = struct(("protocol", disc(1, 1, PROTOCOL)), ("statusCode", disc(0, 1, SUBMIT_CODE)),
                ("accepted_timestamp", fixed(1745600000456, 8)), ("frank", optional(frank())))
    ok0 = struct(("protocol", disc(1, 1, PROTOCOL)), ("statusCode", disc(0, 1, SUBMIT_CODE)),
                 ("accepted_timestamp", fixed(1745600000789, 8)), ("frank", optional(None)))
    na = struct(("protocol", disc(1, 1, PROTOCOL)), ("statusCode", disc(1, 1, SUBMIT_CODE)))
    old = struct(("protocol", disc(1, 1, PROTOCOL)), ("statusCode", disc(2, 1, SUBMIT_CODE)),
                 ("currentEpoch", fixed(12, 8)))
    valid = [
        ("SubmitMessageRequest", "submit-message-request", "5.4", [], "A PrivateMessage and the sending user.", req),
        ("SubmitMessageResponse", "submit-message-response-accepted-franked", "5.4", ["Arm"],
         "accepted (the select's 'success') with a Frank.", ok),
        ("SubmitMessageResponse", "submit-message-response-accepted", "5.4", ["Arm", "Empty"],
         "accepted without a Frank.", ok0),
        ("SubmitMessageResponse", "submit-message-response-not-allowed", "5.4", ["Arm"], "notAllowed: no arm.", na),
        ("SubmitMessageResponse", "submit-message-response-epoch-too-old", "5.4", ["Arm"], "epochTooOld.", old),
        ("Frank", "frank", "5.4", [], "server_frank, cipher suite and signature.", frank()),
    ]
    bad_presence = bytearray(ok.raw)
    bad_presence[1 + 1 + 8] = 2
    extra = [
        ("SubmitMessageResponse", "submit-message-response-bad-frank-presence", "5.4",
         "bad-optional-presence", "The optional<Frank> presence octet is 2.", bytes(bad_presence)),
        ("SubmitMessageRequest", "submit-message-request-app-message-cut", "5.4", "malformed-mls-object",
         "The input ends %d octets into appMessage (a %d-octet PrivateMessage)." % (len(MLS_APP) // 2, len(MLS_APP)),
         req.raw[:1 + len(MLS_APP) // 2]),
        ("SubmitMessageRequest", "submit-message-request-app-message-version", "5.4", "bad-enum-value",
         "appMessage has version 0x0002: RFC 9420 §6 has `ProtocolVersion version = mls10`.", with_byte(req.raw, 2, 2)),
    ]
    return valid, [("SubmitMessageRequest", req, "5.4"), ("SubmitMessageResponse", ok, "5.4")], extra


def franking():
    aad = struct(("franking_tag", array32(bytes(range(32)))))
    agent = struct(("franking_signature_key", opaque(bytes([0x77] * 32))),
                   ("credential", basic_credential("mimi://a.example")))
    ctx = struct(("sender_uri", uri(ALICE)), ("room_uri", uri(ROOM)), ("accepted_timestamp", fixed(1745600000456, 8)))
    tbs = struct(("server_frank", array32(bytes(range(0xa0, 0xc0)))),
                 ("franking_signature_ciphersuite", enum(1, 2, CIPHERSUITE)), ("context", ctx))
    valid = [
        ("FrankAAD", "frank-aad", "5.4.1", [], "A 32-octet franking tag.", aad),
        ("FrankingAgentData", "franking-agent-data", "5.4.1", [], "The hub's franking key and credential.", agent),
        ("ServerFrankingContext", "server-franking-context", "5.4.1.2", [], "Sender, room, timestamp.", ctx),
        ("FrankingIntegrityTBS", "franking-integrity-tbs", "5.4.1.2", [], "What the hub signs.", tbs),
    ]
    return valid, [("FrankingIntegrityTBS", tbs, "5.4.1.2"), ("FrankAAD", aad, "5.4.1")]


def fanout():
    rto = struct(("representation", disc(4, 1, RT_REPR)))
    app = struct(("timestamp", fixed(1745600000456, 8)), ("message", mls(MLS_APP)), ("frank", optional(frank())))
    app0 = struct(("timestamp", fixed(1745600000457, 8)), ("message", mls(MLS_APP)), ("frank", optional(None)))
    wel = struct(("timestamp", fixed(1745600000458, 8)), ("message", mls(MLS_WELCOME)), ("ratchetTreeOption", rto))
    prop = struct(("timestamp", fixed(1745600000459, 8)), ("message", mls(MLS_PROPOSAL)),
                  ("moreProposals", vec([mls(MLS_PROPOSAL2)])))
    com = struct(("timestamp", fixed(1745600000460, 8)), ("message", mls(MLS_COMMIT)),
                 ("externalProposals", vec([])))
    alt = struct(("timestamp", fixed(1745600000461, 8)), ("protocol", fixed(1, 1, "mls10")),
                 ("message", mls(MLS_COMMIT)), ("externalProposals", vec([mls(MLS_PROPOSAL)])))
    valid = [
        ("FanoutMessage", "fanout-application-franked", "5.5", ["Arm"], "An application message with a Frank.", app),
        ("FanoutMessage", "fanout-application", "5.5", ["Arm", "Empty"], "An application message, no Frank.", app0),
        ("FanoutMessage", "fanout-welcome", "5.5", ["Arm"], "A Welcome with a RatchetTreeOption.", wel),
        ("FanoutMessage", "fanout-proposal", "5.5", ["Arm"], "A proposal with moreProposals.", prop),
        ("FanoutMessage", "fanout-commit", "5.5", ["Arm", "Empty"], "A commit, no stapled proposals.", com),
    ]
    alt_cases = [("FanoutMessage", "fanout-commit-protocol-field", "5.5", ["Arm", "AlternativeReading"],
                  "PROT-X05 alternative: a Protocol field after timestamp.", alt)]
    extra = [
        ("FanoutMessage", "fanout-group-info-message", "5.5", "bad-enum-value",
         "message is an MLSMessage of wire format mls_group_info: no arm.",
         struct(("timestamp", fixed(1, 8)), ("message", mls(MLS_GROUPINFO))).raw + b"\x00"),
        ("FanoutMessage", "fanout-message-too-short", "5.5", "mls-message-shape",
         "The input ends 3 octets into message: too short for an MLSMessage header (version, wire_format).",
         fixed(1, 8).raw + b"\x00\x01\x00"),
        ("FanoutMessage", "fanout-unknown-wire-format", "5.5", "bad-enum-value",
         "message has wire_format 0x0009, which RFC 9420 does not define: no arm, and where it ends is unknown.",
         app0.raw[:10] + b"\x00\x09" + app0.raw[12:]),
        ("FanoutMessage", "fanout-more-proposals-cut-inside", "5.5", "malformed-mls-object",
         "moreProposals declares and holds only the first %d of %d octets of its MLSMessage: the proposal "
         "ends with the vector." % (len(MLS_PROPOSAL2) // 2, len(MLS_PROPOSAL2)),
         fixed(1745600000459, 8).raw + MLS_PROPOSAL + vlen(len(MLS_PROPOSAL2) // 2) + MLS_PROPOSAL2[:len(MLS_PROPOSAL2) // 2]),
    ]
    return valid, [("FanoutMessage", app, "5.5")], extra, alt_cases


def group_info():
    def tbs_fields(code):
        return [("protocol", disc(1, 1, PROTOCOL)), ("cipher_suite", enum(1, 2, CIPHERSUITE)),
                ("requestingSignatureKey", opaque(bytes([0x12] * 32))),
                ("requestingCredential", basic_credential("mimi://c.example/d/cathy2")),
                ("groupInfoPublicKey", opaque(bytes([0x13] * 32))), ("joiningCode", code)]

    tbs = struct(*tbs_fields(optional(None)))
    req = struct(*tbs_fields(optional(opaque("JOIN-1234"))), ("signature", opaque(bytes([0x14] * 64))))
    req_alt = struct(*tbs_fields(opaque(b"")), ("signature", opaque(bytes([0x14] * 64))))
    pp = struct(("proposal", mls(MLS_PROPOSAL)), ("hub_accepted_time", fixed(1745600000999, 8)))
    tbe = struct(("groupInfo", mls(GROUP_INFO)), ("ratchetTreeOption", struct(("representation", disc(4, 1, RT_REPR)))),
                 ("pending_proposals", vec([pp])))
    success = [("cipher_suite", enum(1, 2, CIPHERSUITE)), ("hub_sender", external_sender("mimi://a.example")),
               ("encrypted_groupinfo_and_tree", hpke_ciphertext())]
    head = [("version", fixed(1, 1, "mls10")), ("room_id", opaque(ROOM))]
    resp_tbs = struct(*head, ("status", enum(1, 1, GI_CODE)), *success)
    resp = struct(*head, ("status", enum(1, 1, GI_CODE)), *success, ("signature", opaque(bytes([0x15] * 64))))
    resp_na = struct(*head, ("status", enum(2, 1, GI_CODE)))
    resp_open = struct(*head, ("status", enum(77, 1, GI_CODE)))
    valid = [
        ("GroupInfoRequestTBS", "group-info-request-tbs", "5.6", ["Empty"], "No joining code.", tbs),
        ("GroupInfoRequest", "group-info-request-joining-code", "5.6", [], "With a joining code.", req),
        ("PendingProposal", "pending-proposal", "5.6", [], "A proposal and its acceptance time.", pp),
        ("GroupInfoRatchetTreeTBE", "group-info-ratchet-tree-tbe", "5.6", [], "GroupInfo, tree option, one proposal.", tbe),
        ("GroupInfoResponseTBS", "group-info-response-tbs", "5.6", [], "What the hub signs on success.", resp_tbs),
        ("GroupInfoResponse", "group-info-response-success", "5.6", ["Arm"], "success.", resp),
        ("GroupInfoResponse", "group-info-response-not-authorized", "5.6", ["Arm"], "notAuthorized: default arm.", resp_na),
        ("GroupInfoResponse", "group-info-response-unknown-status", "5.6", ["Arm", "OpenEnum"],
         "status 77 takes the default arm (GroupInfoCode is open).", resp_open),
        ("ExternalSender", "external-sender", "5.6", [], "RFC 9420 ExternalSender (hub_sender).", external_sender(ALICE)),
        ("HPKECiphertext", "hpke-ciphertext", "5.6", [], "RFC 9420 HPKECiphertext.", hpke_ciphertext()),
    ]
    alt_cases = [("GroupInfoRequest", "group-info-request-plain-joining-code", "5.6", ["AlternativeReading", "Empty"],
                  "PROT-X06 alternative: joiningCode is a plain opaque<V> (empty: no code).", req_alt)]
    bad_resp = struct(("version", fixed(5, 1, 5)), ("room_id", opaque(ROOM)), ("status", enum(1, 1, GI_CODE)))
    bad_presence = bytearray(tbs.raw)
    bad_presence[-1] = 7
    extra = [
        ("GroupInfoResponse", "group-info-response-success-unknown-version", "5.6", "bad-enum-value",
         "success with version 5: the mls10 arm cannot be selected.", bad_resp.raw + bytes(40)),
        ("GroupInfoRequestTBS", "group-info-request-tbs-bad-presence", "5.6", "bad-optional-presence",
         "joiningCode presence octet 7.", bytes(bad_presence)),
        ("GroupInfoRatchetTreeTBE", "group-info-ratchet-tree-tbe-group-info-cut-inside", "5.6",
         "malformed-mls-object",
         "The input ends %d octets into groupInfo (%d octets)." % (len(GROUP_INFO) // 2, len(GROUP_INFO)),
         GROUP_INFO[:len(GROUP_INFO) // 2]),
    ]
    return valid, [("GroupInfoRequest", req, "5.6"), ("GroupInfoResponse", resp, "5.6")], extra, alt_cases


def consent():
    def entry(op, room, arm, ext=0):
        return struct(("consentOperation", disc(op, 1, CONSENT_OP)), ("requesterUri", uri(ALICE)),
                      ("targetUri", uri(BOB)), ("roomId", optional(uri(ROOM) if room else None)), *arm,
                      ("consent_extensions", app_data_dictionary(ext)))

    req = entry(1, True, [])
    grant = entry(2, False, [("clientKeyPackages", vec([mls(KEY_PACKAGE), mls(KEY_PACKAGE2)]))], 2)
    grant0 = entry(2, True, [("clientKeyPackages", vec([]))])
    revoke = entry(3, False, [])
    cancel = entry(0, True, [])
    scope = struct(("requesterUri", uri(ALICE)), ("targetUri", uri(BOB)), ("roomId", optional(uri(ROOM))))
    valid = [
        ("ConsentEntry", "consent-request", "5.7", ["Arm"], "request for one room.", req),
        ("ConsentEntry", "consent-grant", "5.7", ["Arm"], "grant for any room, two KeyPackages, two extensions.", grant),
        ("ConsentEntry", "consent-grant-empty", "5.7", ["Arm", "Empty"], "grant with no KeyPackages.", grant0),
        ("ConsentEntry", "consent-revoke", "5.7", ["Arm", "Empty"], "revoke for any room.", revoke),
        ("ConsentEntry", "consent-cancel", "5.7", ["Arm"], "cancel for one room.", cancel),
        ("ConsentScope", "consent-scope", "5.7", [], "The scope of a request.", scope),
        ("AppDataDictionary", "app-data-dictionary", "5.7", [], "Two components.", app_data_dictionary(2)),
    ]
    return valid, [("ConsentEntry", grant, "5.7")]


def identifier():
    q_nick = struct(("searchType", disc(2, 1, SEARCH)), ("searchValue", opaque("alice.smith")))
    q_claim = struct(("searchType", disc(7, 1, SEARCH)), ("claimName", opaque("given_name")),
                     ("searchValue", opaque("Alice")))
    q_vcard = struct(("searchType", disc(8, 1, SEARCH)), ("propertyName", opaque("ORG")),
                     ("searchValue", opaque("Example Corp")))
    req = struct(("query_elements", vec([q_nick, q_claim, q_vcard])), ("id_request_extensions", app_data_dictionary(0)))
    pf = struct(("fieldSource", enum(7, 1, FIELD_SOURCE)), ("fieldName", opaque("given_name")),
                ("fieldValue", opaque("Alice")))
    pf_open = struct(("fieldSource", enum(42, 1, FIELD_SOURCE)), ("fieldName", opaque("x")), ("fieldValue", opaque(b"")))
    prof = struct(("stableUri", uri(ALICE)), ("fields", vec([pf])))
    resp = struct(("responseCode", enum(0, 1, ID_CODE)), ("uri", vec([uri(ALICE)])), ("foundProfiles", vec([prof])),
                  ("id_response_extensions", app_data_dictionary(1)))
    resp_nf = struct(("responseCode", enum(1, 1, ID_CODE)), ("uri", vec([])), ("foundProfiles", vec([])),
                     ("id_response_extensions", app_data_dictionary(0)))
    valid = [
        ("QueryElement", "query-element-nick", "5.8", ["Arm"], "nick: no arm.", q_nick),
        ("QueryElement", "query-element-oidc-claim", "5.8", ["Arm"], "oidcStdClaim with claimName.", q_claim),
        ("QueryElement", "query-element-vcard-field", "5.8", ["Arm"], "vcardField with propertyName.", q_vcard),
        ("IdentifierRequest", "identifier-request", "5.8", [], "Three query elements (AND).", req),
        ("ProfileField", "profile-field", "5.8", [], "An OIDC claim.", pf),
        ("ProfileField", "profile-field-unknown-source", "5.8", ["OpenEnum", "Empty"], "fieldSource 42 decodes.", pf_open),
        ("UserProfile", "user-profile", "5.8", [], "A stable URI and one field.", prof),
        ("IdentifierResponse", "identifier-response-success", "5.8", [], "One match.", resp),
        ("IdentifierResponse", "identifier-response-not-found", "5.8", ["Empty"], "notFound.", resp_nf),
    ]
    return valid, [("IdentifierRequest", req, "5.8"), ("QueryElement", q_claim, "5.8"),
                   ("IdentifierResponse", resp, "5.8")]


def abuse():
    am = struct(("message_content", opaque(bytes.fromhex("87505eed9406c2545547ab6f09f20a18b003"))), ("frank", frank()),
                ("accepted_timestamp", fixed(1745600000456, 8)))
    rep = struct(("reportingUser", uri(BOB)), ("allegedAbuserUri", uri(ALICE)), ("reasonCode", enum(0, 1, ABUSE)),
                 ("note", opaque("spam")), ("messages", vec([am])), ("abuse_extensions", app_data_dictionary(0)))
    rep_open = struct(("reportingUser", uri(b"")), ("allegedAbuserUri", uri(ALICE)), ("reasonCode", enum(3, 1, ABUSE)),
                      ("note", opaque(b"")), ("messages", vec([])), ("abuse_extensions", app_data_dictionary(0)))
    valid = [
        ("AbusiveMessage", "abusive-message", "5.9", [], "Content, frank, timestamp.", am),
        ("AbuseReport", "abuse-report", "5.9", [], "One message.", rep),
        ("AbuseReport", "abuse-report-anonymous", "5.9", ["OpenEnum", "Empty"],
         "Empty reportingUser, reasonCode 3 (AbuseType is open), no messages.", rep_open),
    ]
    return valid, [("AbuseReport", rep, "5.9")]


def pseudonymous():
    pc = struct(("client_pseudonym", uri("mimi://b.example/d/3f1c")), ("user_pseudonym", uri("mimi://b.example/u/9a2e")),
                ("signature_public_key", opaque(bytes([0x21] * 32))), ("identity_link_ciphertext", opaque(bytes([0x22] * 80))))
    tbs = struct(("client_pseudonym", uri("mimi://b.example/d/3f1c")), ("user_pseudonym", uri("mimi://b.example/u/9a2e")),
                 ("signature_public_key", opaque(bytes([0x21] * 32))))
    tbe = struct(("pseudonymous_credential_signature", opaque(bytes([0x23] * 64))),
                 ("client_credential", basic_credential("mimi://b.example/d/bob1")))
    valid = [
        ("PseudonymousCredential", "pseudonymous-credential", "6.1", [], "signature_public_key read as <V>.", pc),
        ("PseudonymousCredentialTBS", "pseudonymous-credential-tbs", "6.1", [], "What the client signs.", tbs),
        ("IdentityLinkTBE", "identity-link-tbe", "6.1", [], "Signature and the real credential.", tbe),
    ]
    bad_cred = bytearray(tbe.raw)
    assert bad_cred[66:68] == b"\x00\x01"  # after the 2-octet header and 64-octet signature
    bad_cred[67] = 0x07  # credential_type 0x0007
    extra = [("IdentityLinkTBE", "identity-link-tbe-unknown-credential-type", "6.1", "bad-enum-value",
              "client_credential type 7: RFC 9420 Credential has no arm for it.", bytes(bad_cred))]
    return valid, [("PseudonymousCredential", pc, "6.1")], extra


def participant_list():
    urp = struct(("user", opaque(ALICE)), ("role_index", fixed(4, 4)))
    pld = struct(("participants", vec([urp, struct(("user", opaque(BOB)), ("role_index", fixed(2, 4)))])))
    uirp = struct(("user_index", fixed(2, 4)), ("role_index", fixed(1, 4)))
    plu = struct(("changedRoleParticipants", vec([uirp])), ("removedIndices", vec([fixed(1, 4)])),
                 ("addedParticipants", vec([struct(("user", opaque("mimi://d.example/u/diana")), ("role_index", fixed(4, 4))),
                                            struct(("user", opaque("mimi://e.example/u/eric")), ("role_index", fixed(3, 4)))])))
    valid = [
        ("UserRolePair", "user-role-pair", "7.5", [], "A user and role 4.", urp),
        ("ParticipantListData", "participant-list-data", "7.5", [], "Two participants.", pld),
        ("UserindexRolePair", "userindex-role-pair", "7.5", [], "Index 2 to role 1 (banned).", uirp),
        ("ParticipantListUpdate", "participant-list-update", "7.5", [],
         "The §4.3.2 example as an update: Cathy (index 2) banned, Bob (index 1) removed, Diana and Eric added.", plu),
    ]
    bad_vec = bytearray(plu.raw)  # removedIndices holds 4 octets; declare 3 → element truncated inside the span
    i = len(vlen(8)) + 8
    bad_vec[i] = 3
    extra = [("ParticipantListUpdate", "participant-list-update-ragged-uint32-vector", "7.5", "vector-length-mismatch",
              "removedIndices declares 3 octets: its uint32 element is cut by the vector's end.",
              bytes(bad_vec[:i + 1]) + bytes(bad_vec[i + 1:i + 4]) + bytes(bad_vec[i + 5:]))]
    return valid, [("ParticipantListUpdate", plu, "7.5"), ("UserRolePair", urp, "7.5")], extra


def room_metadata():
    rd = struct(("media_type", opaque(b"")), ("language_tag", opaque("en")),
                ("description_content", opaque("The club's room")))
    rm = struct(("room_uri", uri(ROOM)), ("room_name", opaque("Clubhouse")),
                ("room_descriptions", vec([rd, struct(("media_type", opaque("text/markdown")), ("language_tag", opaque("fr")),
                                                      ("description_content", opaque("*Le club*")))])),
                ("room_avatar", uri("https://a.example/avatars/clubhouse.png")), ("room_subject", opaque("")),
                ("room_mood", opaque("sunny")))
    valid = [
        ("RichDescription", "rich-description", "7.6", ["Empty"], "Empty media_type (text/plain).", rd),
        ("RoomMetaData", "room-metadata", "7.6", [], "Name, two descriptions, avatar, empty subject.", rm),
    ]
    non_minimal = bytearray(rm.raw)
    n = len(ROOM)
    assert non_minimal[0] == n
    extra = [
        ("RoomMetaData", "room-metadata-non-minimal-length", "7.6", "non-minimal-length",
         "room_uri's length header 0x40 0x%02x: two octets for a length below 64." % n,
         bytes([0x40, n]) + bytes(non_minimal[1:])),
        ("RoomMetaData", "room-metadata-reserved-length-prefix", "7.6", "bad-length-prefix",
         "room_uri's length header starts 0b11 (an 8-octet header, not allowed by RFC 9420 §2.1.2).",
         bytes([0xc0]) + bytes(7) + bytes(non_minimal[1:])),
    ]
    return valid, [("RoomMetaData", rm, "7.6")], extra


def common():
    valid = [
        ("IdentifierUri", "identifier-uri", "5.2", [], "A MIMI user URI.", uri(ALICE)),
        ("Capabilities", "capabilities", "5.2", ["OpenEnum"], "RFC 9420 Capabilities with private-use code points.",
         capabilities()),
        ("RequiredCapabilities", "required-capabilities", "5.2", [], "RFC 9420 RequiredCapabilities.",
         required_capabilities()),
        ("Credential", "credential-basic", "5.2", ["Arm"], "basic.", basic_credential(ALICE)),
        ("Credential", "credential-x509", "5.2", ["Arm"], "x509 with two certificates.", x509_credential()),
    ]
    return valid, [("Credential", x509_credential(), "5.2")]


# ----------------------------------------------------------------------------------------------
# Negative cases from a base


def mutations(ty, e, section):
    out = []
    raw = e.raw
    offs, pos = [], 0
    for kind, b in e.pieces:
        offs.append((kind, pos, b))
        pos += len(b)
    # truncated: inside the last top-level fixed-size field, else before the first header
    fx = [(p, b) for k, p, b in offs if k in ("fixed", "disc", "presence")]
    if fx:
        p, b = fx[-1]
        cut = p + (1 if len(b) > 1 else 0)
        out.append(("truncated", "truncated", f"Cut to {cut} octets, inside the fixed-size field at offset {p}.",
                    raw[:cut], []))
    else:
        out.append(("truncated", "truncated", "Empty input: the first length header is missing.", b"", []))
    out.append(("trailing-bytes", "trailing-bytes", "One 0x00 after the whole struct.", raw + b"\x00", []))
    vs = [(p, b) for k, p, b in offs if k == "vec"]
    if vs:
        p, b = vs[-1]
        hlen = {0: 1, 1: 2, 2: 4}[b[0] >> 6]
        after = raw[p + hlen:]
        for slug, declared, flags in (("over-long-vector", len(after) + 1, []),
                                      ("huge-vector-length", 0x3FFFFFFF, ["Hostile"])):
            out.append((slug, "over-long-vector",
                        f"The vector at offset {p} declares {declared} octets; {len(after)} follow its header.",
                        raw[:p] + vlen(declared) + after, flags))
    ds = [(p, b) for k, p, b in offs if k == "disc"]
    if ds:
        p, b = ds[0]
        bad = (0xEE).to_bytes(len(b), "big")
        out.append(("bad-enum-value", "bad-enum-value",
                    f"The select discriminator at offset {p} is 0x{bad.hex()}, which has no arm.",
                    raw[:p] + bad + raw[p + len(b):], []))
    return [(ty, f"{ty_slug(ty)}-{slug}", section, rule, comment, bytes(data), flags)
            for slug, rule, comment, data, flags in out]


def ty_slug(ty):
    s = ""
    for i, c in enumerate(ty):
        if c.isupper() and i and (not ty[i - 1].isupper() or (i + 1 < len(ty) and ty[i + 1].islower())):
            s += "-"
        s += c.lower()
    return s


FAMILY_REQ = {
    "key-material": "PROT-S02", "update": "PROT-S04", "submit": "PROT-S06", "franking": "PROT-S07",
    "fanout": "PROT-S08", "group-info": "PROT-S09", "consent": "PROT-S10", "identifier": "PROT-S11",
    "abuse": "PROT-S12", "pseudonymous": "PROT-S13", "participant-list": "PROT-S14", "room-metadata": "PROT-S15",
    "ratchet-tree": "PROT-S16", "common": "PROT-S01",
}
# Structs whose structural requirement differs from their family's.
STRUCT_REQ = {"KeyMaterialResponse": "PROT-S03", "ClientKeyMaterial": "PROT-S03", "UpdateRoomResponse": "PROT-S05"}
LENGTH_RULES = {"non-minimal-length", "bad-length-prefix"}


def write(family, valid, bases, extra=(), alt=()):
    tests, tc = [], 0
    req_of = lambda ty: STRUCT_REQ.get(ty, FAMILY_REQ[family])
    for ty, slug, section, flags, comment, e in valid:
        tc += 1
        tests.append({"tcId": tc, "slug": slug, "section": section, "result": "valid", "flags": flags,
                      "comment": comment, "struct": ty, "hex": e.raw.hex(), "expected": e.js})
    for ty, slug, section, flags, comment, e in alt:
        tc += 1
        tests.append({"tcId": tc, "slug": slug, "section": section, "result": "valid", "flags": flags,
                      "comment": comment, "struct": ty, "reading": "alternative", "hex": e.raw.hex(),
                      "expected": e.js})
    negs = []
    for ty, e, section in bases:
        negs += mutations(ty, e, section)
    negs += [(ty, slug, section, rule, comment, data, []) for ty, slug, section, rule, comment, data in extra]
    for ty, slug, section, rule, comment, data, flags in negs:
        tc += 1
        tests.append({"tcId": tc, "slug": "invalid-" + slug, "section": section, "result": "invalid", "flags": flags,
                      "comment": comment, "struct": ty, "hex": data.hex(), "rule": rule,
                      "req": "PROT-S01" if rule in LENGTH_RULES else req_of(ty)})
    doc = {"schema": "mimi-conformance/vectors/v1", "kind": "tls", "draft": "draft-ietf-mimi-protocol", "rev": "06",
           "source": SOURCE, "generator": "tools/protocol-vectors/generate.py", "flags": FLAGS, "tests": tests}
    with open(os.path.join(OUT, family + ".json"), "w") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")
    return len(tests)


def main():
    os.makedirs(OUT, exist_ok=True)
    total = 0
    total += write("common", *common())
    total += write("key-material", *key_material())
    total += write("ratchet-tree", *ratchet_tree())
    total += write("update", *update())
    total += write("submit", *submit())
    total += write("franking", *franking())
    v, b, x, a = fanout()
    total += write("fanout", v, b, x, a)
    v, b, x, a = group_info()
    total += write("group-info", v, b, x, a)
    total += write("consent", *consent())
    total += write("identifier", *identifier())
    total += write("abuse", *abuse())
    total += write("pseudonymous", *pseudonymous())
    total += write("participant-list", *participant_list())
    total += write("room-metadata", *room_metadata())
    print(f"{total} cases")


if __name__ == "__main__":
    main()
