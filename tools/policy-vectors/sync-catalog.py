#!/usr/bin/env python3
"""Brings the `tests:` lists of spec/draft-ietf-mimi-room-policy-03.yaml in line with the policy
vectors, after tools/policy-vectors/generate.py. Run from the repository root:

    python3 tools/policy-vectors/sync-catalog.py

The catalog trial of `cargo test` wants each list exact: every test naming the requirement is
listed (by id or glob), and no glob claims a test naming another one. For every requirement that
decision tests name (each test id is policy/SECTION/SLUG), a glob or id that still matches only
its own tests stays, one that matches none goes, and the tests nothing lists are added by id.
For POL-S01 only the role-set decode/encode tests are looked at (the codec cases are left as
they are). Only the `tests:` lines change.
"""

import fnmatch
import json
import os
import re

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
CATALOG = os.path.join(ROOT, "spec", "draft-ietf-mimi-room-policy-03.yaml")


def load(name):
    with open(os.path.join(ROOT, "vectors", "policy", name)) as f:
        return json.load(f)["tests"]


def ids():
    """test id -> requirement, for the decision and role-set tests."""
    out = {}
    for c in load("decisions.json"):
        out[f"policy/{c['section']}/{c['slug']}"] = c["req"]
    for f in load("fixtures.json"):
        for verb in ("decode", "encode"):
            out[f"policy/{f['section']}/{verb}-role-set-{f['name']}"] = "POL-S01"
    return out


def main():
    tests = ids()
    codec = {f"policy/{c['section']}/{v}-{c['slug']}"
             for c in load("codec.json") for v in ("decode", "encode", "reject")}
    lines = open(CATALOG).read().split("\n")
    out, i, changed = [], 0, []
    req = None
    while i < len(lines):
        line = lines[i]
        m = re.match(r"  - id: (\S+)$", line)
        if m:
            req = m.group(1)
        if line != "    tests:" or req is None:
            out.append(line)
            i += 1
            continue
        out.append(line)
        i += 1
        listed = []
        while i < len(lines) and re.match(r'      - "', lines[i]):
            listed.append(re.match(r'      - "(.*)"$', lines[i]).group(1))
            i += 1
        mine = {t for t, r in tests.items() if r == req}
        if req == "POL-S01":
            # Keep the codec entries; make the role-set tests exact.
            keep = [g for g in listed if any(fnmatch.fnmatchcase(t, g) for t in mine)
                    or any(fnmatch.fnmatchcase(t, g) for t in codec)]
        elif not mine:
            keep = listed
        else:
            keep = [g for g in listed if any(fnmatch.fnmatchcase(t, g) for t in mine)
                    and not any(fnmatch.fnmatchcase(t, g) for t, r in tests.items() if r != req)]
        missing = [t for t in mine if not any(fnmatch.fnmatchcase(t, g) for g in keep)]
        new = sorted(set(keep) | set(missing))
        if new != listed:
            changed.append(f"{req}: -{len(set(listed) - set(new))} +{len(set(new) - set(listed))}")
        out.extend(f'      - "{g}"' for g in new)
    with open(CATALOG, "w") as f:
        f.write("\n".join(out))
    print("\n".join(changed) or "catalog already in line")


if __name__ == "__main__":
    main()
