#!/usr/bin/env bash
# Builds, offline, every container image the cluster and the labs need, under the exact names that
# kubeadm and the lab manifests ask for, and saves them as one archive for the node image:
#   control plane: kube-apiserver, kube-controller-manager, kube-scheduler, kube-proxy, etcd, coredns, pause
#   labs:          every image of images.txt: nginx, busybox, alpine (a busybox-based stand-in),
#                  git-sync, the OpenTelemetry Collector, Prometheus, the nginx exporter, Redis,
#                  twemproxy, configmap-reload, git-server, injector, toolbox
# Output: $cache/images/<key>.tar (docker save of all of them); prints its path.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
log_tag=images
source "$here/versions.env"
source "$here/lib.sh"

labbase=$("$here/build-rootfs.sh" labbase)
labapps=$("$here/build-rootfs.sh" labapps)
# Everything that shapes an image goes into the key, so an edit rebuilds and nothing stale is reused.
key=$( { cat "$here/versions.env" "$0" "$here/images.txt"; find "$here/images" -type f | sort | xargs cat; echo "$labbase $labapps";
         for b in kube-apiserver kube-controller-manager kube-scheduler kube-proxy etcd coredns pause kubectl otelcol-contrib configmap-reload; do
           cat "$bin/.$b.version"; echo; done; } | sha256sum | cut -c1-16)
out=$cache/images/$key.tar
if [ -s "$out" ]; then echo "$out"; exit 0; fi
mkdir -p "$cache/images"

reg=registry.k8s.io
k8s_images=(
  "$reg/kube-apiserver:$KUBERNETES_VERSION" "$reg/kube-controller-manager:$KUBERNETES_VERSION"
  "$reg/kube-scheduler:$KUBERNETES_VERSION" "$reg/kube-proxy:$KUBERNETES_VERSION"
  "$reg/etcd:$ETCD_IMAGE_TAG" "$reg/coredns/coredns:$COREDNS_VERSION" "$reg/pause:$PAUSE_VERSION"
)
mapfile -t lab_images < <(lab_images all)

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# docker build with the classic builder (BuildKit may be absent); its deprecation notice is noise here.
dbuild() {
  local out
  out=$(docker build "$@" 2>&1) || { grep -v -e DEPRECATED -e buildx -e BuildKit <<<"$out" >&2; return 1; }
}

# A single static binary on an otherwise empty filesystem (plus /tmp and CA certificates).
static_image() { # static_image IMAGE BINARY DEST [ENTRYPOINT-JSON [USER]]
  local d=$tmp/static-$RANDOM
  mkdir -p "$d$(dirname "$3")" "$d/tmp" "$d/etc/ssl/certs" "$d/var/run"
  chmod 1777 "$d/tmp"
  cp "$2" "$d$3"
  cp /etc/ssl/certs/ca-certificates.crt "$d/etc/ssl/certs/" 2>/dev/null || true
  printf 'root:x:0:0:root:/:/sbin/nologin\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n' > "$d/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\n' > "$d/etc/group"
  local changes=(--change 'ENV PATH=/usr/local/bin:/usr/bin:/bin')
  [ -n "${4:-}" ] && changes+=(--change "ENTRYPOINT $4")
  [ -n "${5:-}" ] && changes+=(--change "USER $5")
  tar -C "$d" -c . | docker import "${changes[@]}" - "$1" >/dev/null
  log "  $1"
}

log "control-plane images"
for c in kube-apiserver kube-controller-manager kube-scheduler; do
  static_image "$reg/$c:$KUBERNETES_VERSION" "$bin/$c" "/usr/local/bin/$c"
done
static_image "$reg/etcd:$ETCD_IMAGE_TAG" "$bin/etcd" /usr/local/bin/etcd
static_image "$reg/coredns/coredns:$COREDNS_VERSION" "$bin/coredns" /coredns '["/coredns"]'
static_image "$reg/pause:$PAUSE_VERSION" "$bin/pause" /pause '["/pause"]'
# kube-proxy programs iptables, so it gets the Debian base with iptables and conntrack.
mkdir -p "$tmp/kube-proxy" && cp "$bin/kube-proxy" "$tmp/kube-proxy/"
# shellcheck disable=SC2016 # ${BASE} is for docker build, not for the shell
printf 'ARG BASE\nFROM ${BASE}\nCOPY kube-proxy /usr/local/bin/kube-proxy\n' > "$tmp/kube-proxy/Dockerfile"
dbuild -q --build-arg BASE="$labbase" -t "$reg/kube-proxy:$KUBERNETES_VERSION" "$tmp/kube-proxy" >/dev/null
log "  $reg/kube-proxy:$KUBERNETES_VERSION"

log "lab images"
# busybox from Debian's busybox-static: one binary and a link per applet.
bb=$tmp/busybox
mkdir -p "$bb/bin" "$bb/tmp" "$bb/etc" "$bb/var/log" "$bb/root" "$bb/usr/bin" "$bb/sbin" "$bb/usr/sbin"
chmod 1777 "$bb/tmp"
cp /bin/busybox "$bb/bin/busybox"
for applet in $(/bin/busybox --list); do [ -e "$bb/bin/$applet" ] || ln -s busybox "$bb/bin/$applet"; done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$bb/etc/passwd"
printf 'root:x:0:\nnobody:x:65534:\n' > "$bb/etc/group"
busybox=$(lab_image /library/busybox:) alpine=$(lab_image /library/alpine:)
path='ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
tar -C "$bb" -c . | docker import --change 'CMD ["sh"]' --change "$path" - "$busybox" >/dev/null
log "  $busybox"
tar -C "$bb" -c . | docker import --change 'CMD ["/bin/sh"]' --change "$path" - "$alpine" >/dev/null
log "  $alpine (busybox-based stand-in)"

nginx=$(lab_image /library/nginx:)
dbuild -q --build-arg BASE="$labbase" -t "$nginx" "$here/images/nginx" >/dev/null
log "  $nginx (Debian nginx)"

git_sync=$(lab_image /git-sync/git-sync:)
dbuild -q --build-arg BASE="$labbase" -t "$git_sync" "$here/images/git-sync" >/dev/null
log "  $git_sync (stand-in: the Go proxy refuses k8s.io/git-sync)"

# The OpenTelemetry Collector (built by build-go.sh), laid out like the upstream contrib image: the
# binary at /otelcol-contrib, a default config at /etc/otelcol-contrib/config.yaml, user 10001.
otel=$tmp/otelcol
mkdir -p "$otel/etc/otelcol-contrib" "$otel/etc/ssl/certs" "$otel/tmp"
chmod 1777 "$otel/tmp"
install -m 0755 "$bin/otelcol-contrib" "$otel/otelcol-contrib"
install -m 0644 "$here/images/otelcol/config.yaml" "$otel/etc/otelcol-contrib/config.yaml"
cp /etc/ssl/certs/ca-certificates.crt "$otel/etc/ssl/certs/" 2>/dev/null || true
printf 'root:x:0:0:root:/:/sbin/nologin\notel:x:10001:10001:otel:/:/sbin/nologin\n' > "$otel/etc/passwd"
printf 'root:x:0:\notel:x:10001:\n' > "$otel/etc/group"
collector=$(lab_image /opentelemetry-collector-contrib:)
tar -C "$otel" -c --owner=0 --group=0 . | docker import --change 'USER 10001:10001' \
  --change 'ENTRYPOINT ["/otelcol-contrib"]' --change 'CMD ["--config", "/etc/otelcol-contrib/config.yaml"]' \
  --change 'EXPOSE 4317 4318' - "$collector" >/dev/null
log "  $collector (our build of the contrib modules, the lab's components only)"

# Debian's Prometheus, laid out like upstream's image (see images/prometheus/Dockerfile).
prometheus=$(lab_image /prom/prometheus:)
dbuild -q --build-arg BASE="$labapps" -t "$prometheus" "$here/images/prometheus" >/dev/null
log "  $prometheus (Debian prometheus)"

# Debian's nginx exporter and Redis, laid out like upstream's images; twemproxy (ours: no upstream image).
exporter=$(lab_image /nginx-prometheus-exporter:) redis=$(lab_image /library/redis:) twemproxy=$(lab_image /sidecarlabs/twemproxy:)
dbuild -q --build-arg BASE="$labapps" -t "$exporter" "$here/images/nginx-prometheus-exporter" >/dev/null
log "  $exporter (Debian prometheus-nginx-exporter)"
dbuild -q --build-arg BASE="$labapps" -t "$redis" "$here/images/redis" >/dev/null
log "  $redis (Debian redis-server)"
dbuild -q --build-arg BASE="$labapps" -t "$twemproxy" "$here/images/twemproxy" >/dev/null
log "  $twemproxy (Debian nutcracker)"
# configmap-reload (built by build-go.sh from its module), laid out like upstream's image: one static
# binary at /configmap-reload, user 65534.
reloader=$(lab_image /configmap-reload:)
static_image "$reloader" "$bin/configmap-reload" /configmap-reload '["/configmap-reload"]' 65534

git_server=$(lab_image /sidecarlabs/git-server:)
cp -r "$here/images/git-server" "$tmp/git-server"
(cd "$tmp/git-server" && CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o git-server .)
dbuild -q --build-arg BASE="$labbase" -t "$git_server" "$tmp/git-server" >/dev/null
log "  $git_server"

injector=$(lab_image /sidecarlabs/injector:)
cp -r "$here/images/injector" "$tmp/injector"
(cd "$tmp/injector" && CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o injector .)
dbuild -q -t "$injector" "$tmp/injector" >/dev/null
log "  $injector (the course's webhook and the proxy it injects)"

toolbox=$(lab_image /sidecarlabs/toolbox:)
cp -r "$here/images/toolbox" "$tmp/toolbox" && cp "$bin/kubectl" "$tmp/toolbox/"
dbuild -q --build-arg BASE="$labbase" -t "$toolbox" "$tmp/toolbox" >/dev/null
log "  $toolbox"

for i in "${lab_images[@]}"; do
  docker image inspect "$i" >/dev/null 2>&1 || { log "images.txt lists $i, but this script builds no such image"; exit 1; }
done
log "saving ${#k8s_images[@]} control-plane and ${#lab_images[@]} lab images"
docker save "${k8s_images[@]}" "${lab_images[@]}" -o "$out.partial"
mv "$out.partial" "$out"
echo "$out"
