#!/usr/bin/env bash
# Prepares a Debian host (or CI machine) for the offline cluster kit: Debian packages, the runc wrapper
# as dockerd's default runtime, and a running Docker engine. Idempotent; needs root (uses sudo if not).
# Users with a working Docker (Docker Desktop, a normal Linux install) never need this script.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
log_tag=host-setup
source "$here/lib.sh"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo

packages=(docker.io debootstrap jq git iptables containernetworking-plugins busybox-static ca-certificates gcc libc6-dev)
missing=()
for p in "${packages[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

wrapper=/usr/local/sbin/sidecar-labs-runc
if ! cmp -s "$here/runc-wrapper.sh" "$wrapper" 2>/dev/null; then
  log "installing the runc wrapper at $wrapper"
  $SUDO install -m 0755 "$here/runc-wrapper.sh" "$wrapper"
fi

# Register the wrapper only where the host's bounding set is short of what runc grants privileged
# containers; elsewhere Docker stays as it was.
capbnd=$(sed -n 's/^CapBnd:\s*//p' /proc/self/status)
need_wrapper=0
[ $(( 0x$capbnd & 0x1000000 )) -eq 0 ] && need_wrapper=1
daemon_json=/etc/docker/daemon.json
if [ $need_wrapper = 1 ]; then
  $SUDO mkdir -p /etc/docker
  current=$( [ -f $daemon_json ] && cat $daemon_json || echo '{}')
  wanted=$(jq --arg p "$wrapper" '.runtimes["sidecar-labs-runc"] = {path: $p} | ."default-runtime" = "sidecar-labs-runc"' <<<"$current")
  if [ "$(jq -S . <<<"$current")" != "$(jq -S . <<<"$wanted")" ]; then
    log "making the runc wrapper dockerd's default runtime ($daemon_json)"
    printf '%s\n' "$wanted" | $SUDO tee $daemon_json >/dev/null
    if docker info >/dev/null 2>&1; then
      log "restarting dockerd to pick up the runtime"
      if command -v systemctl >/dev/null && systemctl is-active -q docker 2>/dev/null; then $SUDO systemctl restart docker
      else $SUDO pkill -x dockerd || true; sleep 2; fi
    fi
  fi
fi

if ! docker info >/dev/null 2>&1; then
  log "starting dockerd"
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    $SUDO systemctl start docker
  else
    $SUDO sh -c 'nohup dockerd >/var/log/sidecar-labs-dockerd.log 2>&1 &'
  fi
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { log "dockerd did not start: see /var/log/sidecar-labs-dockerd.log"; exit 1; }
fi
# kind nodes run many inotify watchers and file handles; raise the usual limits when they are low.
for kv in fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512; do
  k=${kv%=*} v=${kv#*=}
  [ "$(sysctl -n "$k" 2>/dev/null || echo 0)" -ge "$v" ] || $SUDO sysctl -q -w "$kv" || true
done
# Go >= 1.24 builds the kit. Where none is installed (or it is older), take the official toolchain
# from the Go module proxy, which serves Go itself as the module golang.org/toolchain.
go_ok() { command -v go >/dev/null && [ "$(go env GOVERSION 2>/dev/null | sed -E 's/^go1\.([0-9]+).*/\1/')" -ge 24 ] 2>/dev/null; }
if ! go_ok; then
  gover=${SIDECAR_LABS_GO_VERSION:-1.25.5}
  dest=$cache/go-$gover
  if [ ! -x "$dest/bin/go" ]; then
    log "installing Go $gover from the Go module proxy into $dest"
    tmpzip=$(mktemp --suffix=.zip)
    curl -fsSL -o "$tmpzip" "https://proxy.golang.org/golang.org/toolchain/@v/v0.0.1-go$gover.linux-$(dpkg --print-architecture).zip"
    rm -rf "$dest.tmp" && mkdir -p "$dest.tmp" && (cd "$dest.tmp" && { python3 -m zipfile -e "$tmpzip" . 2>/dev/null || unzip -q "$tmpzip"; })
    mv "$dest.tmp/golang.org/toolchain@v0.0.1-go$gover.linux-$(dpkg --print-architecture)" "$dest" && rm -rf "$dest.tmp" "$tmpzip"
    chmod +x "$dest"/bin/* "$dest"/pkg/tool/*/* 2>/dev/null || true
  fi
  log "Go for the kit: $dest/bin (put it on PATH: export PATH=$dest/bin:\$PATH)"
fi
log "docker $(docker version -f '{{.Server.Version}}') ready (default runtime: $(docker info -f '{{.DefaultRuntime}}'))"
