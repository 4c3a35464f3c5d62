#!/usr/bin/env python3
# generate.py -- regenerates the MIMI content-format test vectors in vectors/content/.
#
# What it does: reads the example files of draft-ietf-mimi-content-08 (examples/*.cbor, and the
# .edn/.pretty files plus the rendered -08 text for cross-checks), the message-status example of
# draft-mahy-mimi-message-status-01 (status.cbor), recomputes every expected value independently
# (message IDs with hashlib SHA-256, the content model with cbor2 and with the reference
# decoder/classifier below), asserts the results against the values printed in the drafts, builds
# the constructed edge/invalid/encode cases, checks that every invalid case breaks exactly the one
# rule it is labelled with, and writes the JSON vector files.
#
# How to rerun (CI never runs this script; the JSON files are committed):
#     pip install cbor2
#     python3 tools/content-vectors/generate.py [--drafts DIR] [--out DIR]
# DIR (default spec/drafts/ of this repository, whose README names each file's source) must hold
# mimi-content-examples/, mimi-message-status-examples/ and
# rendered/draft-ietf-mimi-content-editors-copy.txt; individual paths can be overridden with
# --examples, --status and --rendered. The output is deterministic (run twice, diff).
#
# main() runs one function per draft section (or output file) in order: the inputs read and
# cross-checked, then examples.json, edge-valid.json, edge-acceptable.json, invalid.json (one
# function per section whose rule its cases break), encode.json, message-status.json,
# implied.json and findings.json; `ctx` carries what a later function reads of an earlier one's.

from __future__ import annotations

import argparse
import copy
import hashlib
import io
import json
import math
import re
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import cbor2

SCHEMA = "mimi-conformance/vectors/v1"
GENERATOR = "tools/content-vectors/generate.py"
CONTENT_REPO = "ietf-wg-mimi/draft-ietf-mimi-content"
CONTENT_COMMIT = "961ea5a537ed385c0f185d051e40bdc4227f1fa0"
RENDERED_COMMIT = "35caead43867d534422b75eaeab9a93f022e80c4"
STATUS_REPO = "rohanmahy/mimi-message-status"
STATUS_COMMIT = "03e41d6f768c0498850adc814721334b150b6272"

SRC_EXAMPLES = (
    f"draft-ietf-mimi-content-08 examples/*.cbor from {CONTENT_REPO} at commit {CONTENT_COMMIT}; "
    f"section numbers from the rendered -08 text (gh-pages draft-ietf-mimi-content.txt at "
    f"{RENDERED_COMMIT}, built from {CONTENT_COMMIT[:7]})"
)

EXAMPLES = [  # (file name, section of the rendered -08 text)
    ("original", "5.1"), ("reply", "5.2"), ("reaction", "5.3"), ("mention", "5.4"),
    ("mention-html", "5.4"), ("edit", "5.5"), ("delete", "5.6"), ("unlike", "5.7"),
    ("expiring", "5.8"), ("attachment", "5.9"), ("conferencing", "5.10"),
    ("multipart-1", "B.1"), ("multipart-2", "B.2"), ("multipart-3", "B.3"),
]

# Expected -08 message IDs as printed in NOTES-content.md section 10 and in the .edn comments.
PRINTED_IDS = {
    "original": "017ce54837404c3696e0c747b985cb172716d0ed0a3d249ca63ace7d82a096f4",
    "reply": "015354973c2b65ca937bf1e035ae53a5ab80e947afa43d46920d4202e5cc0b27",
    "reaction": "0158c4288911e50a8f6be3f47746b6682f10fd91bc8c05557aa589a3157aff68",
    "mention": "018d825adf9f6be00dcafc5704c4102f5022e74219d0b603e4ba7622654042af",
    "mention-html": "01967ff8e9a66819738ad5cf26d2e0388a3b81d86b0f61d129c077d043ee2a4e",
    "edit": "014028c0deddbdea56bec26172f6ede953d11024cb82b8192b5e2aea62d7fb47",
    "delete": "011d9efc78d04d4dcf4d82b07d5199bbef37011c1f0c7e004b6111c6dda504b4",
    "unlike": "013aadbb8f313253c8930f4e93c6ca54b2ed06d258185bdcec3870534c8a4ec4",
    "expiring": "01e59db8173939facc2c8a4a0f0ae8d0c7a11a81239626630c9464a8d6717a03",
    "attachment": "0176180c7d19a925021fe446d241134d05c38e0d999cdc0f39c391d2377ed9d1",
    "conferencing": "01496d15a8dba28d7397f9868b70768e4a67f765d5b5b1ae9e03848c5fdeb0ba",
    "multipart-1": "01da5a515ec5db42cc4dcc19b90c3c31245d8a1cfcce11318f24eb11dce0990e",
    "multipart-2": "01d65918c6c51c8e76546337276ae6f4bfd873d867d5cb57c76bcdca3d999dd7",
    "multipart-3": "01cfebeadbdb83c1eefb6403ba4852daf8bbbf9cd53bf5035a74d5d741950c9f",
}
# The -07 (no length prefix) ID of the original message, as still found in the draft.
PRINTED_ORIGINAL_ID07 = "01b0084467273cc43d6f0ebeac13eb84229c4fffe8f6c3594c905f47779e5a79"
# MLS group ID of section 5.1, base64url.
PRINTED_GROUP_ID_B64 = "7u4NEqe1tbeBFa0aHdsTgRyD_XOHxD5meZpZS-7aJr8"

# Rule kinds -> (requirement id, section), as in the shared contract.
RULES = {
    "malformed-cbor": ("CONT-S01", "A.1"),
    "truncated": ("CONT-S01", "A.1"),
    "trailing-bytes": ("CONT-S01", "A.1"),
    "cddl-shape": ("CONT-S01", "A.1"),
    "value-out-of-range": ("CONT-S01", "A.1"),
    "unknown-cardinality": ("CONT-S01", "A.1"),
    "known-extension-type": ("CONT-S10", "4.3"),
    "salt-length": ("CONT-S02", "4.1"),
    "message-id-length": ("CONT-S03", "3.3"),
    "unknown-hash-alg": ("CONT-S04", "9.1"),
    "too-few-parts": ("CONT-S05", "4.4"),
    "enc-alg-zero-with-key": ("CONT-S06", "4.5"),
    "unknown-part-semantics": ("CONT-S07", "4.4"),
    "duplicate-extension-key": ("CONT-05", "4.3"),
    "cid-reference": ("CONT-06", "4.4"),
    "non-shortest-argument": ("CONT-09", "6.1"),
    "indefinite-length": ("CONT-09", "6.1"),
    "unsorted-map-keys": ("CONT-09", "6.1"),
    "non-shortest-float": ("CONT-09", "6.1"),
    "length-first-key-order": ("CONT-10", "6.1"),
    "extension-key-type": ("CONT-D1", "6.2"),
    "nested-map-key-type": ("CONT-D2", "6.2"),
    "integer-key-range": ("CONT-D3", "6.2"),
    "nan-encoding": ("CONT-D4", "6.2"),
    "bignum-not-preferred": ("CONT-09", "6.1"),
    "invalid-utf8": ("CONT-D5", "6.2"),
    "float-used": ("CONT-D6", "6.2"),
    "nesting-depth": ("CONT-13", "6.3"),
    "extension-depth": ("CONT-14", "6.3"),
    "topic-id-too-long": ("CONT-R01", "9.1"),
    "too-many-parts": ("CONT-R02", "9.1"),
}
SHOULD_RULES = {"topic-id-too-long", "too-many-parts", "unknown-hash-alg"}
ENCODING_RULES = {"malformed-cbor", "truncated", "trailing-bytes", "non-shortest-argument", "bignum-not-preferred",
                  "indefinite-length", "unsorted-map-keys", "non-shortest-float",
                  "length-first-key-order"}
MAX_INT_KEY = 2**53 - 1

FLAGS = {
    "DraftExample": "The bytes are exactly an example file shipped with the draft.",
    "Mutation": "Derived from a draft example by a deliberate change; the comment names the example and the change.",
    "Boundary": "Exercises a limit exactly at the limit (valid) or just past it (invalid).",
    "Should": "The rule concerned has level SHOULD (section 9.1 'should be logged and discarded').",
    "Encoding": "Concerns the CBOR serialization (well-formedness or deterministic encoding, RFC 8949 section 4.2.1) rather than the data model.",
    "Extension": "Concerns the mimiExtensions map or a value inside it.",
    "Receiver": "Section 9.1 lists the input as legitimate: a receiver must accept it and not discard it.",
    "Float": "Contains a floating-point value (use is discouraged by section 6.2 but not forbidden).",
    "Shape": "An array of the CDDL with one element too many or too few, or a field wrapped in a tag the CDDL does not allow.",
}


# ---------------------------------------------------------------------------------------------
# CBOR building blocks: values to encode ("plain" trees) and a byte-exact encoder
# ---------------------------------------------------------------------------------------------

class Map:
    """A CBOR map given as (key, value) pairs. sort=True: deterministic (bytewise) order;
    sort=False: the pairs are written in the order given."""

    def __init__(self, pairs, sort=True):
        self.pairs = list(pairs)
        self.sort = sort

    def __eq__(self, other):
        return isinstance(other, Map) and self.pairs == other.pairs

    def __repr__(self):
        return f"Map({self.pairs!r}, sort={self.sort})"


@dataclass
class Tag:
    n: int
    v: object
    width: int | None = None  # forced argument width in bytes (None = shortest)


@dataclass
class Float:
    width: int  # 2, 4 or 8 bytes
    bits: int


@dataclass
class Raw:
    b: bytes


@dataclass
class BadText:
    """A text string whose bytes are given as is (may be invalid UTF-8)."""
    b: bytes


@dataclass
class Arg:
    """An integer with a forced argument width (1, 2, 4 or 8 bytes)."""
    v: int
    width: int


@dataclass
class LenW:
    """A string/array/map whose length argument is written with a forced width."""
    v: object
    width: int


@dataclass
class Indef:
    """Indefinite-length encoding: bytes/str split into chunks, or an array (list) / Map."""
    v: object
    chunks: list | None = None


def head(major: int, arg: int, width: int | None = None) -> bytes:
    if width is None:
        if arg < 24:
            return bytes([major << 5 | arg])
        width = 1 if arg < 2**8 else 2 if arg < 2**16 else 4 if arg < 2**32 else 8
    ai = {1: 24, 2: 25, 4: 26, 8: 27}[width]
    return bytes([major << 5 | ai]) + arg.to_bytes(width, "big")


def enc(v, canon: str | None = None) -> bytes:
    """Encode a plain tree. canon=None follows each Map's sort flag; 'bytewise' or
    'length-first' sorts every map that way."""
    if isinstance(v, Raw):
        return v.b
    if v is None:
        return b"\xf6"
    if v is True:
        return b"\xf5"
    if v is False:
        return b"\xf4"
    if isinstance(v, Arg):
        return head(0, v.v, v.width) if v.v >= 0 else head(1, -1 - v.v, v.width)
    if isinstance(v, int):
        return head(0, v) if v >= 0 else head(1, -1 - v)
    if isinstance(v, bytes):
        return head(2, len(v)) + v
    if isinstance(v, str):
        u = v.encode("utf-8")
        return head(3, len(u)) + u
    if isinstance(v, BadText):
        return head(3, len(v.b)) + v.b
    if isinstance(v, list):
        return head(4, len(v)) + b"".join(enc(x, canon) for x in v)
    if isinstance(v, dict):
        return enc(Map(list(v.items()), sort=True), canon)
    if isinstance(v, Map):
        items = [(enc(k, canon), enc(x, canon)) for k, x in v.pairs]
        if canon == "bytewise" or (canon is None and v.sort):
            items.sort(key=lambda kv: kv[0])
        elif canon == "length-first":
            items.sort(key=lambda kv: (len(kv[0]), kv[0]))
        return head(5, len(items)) + b"".join(k + x for k, x in items)
    if isinstance(v, Tag):
        return head(6, v.n, v.width) + enc(v.v, canon)
    if isinstance(v, Float):
        return {2: b"\xf9", 4: b"\xfa", 8: b"\xfb"}[v.width] + v.bits.to_bytes(v.width, "big")
    if isinstance(v, LenW):
        inner = enc(v.v, canon)
        x = v.v
        major = inner[0] >> 5
        if isinstance(x, (bytes, str, BadText)):
            n = len(x.encode() if isinstance(x, str) else x.b if isinstance(x, BadText) else x)
        elif isinstance(x, list):
            n = len(x)
        elif isinstance(x, Map):
            n = len(x.pairs)
        else:
            raise TypeError(x)
        return head(major, n, v.width) + inner[len(head(major, n)):]
    if isinstance(v, Indef):
        x = v.v
        if isinstance(x, (bytes, str)):
            major = 2 if isinstance(x, bytes) else 3
            return bytes([major << 5 | 31]) + b"".join(enc(c, canon) for c in v.chunks) + b"\xff"
        if isinstance(x, list):
            return b"\x9f" + b"".join(enc(i, canon) for i in x) + b"\xff"
        if isinstance(x, Map):
            return b"\xbf" + b"".join(enc(k, canon) + enc(i, canon) for k, i in x.pairs) + b"\xff"
    raise TypeError(f"cannot encode {v!r}")


# ---------------------------------------------------------------------------------------------
# Reference decoder: raw walk with well-formedness and deterministic-encoding diagnostics
# ---------------------------------------------------------------------------------------------

class Malformed(Exception):
    pass


class Truncated(Exception):
    pass


BREAK = object()


@dataclass
class Node:
    kind: str  # uint nint bytes text array map tag false true null undefined simple float
    value: object
    start: int
    end: int = 0
    raw_text: bytes = b""
    width: int = 0
    bits: int = 0
    dup_keys: bool = False


def _fits(x: float, fmt: str) -> bool:
    try:
        y = struct.unpack(fmt, struct.pack(fmt, x))[0]
    except (OverflowError, struct.error):
        return False
    return y == x and math.copysign(1.0, y) == math.copysign(1.0, x)


def float_diagnostics(width: int, bits: int) -> set[str]:
    out = {"float-used"}
    fmt = {2: ">e", 4: ">f", 8: ">d"}[width]
    x = struct.unpack(fmt, bits.to_bytes(width, "big"))[0]
    if math.isnan(x):
        if not (width == 2 and bits == 0x7E00):
            out.add("nan-encoding")
        if width == 4 and bits & 0x1FFF == 0:
            out.add("non-shortest-float")
        if width == 8 and bits & ((1 << 29) - 1) == 0:
            out.add("non-shortest-float")
    else:
        if width >= 4 and _fits(x, ">e"):
            out.add("non-shortest-float")
        if width == 8 and _fits(x, ">f"):
            out.add("non-shortest-float")
    return out


class Parser:
    def __init__(self, data: bytes):
        self.d = data
        self.p = 0
        self.issues: set[str] = set()

    def take(self, n: int) -> bytes:
        if self.p + n > len(self.d):
            raise Truncated(f"need {n} bytes at offset {self.p}")
        b = self.d[self.p:self.p + n]
        self.p += n
        return b

    def item(self, allow_break=False):
        start = self.p
        ib = self.take(1)[0]
        major, ai = ib >> 5, ib & 31
        if ai in (28, 29, 30):
            raise Malformed(f"reserved additional information {ai} at offset {start}")
        if ai == 31:
            if major == 7:
                if allow_break:
                    return BREAK
                raise Malformed(f"break outside an indefinite-length item at offset {start}")
            if major in (0, 1, 6):
                raise Malformed(f"indefinite length for major type {major} at offset {start}")
            self.issues.add("indefinite-length")
            if major in (2, 3):
                buf = b""
                while True:
                    if self.p >= len(self.d):
                        raise Truncated("inside indefinite-length string")
                    if self.d[self.p] == 0xFF:
                        self.p += 1
                        break
                    cb = self.d[self.p]
                    if cb >> 5 != major or cb & 31 == 31:
                        raise Malformed(f"bad chunk in indefinite-length string at offset {self.p}")
                    c = self.item()
                    buf += c.raw_text if major == 3 else c.value
                if major == 2:
                    return Node("bytes", buf, start, self.p)
                try:
                    s = buf.decode("utf-8")
                except UnicodeDecodeError:
                    s = None
                    self.issues.add("invalid-utf8")
                return Node("text", s, start, self.p, raw_text=buf)
            if major == 4:
                items = []
                while True:
                    x = self.item(allow_break=True)
                    if x is BREAK:
                        break
                    items.append(x)
                return Node("array", items, start, self.p)
            pairs = []
            while True:
                k = self.item(allow_break=True)
                if k is BREAK:
                    break
                pairs.append((k, self.item()))
            return self._map(pairs, start)
        if ai < 24:
            arg = ai
        else:
            w = {24: 1, 25: 2, 26: 4, 27: 8}[ai]
            arg = int.from_bytes(self.take(w), "big")
            if major != 7:
                minimal = 0 if arg < 24 else 1 if arg < 2**8 else 2 if arg < 2**16 else 4 if arg < 2**32 else 8
                if w > minimal:
                    self.issues.add("non-shortest-argument")
        if major == 0:
            return Node("uint", arg, start, self.p)
        if major == 1:
            return Node("nint", -1 - arg, start, self.p)
        if major == 2:
            return Node("bytes", self.take(arg), start, self.p)
        if major == 3:
            b = self.take(arg)
            try:
                s = b.decode("utf-8")
            except UnicodeDecodeError:
                s = None
                self.issues.add("invalid-utf8")
            return Node("text", s, start, self.p, raw_text=b)
        if major == 4:
            items = [self.item() for _ in range(arg)]
            return Node("array", items, start, self.p)
        if major == 5:
            pairs = []
            for _ in range(arg):
                k = self.item()
                pairs.append((k, self.item()))
            return self._map(pairs, start)
        if major == 6:
            if 80 <= arg <= 87:  # typed arrays of IEEE floats (RFC 8746)
                self.issues.add("float-used")
            inner = self.item()
            # RFC 8949 §4.2.1 / §3.4.3: a bignum that fits a plain integer, or has leading zero
            # bytes, is not in preferred (so not in deterministic) form.
            if arg in (2, 3) and inner.kind == "bytes" and (len(inner.value) <= 8 or inner.value[:1] == b"\x00"):
                self.issues.add("bignum-not-preferred")
            return Node("tag", (arg, inner), start, self.p)
        # major 7
        if ai < 20:
            return Node("simple", ai, start, self.p)
        if ai == 20:
            return Node("false", False, start, self.p)
        if ai == 21:
            return Node("true", True, start, self.p)
        if ai == 22:
            return Node("null", None, start, self.p)
        if ai == 23:
            return Node("undefined", None, start, self.p)
        if ai == 24:
            if arg < 32:
                raise Malformed(f"two-byte simple value {arg} < 32 at offset {start}")
            return Node("simple", arg, start, self.p)
        width = {25: 2, 26: 4, 27: 8}[ai]
        self.issues |= float_diagnostics(width, arg)
        fmt = {2: ">e", 4: ">f", 8: ">d"}[width]
        val = struct.unpack(fmt, arg.to_bytes(width, "big"))[0]
        return Node("float", val, start, self.p, width=width, bits=arg)

    def _map(self, pairs, start):
        keys = [self.d[k.start:k.end] for k, _ in pairs]
        node = Node("map", pairs, start, self.p, dup_keys=len(set(keys)) != len(keys))
        if any(keys[i] > keys[i + 1] for i in range(len(keys) - 1)):
            if sorted(keys, key=lambda k: (len(k), k)) == keys:
                self.issues.add("length-first-key-order")
            else:
                self.issues.add("unsorted-map-keys")
        return node


def parse(data: bytes):
    """Returns (root Node, encoding issues) or raises Malformed/Truncated; trailing bytes raise
    ValueError."""
    P = Parser(data)
    root = P.item()
    if P.p != len(data):
        raise ValueError(f"{len(data) - P.p} trailing bytes")
    return root, P.issues


def sorted_maps(v):
    """A plain tree with every map in deterministic order (what an encoder must write)."""
    if isinstance(v, Map):
        return Map([(sorted_maps(k), sorted_maps(x)) for k, x in v.pairs], sort=True)
    if isinstance(v, list):
        return [sorted_maps(x) for x in v]
    if isinstance(v, Tag):
        return Tag(v.n, sorted_maps(v.v), v.width)
    return v


def plain(n: Node):
    """Node -> plain tree (maps keep wire order)."""
    if n.kind in ("uint", "nint", "bytes", "false", "true", "null"):
        return n.value
    if n.kind == "text":
        return n.value if n.value is not None else BadText(n.raw_text)
    if n.kind == "array":
        return [plain(x) for x in n.value]
    if n.kind == "map":
        return Map([(plain(k), plain(v)) for k, v in n.value], sort=False)
    if n.kind == "tag":
        return Tag(n.value[0], plain(n.value[1]))
    if n.kind == "float":
        return Float(n.width, n.bits)
    raise TypeError(n.kind)


def cdepth(n: Node) -> int:
    """Container depth: each tag, map or array adds one level; scalars add nothing."""
    if n.kind == "array":
        return 1 + max((cdepth(x) for x in n.value), default=0)
    if n.kind == "map":
        return 1 + max((max(cdepth(k), cdepth(v)) for k, v in n.value), default=0)
    if n.kind == "tag":
        return 1 + cdepth(n.value[1])
    return 0


CARD_NAMES = {0: "null", 1: "single", 2: "external", 3: "multi"}
CARD_LEN = {0: 3, 1: 5, 2: 15, 3: 5}
CID_RE = re.compile(rb"cid:([0-9]+)@local\.invalid")


@dataclass
class Analysis:
    issues: set
    model: dict | None = None
    parts: list = field(default_factory=list)
    sender: str | None = None
    room: str | None = None
    ext_raw: list = field(default_factory=list)


class ContentChecker:
    """Applies every rule kind of the contract to a decoded mimiContent tree."""

    def __init__(self, data: bytes):
        self.d = data
        self.issues: set[str] = set()
        self.parts: list = []

    def add(self, rule):
        self.issues.add(rule)

    def message_id(self, n: Node):
        if n.kind == "null":
            return
        if n.kind != "bytes":
            self.add("cddl-shape")
        elif len(n.value) != 32:
            self.add("message-id-length")
        elif n.value[0] != 0x01:
            self.add("unknown-hash-alg")

    def run(self, root: Node):
        if root.kind != "array" or len(root.value) != 7:
            self.add("cddl-shape")
            return
        salt, rep, topic, exp, irt, ext, body = root.value
        if salt.kind != "bytes":
            self.add("cddl-shape")
        elif len(salt.value) != 16:
            self.add("salt-length")
        self.message_id(rep)
        if topic.kind != "bytes":
            self.add("cddl-shape")
        elif len(topic.value) > 4096:
            self.add("topic-id-too-long")
        if exp.kind != "null":
            if exp.kind != "array" or len(exp.value) != 2 or exp.value[0].kind not in ("true", "false") \
                    or exp.value[1].kind != "uint":
                self.add("cddl-shape")
            elif exp.value[1].value > 2**32 - 1:
                self.add("value-out-of-range")
        self.message_id(irt)
        if ext.kind != "map":
            self.add("cddl-shape")
        else:
            self.extensions(ext)
        self.nested(body, 1)
        if len(self.parts) > 1024:
            self.add("too-many-parts")
        for p in self.parts:
            if p["cardinality"] != "single" or p["node"].value[4].kind != "bytes":
                continue
            for m in CID_RE.finditer(p["node"].value[4].value):
                i = int(m.group(1))
                if i >= len(self.parts) or self.parts[i]["cardinality"] not in ("single", "external"):
                    self.add("cid-reference")

    def int_key_range(self, k: Node):
        if k.kind in ("uint", "nint") and not -MAX_INT_KEY <= k.value <= MAX_INT_KEY:
            self.add("integer-key-range")

    def extensions(self, ext: Node):
        if ext.dup_keys:
            self.add("duplicate-extension-key")
        for k, v in ext.value:
            if k.kind in ("uint", "nint"):
                self.int_key_range(k)
            elif k.kind == "text":
                if not 1 <= len(k.raw_text) <= 255:
                    self.add("extension-key-type")
            else:
                self.add("extension-key-type")
            if k.kind == "uint" and k.value in (1, 2) and v.kind != "text":
                self.add("known-extension-type")
            self.inner(k)
            self.inner(v)
        if cdepth(ext) > 4:
            self.add("extension-depth")

    def inner(self, n: Node):
        if n.kind == "array":
            for x in n.value:
                self.inner(x)
        elif n.kind == "tag":
            self.inner(n.value[1])
        elif n.kind == "map":
            if n.dup_keys:
                self.add("duplicate-map-key")  # never produced by the vectors; flags a mistake
            for k, v in n.value:
                if k.kind not in ("uint", "nint", "bytes", "text"):
                    self.add("nested-map-key-type")
                self.int_key_range(k)
                self.inner(k)
                self.inner(v)

    def nested(self, n: Node, level: int):
        if level > 4:
            self.add("nesting-depth")
        if n.kind != "array" or len(n.value) < 3:
            self.add("cddl-shape")
            return
        v = n.value
        disp, lang, card = v[0], v[1], v[2]
        if disp.kind != "uint":
            self.add("cddl-shape")
        elif disp.value > 255:
            self.add("value-out-of-range")
        if lang.kind != "text":
            self.add("cddl-shape")
        if card.kind != "uint":
            self.add("cddl-shape")
            return
        if card.value > 3:
            self.add("unknown-cardinality")
            return
        if len(v) != CARD_LEN[card.value]:
            self.add("cddl-shape")
            return
        self.parts.append({"index": len(self.parts), "depth": level,
                           "cardinality": CARD_NAMES[card.value], "node": n})
        if card.value == 1:
            if v[3].kind != "text" or v[4].kind != "bytes":
                self.add("cddl-shape")
        elif card.value == 2:
            kinds = ["text", "text", "uint", "uint", "uint", "bytes", "bytes", "bytes", "uint",
                     "bytes", "text", "text"]
            if [x.kind for x in v[3:]] != kinds:
                self.add("cddl-shape")
                return
            expires, size, enc_alg, key, nonce, aad, hash_alg = (x.value for x in v[5:12])
            if expires > 2**32 - 1 or size > 2**64 - 1 or enc_alg > 2**16 - 1 or hash_alg > 255:
                self.add("value-out-of-range")
            if enc_alg == 0 and (key or nonce or aad):
                self.add("enc-alg-zero-with-key")
        elif card.value == 3:
            sem, parts = v[3], v[4]
            if sem.kind != "uint":
                self.add("cddl-shape")
            elif sem.value > 2:
                self.add("unknown-part-semantics")
            if parts.kind != "array":
                self.add("cddl-shape")
                return
            if len(parts.value) < 2:
                self.add("too-few-parts")
            for p in parts.value:
                self.nested(p, level + 1)


def hx(b: bytes) -> str:
    return b.hex()


def part_model(n: Node, d: bytes) -> dict:
    v = n.value
    m = {"disposition": v[0].value, "language": v[1].value, "cardinality": CARD_NAMES[v[2].value]}
    c = v[2].value
    if c == 1:
        m.update({"contentType": v[3].value, "content": hx(v[4].value)})
    elif c == 2:
        names = ["contentType", "url", "expires", "size", "encAlg", "key", "nonce", "aad",
                 "hashAlg", "contentHash", "description", "filename"]
        for name, x in zip(names, v[3:]):
            m[name] = hx(x.value) if x.kind == "bytes" else x.value
    elif c == 3:
        m.update({"partSemantics": v[3].value, "parts": [part_model(p, d) for p in v[4].value]})
    return m


def analyze(data: bytes) -> Analysis:
    """Classify a candidate mimiContent: returns the set of rule kinds it breaks, and, when it
    breaks none (or only float-used), its Content model."""
    try:
        root, enc_issues = parse(data)
    except Malformed:
        return Analysis({"malformed-cbor"})
    except Truncated:
        return Analysis({"truncated"})
    except ValueError:
        return Analysis({"trailing-bytes"})
    ck = ContentChecker(data)
    ck.run(root)
    issues = set(enc_issues) | ck.issues
    a = Analysis(issues)
    if issues - {"float-used"}:
        return a
    salt, rep, topic, exp, irt, ext, body = root.value
    exts = []
    for k, v in ext.value:
        key = k.value
        if v.kind == "text":
            exts.append({"key": key, "text": v.value})
        else:
            exts.append({"key": key, "cbor": hx(data[v.start:v.end])})
        a.ext_raw.append(data[v.start:v.end])
        if k.kind == "uint" and k.value == 1:
            a.sender = v.value
        if k.kind == "uint" and k.value == 2:
            a.room = v.value
    a.model = {
        "salt": hx(salt.value),
        "replaces": None if rep.kind == "null" else hx(rep.value),
        "topicId": hx(topic.value),
        "expires": None if exp.kind == "null" else {"relative": exp.value[0].value,
                                                     "time": exp.value[1].value},
        "inReplyTo": None if irt.kind == "null" else hx(irt.value),
        "extensions": exts,
        "nestedPart": part_model(body, data),
    }
    a.parts = [{"index": p["index"], "depth": p["depth"], "cardinality": p["cardinality"]}
               for p in ck.parts]
    return a


# ---------------------------------------------------------------------------------------------
# Independent model via cbor2, and the model -> CBOR reference encoder
# ---------------------------------------------------------------------------------------------

def same(a, b) -> bool:
    """Deep equality that treats NaN == NaN and distinguishes -0.0 from 0.0."""
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return len(a) == len(b) and all(same(k1, k2) and same(v1, v2) for (k1, v1), (k2, v2)
                                        in zip(a.items(), b.items()))
    if isinstance(a, cbor2.CBORTag) and isinstance(b, cbor2.CBORTag):
        return a.tag == b.tag and same(a.value, b.value)
    return type(a) is type(b) and a == b


def cbor2_part(p) -> dict:
    m = {"disposition": p[0], "language": p[1], "cardinality": CARD_NAMES[p[2]]}
    if p[2] == 1:
        m.update({"contentType": p[3], "content": hx(p[4])})
    elif p[2] == 2:
        names = ["contentType", "url", "expires", "size", "encAlg", "key", "nonce", "aad",
                 "hashAlg", "contentHash", "description", "filename"]
        for name, x in zip(names, p[3:]):
            m[name] = hx(x) if isinstance(x, bytes) else x
    elif p[2] == 3:
        m.update({"partSemantics": p[3], "parts": [cbor2_part(x) for x in p[4]]})
    return m


def model_via_cbor2(data: bytes, ext_raw: list) -> dict:
    v = cbor2.loads(data)
    salt, rep, topic, exp, irt, ext, body = v
    exts = []
    assert len(ext) == len(ext_raw)
    for (k, x), raw in zip(ext.items(), ext_raw):
        if isinstance(x, str):
            exts.append({"key": k, "text": x})
        else:
            assert same(cbor2.loads(raw), x), (k, raw.hex())
            exts.append({"key": k, "cbor": hx(raw)})
    return {
        "salt": hx(salt),
        "replaces": None if rep is None else hx(rep),
        "topicId": hx(topic),
        "expires": None if exp is None else {"relative": exp[0], "time": exp[1]},
        "inReplyTo": None if irt is None else hx(irt),
        "extensions": exts,
        "nestedPart": cbor2_part(body),
    }


def plain_part(m: dict):
    c = m["cardinality"]
    out = [m["disposition"], m["language"]]
    if c == "null":
        return out + [0]
    if c == "single":
        return out + [1, m["contentType"], bytes.fromhex(m["content"])]
    if c == "external":
        return out + [2, m["contentType"], m["url"], m["expires"], m["size"], m["encAlg"],
                      bytes.fromhex(m["key"]), bytes.fromhex(m["nonce"]), bytes.fromhex(m["aad"]),
                      m["hashAlg"], bytes.fromhex(m["contentHash"]), m["description"],
                      m["filename"]]
    return out + [3, m["partSemantics"], [plain_part(p) for p in m["parts"]]]


def encode_model(m: dict) -> bytes:
    """Reference encoder: Content model -> deterministic CBOR (extension keys sorted bytewise
    whatever the list order)."""
    h = lambda x: None if x is None else bytes.fromhex(x)  # noqa: E731
    ext = Map([(e["key"], e["text"] if "text" in e else Raw(bytes.fromhex(e["cbor"])))
               for e in m["extensions"]], sort=True)
    exp = None if m["expires"] is None else [m["expires"]["relative"], m["expires"]["time"]]
    return enc([bytes.fromhex(m["salt"]), h(m["replaces"]), bytes.fromhex(m["topicId"]), exp,
                h(m["inReplyTo"]), ext, plain_part(m["nestedPart"])])


# ---------------------------------------------------------------------------------------------
# Message IDs (section 3.3)
# ---------------------------------------------------------------------------------------------

def message_id_08(sender: str, room: str, message: bytes, salt: bytes) -> bytes:
    s, r = sender.encode(), room.encode()
    h = hashlib.sha256(len(s).to_bytes(2, "big") + s + len(r).to_bytes(2, "big") + r
                       + message + salt).digest()
    return b"\x01" + h[:31]


def message_id_07(sender: str, room: str, message: bytes, salt: bytes) -> bytes:
    h = hashlib.sha256(sender.encode() + room.encode() + message + salt).digest()
    return b"\x01" + h[:31]


# ---------------------------------------------------------------------------------------------
# EDN (diagnostic notation) reader for the subset the draft uses, and hex-dump reader
# ---------------------------------------------------------------------------------------------

class Edn:
    def __init__(self, s: str, pos: int = 0):
        self.s, self.i = s, pos
        self.notes: list[str] = []

    def line(self) -> int:
        return self.s.count("\n", 0, self.i) + 1

    def ws(self):
        s = self.s
        while self.i < len(s):
            c = s[self.i]
            if c.isspace():
                self.i += 1
            elif c == "#":
                j = s.find("\n", self.i)
                self.i = len(s) if j < 0 else j + 1
            elif c == "/":
                self.i = s.index("/", self.i + 1) + 1
            else:
                break

    def value(self):
        self.ws()
        v = self.atom()
        while True:
            save = self.i
            self.ws()
            if self.i < len(self.s) and self.s[self.i] == "+":
                self.i += 1
                self.ws()
                w = self.atom()
                assert type(w) is type(v)
                v = v + w
            else:
                self.i = save
                return v

    def seq(self, close: str, pair: bool):
        items = []
        need_sep = False
        while True:
            self.ws()
            if self.s[self.i] == close:
                self.i += 1
                return items
            if need_sep:
                self.notes.append(f"missing comma before line {self.line()}")
            k = self.value()
            if pair:
                self.ws()
                assert self.s[self.i] == ":", self.s[self.i:self.i + 20]
                self.i += 1
                items.append((k, self.value()))
            else:
                items.append(k)
            self.ws()
            if self.s[self.i] == ",":
                self.i += 1
                need_sep = False
                self.ws()
                if self.s[self.i] == close:
                    self.notes.append(f"trailing comma before line {self.line()}")
            else:
                need_sep = True

    def quoted(self, q: str) -> str:
        out = []
        self.i += 1
        while True:
            c = self.s[self.i]
            if c == "\\":
                e = self.s[self.i + 1]
                out.append({"n": "\n", "t": "\t"}.get(e, e))
                self.i += 2
            elif c == q:
                self.i += 1
                return "".join(out)
            else:
                out.append(c)
                self.i += 1

    def atom(self):
        s = self.s
        c = s[self.i]
        if c == "[":
            self.i += 1
            return self.seq("]", False)
        if c == "{":
            self.i += 1
            return Map(self.seq("}", True), sort=False)
        if s.startswith("h'", self.i):
            self.i += 2
            hexchars = []
            while True:
                ch = s[self.i]
                if ch == "'":
                    self.i += 1
                    break
                if ch == "#":
                    self.i = s.index("\n", self.i)
                elif ch == "/":
                    self.i = s.index("/", self.i + 1) + 1
                else:
                    if not ch.isspace():
                        hexchars.append(ch)
                    self.i += 1
            return bytes.fromhex("".join(hexchars))
        if c == "'":
            return self.quoted("'").encode("utf-8")
        if c == '"':
            return self.quoted('"')
        for word, val in (("null", None), ("true", True), ("false", False)):
            if s.startswith(word, self.i):
                self.i += len(word)
                return val
        m = re.compile(r"-?[0-9]+").match(s, self.i)
        if m:
            self.i = m.end()
            n = int(m.group())
            if self.i < len(s) and s[self.i] == "(":
                self.i += 1
                v = self.value()
                self.ws()
                assert s[self.i] == ")"
                self.i += 1
                return Tag(n, v)
            return n
        raise ValueError(f"EDN: unexpected {s[self.i:self.i + 30]!r} at line {self.line()}")


def read_hexdump(lines: list[str]) -> bytes:
    out = []
    for ln in lines:
        code = ln.split("#", 1)[0]
        for tok in code.split():
            out.append(tok)
    return bytes.fromhex("".join(out))


def edn_message_id(text: str) -> str | None:
    m = re.search(r"# message ID = h'([0-9a-f]+)\s*\n\s*#\s+([0-9a-f]+)'", text)
    return m.group(1) + m.group(2) if m else None


# ---------------------------------------------------------------------------------------------
# Case construction helpers
# ---------------------------------------------------------------------------------------------

def single(disp, lang, ctype, content):
    return [disp, lang, 1, ctype, content]


def multi(disp, lang, sem, parts):
    return [disp, lang, 3, sem, parts]


def ext_map(*pairs, sort=True):
    return Map(list(pairs), sort=sort)


def with_ext(c, ext):
    c = copy.deepcopy(c)
    c[5] = ext
    return c


def with_field(c, i, v):
    c = copy.deepcopy(c)
    c[i] = v
    return c


def with_body(c, body):
    return with_field(c, 6, body)


def replace_bytes_once(b: bytes, old: bytes, new: bytes) -> bytes:
    assert b.count(old) == 1, (old, b.count(old))
    return b.replace(old, new)


class Registry:
    """Collects cases for one file and enforces unique tcId / global slug uniqueness."""
    slugs: set = set()

    def __init__(self):
        self.tests: list = []

    def add(self, case: dict):
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", case["slug"]), case["slug"]
        assert case["slug"] not in Registry.slugs, case["slug"]
        Registry.slugs.add(case["slug"])
        case = {"tcId": len(self.tests) + 1, **case}
        self.tests.append(case)
        return case


def file_header(kind: str, source: str, flags: list[str], draft="draft-ietf-mimi-content",
                rev="08", extra=None) -> dict:
    h = {"schema": SCHEMA, "kind": kind, "draft": draft, "rev": rev, "source": source,
         "generator": GENERATOR, "flags": {f: FLAGS[f] for f in flags}}
    if extra:
        h.update(extra)
    return h


def check_deterministic(data: bytes, plain_tree) -> None:
    """A valid case must be in RFC 8949 section 4.2.1 deterministic form:
    (1) our bytewise-sorting encoder reproduces it; (2) cbor2's canonical mode reproduces it, or,
    where cbor2 sorts map keys length-first (RFC 7049), equals our length-first re-encoding;
    (3) the raw walk found no encoding issue (shortest arguments, definite lengths, map keys in
    strictly increasing bytewise order) -- checked by analyze()."""
    assert enc(plain_tree, canon="bytewise") == data
    c2 = cbor2.dumps(cbor2.loads(data), canonical=True)
    if c2 != data:
        assert c2 == enc(plain_tree, canon="length-first"), "cbor2 canonical differs beyond key order"
        STATS["cbor2_length_first"] += 1
    # explicit bytewise key order scan of every map
    root, _ = parse(data)

    def scan(n: Node):
        if n.kind == "map":
            ks = [data[k.start:k.end] for k, _ in n.value]
            assert all(ks[i] < ks[i + 1] for i in range(len(ks) - 1)), ks
            for k, v in n.value:
                scan(k)
                scan(v)
        elif n.kind == "array":
            for x in n.value:
                scan(x)
        elif n.kind == "tag":
            scan(n.value[1])
    scan(root)


STATS = {"cbor2_length_first": 0}


def valid_expected(data: bytes, allow_float=False) -> tuple[dict, Analysis]:
    a = analyze(data)
    allowed = {"float-used"} if allow_float else set()
    assert a.issues == allowed, a.issues
    root, _ = parse(data)
    check_deterministic(data, plain(root))
    m2 = model_via_cbor2(data, a.ext_raw)
    assert m2 == a.model, "cbor2 model differs from reference model"
    assert encode_model(a.model) == data, "model does not re-encode to the same bytes"
    salt = bytes.fromhex(a.model["salt"])
    expected = {
        "messageId": hx(message_id_08(a.sender, a.room, data, salt)),
        "messageId07": hx(message_id_07(a.sender, a.room, data, salt)),
        "content": m2,
        "partIndices": a.parts,
    }
    return expected, a


# ---------------------------------------------------------------------------------------------
# The generator proper
# ---------------------------------------------------------------------------------------------

def inputs(ctx: SimpleNamespace) -> None:
    """The command line: where the draft files are read from and the vectors written to."""
    here = Path(__file__).resolve().parent
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--drafts", default=str(here.parent.parent / "spec" / "drafts"))
    ap.add_argument("--examples")
    ap.add_argument("--status")
    ap.add_argument("--rendered")
    ap.add_argument("--out", default=str(here.parent.parent / "vectors" / "content"))
    args = ap.parse_args()
    drafts = Path(args.drafts)
    exdir = Path(args.examples or drafts / "mimi-content-examples")
    status_path = Path(args.status or drafts / "mimi-message-status-examples" / "status.cbor")
    rendered_path = Path(args.rendered or drafts / "rendered" / "draft-ietf-mimi-content-editors-copy.txt")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    report: list[str] = []
    ctx.exdir = exdir
    ctx.out = out
    ctx.rendered_path = rendered_path
    ctx.report = report
    ctx.status_path = status_path

def load_examples(ctx: SimpleNamespace) -> None:
    """The draft's example files (§5, App. B): each .cbor decoded, its message ID recomputed and
    checked against the printed one, its .edn and .pretty checked against its bytes."""
    exdir, report = ctx.exdir, ctx.report
    raw = {name: (exdir / f"{name}.cbor").read_bytes() for name, _ in EXAMPLES}
    base = {}
    ids08 = {}
    for name, _ in EXAMPLES:
        data = raw[name]
        root, issues = parse(data)
        assert not issues, (name, issues)
        base[name] = plain(root)
        assert enc(base[name]) == data
        a = analyze(data)
        assert not a.issues, (name, a.issues)
        salt = bytes.fromhex(a.model["salt"])
        ids08[name] = message_id_08(a.sender, a.room, data, salt)
        assert hx(ids08[name]) == PRINTED_IDS[name], name
        edn_text = (exdir / f"{name}.edn").read_text()
        assert edn_message_id(edn_text) == PRINTED_IDS[name], name
        e = Edn(edn_text)
        assert e.value() == base[name], f"{name}.edn differs from {name}.cbor"
        for note in e.notes:
            report.append(f"{name}.edn: {note}")
        pretty = (exdir / f"{name}.pretty").read_text().splitlines()
        assert read_hexdump(pretty) == data, f"{name}.pretty differs from {name}.cbor"
    orig = analyze(raw["original"])
    id07_original = message_id_07(orig.sender, orig.room, raw["original"],
                                  bytes.fromhex(orig.model["salt"]))
    assert hx(id07_original) == PRINTED_ORIGINAL_ID07
    ctx.base = base
    ctx.ids08 = ids08
    ctx.orig = orig
    ctx.raw = raw

def read_rendered(ctx: SimpleNamespace) -> None:
    """The rendered -08 text: the section of each example, its inline EDN, printed IDs and hex dumps."""
    base, raw, rendered_path, report = ctx.base, ctx.raw, ctx.rendered_path, ctx.report
    rendered = rendered_path.read_text()
    rlines = rendered.splitlines()
    section_of_line = []
    cur = None
    for ln in rlines:
        m = re.match(r"^([0-9]+(?:\.[0-9]+)*|[A-C]\.[0-9]+)\.  \S", ln)
        if m:
            cur = m.group(1)
        section_of_line.append(cur)
    for name, sec in EXAMPLES:
        if name == "mention-html":
            continue  # the rendered text only shows the changed fields
        idx = next(i for i, ln in enumerate(rlines) if ln.strip() == f"# {name.upper()}")
        assert section_of_line[idx] == sec, (name, section_of_line[idx])
        block_start = sum(len(x) + 1 for x in rlines[:idx])
        e = Edn(rendered, block_start)
        v = e.value()
        if v != base[name]:
            report.append(f"rendered EDN of {name} (section {sec}) differs from {name}.cbor")
        for note in e.notes:
            report.append(f"rendered EDN of {name} (section {sec}): {note}")
        assert edn_message_id(rendered[block_start:block_start + 400]) == PRINTED_IDS[name]
    inline_dumps = {}
    for i, ln in enumerate(rlines):
        if re.match(r"^\s+87\s+# array\(7\)$", ln):
            j = i
            while j < len(rlines) and rlines[j].strip():
                j += 1
            inline_dumps[section_of_line[i]] = (read_hexdump(rlines[i:j]), i + 1)
    sec_to_name = {sec: name for name, sec in EXAMPLES if name != "mention-html"}
    inline_diffs = {}
    for sec, (dump, lineno) in sorted(inline_dumps.items()):
        name = sec_to_name[sec]
        f = raw[name]
        diffs = [k for k in range(max(len(f), len(dump))) if k >= len(f) or k >= len(dump)
                 or f[k] != dump[k]]
        inline_diffs[sec] = diffs
        if diffs:
            report.append(f"inline hex dump of section {sec} (line {lineno}) differs from {name}.cbor "
                          f"at offsets {diffs[0]}..{diffs[-1]} ({len(diffs)} bytes)")
    assert set(inline_dumps) == {"5.1", "5.2", "5.3", "5.8", "5.9", "5.10"}, sorted(inline_dumps)
    ctx.inline_diffs = inline_diffs
    ctx.inline_dumps = inline_dumps
    ctx.rendered = rendered

def check_timestamp_comments(ctx: SimpleNamespace) -> None:
    """The ISO-8601 renderings in the .edn timestamp comments (draft observations only)."""
    exdir, report = ctx.exdir, ctx.report
    # ISO-8601 renderings in the .edn timestamp comments
    import datetime as _dt
    for name, _ in EXAMPLES + [("implied-original", None)]:
        for m in re.finditer(r"(1644[0-9]{9})\s*=\s*([0-9T:.\-]+Z)", (exdir / f"{name}.edn").read_text()):
            ms = int(m.group(1))
            iso = _dt.datetime.fromtimestamp(ms / 1000, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") \
                + f"{ms % 1000:03d}Z"
            if iso != m.group(2):
                report.append(f"{name}.edn: {ms} is {iso}, comment says {m.group(2)}")

def examples_json(ctx: SimpleNamespace) -> None:
    """examples.json: the draft's 14 examples (§5.1-§5.10, App. B), unchanged."""
    out, raw = ctx.out, ctx.raw
    reg = Registry()
    for name, sec in EXAMPLES:
        data = raw[name]
        expected, a = valid_expected(data)
        assert expected["messageId"] == PRINTED_IDS[name]
        reg.add({
            "slug": f"example-{name}", "section": sec, "result": "valid", "flags": ["DraftExample"],
            "comment": f"The draft's {name} example ({'Appendix ' if sec[0] == 'B' else 'section '}{sec}), "
                       f"examples/{name}.cbor unchanged.",
            "cbor": hx(data), "sender": a.sender, "room": a.room, "expected": expected,
        })
    # part indices of multipart-3 as tabulated in App. B.3 / NOTES
    mp3 = reg.tests[-1]["expected"]["partIndices"]
    assert [p["depth"] for p in mp3] == [1, 2, 3, 4, 4, 3, 2, 3, 4, 4, 3]
    assert [p["cardinality"] for p in mp3] == ["multi"] * 3 + ["single"] * 3 + ["multi"] * 2 + ["single"] * 3
    write(out / "examples.json", file_header("content", SRC_EXAMPLES, ["DraftExample"]), reg.tests)

def edge_valid_json(ctx: SimpleNamespace) -> None:
    """edge-valid.json: valid edge cases, each one example changed (§3.3-§9.1)."""
    base, out, rendered = ctx.base, ctx.out, ctx.rendered
    B = base
    ROOM = "mimi://example.com/r/engineering_team"
    ALICE = "mimi://example.com/u/alice-smith"
    GFM = "text/markdown;variant=GFM-MIMI"
    HTML = "text/html;charset=utf-8"
    PLAIN = "text/plain;charset=utf-8"
    # section 6.3 example map, read from the rendered text
    i63 = rendered.index("\n6.3.  Depth restrictions\n")
    e63 = Edn(rendered, rendered.index("{", i63))
    ext63 = e63.value()
    assert ext63 == Map([(1, "mimi://a.example/u/alice"),
                         (256, [[bytes.fromhex("1234"), Tag(32, "http://example.com")],
                                [bytes.fromhex("3456"), 5771]])], sort=False)
    ext63_pairs = ext63.pairs
    SENDER63 = ext63_pairs[0][1]
    val256 = ext63_pairs[1][1]
    # its depth: the map is level 1 and the whole is exactly 4
    assert cdepth(parse(enc(Map(ext63_pairs)))[0]) == 4

    unknown_id = b"\x01" + hashlib.sha256(b"mimi-conformance: a message this client never saw").digest()[:31]
    euro255 = "\u20ac" * 85
    assert len(euro255.encode()) == 255
    topic4096 = b"Foo 118 " * 512
    assert len(topic4096) == 4096
    emojis = [bytes.fromhex("e29da4"), bytes.fromhex("f09fa5b3"), bytes.fromhex("f09fa49e")]
    png = B["multipart-3"][6][4][1][4][1][4]
    assert png == bytes.fromhex("fa444237451a05a72bb0f67037cc1669")
    att_part = B["attachment"][6]
    mp1 = B["multipart-1"]
    md_part, vendor_part = mp1[6][4]

    chain4 = multi(1, "", 0, [
        multi(1, "", 2, [
            multi(1, "", 0, [single(1, "en", GFM, b"# Welcome!"),
                             single(1, "fr", GFM, b"# Bienvenue !")]),
            single(4, "", "image/png", png)]),
        vendor_part])

    def mp3_depth5():
        c = copy.deepcopy(B["multipart-3"])
        gif_branch = c[6][4][0]          # index 1
        en_fr = gif_branch[4][0]         # index 2
        en = en_fr[4][0]                 # index 3 (depth 4)
        en_alt = single(1, "en", "text/plain;charset=utf-8", b"Welcome!")
        en_fr[4][0] = multi(1, "en", 0, [en, en_alt])
        # part indices shift by two after the inserted parts: keep the cid references right
        for p in (en, en_fr[4][1]):
            p[4] = p[4].replace(b"cid:5@", b"cid:7@")
        png_branch = c[6][4][1]
        for p in png_branch[4][0][4]:
            p[4] = p[4].replace(b"cid:10@", b"cid:12@")
        return c

    edge: list[tuple] = []  # (slug, section, req, flags, comment, content tree)

    def E(slug, section, req, flags, comment, tree):
        edge.append((slug, section, req, flags, comment, tree))

    E("valid-nesting-depth-4-chain", "6.3", "CONT-13", ["Mutation", "Boundary"],
      "multipart-1 with its body replaced by a chain of MultiParts, each with exactly 2 parts, reaching "
      "nesting level 4 (top level = 1), the maximum allowed.",
      with_body(mp1, chain4))
    E("valid-extension-depth-4", "6.3", "CONT-14", ["Mutation", "Boundary", "Extension"],
      "original with the extensions map of the section 6.3 example (senderUri mimi://a.example/u/alice and "
      "key 256 holding arrays and tag 32, exactly 4 levels deep) plus the roomUri.",
      with_ext(B["original"], ext_map(*ext63_pairs, (2, ROOM))))
    for d in (9, 255):
        E(f"valid-unknown-disposition-{d}", "9.1", "CONT-R04", ["Mutation", "Receiver"],
          f"original with the body disposition changed from 1 (render) to the unregistered value {d}, "
          f"which a receiver must accept and treat as render.",
          with_body(B["original"], [d] + B["original"][6][1:]))
    E("valid-extension-key-negative", "4.3", "CONT-D1", ["Mutation", "Extension"],
      "original with an additional private-use extension under the negative integer key -1 "
      "(value \"private\").",
      with_ext(B["original"], ext_map((1, ALICE), (2, ROOM), (-1, "private"))))
    E("valid-extension-key-text", "4.3", "CONT-D1", ["Mutation", "Extension"],
      "original with an additional private-use extension under the text key \"org.example.flag\" "
      "(value true).",
      with_ext(B["original"], ext_map((1, ALICE), (2, ROOM), ("org.example.flag", True))))
    E("valid-extension-key-text-255-octets", "6.2", "CONT-D1", ["Mutation", "Extension", "Boundary"],
      "original with an additional extension whose text key is 85 U+20AC characters, i.e. exactly 255 "
      "octets of UTF-8 (the maximum), value 1.",
      with_ext(B["original"], ext_map((1, ALICE), (2, ROOM), (euro255, 1))))
    E("valid-extension-key-int-max", "6.2", "CONT-D3", ["Mutation", "Extension", "Boundary"],
      "original with an additional extension under the integer key 2^53-1 = 9007199254740991, the "
      "largest key allowed (value h'00').",
      with_ext(B["original"], ext_map((1, ALICE), (2, ROOM), (MAX_INT_KEY, b"\x00"))))
    E("valid-extension-key-int-min", "6.2", "CONT-D3", ["Mutation", "Extension", "Boundary"],
      "original with an additional extension under the integer key -(2^53-1) = -9007199254740991, the "
      "smallest key allowed (value \"min\").",
      with_ext(B["original"], ext_map((1, ALICE), (2, ROOM), (-MAX_INT_KEY, "min"))))
    E("valid-extension-key-unregistered", "4.3", "CONT-D1", ["Mutation", "Extension"],
      "original with an additional extension under the unregistered positive key 1000 (value "
      "\"unregistered\"), which a receiver must ignore rather than reject.",
      with_ext(B["original"], ext_map((1, ALICE), (2, ROOM), (1000, "unregistered"))))
    E("valid-extension-nested-map-keys", "6.2", "CONT-D2", ["Mutation", "Extension"],
      "original with an additional extension -2 whose value is a map with an integer, a byte-string and "
      "a text-string key (the three permitted key types), in bytewise order.",
      with_ext(B["original"], ext_map((1, ALICE), (2, ROOM),
                                      (-2, Map([(1, "int"), (b"\x01", "bytes"), ("a", "text")])))))
    E("valid-extension-value-5000-bytes", "4.3", "CONT-S01", ["Mutation", "Extension", "Boundary"],
      "original with an additional extension -3 whose value is a 5000-byte byte string (the 4095-octet "
      "limit of -07 was removed in -08).",
      with_ext(B["original"], ext_map((1, ALICE), (2, ROOM),
                                      (-3, bytes(i * 7 % 251 for i in range(5000))))))
    E("valid-topic-id-4096-octets", "9.1", "CONT-R01", ["Mutation", "Boundary", "Should"],
      "conferencing with the topicId replaced by 4096 octets (\"Foo 118 \" x 512), the longest topicId "
      "section 9.1 does not call very long.",
      with_field(B["conferencing"], 2, topic4096))
    E("valid-1024-body-parts", "9.1", "CONT-R02", ["Mutation", "Boundary", "Should"],
      "multipart-2 with 1023 reaction SingleParts under the processAll MultiPart, i.e. exactly 1024 "
      "NestedParts in total (part indices 0..1023).",
      with_body(B["multipart-2"], multi(2, "", 2, [single(2, "", PLAIN, emojis[i % 3])
                                                   for i in range(1023)])))
    E("valid-cid-reference-single-part", "4.4", "CONT-06", ["Mutation"],
      "multipart-3 reduced to one singleUnit MultiPart whose HTML part references the PNG SinglePart as "
      "cid:2@local.invalid.",
      with_body(B["multipart-3"], multi(1, "", 1, [
          single(1, "en", HTML, b'<html><body><h1>Welcome!</h1>\n<img src="cid:2@local.invalid" '
                                b'alt="Welcome image"/>\n</body></html>'),
          single(4, "", "image/png", png)])))
    E("valid-cid-reference-external-part", "4.4", "CONT-06", ["Mutation"],
      "attachment with its ExternalPart moved into a singleUnit MultiPart after a Markdown part that "
      "references it as cid:2@local.invalid.",
      with_body(B["attachment"], multi(1, "en", 1, [
          single(1, "en", GFM, b"Key signing video: [bigfile.mp4](cid:2@local.invalid)"),
          copy.deepcopy(att_part)])))
    E("valid-in-reply-to-unknown-message", "9.1", "CONT-R06", ["Mutation", "Receiver"],
      "reply with inReplyTo changed to a well-formed SHA-256 message ID (0x01 prefix) of a message the "
      "receiver has never seen.",
      with_field(B["reply"], 4, unknown_id))
    E("valid-replaces-unknown-message", "9.1", "CONT-R06", ["Mutation", "Receiver"],
      "edit with replaces changed to a well-formed SHA-256 message ID (0x01 prefix) of a message the "
      "receiver has never seen.",
      with_field(B["edit"], 1, unknown_id))
    E("valid-unknown-content-type", "9.1", "CONT-R05", ["Mutation", "Receiver"],
      "original with the contentType changed to the unregistered \"application/x-mimi-conformance-unknown\".",
      with_body(B["original"], B["original"][6][:3] + ["application/x-mimi-conformance-unknown"]
                + B["original"][6][4:]))
    E("valid-unknown-language-tag", "9.1", "CONT-R05", ["Mutation", "Receiver"],
      "original with the language changed from \"\" to the well-formed but unrecognized private-use tag "
      "\"x-mimi-unknown\".",
      with_body(B["original"], [1, "x-mimi-unknown"] + B["original"][6][2:]))
    att_aad = copy.deepcopy(att_part)
    att_aad[10] = b"mimi attachment"
    E("valid-external-part-aad", "4.5", "CONT-S06", ["Mutation"],
      "attachment (encAlg 1 = AES-128-GCM with a 16-byte key and 12-byte nonce) with a non-empty aad "
      "(\"mimi attachment\") added.",
      with_body(B["attachment"], att_aad))
    conf_max = copy.deepcopy(B["conferencing"][6])
    conf_max[5], conf_max[6] = 2**32 - 1, 2**64 - 1
    E("valid-external-part-max-values", "4.5", "CONT-S01", ["Mutation", "Boundary"],
      "conferencing with the ExternalPart expires set to 2^32-1 and size to 2^64-1, the largest values "
      "of uint .size 4 and uint .size 8.",
      with_body(B["conferencing"], conf_max))
    # Depth-first and breadth-first numbering disagree in this body: depth-first gives
    # 0 root, 1 A, 2 B, 3 html, 4 x, 5 png, 6 y; breadth-first gives 0 root, 1 A, 2 y, 3 B, ...
    # y's cid:3 names a SinglePart depth-first (valid) but a MultiPart breadth-first.
    def depth_first_body(cid):
        html = single(1, "", "text/html;charset=utf-8", b"<p>Welcome</p>")
        x = single(1, "", "text/plain;charset=utf-8", b"x")
        png_part = single(4, "", "image/png", png)
        y = single(1, "", "text/html;charset=utf-8", b'<p>See <img src="' + cid + b'local.invalid"/></p>')
        return multi(1, "", 2, [multi(1, "", 2, [multi(1, "", 2, [html, x]), png_part]), y])

    E("valid-part-index-depth-first", "4.4", "CONT-S09", ["Mutation"],
      "multipart-1 with a body whose depth-first and breadth-first part numbers differ; the last part "
      "references cid:3@local.invalid, a SinglePart when parts are numbered depth-first (App. B.3) but "
      "a MultiPart if they were numbered breadth-first.",
      with_body(mp1, depth_first_body(b"cid:3@")))
    globals()["DEPTH_FIRST_BODY"] = depth_first_body
    globals()["MP1_TEMPLATE"] = mp1

    reg = Registry()
    for slug, section, req, flags, comment, tree in edge:
        data = enc(tree)
        expected, a = valid_expected(data)
        reg.add({"slug": slug, "section": section, "result": "valid", "flags": flags, "req": req,
                 "comment": comment, "cbor": hx(data), "sender": a.sender, "room": a.room,
                 "expected": expected})
    # structural spot checks
    byslug = {t["slug"]: t for t in reg.tests}
    assert max(p["depth"] for p in byslug["valid-nesting-depth-4-chain"]["expected"]["partIndices"]) == 4
    assert len(byslug["valid-1024-body-parts"]["expected"]["partIndices"]) == 1024
    assert len(reg.tests) >= 12
    write(out / "edge-valid.json",
          file_header("content", SRC_EXAMPLES + "; each case changes one example as its comment says",
                      ["Mutation", "Boundary", "Should", "Extension", "Receiver"]), reg.tests)
    edge_trees = {slug: tree for slug, _, _, _, _, tree in edge}
    ctx.ALICE = ALICE
    ctx.B = B
    ctx.PLAIN = PLAIN
    ctx.ROOM = ROOM
    ctx.SENDER63 = SENDER63
    ctx.chain4 = chain4
    ctx.edge_trees = edge_trees
    ctx.emojis = emojis
    ctx.euro255 = euro255
    ctx.mp1 = mp1
    ctx.mp3_depth5 = mp3_depth5
    ctx.topic4096 = topic4096
    ctx.val256 = val256

def edge_acceptable_json(ctx: SimpleNamespace) -> None:
    """edge-acceptable.json: floats (§6.2), discouraged but not forbidden."""
    ALICE, B, ROOM, out = ctx.ALICE, ctx.B, ctx.ROOM, ctx.out
    reg = Registry()
    acc = [
        ("float-half-1-5", "f16 1.5 (f93e00)", Float(2, 0x3E00)),
        ("float-half-nan-permitted", "the one permitted NaN, half-precision quiet NaN f97e00", Float(2, 0x7E00)),
        ("float-half-infinity", "f16 +Infinity (f97c00)", Float(2, 0x7C00)),
        ("float-single-100000", "f32 100000.0 (fa47c35000), which has no exact f16 form",
         Float(4, 0x47C35000)),
        ("float-double-0-1", "f64 0.1 (fb3fb999999999999a), which has no exact shorter form",
         Float(8, 0x3FB999999999999A)),
        ("float-typed-array-signalling-nan",
         "tag 85 (RFC 8746 float32 little-endian typed array) holding 1.5 and the signalling NaN "
         "7f800001, NaNs inside tags 80-87 being explicitly permitted",
         Tag(85, struct.pack("<f", 1.5) + bytes.fromhex("0100807f"))),
    ]
    for slug, what, val in acc:
        tree = with_ext(B["original"], ext_map((1, ALICE), (2, ROOM), (-1, val)))
        data = enc(tree)
        expected, a = valid_expected(data, allow_float=True)
        assert analyze(data).issues == {"float-used"}
        reg.add({"slug": slug, "section": "6.2", "result": "acceptable", "flags": ["Mutation", "Float", "Extension"],
                 "rule": "float-used", "req": "CONT-D6",
                 "comment": f"original with an additional extension -1 whose value is {what}; floats are "
                            f"strongly discouraged but not forbidden.",
                 "cbor": hx(data), "sender": a.sender, "room": a.room, "expected": expected})
    write(out / "edge-acceptable.json",
          file_header("content", SRC_EXAMPLES + "; each case changes one example as its comment says",
                      ["Mutation", "Float", "Extension"]), reg.tests)

def invalid_setup(ctx: SimpleNamespace) -> None:
    """invalid.json, first: the case list and the examples the mutations start from."""
    B, raw = ctx.B, ctx.raw
    inv: list[tuple] = []  # (slug, rule, flags, comment, bytes, base name for sender/room)

    def I(slug, rule, comment, data, of, flags=()):  # noqa: E743
        inv.append((slug, rule, list(flags), comment, data, of))

    O = B["original"]
    Ob = raw["original"]
    E_ = B["expiring"]
    A_ = B["attachment"]
    C_ = B["conferencing"]
    R_ = B["reply"]
    ED = B["edit"]
    MP3 = B["multipart-3"]

    def body_with(c, idx, val):
        b = copy.deepcopy(c[6])
        b[idx] = val
        return with_body(c, b)
    ctx.A_ = A_
    ctx.C_ = C_
    ctx.ED = ED
    ctx.E_ = E_
    ctx.I = I
    ctx.MP3 = MP3
    ctx.O = O
    ctx.Ob = Ob
    ctx.R_ = R_
    ctx.body_with = body_with
    ctx.inv = inv

def invalid_a1_well_formedness(ctx: SimpleNamespace) -> None:
    """invalid.json, A.1: CBOR that is not well-formed."""
    I, O, Ob, body_with, raw = ctx.I, ctx.O, ctx.Ob, ctx.body_with, ctx.raw
    # --- A.1 well-formedness ---
    I("invalid-reserved-initial-byte", "malformed-cbor",
      "original with the topicId byte 0x40 replaced by 0x1c (major type 0 with the reserved additional "
      "information 28).", enc(with_field(O, 2, Raw(b"\x1c"))), "original")
    I("invalid-lone-break", "malformed-cbor",
      "original with the replaces field (0xf6) replaced by a lone break byte 0xff outside any "
      "indefinite-length item.", enc(with_field(O, 1, Raw(b"\xff"))), "original")
    I("invalid-indefinite-unsigned", "malformed-cbor",
      "original with the body disposition byte 0x01 replaced by 0x1f (major type 0 with additional "
      "information 31, which has no meaning).", enc(body_with(O, 0, Raw(b"\x1f"))), "original")
    I("invalid-truncated-half", "truncated",
      f"original cut after {len(Ob) // 2} of its {len(Ob)} bytes (inside the extensions map).",
      Ob[:len(Ob) // 2], "original")
    I("invalid-truncated-in-salt", "truncated",
      "original cut after 9 bytes, i.e. after 7 of the 16 salt bytes.", Ob[:9], "original")
    ab = raw["attachment"]
    cut = ab.index(bytes.fromhex("1a2a36ced1")) + 3
    I("invalid-truncated-in-argument", "truncated",
      "attachment cut inside the 4-byte argument of the ExternalPart size (after 0x1a 2a 36).",
      ab[:cut], "attachment")
    I("invalid-trailing-zero-byte", "trailing-bytes",
      "original with one 0x00 byte appended after the top-level array.", Ob + b"\x00", "original")
    I("invalid-trailing-null", "trailing-bytes",
      "original with a second top-level item (null, 0xf6) appended.", Ob + b"\xf6", "original")

def invalid_a1_shape_and_ranges(ctx: SimpleNamespace) -> None:
    """invalid.json, A.1: the CDDL's shapes and ranges."""
    A_, B, E_, I, O, body_with = ctx.A_, ctx.B, ctx.E_, ctx.I, ctx.O, ctx.body_with
    # --- A.1 shape and ranges ---
    I("invalid-content-6-elements", "cddl-shape",
      "original with the inReplyTo element removed, leaving a 6-element mimiContent array (0x86).",
      enc(O[:4] + O[5:]), "original")
    I("invalid-topic-id-null", "cddl-shape",
      "original with topicId given as null (0xf6) instead of a byte string.", enc(with_field(O, 2, None)),
      "original")
    I("invalid-single-part-missing-content", "cddl-shape",
      "original with the content byte string removed from its SinglePart body (array of 4 instead of 5).",
      enc(with_body(O, O[6][:4])), "original")
    I("invalid-salt-as-text", "cddl-shape",
      "original with the salt given as a 16-character text string \"0123456789abcdef\" instead of a "
      "byte string.", enc(with_field(O, 0, "0123456789abcdef")), "original")
    I("invalid-expiration-3-elements", "cddl-shape",
      "expiring with a third element 0 appended to the Expiration array.",
      enc(with_field(E_, 3, E_[3] + [0])), "expiring")
    I("invalid-expiration-time-2-32", "value-out-of-range",
      "expiring with Expiration.time set to 2^32 (0x1b 0000000100000000), beyond uint .size 4.",
      enc(with_field(E_, 3, [False, 2**32])), "expiring", ["Boundary"])
    I("invalid-external-expires-2-32", "value-out-of-range",
      "attachment with the ExternalPart expires set to 2^32, beyond uint .size 4.",
      enc(body_with(A_, 5, 2**32)), "attachment", ["Boundary"])
    I("invalid-enc-alg-65536", "value-out-of-range",
      "attachment with encAlg set to 65536 (0x1a 00010000), beyond uint .size 2.",
      enc(body_with(A_, 7, 65536)), "attachment", ["Boundary"])
    I("invalid-hash-alg-256", "value-out-of-range",
      "attachment with the ExternalPart hashAlg set to 256 (0x19 0100), beyond uint .size 1.",
      enc(body_with(A_, 11, 256)), "attachment", ["Boundary"])
    I("invalid-disposition-256", "value-out-of-range",
      "original with the body disposition set to 256 (0x19 0100), beyond the 0..255 range.",
      enc(body_with(O, 0, 256)), "original", ["Boundary"])
    I("invalid-cardinality-4", "unknown-cardinality",
      "original with the body cardinality changed from 1 to 4 (the other fields unchanged).",
      enc(body_with(O, 2, 4)), "original")
    I("invalid-cardinality-255", "unknown-cardinality",
      "delete with the NullPart cardinality changed from 0 to 255 (0x18 ff).",
      enc(body_with(B["delete"], 2, 255)), "delete")

def invalid_a1_every_shape(ctx: SimpleNamespace) -> None:
    """invalid.json, A.1: every array one element too long and too short, every field tagged."""
    A_, B, E_, I, MP3, O, inv = ctx.A_, ctx.B, ctx.E_, ctx.I, ctx.MP3, ctx.O, ctx.inv
    # --- A.1 every shape: each array one element too many and one too few, each field of it
    # wrapped in an unexpected tag (1000, unassigned). Cases whose bytes an earlier case already
    # has are left out. ---
    def top(c):
        return c, lambda n: n

    def body_of(c):
        return c[6], lambda n: with_body(c, n)

    def expiration_of(c):
        return c[3], lambda n: with_field(c, 3, n)

    def first_subpart(c):
        b = copy.deepcopy(c[6])
        return b[4][0], lambda n: with_body(c, b[:4] + [[n] + b[4][1:]])

    shape_sites = [
        ("mimi-content", "mimiContent", O, "original", top,
         ["salt", "replaces", "topicId", "expires", "inReplyTo", "extensions", "nestedPart"]),
        ("expiration", "Expiration", E_, "expiring", expiration_of, ["relative", "time"]),
        ("null-part", "NullPart NestedPart", B["delete"], "delete", body_of,
         ["disposition", "language", "cardinality"]),
        ("single-part", "SinglePart NestedPart", O, "original", body_of,
         ["disposition", "language", "cardinality", "contentType", "content"]),
        ("external-part", "ExternalPart NestedPart", A_, "attachment", body_of,
         ["disposition", "language", "cardinality", "contentType", "url", "expires", "size", "encAlg",
          "key", "nonce", "aad", "hashAlg", "contentHash", "description", "filename"]),
        ("multi-part", "MultiPart NestedPart", MP3, "multipart-3", body_of,
         ["disposition", "language", "cardinality", "partSemantics", "parts"]),
        ("nested-single-part", "first part inside a MultiPart", B["multipart-1"], "multipart-1", first_subpart,
         ["disposition", "language", "cardinality", "contentType", "content"]),
    ]
    seen_shapes = {d for (_, _, _, _, d, _) in inv}

    def shape_case(slug, comment, data, of):
        if data not in seen_shapes:
            seen_shapes.add(data)
            I(slug, "cddl-shape", comment, data, of, ["Shape"])

    for short, what, c, of, site, fields in shape_sites:
        arr, put = site(c)
        assert len(arr) == len(fields), (short, len(arr), len(fields))
        shape_case(f"invalid-shape-{short}-one-element-too-many",
                   f"{of} with a null appended to its {what} array ({len(arr) + 1} elements instead of "
                   f"{len(arr)}).", enc(put(list(arr) + [None])), of)
        shape_case(f"invalid-shape-{short}-one-element-too-few",
                   f"{of} with the last element ({fields[-1]}) of its {what} array removed "
                   f"({len(arr) - 1} elements instead of {len(arr)}).", enc(put(list(arr)[:-1])), of)
        for i, name in enumerate(fields):
            wrapped = list(arr)
            wrapped[i] = Tag(1000, arr[i])
            shape_case(f"invalid-shape-{short}-{name.lower()}-tagged",
                       f"{of} with the {name} field of its {what} wrapped in tag 1000, which the CDDL "
                       "does not allow there.", enc(put(wrapped)), of)

def invalid_4_3_extension_types(ctx: SimpleNamespace) -> None:
    """invalid.json, §4.3: the known extension types."""
    ALICE, I, O, ROOM = ctx.ALICE, ctx.I, ctx.O, ctx.ROOM
    # --- 4.3 known extension types ---
    I("invalid-sender-uri-bstr", "known-extension-type",
      "original with the senderUri (key 1) value given as a byte string (0x58 20) instead of a text string.",
      enc(with_ext(O, ext_map((1, ALICE.encode()), (2, ROOM)))), "original", ["Extension"])
    I("invalid-room-uri-tagged", "known-extension-type",
      "original with the roomUri (key 2) value given as tag 32 (URI) wrapping the text string instead of "
      "a plain text string.", enc(with_ext(O, ext_map((1, ALICE), (2, Tag(32, ROOM))))), "original",
      ["Extension"])

def invalid_4_1_salt(ctx: SimpleNamespace) -> None:
    """invalid.json, §4.1: the salt."""
    I, O = ctx.I, ctx.O
    # --- 4.1 salt ---
    I("invalid-salt-15-bytes", "salt-length", "original with the last salt byte removed (15-byte salt).",
      enc(with_field(O, 0, O[0][:15])), "original", ["Boundary"])
    I("invalid-salt-17-bytes", "salt-length", "original with a byte 0x00 appended to the salt (17-byte salt).",
      enc(with_field(O, 0, O[0] + b"\x00")), "original", ["Boundary"])

def invalid_3_3_message_ids(ctx: SimpleNamespace) -> None:
    """invalid.json, §3.3: message IDs."""
    B, ED, I, R_ = ctx.B, ctx.ED, ctx.I, ctx.R_
    # --- 3.3 message IDs ---
    I("invalid-replaces-31-bytes", "message-id-length",
      "edit with the last byte of replaces removed (31-byte message ID).",
      enc(with_field(ED, 1, ED[1][:31])), "edit", ["Boundary"])
    I("invalid-replaces-33-bytes", "message-id-length",
      "edit with a byte 0x00 appended to replaces (33-byte message ID).",
      enc(with_field(ED, 1, ED[1] + b"\x00")), "edit", ["Boundary"])
    I("invalid-in-reply-to-empty", "message-id-length",
      "reply with inReplyTo given as an empty byte string (0x40) instead of null or a 32-byte ID.",
      enc(with_field(R_, 4, b"")), "reply")
    I("invalid-in-reply-to-hash-alg-2", "unknown-hash-alg",
      "reply with the first octet of inReplyTo changed from 0x01 (SHA-256) to the unknown 0x02.",
      enc(with_field(R_, 4, b"\x02" + R_[4][1:])), "reply")
    I("invalid-in-reply-to-hash-alg-0", "unknown-hash-alg",
      "reply with the first octet of inReplyTo changed from 0x01 to 0x00 (reserved).",
      enc(with_field(R_, 4, b"\x00" + R_[4][1:])), "reply")
    I("invalid-replaces-hash-alg-2", "unknown-hash-alg",
      "delete with the first octet of replaces changed from 0x01 to 0x02.",
      enc(with_field(B["delete"], 1, b"\x02" + B["delete"][1][1:])), "delete")

def invalid_4_4_parts(ctx: SimpleNamespace) -> None:
    """invalid.json, §4.4: NestedPart."""
    B, I, mp1 = ctx.B, ctx.I, ctx.mp1
    # --- 4.4 parts ---
    mp1b = mp1[6]
    I("invalid-multipart-1-part", "too-few-parts",
      "multipart-1 with its second alternative removed, leaving a MultiPart with 1 part.",
      enc(with_body(mp1, mp1b[:4] + [mp1b[4][:1]])), "multipart-1", ["Boundary"])
    I("invalid-multipart-0-parts", "too-few-parts",
      "multipart-1 with both alternatives removed, leaving a MultiPart with an empty parts array (0x80).",
      enc(with_body(mp1, mp1b[:4] + [[]])), "multipart-1")
    I("invalid-part-semantics-3", "unknown-part-semantics",
      "multipart-1 with partSemantics changed from 0 (chooseOne) to 3.", enc(with_body(mp1, mp1b[:3] + [3, mp1b[4]])),
      "multipart-1", ["Boundary"])
    mp2b = B["multipart-2"][6]
    I("invalid-part-semantics-255", "unknown-part-semantics",
      "multipart-2 with partSemantics changed from 2 (processAll) to 255 (0x18 ff).",
      enc(with_body(B["multipart-2"], mp2b[:3] + [255, mp2b[4]])), "multipart-2")

def invalid_4_5_external_part(ctx: SimpleNamespace) -> None:
    """invalid.json, §4.5: ExternalPart."""
    A_, C_, I, body_with = ctx.A_, ctx.C_, ctx.I, ctx.body_with
    # --- 4.5 ExternalPart ---
    conf_key = copy.deepcopy(C_[6])
    conf_key[8] = bytes(range(16))
    I("invalid-enc-alg-0-with-key", "enc-alg-zero-with-key",
      "conferencing (encAlg 0) with a 16-byte key 000102..0f instead of an empty key.",
      enc(with_body(C_, conf_key)), "conferencing")
    I("invalid-enc-alg-0-attachment", "enc-alg-zero-with-key",
      "attachment with encAlg changed from 1 to 0 while its 16-byte key and 12-byte nonce stay.",
      enc(body_with(A_, 7, 0)), "attachment")
    conf_aad = copy.deepcopy(C_[6])
    conf_aad[10] = b"aad"
    I("invalid-enc-alg-0-with-aad", "enc-alg-zero-with-key",
      "conferencing (encAlg 0) with aad set to the 3 bytes \"aad\" instead of empty.",
      enc(with_body(C_, conf_aad)), "conferencing")

def invalid_4_3_duplicate_keys(ctx: SimpleNamespace) -> None:
    """invalid.json, §4.3: duplicate extension keys."""
    ALICE, I, O, ROOM = ctx.ALICE, ctx.I, ctx.O, ctx.ROOM
    # --- 4.3 duplicate keys ---
    I("invalid-duplicate-sender-uri", "duplicate-extension-key",
      "original with a second senderUri entry (key 1, \"mimi://example.com/u/mallory\") after the first.",
      enc(with_ext(O, ext_map((1, ALICE), (1, "mimi://example.com/u/mallory"), (2, ROOM), sort=False))),
      "original", ["Extension"])
    I("invalid-duplicate-text-key", "duplicate-extension-key",
      "original with two extensions under the same text key \"x\" (values \"a\" and \"b\").",
      enc(with_ext(O, ext_map((1, ALICE), (2, ROOM), ("x", "a"), ("x", "b"), sort=False))),
      "original", ["Extension"])

def invalid_4_4_cid(ctx: SimpleNamespace) -> None:
    """invalid.json, §4.4: cid: references."""
    I, MP3 = ctx.I, ctx.MP3
    # --- 4.4 cid ---
    def mp3_cid(new: bytes):
        c = copy.deepcopy(MP3)
        en = c[6][4][0][4][0][4][0]
        assert en[1] == "en"
        en[4] = replace_bytes_once(en[4], b"cid:5@", new)
        return enc(c)
    I("invalid-cid-to-multipart", "cid-reference",
      "multipart-3 with the English HTML part (index 3) referencing cid:2@local.invalid, which is a "
      "MultiPart, instead of cid:5.", mp3_cid(b"cid:2@"), "multipart-3")
    I("invalid-cid-breadth-first-numbering", "cid-reference",
      "the valid part-index case with the last part referencing cid:2@local.invalid: a MultiPart when "
      "parts are numbered depth-first, though a SinglePart (the referencing part itself) if they were "
      "numbered breadth-first.", enc(with_body(MP1_TEMPLATE, DEPTH_FIRST_BODY(b"cid:2@"))), "multipart-1")
    I("invalid-cid-beyond-last-part", "cid-reference",
      "multipart-3 with the English HTML part (index 3) referencing cid:11@local.invalid, one past the "
      "last part index 10.", mp3_cid(b"cid:11@"), "multipart-3", ["Boundary"])

def invalid_6_1_deterministic_encoding(ctx: SimpleNamespace) -> None:
    """invalid.json, §6.1: deterministic encoding."""
    (ALICE, A_, E_, I, O, ROOM, SENDER63, body_with, edge_trees) = (
        ctx.ALICE, ctx.A_, ctx.E_, ctx.I, ctx.O, ctx.ROOM, ctx.SENDER63, ctx.body_with, ctx.edge_trees)
    # --- 6.1 deterministic encoding ---
    I("invalid-non-shortest-disposition", "non-shortest-argument",
      "original with the body disposition 1 encoded as 0x18 01 instead of 0x01.",
      enc(body_with(O, 0, Arg(1, 1))), "original", ["Encoding"])
    I("invalid-non-shortest-text-length", "non-shortest-argument",
      "original with the senderUri length 32 written in 2-byte form (0x79 0020 instead of 0x78 20).",
      enc(with_ext(O, ext_map((1, LenW(ALICE, 2)), (2, ROOM)))), "original", ["Encoding", "Extension"])
    I("invalid-non-shortest-external-expires", "non-shortest-argument",
      "attachment with the ExternalPart expires 0 encoded as 0x1a 00000000 instead of 0x00.",
      enc(body_with(A_, 5, Arg(0, 4))), "attachment", ["Encoding"])
    I("invalid-non-shortest-expiration-time", "non-shortest-argument",
      "expiring with Expiration.time 1644390004 encoded in 8-byte form (0x1b 0000000062036674).",
      enc(with_field(E_, 3, [False, Arg(1644390004, 8)])), "expiring", ["Encoding"])
    I("invalid-non-shortest-array-length", "non-shortest-argument",
      "original with the top-level array header 0x87 written as 0x98 07.",
      enc(LenW(O, 1)), "original", ["Encoding"])
    tree63 = edge_trees["valid-extension-depth-4"]
    v256_ns = [[bytes.fromhex("1234"), Tag(32, "http://example.com", width=2)], [bytes.fromhex("3456"), 5771]]
    I("invalid-non-shortest-tag", "non-shortest-argument",
      "valid-extension-depth-4 with tag 32 written as 0xd9 0020 instead of 0xd8 20.",
      enc(with_ext(tree63, ext_map((1, SENDER63), (2, ROOM), (256, v256_ns)))), "ext63", ["Encoding", "Extension"])
    salt = O[0]
    I("invalid-indefinite-bstr", "indefinite-length",
      "original with the salt as an indefinite-length byte string of two 8-byte chunks (0x5f 48.. 48.. ff).",
      enc(with_field(O, 0, Indef(salt, [salt[:8], salt[8:]]))), "original", ["Encoding"])
    ctype = O[6][3]
    I("invalid-indefinite-tstr", "indefinite-length",
      "original with the contentType as an indefinite-length text string of two chunks (0x7f .. .. ff).",
      enc(body_with(O, 3, Indef(ctype, [ctype[:13], ctype[13:]]))), "original", ["Encoding"])
    I("invalid-indefinite-array", "indefinite-length",
      "original with the body NestedPart as an indefinite-length array (0x9f .. ff).",
      enc(with_body(O, Indef(O[6]))), "original", ["Encoding"])
    I("invalid-indefinite-map", "indefinite-length",
      "original with the extensions map as an indefinite-length map (0xbf .. ff), keys still in order.",
      enc(with_ext(O, Indef(Map([(1, ALICE), (2, ROOM)], sort=False)))), "original", ["Encoding", "Extension"])
    I("invalid-unsorted-extension-keys", "unsorted-map-keys",
      "original with the extensions map written as {2: roomUri, 1: senderUri}.",
      enc(with_ext(O, ext_map((2, ROOM), (1, ALICE), sort=False))), "original", ["Encoding", "Extension"])
    I("invalid-unsorted-text-before-negative", "unsorted-map-keys",
      "original with extensions {1, 2, \"z\", -1} written in that order (0x617a before 0x20: neither "
      "bytewise nor length-first order).",
      enc(with_ext(O, ext_map((1, ALICE), (2, ROOM), ("z", "z"), (-1, "n"), sort=False))), "original",
      ["Encoding", "Extension"])
    I("invalid-length-first-int-keys", "length-first-key-order",
      "original with extensions 1, 2, -1 (0x20), 100 (0x18 64) in RFC 7049 length-first order; bytewise "
      "order puts 100 before -1.",
      enc(with_ext(O, ext_map((1, ALICE), (2, ROOM), (-1, "x"), (100, "y"), sort=False))), "original",
      ["Encoding", "Extension"])
    I("invalid-length-first-text-key", "length-first-key-order",
      "original with extensions 1, 2, \"a\" (0x61 61), 256 (0x19 0100) in RFC 7049 length-first order; "
      "bytewise order puts 256 before \"a\".",
      enc(with_ext(O, ext_map((1, ALICE), (2, ROOM), ("a", "x"), (256, "y"), sort=False))), "original",
      ["Encoding", "Extension"])
    I("invalid-non-shortest-float-f64", "non-shortest-float",
      "original with an additional extension -1 whose value is 1.5 as f64 (0xfb 3ff8000000000000) "
      "instead of f16 0xf9 3e00 (also uses a float, which is only discouraged).",
      enc(with_ext(O, ext_map((1, ALICE), (2, ROOM), (-1, Float(8, 0x3FF8000000000000))))), "original",
      ["Encoding", "Extension", "Float"])
    I("invalid-non-shortest-float-f32", "non-shortest-float",
      "original with an additional extension -1 whose value is 1.5 as f32 (0xfa 3fc00000) instead of "
      "f16 (also uses a float, which is only discouraged).",
      enc(with_ext(O, ext_map((1, ALICE), (2, ROOM), (-1, Float(4, 0x3FC00000))))), "original",
      ["Encoding", "Extension", "Float"])
    ctx.tree63 = tree63

def invalid_6_2_data_model(ctx: SimpleNamespace) -> None:
    """invalid.json, §6.2: the data model."""
    ALICE, I, O, ROOM, body_with, euro255 = ctx.ALICE, ctx.I, ctx.O, ctx.ROOM, ctx.body_with, ctx.euro255
    # --- 6.2 data model ---
    I("invalid-extension-text-key-256-octets", "extension-key-type",
      "original with an additional extension whose text key is 85 U+20AC characters plus \"a\": 86 "
      "characters but 256 octets of UTF-8.",
      enc(with_ext(O, ext_map((1, ALICE), (2, ROOM), (euro255 + "a", 1)))), "original", ["Extension", "Boundary"])
    I("invalid-extension-empty-text-key", "extension-key-type",
      "original with an additional extension under the empty text key \"\" (0x60).",
      enc(with_ext(O, ext_map((1, ALICE), (2, ROOM), ("", 1)))), "original", ["Extension", "Boundary"])
    I("invalid-extension-bstr-key", "extension-key-type",
      "original with an additional extension under the byte-string key h'01'.",
      enc(with_ext(O, ext_map((1, ALICE), (2, ROOM), (b"\x01", 1)))), "original", ["Extension"])
    I("invalid-bignum-fits-an-integer", "bignum-not-preferred",
      "original with an additional extension -1 whose value is tag 2 (positive bignum) over h'01', "
      "which fits a plain integer (RFC 8949 §4.2.1: bigints as integers when they fit).",
      enc(with_ext(O, ext_map((1, ALICE), (2, ROOM), (-1, Tag(2, b"\x01"))))), "original", ["Extension", "Encoding"])
    I("invalid-bignum-leading-zero", "bignum-not-preferred",
      "original with an additional extension -1 whose value is tag 3 (negative bignum) over a 10-byte "
      "string starting with a zero byte (preferred serialization has no leading zeros).",
      enc(with_ext(O, ext_map((1, ALICE), (2, ROOM), (-1, Tag(3, b"\x00\x01" + b"\x00" * 8))))), "original",
      ["Extension", "Encoding"])
    I("invalid-two-byte-simple-value", "malformed-cbor",
      "original with an additional extension -1 whose value is the simple value 16 written in two bytes "
      "(0xf8 10), which RFC 8949 §3.3 says is not well-formed.",
      enc(with_ext(O, ext_map((1, ALICE), (2, ROOM), (-1, Raw(b"\xf8\x10"))))), "original", ["Extension"])
    I("invalid-extension-bool-key", "extension-key-type",
      "original with an additional extension under the key true (0xf5).",
      enc(with_ext(O, ext_map((1, ALICE), (2, ROOM), (True, 1)))), "original", ["Extension"])
    I("invalid-nested-map-float-key", "nested-map-key-type",
      "original with an additional extension -1 whose value is the map {1.5: 1} (float key 0xf9 3e00; "
      "also uses a float, which is only discouraged).",
      enc(with_ext(O, ext_map((1, ALICE), (2, ROOM), (-1, Map([(Float(2, 0x3E00), 1)])))),), "original",
      ["Extension", "Float"])
    I("invalid-nested-map-array-key", "nested-map-key-type",
      "original with an additional extension -1 whose value is the map {[1]: 1} (array key).",
      enc(with_ext(O, ext_map((1, ALICE), (2, ROOM), (-1, Map([([1], 1)]))))), "original", ["Extension"])
    I("invalid-nested-map-bool-key", "nested-map-key-type",
      "original with an additional extension -1 whose value is the map {true: 1} (boolean key).",
      enc(with_ext(O, ext_map((1, ALICE), (2, ROOM), (-1, Map([(True, 1)]))))), "original", ["Extension"])
    I("invalid-extension-key-2-53", "integer-key-range",
      "original with an additional extension under the integer key 2^53 (0x1b 0020000000000000).",
      enc(with_ext(O, ext_map((1, ALICE), (2, ROOM), (2**53, "x")))), "original", ["Extension", "Boundary"])
    I("invalid-extension-key-minus-2-53", "integer-key-range",
      "original with an additional extension under the integer key -(2^53) (0x3b 001fffffffffffff).",
      enc(with_ext(O, ext_map((1, ALICE), (2, ROOM), (-(2**53), "x")))), "original", ["Extension", "Boundary"])
    I("invalid-nested-map-key-2-64-1", "integer-key-range",
      "original with an additional extension -1 whose value is the map {18446744073709551615: 0} "
      "(integer key 2^64-1 inside a nested map).",
      enc(with_ext(O, ext_map((1, ALICE), (2, ROOM), (-1, Map([(2**64 - 1, 0)]))))), "original", ["Extension"])
    for slug, bits, width, what in (
        ("invalid-nan-half-payload", 0x7E01, 2, "the half-precision NaN 0xf9 7e01 (payload bit set)"),
        ("invalid-nan-half-negative", 0xFE00, 2, "the negative half-precision quiet NaN 0xf9 fe00"),
        ("invalid-nan-double-payload", 0x7FF8000000000001, 8,
         "the f64 NaN 0xfb 7ff8000000000001, whose payload has no shorter form"),
    ):
        I(slug, "nan-encoding",
          f"original with an additional extension -1 whose value is {what} (also uses a float, which is only "
          f"discouraged).", enc(with_ext(O, ext_map((1, ALICE), (2, ROOM), (-1, Float(width, bits))))),
          "original", ["Extension", "Float"])
    I("invalid-utf8-language", "invalid-utf8",
      "original with the body language \"\" replaced by the 1-byte text string 0x61 ff (0xff is never valid UTF-8).",
      enc(body_with(O, 1, BadText(b"\xff"))), "original")
    I("invalid-utf8-content-type", "invalid-utf8",
      "original with the \"/\" of the contentType replaced by the overlong 2-byte sequence c0 af (length "
      "30 becomes 31).", enc(body_with(O, 3, BadText(O[6][3].encode().replace(b"/", b"\xc0\xaf")))),
      "original")
    I("invalid-utf8-extension-value", "invalid-utf8",
      "original with an additional extension -1 whose text value \"caf\" ends in the encoded surrogate "
      "ed a0 80.", enc(with_ext(O, ext_map((1, ALICE), (2, ROOM), (-1, BadText(b"caf\xed\xa0\x80"))))),
      "original", ["Extension"])
    I("invalid-utf8-extension-key", "invalid-utf8",
      "original with an additional extension whose 1-octet text key is 0xff.",
      enc(with_ext(O, ext_map((1, ALICE), (2, ROOM), (BadText(b"\xff"), 1)))), "original", ["Extension"])

def invalid_6_3_depth(ctx: SimpleNamespace) -> None:
    """invalid.json, §6.3: depth."""
    (ALICE, I, O, PLAIN, ROOM, SENDER63, chain4, mp1, mp3_depth5, tree63, val256) = (
        ctx.ALICE, ctx.I, ctx.O, ctx.PLAIN, ctx.ROOM, ctx.SENDER63, ctx.chain4, ctx.mp1, ctx.mp3_depth5, ctx.tree63, ctx.val256)
    # --- 6.3 depth ---
    chain5 = copy.deepcopy(chain4)
    l3 = chain5[4][0][4][0]
    l3[4][1] = multi(1, "fr", 0, [l3[4][1], single(1, "fr", PLAIN, b"Bienvenue !")])
    I("invalid-nesting-depth-5-chain", "nesting-depth",
      "valid-nesting-depth-4-chain with its French part (level 4) replaced by a chooseOne MultiPart of 2 "
      "parts, reaching level 5 (every MultiPart keeps 2 parts).", enc(with_body(mp1, chain5)), "multipart-1",
      ["Boundary"])
    I("invalid-nesting-depth-5-multipart-3", "nesting-depth",
      "multipart-3 with part 3 (English HTML, level 4) wrapped with a text/plain alternative in a chooseOne "
      "MultiPart at level 5; cid references renumbered to stay on the images.", enc(mp3_depth5()),
      "multipart-3", ["Boundary"])
    I("invalid-extension-depth-5-array", "extension-depth",
      "valid-extension-depth-4 with 5771 wrapped in two more arrays ([h'3456', [[5771]]]): 5 levels.",
      enc(with_ext(tree63, ext_map((1, SENDER63), (2, ROOM), (256, [val256[0], [bytes.fromhex("3456"), [[5771]]]])))),
      "ext63", ["Extension", "Boundary"])
    I("invalid-extension-depth-5-maps", "extension-depth",
      "original with an additional extension -1 holding {1: {2: {3: {4: 0}}}}: extensions map plus 4 nested "
      "maps = 5 levels.",
      enc(with_ext(O, ext_map((1, ALICE), (2, ROOM), (-1, {1: {2: {3: {4: 0}}}})))), "original",
      ["Extension", "Boundary"])
    I("invalid-extension-depth-5-tags", "extension-depth",
      "valid-extension-depth-4 with tag 32 wrapped in tag 21 (expected base64url conversion, applicable to "
      "any item): map, array, array, tag, tag = 5 levels.",
      enc(with_ext(tree63, ext_map((1, SENDER63), (2, ROOM),
                                   (256, [[bytes.fromhex("1234"), Tag(21, Tag(32, "http://example.com"))],
                                          val256[1]])))), "ext63", ["Extension", "Boundary"])

def invalid_9_1_sanity(ctx: SimpleNamespace) -> None:
    """invalid.json, §9.1: the SHOULD-level sanity rules."""
    B, C_, I, PLAIN, emojis, topic4096 = ctx.B, ctx.C_, ctx.I, ctx.PLAIN, ctx.emojis, ctx.topic4096
    # --- 9.1 SHOULD-level sanity rules ---
    I("invalid-topic-id-4097-octets", "topic-id-too-long",
      "conferencing with the topicId replaced by 4097 octets (\"Foo 118 \" x 512 plus \"!\").",
      enc(with_field(C_, 2, topic4096 + b"!")), "conferencing", ["Should", "Boundary"])
    I("invalid-1025-body-parts", "too-many-parts",
      "multipart-2 with 1025 reaction SingleParts under the processAll MultiPart (1025 leaf parts, 1026 "
      "NestedParts), more than 1024 however parts are counted.",
      enc(with_body(B["multipart-2"], multi(2, "", 2, [single(2, "", PLAIN, emojis[i % 3]) for i in range(1025)]))),
      "multipart-2", ["Should", "Boundary"])

def invalid_json(ctx: SimpleNamespace) -> None:
    """invalid.json, last: each case breaks exactly its rule (and cbor2 agrees on
    well-formedness); the file written."""
    ROOM, SENDER63, inv, out, raw = ctx.ROOM, ctx.SENDER63, ctx.inv, ctx.out, ctx.raw
    reg = Registry()
    rule_counts: dict[str, int] = {}
    sender_room = {name: (analyze(raw[name]).sender, analyze(raw[name]).room) for name, _ in EXAMPLES}
    sender_room["ext63"] = (SENDER63, ROOM)
    for slug, rule, flags, comment, data, of in inv:
        got = analyze(data).issues
        extra = got - {rule}
        assert rule in got and extra <= {"float-used"}, (slug, rule, got)
        if "float-used" in got:
            assert "Float" in flags, slug
        # cbor2 agrees on well-formedness
        if rule in ("malformed-cbor", "truncated"):
            try:
                cbor2.loads(data)
                raise AssertionError(f"cbor2 accepted {slug}")
            except cbor2.CBORDecodeError:
                pass
        elif rule == "trailing-bytes":
            fp = io.BytesIO(data)
            cbor2.CBORDecoder(fp).decode()
            assert fp.tell() < len(data)
        elif rule != "invalid-utf8":
            cbor2.loads(data)
        req, section = RULES[rule]
        fl = list(dict.fromkeys(["Mutation"] + flags + (["Should"] if rule in SHOULD_RULES else [])
                                + (["Encoding"] if rule in ENCODING_RULES else [])))
        rule_counts[rule] = rule_counts.get(rule, 0) + 1
        sender, room = sender_room[of]
        reg.add({"slug": slug, "section": section, "result": "invalid", "flags": fl, "rule": rule,
                 "req": req, "comment": comment, "cbor": hx(data), "sender": sender, "room": room})
    assert set(rule_counts) == set(RULES) - {"float-used"}, set(RULES) - set(rule_counts)
    for rule, n in rule_counts.items():
        if RULES[rule][1] in ("6.1", "6.2", "6.3"):
            assert n >= 2, rule
    assert len(reg.tests) >= 45
    write(out / "invalid.json",
          file_header("content", SRC_EXAMPLES + "; each case mutates one example (or an edge-valid case "
                      "built from one) as its comment says, keeping every other length header right",
                      ["Mutation", "Boundary", "Should", "Encoding", "Extension", "Float", "Shape"]), reg.tests)
    invalid_tests = reg.tests
    ctx.invalid_tests = invalid_tests
    ctx.rule_counts = rule_counts
    ctx.sender_room = sender_room

def encode_json(ctx: SimpleNamespace) -> None:
    """encode.json: models to encode (§6.1)."""
    out, raw = ctx.out, ctx.raw
    reg = Registry()
    om = analyze(raw["original"]).model

    def model_with(m, **kw):
        m = copy.deepcopy(m)
        m.update(kw)
        return m

    def X(key, text=None, cbor=None):
        return {"key": key, "text": text} if cbor is None else {"key": key, "cbor": cbor}

    enc_cases = [
        ("encode-extensions-room-before-sender", "CONT-09",
         "The original example's model with the extensions listed as [roomUri 2, senderUri 1]; the encoder "
         "must sort the keys and produce the original example's bytes.",
         model_with(om, extensions=[om["extensions"][1], om["extensions"][0]])),
        ("encode-length-first-trap-int-keys", "CONT-10",
         "Extensions 1, 2, -1, 100: bytewise order puts 100 (0x18 64) before -1 (0x20); RFC 7049 "
         "length-first order would not.",
         model_with(om, extensions=om["extensions"] + [X(-1, "x"), X(100, "y")])),
        ("encode-length-first-trap-text-key", "CONT-10",
         "Extensions 1, 2, \"a\", 256: bytewise order puts 256 (0x19 0100) before \"a\" (0x61 61); "
         "length-first order would not.",
         model_with(om, extensions=om["extensions"] + [X("a", "x"), X(256, "y")])),
        ("encode-mixed-keys-text-first", "CONT-09",
         "Extensions listed text keys first, then integers in descending order (\"zz\", \"a\", 2, 1, -1); "
         "the encoder must write 1, 2, -1, \"a\", \"zz\".",
         model_with(om, extensions=[X("zz", "t"), X("a", "t"), om["extensions"][1], om["extensions"][0],
                                    X(-1, "n")])),
        ("encode-integer-key-boundaries", "CONT-09",
         "Extensions under integer keys at every argument-width boundary (23, 24, 255, 256, 65535, 65536, "
         "2^32-1, 2^32, 2^53-1 and their negative counterparts) listed in descending order; shortest "
         "arguments and bytewise order expected.",
         model_with(om, extensions=[X(k, cbor="00") for k in
                                    [MAX_INT_KEY, 2**32, 2**32 - 1, 65536, 65535, 256, 255, 24, 23, -24, -25,
                                     -256, -257, -65536, -65537, -(2**32), -(2**32) - 1, -MAX_INT_KEY]]
                    + [om["extensions"][1], om["extensions"][0]])),
        ("encode-external-small-ints", "CONT-09",
         "The attachment example's ExternalPart with expires 23, size 24 and hashAlg 1: uint .size 4/8 "
         "fields must still use the shortest argument (0x17, 0x18 18), not fixed-width integers.",
         model_with(analyze(raw["attachment"]).model,
                    nestedPart=dict(analyze(raw["attachment"]).model["nestedPart"], expires=23, size=24))),
        ("encode-relative-expiration", "CONT-09",
         "The expiring example's model with a relative expiration of 60 seconds: time must be 0x18 3c, "
         "not a 4-byte integer.",
         model_with(analyze(raw["expiring"]).model, expires={"relative": True, "time": 60})),
        ("encode-length-boundaries", "CONT-09",
         "A 24-octet topicId (0x58 18), a 23-octet content (0x57), text keys of 23 and 24 octets and a "
         "256-octet text value (0x79 0100): lengths at the argument-width boundaries.",
         model_with(om, topicId=hx(b"t" * 24),
                    extensions=[X("k" * 24, "v"), X("k" * 23, "v" * 256)] + om["extensions"],
                    nestedPart=dict(om["nestedPart"], content=hx(b"c" * 23)))),
    ]
    for slug, req, comment, m in enc_cases:
        data = encode_model(m)
        a = analyze(data)
        assert not a.issues, (slug, a.issues)
        sorted_exts = sorted(m["extensions"], key=lambda e: enc(e["key"]))
        assert a.model == model_with(m, extensions=sorted_exts), slug
        check_deterministic(data, plain(parse(data)[0]))
        assert model_via_cbor2(data, a.ext_raw) == a.model
        if slug == "encode-extensions-room-before-sender":
            assert data == raw["original"]
        if slug == "encode-length-first-trap-int-keys":
            assert data.index(bytes.fromhex("1864")) < data.index(bytes.fromhex("206178"))
        reg.add({"slug": slug, "section": "6.1", "result": "valid", "flags": ["Encoding"], "comment": comment,
                 "req": req, "content": m, "expected": {"cbor": hx(data)}})
    # Extension values given as non-deterministic CBOR: the encoder must re-encode them
    # deterministically (sorted inner map, shortest integer, definite length).
    slug = "encode-extension-values-made-deterministic"
    given = model_with(om, extensions=om["extensions"] + [X(3, cbor="a2616201616102"), X(4, cbor="1a00000018"),
                                                          X(5, cbor="9f0102ff")])
    canonical = model_with(om, extensions=om["extensions"] + [X(3, cbor="a2616102616201"), X(4, cbor="1818"),
                                                              X(5, cbor="820102")])
    data = encode_model(canonical)
    a = analyze(data)
    assert not a.issues, (slug, a.issues)
    assert a.model == canonical, slug
    check_deterministic(data, plain(parse(data)[0]))
    reg.add({"slug": slug, "section": "6.1", "result": "valid", "flags": ["Encoding"],
             "comment": "The original example's model plus extensions whose CBOR values are not deterministic "
                        "({\"b\": 1, \"a\": 2} unsorted, 24 as a 4-byte integer, an indefinite-length array); the "
                        "encoder must write them deterministically.",
             "req": "CONT-09", "content": given, "expected": {"cbor": hx(data)}})
    write(out / "encode.json",
          file_header("encode", SRC_EXAMPLES + "; models derived from the examples as each comment says",
                      ["Encoding"]), reg.tests)

def message_status_json(ctx: SimpleNamespace) -> None:
    """message-status.json: draft-mahy-mimi-message-status-01's example and its mutations."""
    ids08, out, status_path = ctx.ids08, ctx.out, ctx.status_path
    sdata = status_path.read_bytes()
    status_edn = Edn((status_path.parent / "status.edn").read_text()).value()

    def analyze_status(data):
        try:
            root, issues = parse(data)
        except Malformed:
            return {"malformed-cbor"}, None
        except Truncated:
            return {"truncated"}, None
        except ValueError:
            return {"trailing-bytes"}, None
        issues = set(issues)
        if root.kind != "array":
            return issues | {"cddl-shape"}, None
        sts = []
        for e in root.value:
            if e.kind != "array" or len(e.value) != 2:
                issues.add("cddl-shape")
                continue
            mid, st = e.value
            # A field that is not of its type (a tag around it, say) breaks that field's own rule.
            if mid.kind != "bytes" or len(mid.value) != 32:
                issues.add("message-id-length")
            if st.kind != "uint" or st.value > 255:
                issues.add("value-out-of-range")
            if not issues:
                sts.append({"messageId": hx(mid.value), "status": st.value})
        return issues, ({"statuses": sts} if not issues else None)

    iss, smodel = analyze_status(sdata)
    assert not iss
    c2 = cbor2.loads(sdata)
    assert smodel == {"statuses": [{"messageId": hx(m), "status": s} for m, s in c2]}
    assert plain(parse(sdata)[0]) == status_edn and enc(status_edn) == sdata
    assert [s["messageId"] for s in smodel["statuses"]] == [hx(ids08[n]) for n in
                                                             ("original", "reply", "mention", "expiring")]
    assert [s["status"] for s in smodel["statuses"]] == [2, 2, 0, 3]
    check_deterministic(sdata, plain(parse(sdata)[0]))
    stv = cbor2.loads(sdata)
    st_plain = [[m, s] for m, s in stv]
    reg = Registry()
    reg.add({"slug": "example-message-status", "section": "5", "result": "valid", "flags": ["DraftExample"],
             "comment": "The message status report example of draft-mahy-mimi-message-status-01 section 5 "
                        "(status.cbor unchanged): original and reply read, mention unread, expiring expired.",
             "cbor": hx(sdata), "expected": {"status": smodel}})
    st_inv = [
        ("status-message-id-31-bytes", "status-message-id", "STAT-01", "4",
         "status example with the last byte of the first message ID removed (31 bytes).",
         enc([[st_plain[0][0][:31], 2]] + st_plain[1:]), []),
        ("status-value-256", "status-value", "STAT-02", "4",
         "status example with the first status value 2 changed to 256 (0x19 0100).",
         enc([[st_plain[0][0], 256]] + st_plain[1:]), ["Boundary"]),
        ("status-entry-3-elements", "status-shape", "STAT-03", "4",
         "status example with a third element 0 appended to the first PerMessageStatus entry.",
         enc([[st_plain[0][0], 2, 0]] + st_plain[1:]), []),
        # Every shape: the entry one element too few, the report in tag 1000, and each field in
        # tag 1000 (which breaks that field's own rule: it is no longer of the field's type).
        ("status-message-id-tagged", "status-message-id", "STAT-01", "4",
         "status example with the first message ID wrapped in tag 1000: a tag is not a MessageId (bstr .size 32).",
         enc([[Tag(1000, st_plain[0][0]), 2]] + st_plain[1:]), ["Shape"]),
        ("status-value-tagged", "status-value", "STAT-02", "4",
         "status example with the first status value wrapped in tag 1000: a tag is not a uint.",
         enc([[st_plain[0][0], Tag(1000, 2)]] + st_plain[1:]), ["Shape"]),
        ("status-entry-1-element", "status-shape", "STAT-03", "4",
         "status example with the status value of the first PerMessageStatus entry removed (1 element).",
         enc([[st_plain[0][0]]] + st_plain[1:]), ["Shape"]),
        ("status-report-tagged", "status-shape", "STAT-03", "4",
         "status example with the whole report array wrapped in tag 1000, which the CDDL does not allow.",
         enc(Tag(1000, st_plain)), ["Shape"]),
        ("status-indefinite-outer-array", "indefinite-length", "CONT-09", "4",
         "status example with the outer array written with indefinite length (0x9f .. ff); the status "
         "draft does not itself restate the deterministic-encoding rule, which is applied here as in the "
         "MIMI content format (content section 6.1).",
         enc(Indef(st_plain)), ["Encoding", "Inherited"]),
    ]
    for slug, rule, req, sec, comment, data, flags in st_inv:
        got, _ = analyze_status(data)
        # The analyzer speaks content rule names; the status draft's rules have their own.
        status_names = {"message-id-length": "status-message-id", "value-out-of-range": "status-value",
                        "cddl-shape": "status-shape"}
        assert {status_names.get(g, g) for g in got} == {rule}, (slug, got)
        reg.add({"slug": slug, "section": sec, "result": "invalid", "flags": ["Mutation"] + flags,
                 "rule": rule, "req": req, "comment": comment, "cbor": hx(data)})
    flags_status = ["DraftExample", "Mutation", "Boundary", "Encoding", "Shape"]
    hdr = file_header("status",
                      f"draft-mahy-mimi-message-status-01 section 5 example: status.cbor from {STATUS_REPO} at "
                      f"commit {STATUS_COMMIT}; section 4 (CDDL) for the invalid cases; the message IDs are "
                      f"the -08 IDs of draft-ietf-mimi-content examples",
                      flags_status, draft="draft-mahy-mimi-message-status", rev="01",
                      extra={"requirements": {
                          "STAT-01": "messageId is a 32-byte MessageId (section 4: MessageId = bstr .size 32)",
                          "STAT-02": "status is uint 0..255 (section 4: baseStatus / $extStatus / unknownStatus 7..255)",
                          "STAT-03": "PerMessageStatus is a 2-element array [messageId, status] (section 4)",
                          "CONT-09": "deterministic CBOR encoding, RFC 8949 section 4.2.1 (draft-ietf-mimi-content section 6.1), applied to this format by analogy",
                      }})
    hdr["flags"]["Inherited"] = ("The rule is stated by draft-ietf-mimi-content and applied to this format by "
                                 "analogy; the status draft does not restate it.")
    write(out / "message-status.json", hdr, reg.tests)

def implied_json(ctx: SimpleNamespace) -> None:
    """implied.json: the implied values of App. A.2."""
    exdir, ids08, orig, out, rendered = ctx.exdir, ctx.ids08, ctx.orig, ctx.out, ctx.rendered
    imp = (exdir / "implied-original.cbor").read_bytes()
    stale = bytes.fromhex(PRINTED_ORIGINAL_ID07)
    assert imp.count(stale) == 1 and imp[3:35] == stale
    fixed = imp.replace(stale, ids08["original"])
    imp_edn = Edn((exdir / "implied-original.edn").read_text()).value()
    assert enc(imp_edn) == fixed, "implied-original.edn does not encode to the corrected bytes"
    iroot, iiss = parse(fixed)
    assert not iiss
    iv = cbor2.loads(fixed)
    import base64
    gid = base64.urlsafe_b64decode(PRINTED_GROUP_ID_B64 + "=")
    derived = {"messageId": hx(iv[0]), "hubAcceptedTimestamp": iv[1], "mlsGroupId": hx(iv[2]),
               "senderLeafIndex": iv[3], "senderClientUrl": iv[4], "senderUserUrl": iv[5], "roomUrl": iv[6]}
    assert derived["mlsGroupId"] == hx(gid) and derived["messageId"] == PRINTED_IDS["original"]
    assert derived["senderUserUrl"] == orig.sender and derived["roomUrl"] == orig.room
    assert derived["hubAcceptedTimestamp"] == 1644387225019 and derived["senderLeafIndex"] == 4
    # the rendered 5.1 shows the same derived values
    i51 = rendered.index("Below are the rest of the implied values")  # section 5.1
    assert enc(Edn(rendered, rendered.index("[", i51)).value()) == fixed
    check_deterministic(fixed, plain(iroot))
    reg = Registry()
    reg.add({"slug": "implied-original", "section": "A.2", "result": "valid", "flags": ["DraftExample", "Mutation"],
             "comment": "Derived values (MessageDerivedValues) of the original example, i.e. "
                        "examples/implied-original.cbor with its stale -07 message ID replaced by the -08 ID "
                        "of the original (as in implied-original.edn and section 5.1).",
             "cbor": hx(fixed), "of": "example-original", "expected": {"derived": derived}})
    write(out / "implied.json",
          file_header("implied", f"draft-ietf-mimi-content-08 examples/implied-original.cbor and .edn from "
                                 f"{CONTENT_REPO} at commit {CONTENT_COMMIT} (section 5.1, Appendix A.2), with the "
                                 f"32-byte message ID corrected to the -08 value",
                      ["DraftExample", "Mutation"]), reg.tests)
    ctx.imp = imp
    ctx.stale = stale

def findings_json(ctx: SimpleNamespace) -> None:
    """findings.json: the errors in the draft's own examples."""
    (ids08, imp, inline_diffs, inline_dumps, out, raw, sender_room, stale) = (
        ctx.ids08, ctx.imp, ctx.inline_diffs, ctx.inline_dumps, ctx.out, ctx.raw, ctx.sender_room, ctx.stale)
    reg = Registry()
    reg.add({"slug": "finding-implied-original-stale-message-id", "section": "A.2", "result": "invalid",
             "flags": ["DraftErratum"],
             "comment": "examples/implied-original.cbor as shipped carries the -07 message ID of the original "
                        "(hash without the uint16 length prefixes) although implied-original.edn and section 5.1 "
                        "show the -08 ID; every other byte matches the .edn.",
             "where": "examples/implied-original.cbor", "cbor": hx(imp), "field": "messageId",
             "found": hx(stale), "expected": hx(ids08["original"])})
    for sec, name in (("5.2", "reply"), ("5.3", "reaction")):
        dump, lineno = inline_dumps[sec]
        a_file = raw[name]
        diffs = inline_diffs[sec]
        irt_off = a_file.index(ids08["original"])
        assert diffs and min(diffs) >= irt_off and max(diffs) < irt_off + 32 and len(dump) == len(a_file)
        assert dump[irt_off:irt_off + 32] == stale
        own_id = message_id_08(sender_room[name][0], sender_room[name][1], dump, dump[2:18])
        assert hx(own_id) != PRINTED_IDS[name]
        reg.add({"slug": f"finding-{name}-inline-hex-stale-in-reply-to", "section": sec, "result": "invalid",
                 "flags": ["DraftErratum"],
                 "comment": f"The inline hex dump of the {name.capitalize()} in section {sec} of the rendered -08 "
                            f"text has the -07 ID of the original in inReplyTo; it differs from examples/{name}.cbor "
                            f"only in those 32 bytes (offsets {min(diffs)}..{max(diffs)}, {len(diffs)} bytes "
                            f"differ), so the message ID printed above it ({PRINTED_IDS[name][:8]}...) is that of "
                            f"{name}.cbor, not of these bytes (which hash to {hx(own_id)[:8]}...).",
                 "where": f"draft-ietf-mimi-content-08 section {sec}, inline hex dump (rendered text line {lineno})",
                 "cbor": hx(dump), "field": "inReplyTo", "found": hx(stale), "expected": hx(ids08["original"])})
    for sec in ("5.1", "5.8", "5.9", "5.10"):
        assert not inline_diffs[sec], sec
    write(out / "findings.json",
          file_header("findings", f"draft-ietf-mimi-content-08: examples/implied-original.cbor from {CONTENT_REPO} "
                                  f"at commit {CONTENT_COMMIT}; inline hex dumps of sections 5.2 and 5.3 of the "
                                  f"rendered text (gh-pages at {RENDERED_COMMIT})",
                      [], extra=None) | {"flags": {"DraftErratum": "The draft itself ships these bytes; recorded as "
                                                                   "found, not fixed."}}, reg.tests)

    selfcheck(out)

def summary(ctx: SimpleNamespace) -> None:
    """What was written, and the draft observations."""
    invalid_tests, out, report, rule_counts = ctx.invalid_tests, ctx.out, ctx.report, ctx.rule_counts
    print(f"wrote {out}")
    for f in sorted(out.glob("*.json")):
        n = len(json.loads(f.read_text())["tests"])
        print(f"  {f.name}: {n} cases")
    print("invalid.json per rule kind:")
    for rule in RULES:
        if rule in rule_counts:
            print(f"  {rule}: {rule_counts[rule]}")
    print(f"cbor2 canonical mode used length-first key order in {STATS['cbor2_length_first']} re-encodings "
          f"(checked against our own length-first encoding)")
    print("draft observations:")
    for r in report:
        print("  - " + r)
    _ = invalid_tests


def main() -> int:
    """Every vector file, one draft section (or output file) at a time; `ctx` carries what a later
    section reads of an earlier one's."""
    ctx = SimpleNamespace()
    inputs(ctx)
    load_examples(ctx)
    read_rendered(ctx)
    check_timestamp_comments(ctx)
    examples_json(ctx)
    edge_valid_json(ctx)
    edge_acceptable_json(ctx)
    invalid_setup(ctx)
    invalid_a1_well_formedness(ctx)
    invalid_a1_shape_and_ranges(ctx)
    invalid_a1_every_shape(ctx)
    invalid_4_3_extension_types(ctx)
    invalid_4_1_salt(ctx)
    invalid_3_3_message_ids(ctx)
    invalid_4_4_parts(ctx)
    invalid_4_5_external_part(ctx)
    invalid_4_3_duplicate_keys(ctx)
    invalid_4_4_cid(ctx)
    invalid_6_1_deterministic_encoding(ctx)
    invalid_6_2_data_model(ctx)
    invalid_6_3_depth(ctx)
    invalid_9_1_sanity(ctx)
    invalid_json(ctx)
    encode_json(ctx)
    message_status_json(ctx)
    implied_json(ctx)
    findings_json(ctx)
    summary(ctx)
    return 0


def selfcheck(out: Path) -> None:
    """Re-read the written files and check them without the in-memory state: field sets, unique
    tcIds and slugs, every valid/acceptable case re-decodes (cbor2) and its message IDs recompute."""
    common = ["tcId", "slug", "section", "result", "flags", "comment"]
    fields = {
        "content": {"valid": common + ["cbor", "sender", "room", "expected"],
                    "acceptable": common + ["rule", "req", "cbor", "sender", "room", "expected"],
                    "invalid": common + ["rule", "req", "cbor", "sender", "room"]},
        "encode": {"valid": common + ["req", "content", "expected"]},
        "status": {"valid": common + ["cbor", "expected"], "invalid": common + ["rule", "req", "cbor"]},
        "implied": {"valid": common + ["cbor", "of", "expected"]},
        "findings": {"invalid": common + ["where", "cbor", "field", "found", "expected"]},
    }
    slugs = set()
    for f in sorted(out.glob("*.json")):
        doc = json.loads(f.read_text(encoding="utf-8"))
        assert doc["schema"] == SCHEMA and doc["generator"] == GENERATOR
        assert list(doc)[:7] == ["schema", "kind", "draft", "rev", "source", "generator", "flags"]
        assert list(doc)[-1] == "tests"
        ids = [t["tcId"] for t in doc["tests"]]
        assert len(set(ids)) == len(ids)
        for t in doc["tests"]:
            need = fields[doc["kind"]][t["result"]]
            assert all(k in t for k in need), (f.name, t["slug"], set(need) - set(t))
            assert t["slug"] not in slugs, t["slug"]
            slugs.add(t["slug"])
            assert isinstance(t["tcId"], int) and isinstance(t["flags"], list) and t["comment"]
            if doc["kind"] == "content" and t["result"] != "invalid":
                data = bytes.fromhex(t["cbor"])
                v = cbor2.loads(data)
                ext = v[5]
                assert ext[1] == t["sender"] and ext[2] == t["room"]
                assert t["expected"]["messageId"] == hx(message_id_08(t["sender"], t["room"], data, v[0]))
                assert t["expected"]["messageId07"] == hx(message_id_07(t["sender"], t["room"], data, v[0]))
                assert encode_model(t["expected"]["content"]) == data
            if doc["kind"] == "encode":
                # An encoder writes extension values deterministically, whatever form it was given.
                m = copy.deepcopy(t["content"])
                for x in m["extensions"]:
                    if "cbor" in x:
                        x["cbor"] = hx(enc(sorted_maps(plain(parse(bytes.fromhex(x["cbor"]))[0]))))
                assert encode_model(m) == bytes.fromhex(t["expected"]["cbor"])
                cbor2.loads(bytes.fromhex(t["expected"]["cbor"]))


def write(path: Path, header: dict, tests: list) -> None:
    used = {f for t in tests for f in t["flags"]}
    assert used <= set(header["flags"]), (path.name, used - set(header["flags"]))
    doc = dict(header)
    doc["tests"] = tests
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
