#!/bin/sh
# Runs every fuzz target for SECS seconds (default 600) of wall time, all at once under
# `nice -n 19` (other builds must not starve), from the seed corpus (`seed.sh` first), without a
# sanitizer (the code under test is safe Rust: what is sought is panics, overflows in debug
# assertions, hangs and memory blow-ups), then writes the figures libFuzzer printed into the
# README between its fuzz-figures markers. Crashes are left in fuzz/artifacts/<target>/.
set -eu
secs=${1:-600}
cd "$(dirname "$0")"
mkdir -p logs
nice -n 19 cargo +nightly fuzz build -s none
for t in $(cargo +nightly fuzz list); do
    mkdir -p "corpus/$t"
    nice -n 19 cargo +nightly fuzz run -s none "$t" "corpus/$t" -- \
        -max_total_time="$secs" -print_final_stats=1 -rss_limit_mb=2048 -timeout=10 \
        > "logs/$t.log" 2>&1 &
done
wait
python3 - "$secs" <<'PY'
import glob, os, re, sys
rows = []
for log in sorted(glob.glob("logs/*.log")):
    t = os.path.basename(log)[:-4]
    text = open(log, errors="replace").read()
    stat = lambda k: (re.findall(r"stat::%s:\s+(\d+)" % k, text) or ["?"])[-1]
    crashes = len(glob.glob("artifacts/%s/crash-*" % t) + glob.glob("artifacts/%s/oom-*" % t) + glob.glob("artifacts/%s/timeout-*" % t))
    rows.append("| `%s` | %s | %s s | %s | %s | %s MB | %d |" % (
        t, f"{int(stat('number_of_executed_units')):,}" if stat('number_of_executed_units') != "?" else "?",
        sys.argv[1], stat("average_exec_per_sec"), len(os.listdir("corpus/" + t)), stat("peak_rss_mb"), crashes))
table = "| target | executions | wall | per second | corpus files | peak RSS | crashes, OOMs, timeouts |\n|---|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n"
readme = "../README.md"
text = open(readme).read()
start = text.index("<!-- fuzz-figures:start")
start = text.index("\n", start) + 1
end = text.index("<!-- fuzz-figures:end -->")
open(readme, "w").write(text[:start] + table + text[end:])
print(table)
PY
