#!/bin/sh
# Seeds fuzz/corpus/<target>/ from the vectors, the scenarios and a few written answers (the same
# seeds the stable trial `fuzz/every-target-s-body-on-its-seed-corpus-and-mutants` runs); the
# corpus is not committed. Run from the repository root.
set -eu
dir="$(cd "$(dirname "$0")" && pwd)/corpus"
mkdir -p "$dir"
MIMI_FUZZ_SEED_DIR="$dir" cargo test --test suite -- fuzz/every-target-s-body-on-its-seed-corpus-and-mutants
ls "$dir" | while read -r t; do echo "$t: $(ls "$dir/$t" | wc -l) seeds"; done
