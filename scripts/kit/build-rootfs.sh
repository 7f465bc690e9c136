#!/usr/bin/env bash
# Debian root filesystems for the offline kit, made with debootstrap and imported into Docker:
#   sidecar-labs/node-rootfs:<key>   systemd, containerd, runc, CNI plugins: the kind node's base
#   sidecar-labs/labbase:<key>       nginx, git, bash, curl, less, iptables: base of the lab images
#   sidecar-labs/labapps:<key>       Debian's Prometheus, nginx exporter, Redis and twemproxy (nutcracker):
#                                    base of the images of the proxy, ambassador and adapter labs
# Usage: build-rootfs.sh node|labbase|labapps   (prints the image reference; reuses it when it exists)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
log_tag=rootfs
source "$here/versions.env"
source "$here/lib.sh"
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo

flavour=${1:?usage: build-rootfs.sh node|labbase|labapps}
case "$flavour" in
  node) include="systemd,systemd-sysv,dbus,conntrack,iptables,nftables,iproute2,ethtool,util-linux,mount,kmod,libseccomp2,pigz,bash,ca-certificates,curl,jq,procps,containerd,runc,containernetworking-plugins,socat,ebtables" ;;
  labbase) include="nginx-light,git,bash,curl,less,vim-tiny,iptables,conntrack,kmod,ca-certificates,procps,iproute2,netcat-openbsd,bash-completion" ;;
  labapps) include="bash,ca-certificates,procps,prometheus,prometheus-nginx-exporter,redis-server,nutcracker" ;;
  *) echo "unknown flavour $flavour (node|labbase|labapps)" >&2; exit 2 ;;
esac
# The key covers what shapes the filesystem: the suite, the packages and the recipe below. Bump
# recipe when the debootstrap or trim steps change (edits to comments or logging rebuild nothing).
recipe=2
key=$(printf '%s %s %s' "$DEBIAN_SUITE" "$include" "$recipe" | sha256sum | cut -c1-12)
image="sidecar-labs/$flavour-rootfs:$key"
if docker image inspect "$image" >/dev/null 2>&1; then echo "$image"; exit 0; fi

dir=$cache/rootfs/$flavour
$SUDO rm -rf "$dir"; mkdir -p "$cache/rootfs" "$cache/debs"
log "debootstrap $DEBIAN_SUITE ($flavour) from $mirror"
$SUDO debootstrap --variant=minbase --include="$include" --cache-dir="$cache/debs" \
  "$DEBIAN_SUITE" "$dir" "$mirror" >"$cache/rootfs/$flavour.log" 2>&1 || {
  log "debootstrap failed; last lines of $cache/rootfs/$flavour.log:"; tail -20 "$cache/rootfs/$flavour.log" >&2; exit 1; }
# Trim what a container never uses; apt lists and docs are most of a minbase's weight.
$SUDO rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/* "$dir"/usr/share/doc/* \
  "$dir"/usr/share/man/* "$dir"/usr/share/info/* "$dir"/usr/share/locale/*
log "importing $image"
$SUDO tar -C "$dir" -c . | docker import - "$image" >/dev/null
$SUDO rm -rf "$dir"
echo "$image"
