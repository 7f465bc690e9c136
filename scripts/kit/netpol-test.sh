#!/usr/bin/env bash
# The NetworkPolicy enforcer's own tests (npm test runs this after the cluster step, whose kit build
# leaves the Go toolchain and the enforcer's modules in place): `go test` of the rules compiler, then
# netpol/datapath-test.sh, real IPv4 and IPv6 connections through the compiled rules between network
# namespaces. The datapath test needs root (ip netns, iptables): as root it runs directly, otherwise
# through passwordless sudo; without either it fails and says so.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
log_tag=netpol
source "$here/lib.sh"
for tool in go ip iptables ip6tables curl python3; do
  command -v "$tool" >/dev/null || { log "$tool is missing (the enforcer's tests need it)"; exit 1; }
done
log "go test"
(cd "$here/netpol" && nice -n 10 go test ./...)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
(cd "$here/netpol" && CGO_ENABLED=0 nice -n 10 go build -o "$tmp/netpol" .)
log "datapath-test.sh"
if [ "$(id -u)" = 0 ]; then
  NETPOL_BIN=$tmp/netpol bash "$here/netpol/datapath-test.sh"
elif sudo -n true 2>/dev/null; then
  sudo -n env NETPOL_BIN="$tmp/netpol" PATH="$PATH" bash "$here/netpol/datapath-test.sh"
else
  log "datapath-test.sh needs root (network namespaces, iptables): run npm test as root or with passwordless sudo"
  exit 1
fi
