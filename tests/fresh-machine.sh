#!/usr/bin/env bash
# The README's promise, exercised: a fresh clone, an empty HOME, and nothing but
#     npm install && npm test
# On a fresh Debian machine with Docker installed but stopped (or not installed), run as root or with
# passwordless sudo, `npm test` prepares the host itself (scripts/kit/host-setup.sh, Chromium), builds
# the offline kit and passes. Without root or sudo it must stop at once with the one command to run.
#
#   bash tests/fresh-machine.sh [REPO]        REPO: a path or URL to clone (default: this repository)
#
# Environment:
#   FRESH_KEEP_CACHE=1   reuse ~/.cache/sidecar-labs (warm kit) instead of the empty HOME's cold one
#   FRESH_CLUSTER_NAME   on a machine that already runs the "sidecar-labs" cluster (a shared dev box),
#                        a second cluster name; its NodePorts then map to host ports 30380-30389
#   FRESH_KEEP=1         keep the temporary clone and HOME (printed at the end)
# The run's log: <tmp>/fresh-machine.log. The cluster it created is deleted at the end.
set -euo pipefail
src=${1:-$(cd "$(dirname "$0")/.." && pwd)}
real_home=$HOME
work=$(mktemp -d /tmp/sidecar-labs-fresh.XXXXXX)
log() { printf '[fresh-machine %s] %s\n' "$(date +%H:%M:%S)" "$*" | tee -a "$work/fresh-machine.log"; }

if docker inspect sidecar-labs-control-plane >/dev/null 2>&1 && [ -z "${FRESH_CLUSTER_NAME:-}" ]; then
  log "this machine already runs the kind cluster \"sidecar-labs\"; a fresh run would replace it."
  log "run on a fresh machine, or set FRESH_CLUSTER_NAME=sidecar-labs-fresh to use a second cluster"
  exit 2
fi
if [ -n "${FRESH_CLUSTER_NAME:-}" ]; then
  [ "$FRESH_CLUSTER_NAME" != sidecar-labs ] || { log "FRESH_CLUSTER_NAME must not be sidecar-labs"; exit 2; }
  export SIDECAR_LABS_CLUSTER_NAME=$FRESH_CLUSTER_NAME SIDECAR_LABS_NODE_PORT_BASE=30380
  export SIDECAR_LABS_KUBECONFIG=$work/home/.cache/sidecar-labs/kubeconfig-$FRESH_CLUSTER_NAME
fi

log "cloning $src into $work/repo; HOME=$work/home (empty)"
git clone -q "$src" "$work/repo"
mkdir -p "$work/home"
export HOME=$work/home
unset KUBECONFIG SIDECAR_LABS_CLUSTER SIDECAR_LABS_OFFLINE
[ "${FRESH_KEEP_CACHE:-}" = 1 ] && export SIDECAR_LABS_CACHE=$real_home/.cache/sidecar-labs
export CI=${CI:-true}

cleanup() {
  rc=$?
  (cd "$work/repo" && [ -x node_modules/.bin/node ] && node_modules/.bin/node src/cli/main.ts cluster down >>"$work/fresh-machine.log" 2>&1) || true
  log "done: exit $rc after $SECONDS s (log: $work/fresh-machine.log)"
  [ "${FRESH_KEEP:-}" = 1 ] || [ $rc -ne 0 ] || rm -rf "${work:?}/repo" "${work:?}/home"
  exit $rc
}
trap cleanup EXIT

cd "$work/repo"
log "npm install"
npm install --no-audit --no-fund 2>&1 | tee -a "$work/fresh-machine.log"
log "npm test"
npm test 2>&1 | tee -a "$work/fresh-machine.log"
