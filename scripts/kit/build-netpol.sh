#!/usr/bin/env bash
# Builds the NetworkPolicy enforcer of the offline kit (netpol/, a Go program using client-go and
# iptables) into the image docker.io/sidecarlabs/netpol:0.1.0 on the Debian lab base (which has
# iptables), and saves it as an archive for `kind load image-archive`.
# Output: $cache/images/netpol-<key>.tar; prints its path. Reused while its inputs are unchanged.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/versions.env"
source "$here/lib.sh"
log() { printf '[kit/netpol %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
image=docker.io/sidecarlabs/netpol:0.1.0

labbase=$("$here/build-rootfs.sh" labbase)
key=$( { cat "$0" "$here"/netpol/go.mod "$here"/netpol/go.sum "$here"/netpol/*.go; echo "$labbase"; go version; } | sha256sum | cut -c1-16)
out=$cache/images/netpol-$key.tar
if [ -s "$out" ]; then echo "$out"; exit 0; fi
mkdir -p "$cache/images"

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
log "go build sidecar-labs-netpol"
(cd "$here/netpol" && CGO_ENABLED=0 nice -n 10 go build -trimpath -ldflags '-s -w' -o "$tmp/sidecar-labs-netpol" .)
# shellcheck disable=SC2016 # ${BASE} is the Dockerfile's, expanded by docker build
printf 'ARG BASE\nFROM ${BASE}\nCOPY sidecar-labs-netpol /usr/local/bin/sidecar-labs-netpol\nENTRYPOINT ["/usr/local/bin/sidecar-labs-netpol"]\n' > "$tmp/Dockerfile"
built=$(docker build -q --build-arg BASE="$labbase" -t "$image" "$tmp" 2>&1) || {
  grep -v -e DEPRECATED -e buildx -e BuildKit <<<"$built" >&2; exit 1; }
log "  $image"
docker save "$image" -o "$out.partial"
mv "$out.partial" "$out"
echo "$out"
