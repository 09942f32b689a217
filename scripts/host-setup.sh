#!/usr/bin/env bash
# Make this machine ready for rehearse: Debian packages, a running Docker engine.
# Idempotent and quiet when everything is already there (a user's laptop with Docker running).
set -euo pipefail

# chromium: the test that renders the HTML report takes a screenshot with it.
# iproute2, iptables: the egress guard, and the second engine the remote-engine tests start.
PACKAGES=(docker.io debootstrap unixodbc tdsodbc chromium iproute2 iptables)
STATE_DIR="${REHEARSE_STATE_DIR:-$HOME/.cache/rehearse}"
mkdir -p "$STATE_DIR"

log() { printf '[host-setup] %s\n' "$*" >&2; }

docker_ready() { docker info >/dev/null 2>&1; }

install_packages() {
  local missing=()
  for pkg in "${PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" != 0 ]; then
    log "missing packages: ${missing[*]} (install them with your package manager, then re-run)"
    return 0
  fi
  log "installing ${missing[*]}"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
}

start_docker() {
  docker_ready && return 0
  if [ "$(id -u)" != 0 ] || ! command -v dockerd >/dev/null 2>&1; then
    log "no Docker engine answers and this script cannot start one: start Docker, then re-run"
    return 1
  fi
  # Never a second daemon beside a running one (docker-offline.md): only when `docker info` fails.
  log "starting dockerd (log: $STATE_DIR/dockerd.log)"
  nohup dockerd >"$STATE_DIR/dockerd.log" 2>&1 &
  for _ in $(seq 1 60); do
    docker_ready && { log "Docker engine ready"; return 0; }
    sleep 0.5
  done
  log "dockerd did not answer within 30 s; see $STATE_DIR/dockerd.log"
  return 1
}

install_packages
# A user without Docker can still run `rehearse plan` and the unit tests.
if [ "${1:-}" = "--require-docker" ]; then start_docker; else start_docker || true; fi
