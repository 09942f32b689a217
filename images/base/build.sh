#!/usr/bin/env bash
# Build a local Debian base image the rehearse test images start FROM: `build.sh [SUITE]`
# (bookworm by default; trixie carries MariaDB 11.8 and PostgreSQL 17 — docker-offline.md).
# A registry that answers gives debian:SUITE-slim; otherwise debootstrap + docker import,
# with the rootfs tarball cached so a re-import (which busts every derived cache) is rare.
set -euo pipefail

SUITE="${1:-bookworm}"
TAG="rehearse/base:$SUITE"
STATE_DIR="${REHEARSE_STATE_DIR:-$HOME/.cache/rehearse}"
TARBALL="$STATE_DIR/$SUITE-minbase.tar.gz"
log() { printf '[base-image] %s\n' "$*" >&2; }

if docker image inspect "$TAG" >/dev/null 2>&1; then
  exit 0
fi
if docker pull -q "debian:$SUITE-slim" >/dev/null 2>&1; then
  docker tag "debian:$SUITE-slim" "$TAG"
  log "tagged debian:$SUITE-slim as $TAG"
  exit 0
fi

# The mirror this machine's apt already uses (docker-offline.md: never write a host into code);
# the same mirror serves every suite, so any plain Debian release line names it.
mirror() {
  apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null \
    | awk '$1 !~ /security/ && $2 !~ /-/ { print $1; exit }'
}

build_tarball() {
  command -v debootstrap >/dev/null || { log "debootstrap missing: run scripts/host-setup.sh"; exit 3; }
  local url rootfs
  url="$(mirror)"
  [ -n "$url" ] || { log "no Debian mirror in apt's sources; add one, then re-run"; exit 3; }
  rootfs="$(mktemp -d)"
  trap 'rm -rf "$rootfs"' RETURN
  log "debootstrap $SUITE from $url (under a minute)"
  debootstrap --variant=minbase "$SUITE" "$rootfs" "$url" >"$STATE_DIR/debootstrap-$SUITE.log" 2>&1 \
    || { log "debootstrap failed; see $STATE_DIR/debootstrap-$SUITE.log"; exit 3; }
  # Keep image builds from starting daemons, and keep host facts out of the image.
  printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
  chmod +x "$rootfs/usr/sbin/policy-rc.d"
  : >"$rootfs/etc/resolv.conf"
  : >"$rootfs/etc/hostname"
  rm -rf "$rootfs"/usr/share/{doc,man,locale,info}/* "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/var/cache/apt/archives/*.deb
  tar -C "$rootfs" -czf "$TARBALL.tmp" . && mv "$TARBALL.tmp" "$TARBALL"
}

mkdir -p "$STATE_DIR"
[ -s "$TARBALL" ] || build_tarball
log "importing $TARBALL as $TAG"
docker import -c 'CMD ["/bin/bash"]' -c 'ENV LANG=C.UTF-8' "$TARBALL" "$TAG" >/dev/null
