#!/usr/bin/env bash
# Checks the algorithm of FINDINGS-dst.md: KestraOracle with cron-utils' nextExecution /
# lastExecution replaced by CronUtilsModel (civil date-times + zone offsets only) must give
# every committed answer, byte for byte.
#
#   differential/kestra/model/check.sh CRON_UTILS_GIT [ANSWERS...]
#
# ANSWERS default to differential/kestra/answers.jsonl; the smoke cases are always checked.
# A long run: check.sh CRON_UTILS_GIT /tmp/kestra-long.jsonl. Needs what build.sh needs.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
kestra="$(dirname "$here")"
git_dir="${1:?usage: check.sh CRON_UTILS_GIT [ANSWERS...]}"; shift
[ $# -gt 0 ] || set -- "$kestra/answers.jsonl"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$kestra/build.sh" "$git_dir" "$out/build" > /dev/null
jar="$out/build/cron-utils-9.2.1.jar"
mkdir -p "$out/src" "$out/cls"
line='this.executionTime = ExecutionTime.forCron(parsed);'
grep -qF "$line" "$kestra/KestraOracle.java" || { echo "check.sh: KestraOracle.java no longer has the line: $line" >&2; exit 1; }
sed "s/$line/this.executionTime = CronUtilsModel.wrap(ExecutionTime.forCron(parsed), this.zone);/" "$kestra/KestraOracle.java" > "$out/src/KestraOracle.java"
javac -nowarn -encoding UTF-8 --release 17 -cp "$jar" -d "$out/cls" "$here/CronUtilsModel.java" "$out/src/KestraOracle.java"
run=(java -cp "$out/cls:$jar:/usr/share/java/slf4j-api.jar:/usr/share/java/slf4j-nop.jar" KestraOracle)
"${run[@]}" < "$kestra/smoke-cases.jsonl" | cmp -s - "$kestra/smoke-answers.jsonl" \
  && echo "smoke-cases.jsonl: the model gives every answer" \
  || { echo "smoke-cases.jsonl: the model differs from cron-utils" >&2; exit 1; }
status=0
for answers in "$@"; do
  python3 - "$answers" "$out/cases.jsonl" "$out/expected.jsonl" <<'PY'
import json, sys
src, cases, expected = sys.argv[1:]
with open(cases, "w") as c, open(expected, "w") as e:
    for line in open(src):
        if line.startswith("#") or not line.strip():
            continue
        rec = json.loads(line)
        c.write(json.dumps(rec["case"]) + "\n")
        e.write(json.dumps(rec["answer"], separators=(",", ":")) + "\n")
PY
  "${run[@]}" < "$out/cases.jsonl" > "$out/got.jsonl"
  if python3 - "$out/expected.jsonl" "$out/got.jsonl" "$answers" <<'PY'
import json, sys
exp, got, name = sys.argv[1:]
a = [json.loads(l) for l in open(exp)]
b = [json.loads(l) for l in open(got)]
bad = [x["id"] for x, y in zip(a, b) if x != y] + (["(count)"] if len(a) != len(b) else [])
print(f"{name}: {len(a)} cases, the model differs from cron-utils in {len(bad)}" + (f": {bad[:10]}" if bad else ""))
sys.exit(1 if bad else 0)
PY
  then :; else status=1; fi
done
exit $status
