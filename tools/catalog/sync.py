#!/usr/bin/env python3
"""Brings the `tests:` lists of a requirement catalog in line with the tests that name its
requirements. Run from the repository root after adding or renaming tests:

    cargo run -q -- list > /tmp/tests.txt
    python3 tools/catalog/sync.py spec/draft-ietf-mimi-protocol-06.yaml /tmp/tests.txt

The catalog trial of `cargo test` wants each list exact: every test naming the requirement is
listed (by id or glob) and no glob claims a test naming only others. A glob or id that still
matches only tests of its requirement stays; one that matches none goes; tests nothing lists are
added, the ciphersuite variants of a scenario (`<id>@cs1`, `<id>@cs3`) as one glob `<id>@*`.
A requirement marked `testable: false` that tests now name becomes `testable: true` (its
`deferred:`/`reason:` text goes). Only those lines change.
"""

import fnmatch
import re
import sys


def tests_by_requirement(listing):
    """requirement -> set of test ids, from `mimi-conformance list` output."""
    out = {}
    for line in open(listing):
        parts = line.split()
        if not parts or "/" not in parts[0]:
            continue
        test = parts[0]
        for req in re.findall(r"\b([A-Z]+-[A-Z]?\d+[a-z]?)\b", line[len(test):]):
            out.setdefault(req, set()).add(test)
    return out


def globs_for(ids):
    """The ids, with the @cs variants of one scenario folded into `<id>@*`."""
    out = set()
    for t in ids:
        base, _, suffix = t.partition("@")
        out.add(f"{base}@*" if suffix else t)
    return out


def main(catalog, listing):
    by_req = tests_by_requirement(listing)
    everything = set().union(*by_req.values()) if by_req else set()
    text = open(catalog).read()
    blocks = re.split(r"(?m)^(?=  - id: )", text)
    changed = []
    for n, block in enumerate(blocks):
        m = re.match(r"  - id: (\S+)\n", block)
        if not m or m.group(1) not in by_req:
            continue
        req = m.group(1)
        mine = by_req[req]
        others = everything - mine
        listed = re.findall(r'(?m)^      - "(.*)"$', block)
        keep = [g for g in listed
                if any(fnmatch.fnmatchcase(t, g) for t in mine)
                and not any(fnmatch.fnmatchcase(t, g) for t in others)]
        missing = [t for t in mine if not any(fnmatch.fnmatchcase(t, g) for g in keep)]
        new = sorted(set(keep) | globs_for(missing))
        lines = "".join(f'      - "{g}"\n' for g in new)
        if re.search(r"(?m)^    tests:", block):
            block2 = re.sub(r'(?m)^    tests:.*\n(?:      - ".*"\n)*', "    tests:\n" + lines, block)
        else:
            # testable: false with a deferred/reason text: now tested.
            block2 = re.sub(r"(?ms)^    testable: false\n(?:    (?:deferred|reason): .*?\n(?=    \S|\n|\Z))?",
                            "    testable: true\n    tests:\n" + lines, block)
        if block2 != block:
            blocks[n] = block2
            changed.append(f"{req}: {len(listed)} -> {len(new)}")
    with open(catalog, "w") as f:
        f.write("".join(blocks))
    print("\n".join(changed) or "catalog already in line")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
