#!/usr/bin/env bash
# Assembles a kind node image offline: Debian bookworm (systemd 252, containerd, runc, CNI plugins),
# kind's own base files taken from the kind module in the Go cache, Kubernetes binaries built from Go
# modules, and every control-plane and lab image preloaded into containerd. Prints the image tag.
# (`kind build node-image` cannot do this offline: it fetches images with a ctr flag Debian lacks.)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
log_tag=node
source "$here/versions.env"
source "$here/lib.sh"

"$here/build-go.sh" >&2
nodebase=$("$here/build-rootfs.sh" node)
images=$("$here/build-images.sh")
kindsrc=$(cd "$cache/go-work" 2>/dev/null; go env GOMODCACHE)/sigs.k8s.io/kind@$KIND_VERSION/images/base/files
[ -d "$kindsrc" ] || { go mod download "sigs.k8s.io/kind@$KIND_VERSION" >/dev/null; }
[ -d "$kindsrc" ] || { log "kind's base files not found at $kindsrc"; exit 1; }

key=$( { cat "$0" "$here/versions.env" "$here/runc-wrapper.sh" "$here"/node/*; echo "$nodebase $images";
         for b in kubeadm kubelet kubectl; do cat "$bin/.$b.version"; done; } | sha256sum | cut -c1-12)
tag="sidecar-labs/node:$KUBERNETES_VERSION-$key"
if docker image inspect "$tag" >/dev/null 2>&1; then echo "$tag"; exit 0; fi

stage=$(mktemp -d); trap 'rm -rf "$stage"; docker rm -f "sidecar-labs-node-build-$key" >/dev/null 2>&1 || true' EXIT
root=$stage/root
mkdir -p "$root/usr/local/bin" "$root/usr/local/sbin" "$root/usr/bin" "$root/kind" "$root/etc/cni/net.d"
cp -a "$kindsrc/usr/local/bin/." "$root/usr/local/bin/"
cp -a "$kindsrc/kind/." "$root/kind/"
cp -a "$kindsrc/etc/." "$root/etc/"
chmod -R u+w "$root"
chmod 0755 "$root/usr/local/bin/"* "$root/kind/bin/"*
# containerd: the sandbox image kubeadm expects, and our runc wrapper (privileged pods such as
# kube-proxy need it on hosts short of CAP_SYS_RESOURCE). fuse-overlayfs is only for rootless; dropped.
sed -i -e "s#sandbox_image = .*#sandbox_image = \"registry.k8s.io/pause:$PAUSE_VERSION\"#" \
  -e 's#SystemdCgroup = true#SystemdCgroup = true\n    BinaryName = "/usr/local/sbin/sidecar-labs-runc"#' \
  "$root/etc/containerd/config.toml"
sed -i '/^\[proxy_plugins\]/,/^  address = /d' "$root/etc/containerd/config.toml"
install -m 0755 "$here/runc-wrapper.sh" "$root/usr/local/sbin/sidecar-labs-runc"
for b in kubeadm kubelet kubectl; do install -m 0755 "$bin/$b" "$root/usr/bin/$b"; done
echo "$KUBERNETES_VERSION" > "$root/kind/version"
cp "$here/node/10-sidecar-labs-bridge.conflist" "$root/etc/cni/net.d/"
install -m 0755 "$here/node/setup-inside.sh" "$stage/setup-inside.sh"
ln "$images" "$stage/images.tar" 2>/dev/null || cp "$images" "$stage/images.tar"

log "assembling $tag"
name=sidecar-labs-node-build-$key
docker run --name "$name" --privileged --entrypoint /bin/bash -v "$stage:/stage:ro" "$nodebase" /stage/setup-inside.sh >&2
docker commit \
  --change 'ENV container=docker' \
  --change 'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]' --change 'CMD []' \
  "$name" "$tag-commit" >/dev/null
# systemd stops on SIGRTMIN+3; `docker commit` cannot set STOPSIGNAL, a one-line build can.
out=$(printf 'FROM %s\nSTOPSIGNAL SIGRTMIN+3\n' "$tag-commit" | docker build -q -t "$tag" - 2>&1) || {
  grep -v -e DEPRECATED -e buildx -e BuildKit <<<"$out" >&2; exit 1; }
docker rmi "$tag-commit" >/dev/null
log "built $tag"
echo "$tag"
