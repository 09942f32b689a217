#!/usr/bin/env bash
# Build the local images rehearse's tests and demo use. Docker's build cache makes a re-run quick.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '[images] %s\n' "$*" >&2; }

if ! docker info >/dev/null 2>&1; then
  log "no Docker engine: skipping image builds (Docker tests will be skipped)"
  exit 0
fi
bash images/base/build.sh bookworm
bash images/base/build.sh trixie
# The legacy builder prints a deprecation banner on every build: its output is shown only when
# the build fails.
quietly() {
  local err status=0
  err=$(mktemp)
  "$@" >/dev/null 2>"$err" || status=$?
  [ "$status" -eq 0 ] || cat "$err" >&2
  rm -f "$err"
  return "$status"
}
build() {
  local tag="$1" dir="$2"
  shift 2
  log "building $tag"
  quietly docker build -q -t "$tag" "$@" "$dir"
}
# trixie's servers are the test default (MySQL 8 dumps load into MariaDB 11.8 unchanged);
# bookworm's stay for the tests that need an older server.
build rehearse/testing-postgres:17 images/testing/postgres \
  --build-arg BASE=rehearse/base:trixie --build-arg PG_MAJOR=17
build rehearse/testing-mariadb:11.8 images/testing/mariadb --build-arg BASE=rehearse/base:trixie
build rehearse/testing-postgres:15 images/testing/postgres
build rehearse/testing-mariadb:10.11 images/testing/mariadb
SIM="${REHEARSE_TEST_SIM:-rehearse/nopsim}"
build "$SIM:base" images/sim
build rehearse/relay:1 images/relay
build rehearse/guard:1 images/guard
# One tag per version it can play, like the official image's tags: an ENV layer on the base.
for version in 4.40 4.50 4.60 4.70 4.80 4.90; do
  printf 'FROM %s:base\nENV NOP_SIM_VERSION=%s\n' "$SIM" "$version" \
    | quietly docker build -q -t "$SIM:$version" -
done
