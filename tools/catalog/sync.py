#!/usr/bin/env python3
"""Brings the `tests:` lists of the requirement catalogs in line with the tests that name their
requirements: the one catalog-sync tool, for every catalog (after adding or renaming tests,
scenarios or vectors). Run from the repository root:

    python3 tools/catalog/sync.py                    # every spec/*.yaml, from `cargo run -q -- list`
    cargo run -q -- list > /tmp/tests.txt            # or one catalog, from a saved listing
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
        # Only the `tests:` list: `robustness:` and `readings:` hold globs of the same form.
        tests_list = re.search(r'(?m)^    tests:.*\n((?:      - ".*"\n)*)', block)
        listed = re.findall(r'(?m)^      - "(.*)"$', tests_list.group(1)) if tests_list else []
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


def sync_all():
    """Every catalog under spec/, against the suite's own listing."""
    import glob
    import subprocess
    import tempfile
    listing = subprocess.run(["cargo", "run", "-q", "--", "list"], check=True, capture_output=True, text=True).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as f:
        f.write(listing)
        f.flush()
        for catalog in sorted(glob.glob("spec/*.yaml")):
            print(f"{catalog}:")
            main(catalog, f.name)


if __name__ == "__main__":
    if len(sys.argv) == 1:
        sync_all()
    elif len(sys.argv) == 3:
        main(sys.argv[1], sys.argv[2])
    else:
        sys.exit(__doc__)
