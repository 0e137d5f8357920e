#!/usr/bin/env bash
# Builds the Kestra backfill oracle: cron-utils 9.2.1 (the version Kestra pins in
# platform/build.gradle) from its git mirror, then KestraOracle.java against it.
#
#   build.sh [CRON_UTILS_GIT] [OUT_DIR]
#
# CRON_UTILS_GIT: the cron-utils git directory (argument 1, else env CRON_UTILS_GIT,
#                 else /work/.mirror/jmrozanec+cron-utils/repo if it exists).
# OUT_DIR:        build outputs (argument 2, else env KESTRA_ORACLE_OUT, else /tmp/kestra-oracle).
# Needs: javac/java 17, git, Debian's libslf4j-java (/usr/share/java/slf4j-api.jar).
# Idempotent: every run rebuilds OUT_DIR/cron-utils-9.2.1.jar and OUT_DIR/oracle from scratch.
# Prints the java command line to run the oracle as its last line.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tag=9.2.1
git_dir="${1:-${CRON_UTILS_GIT:-}}"
if [[ -z "$git_dir" && -d /work/.mirror/jmrozanec+cron-utils/repo ]]; then
  git_dir=/work/.mirror/jmrozanec+cron-utils/repo
fi
out="${2:-${KESTRA_ORACLE_OUT:-/tmp/kestra-oracle}}"

die() { echo "build.sh: $*" >&2; exit 1; }

[[ -n "$git_dir" ]] || die "no cron-utils mirror: pass its git directory as argument 1 or set CRON_UTILS_GIT"
[[ -d "$git_dir" ]] || die "cron-utils mirror '$git_dir' does not exist"
git --git-dir="$git_dir" rev-parse -q --verify "refs/tags/$tag^{commit}" >/dev/null 2>&1 \
  || die "'$git_dir' is not a cron-utils git directory with tag $tag"
command -v javac >/dev/null || die "javac not found (install a JDK 17)"
slf4j_api=/usr/share/java/slf4j-api.jar
slf4j_nop=/usr/share/java/slf4j-nop.jar
[[ -f "$slf4j_api" ]] || die "$slf4j_api missing: apt-get install -y libslf4j-java"

commit="$(git --git-dir="$git_dir" rev-parse "refs/tags/$tag^{commit}")"
src="$out/cron-utils-$tag-src"
cls="$out/cron-utils-$tag-classes"
jar="$out/cron-utils-$tag.jar"
oracle="$out/oracle"
rm -rf "$src" "$cls" "$oracle" "$jar"
mkdir -p "$src" "$cls" "$oracle"

# cron-utils' main sources only. com/cronutils/validation/ (a javax.validation annotation
# and its validator, pom scope "provided") is left out: Kestra's path (CronDefinitionBuilder,
# CronParser, Cron.validate, ExecutionTime) never loads it.
git --git-dir="$git_dir" archive "$commit" src/main | tar -x -C "$src"
find "$src/src/main/java" -name '*.java' ! -path '*/com/cronutils/validation/*' > "$out/cron-utils-sources.txt"
javac -nowarn -encoding UTF-8 --release 17 -cp "$slf4j_api" -d "$cls" @"$out/cron-utils-sources.txt" 2> "$out/cron-utils-javac.log" \
  || { cat "$out/cron-utils-javac.log" >&2; die "compiling cron-utils failed"; }
cp -r "$src/src/main/resources/." "$cls/"
printf 'cron-utils %s built from %s\n' "$tag" "$commit" > "$cls/CRON_UTILS_VERSION"
(cd "$cls" && jar cf "$jar" .)

javac -encoding UTF-8 --release 17 -cp "$jar" -d "$oracle" "$here/KestraOracle.java"

cp_run="$oracle:$jar:$slf4j_api"
[[ -f "$slf4j_nop" ]] && cp_run="$cp_run:$slf4j_nop"   # silences slf4j's "no binding" warning
echo "java -cp $cp_run KestraOracle"
