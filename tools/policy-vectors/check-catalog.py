#!/usr/bin/env python3
"""Checks that every quote of spec/draft-ietf-mimi-room-policy-03.yaml is verbatim in the
rendered draft: python3 tools/policy-vectors/check-catalog.py RENDERED.txt"""

import re
import sys

import yaml

rendered = open(sys.argv[1]).read()
lines = [l for l in rendered.split("\n")
         if not re.match(r"^(Mahy\s+Expires|Internet-Draft\s+MIMI Room Policy)", l) and "\f" not in l]
joined = ""
for l in lines:
    l = l.strip()
    if joined.endswith("-") and re.match(r"[a-z]", l) and not joined.endswith(" -"):
        joined += l
    else:
        joined += " " + l
flat = re.sub(r"\s+", " ", joined)
catalog = yaml.safe_load(open("spec/draft-ietf-mimi-room-policy-03.yaml"))
bad = 0
for r in catalog["requirements"]:
    text = r["text"]
    pieces = [l for l in text.split("\n") if l.strip()]
    for p in pieces:
        if re.sub(r"\s+", " ", p).strip() not in flat:
            print("not verbatim:", r["id"], p[:80])
            bad += 1
print(f"{len(catalog['requirements'])} requirements, {bad} quotes not found")
sys.exit(1 if bad else 0)
