#!/usr/bin/env bash
# Builds the CNCF distribution registry from its Go module and wraps it in a one-binary image, for a
# local registry mirror (tests, or an instructor's room). Output: $KIT_BIN/registry; prints the image tag.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# Not in versions.env: that file keys the node image, which the registry does not change.
DISTRIBUTION_VERSION=${DISTRIBUTION_VERSION:-v3.0.0}
source "$here/lib.sh"
KIT_BIN=${KIT_BIN:-$bin}
mkdir -p "$KIT_BIN"
export CGO_ENABLED=0 GOFLAGS=-trimpath GOTOOLCHAIN=${GOTOOLCHAIN:-auto}
log() { printf '[kit/registry %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

if ! { [ -x "$KIT_BIN/registry" ] && [ "$(cat "$KIT_BIN/.registry.version" 2>/dev/null)" = "$DISTRIBUTION_VERSION" ]; }; then
  log "distribution $DISTRIBUTION_VERSION (go install .../cmd/registry)"
  GOBIN="$KIT_BIN" nice -n 10 go install -ldflags "-s -w" "github.com/distribution/distribution/v3/cmd/registry@$DISTRIBUTION_VERSION"
  printf '%s' "$DISTRIBUTION_VERSION" > "$KIT_BIN/.registry.version"
fi

tag="sidecar-labs/registry:$DISTRIBUTION_VERSION"
if docker image inspect "$tag" >/dev/null 2>&1; then echo "$tag"; exit 0; fi
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
mkdir -p "$d/bin" "$d/etc/distribution" "$d/var/lib/registry" "$d/tmp"
chmod 1777 "$d/tmp"
cp "$KIT_BIN/registry" "$d/bin/registry"
cat > "$d/etc/distribution/config.yml" <<'YML'
version: 0.1
log:
  fields:
    service: registry
storage:
  filesystem:
    rootdirectory: /var/lib/registry
  delete:
    enabled: true
http:
  addr: :5000
YML
tar -C "$d" -c . | docker import --change 'ENTRYPOINT ["/bin/registry"]' --change 'CMD ["serve", "/etc/distribution/config.yml"]' \
  --change 'EXPOSE 5000' - "$tag" >/dev/null
log "built $tag"
echo "$tag"
