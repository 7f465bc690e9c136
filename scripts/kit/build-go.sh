#!/usr/bin/env bash
# Builds the Go programs of the offline kit from the Go module proxy: kind, the Kubernetes components,
# etcd, CoreDNS, pause (C, from the kubernetes module), the OpenTelemetry Collector the log-pipeline
# lab uses (images/otelcol) and configmap-reload (the configuration-reloader lab). Output: $KIT_BIN/<name>.
# Each program is rebuilt only when its version changes (a stamp file beside the binary).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
log_tag=go
source "$here/versions.env"
source "$here/lib.sh"
KIT_BIN=${KIT_BIN:-$bin}
work=$cache/go-work
mkdir -p "$KIT_BIN" "$work"
export CGO_ENABLED=0 GOFLAGS=-trimpath GOTOOLCHAIN=${GOTOOLCHAIN:-auto}

fresh() { # fresh NAME VERSION: true when $KIT_BIN/NAME was built for VERSION
  [ -x "$KIT_BIN/$1" ] && [ "$(cat "$KIT_BIN/.$1.version" 2>/dev/null)" = "$2" ]
}
stamp() { printf '%s' "$2" > "$KIT_BIN/.$1.version"; }

# kind -----------------------------------------------------------------------------------------------
if ! fresh kind "$KIND_VERSION"; then
  log "kind $KIND_VERSION"
  GOBIN="$KIT_BIN" go install "sigs.k8s.io/kind@$KIND_VERSION"
  stamp kind "$KIND_VERSION"
fi

# Kubernetes -----------------------------------------------------------------------------------------
k8s_bins=(kube-apiserver kube-controller-manager kube-scheduler kube-proxy kubelet kubeadm kubectl)
need_k8s=0
for b in "${k8s_bins[@]}"; do fresh "$b" "$KUBERNETES_VERSION" || need_k8s=1; done
if [ $need_k8s = 1 ]; then
  log "Kubernetes $KUBERNETES_VERSION (${k8s_bins[*]})"
  mod=$work/kubernetes-$KUBERNETES_VERSION
  mkdir -p "$mod"
  staging=${KUBERNETES_VERSION/v1./v0.}
  # k8s.io/kubernetes replaces its staging modules with ./staging paths, which do not exist outside
  # its own repository; a wrapper module points each of them at its published version instead.
  gomod=$(go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  {
    echo "module sidecarlabs.local/kubernetes-build"
    echo
    echo "go 1.24.0"
    echo
    echo "require k8s.io/kubernetes $KUBERNETES_VERSION"
    echo
    echo "replace ("
    sed -n 's#^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/src/.*#\t\1 => \1 '"$staging"'#p' "$gomod"
    echo ")"
  } > "$mod/go.mod"
  printf 'package tools\n\nimport (\n' > "$mod/tools.go"
  for b in "${k8s_bins[@]}"; do printf '\t_ "k8s.io/kubernetes/cmd/%s"\n' "$b" >> "$mod/tools.go"; done
  printf ')\n' >> "$mod/tools.go"
  sed -i '1i //go:build tools\n' "$mod/tools.go"
  # tidy -e records what it can reach (some test-only modules answer 403) and fails only on real errors.
  (cd "$mod" && go mod tidy -e >"$mod/tidy.log" 2>&1) || { log "go mod tidy failed:"; tail -20 "$mod/tidy.log" >&2; exit 1; }
  (cd "$mod" && GOFLAGS=-mod=mod go mod download)
  minor=$(echo "$KUBERNETES_VERSION" | cut -d. -f2)
  ld=""
  # kubeadm reads its own version from both packages; leaving either at its default breaks it.
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ld+=" -X $pkg.gitTreeState=clean -X $pkg.gitCommit=0000000000000000000000000000000000000000"
    ld+=" -X $pkg.buildDate=2026-01-01T00:00:00Z"
  done
  for b in "${k8s_bins[@]}"; do
    fresh "$b" "$KUBERNETES_VERSION" && continue
    log "  go build $b"
    (cd "$mod" && GOFLAGS="-mod=mod -trimpath" go build -ldflags "-s -w $ld" -o "$KIT_BIN/$b" "k8s.io/kubernetes/cmd/$b")
    stamp "$b" "$KUBERNETES_VERSION"
  done
fi

# etcd -----------------------------------------------------------------------------------------------
if ! fresh etcd "$ETCD_VERSION"; then
  log "etcd $ETCD_VERSION"
  mod=$work/etcd-$ETCD_VERSION
  mkdir -p "$mod"
  cat > "$mod/go.mod" <<MOD
module sidecarlabs.local/etcd-build

go 1.24.0

require go.etcd.io/etcd/server/v3 $ETCD_VERSION
MOD
  # etcd's own main package lives in a module that is not meant to be imported; etcdmain is.
  cat > "$mod/main.go" <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  (cd "$mod" && GOFLAGS=-mod=mod go mod tidy && go build -ldflags "-s -w" -o "$KIT_BIN/etcd" .)
  stamp etcd "$ETCD_VERSION"
fi

# CoreDNS --------------------------------------------------------------------------------------------
if ! fresh coredns "$COREDNS_VERSION"; then
  log "CoreDNS $COREDNS_VERSION"
  GOBIN="$KIT_BIN" go install -ldflags "-s -w" "github.com/coredns/coredns@$COREDNS_VERSION"
  stamp coredns "$COREDNS_VERSION"
fi

# pause (C, static) ----------------------------------------------------------------------------------
if ! fresh pause "$PAUSE_VERSION"; then
  log "pause $PAUSE_VERSION"
  src=$(go env GOMODCACHE)/k8s.io/kubernetes@$KUBERNETES_VERSION/build/pause/linux/pause.c
  [ -f "$src" ] || go mod download "k8s.io/kubernetes@$KUBERNETES_VERSION"
  gcc -Os -static -Wall -DVERSION="v$PAUSE_VERSION" -o "$KIT_BIN/pause" "$src"
  stamp pause "$PAUSE_VERSION"
fi

# OpenTelemetry Collector -----------------------------------------------------------------------------
# Our own main package over the contrib modules (images/otelcol: only the components the labs use);
# rebuilt when its sources change. The image tag in images.txt must match the contrib version built.
otel_src=$here/images/otelcol
otel_tag=$(lab_image /opentelemetry-collector-contrib:); otel_tag=${otel_tag##*:}
grep -q "opentelemetry-collector-contrib/receiver/filelogreceiver v$otel_tag\$" "$otel_src/go.mod" || {
  log "images.txt names collector $otel_tag, but $otel_src/go.mod builds another contrib version"; exit 1; }
otel_key=$otel_tag-$(cat "$otel_src"/go.mod "$otel_src"/go.sum "$otel_src"/*.go | sha256sum | cut -c1-12)
if ! fresh otelcol-contrib "$otel_key"; then
  log "OpenTelemetry Collector $otel_tag (filelog, otlp, batch, memory_limiter, otlp_grpc, debug, health_check)"
  (cd "$otel_src" && nice -n 10 go build -ldflags "-s -w -X main.version=$otel_tag" -o "$KIT_BIN/otelcol-contrib" .)
  stamp otelcol-contrib "$otel_key"
fi

# configmap-reload -------------------------------------------------------------------------------------
# The reloader sidecar of the configuration-reloader lab, from its Go module at its image's tag.
reload_tag=$(lab_image /configmap-reload:); reload_tag=${reload_tag##*:}
if ! fresh configmap-reload "$reload_tag"; then
  log "configmap-reload $reload_tag"
  GOBIN="$KIT_BIN" nice -n 10 go install -ldflags "-s -w" "github.com/jimmidyson/configmap-reload@$reload_tag"
  stamp configmap-reload "$reload_tag"
fi

log "all Go programs ready in $KIT_BIN"
