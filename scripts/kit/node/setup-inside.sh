#!/bin/bash
# Runs inside the node-image build container (privileged): turns the Debian rootfs plus the staged
# files into what kind expects of a node image, and preloads every image into containerd.
set -euo pipefail
cp -a /stage/root/. /

# kind's units call containerd from /usr/local/bin and runc via PATH; Debian installs them in /usr/bin
# and /usr/sbin, so link rather than duplicate.
for b in containerd ctr containerd-shim-runc-v2; do ln -sf "/usr/bin/$b" "/usr/local/bin/$b"; done
mkdir -p /opt/cni/bin && cp -a /usr/lib/cni/. /opt/cni/bin/

# Same trimming of systemd units that kind's base image does: a node boots only what it needs.
find /lib/systemd/system/sysinit.target.wants/ -name "systemd-tmpfiles-setup.service" -delete
rm -f /lib/systemd/system/multi-user.target.wants/* /etc/systemd/system/*.wants/* \
      /lib/systemd/system/local-fs.target.wants/* /lib/systemd/system/sockets.target.wants/*udev* \
      /lib/systemd/system/sockets.target.wants/*initctl* /lib/systemd/system/basic.target.wants/*
echo "ReadKMsg=no" >> /etc/systemd/journald.conf
ln -sf /lib/systemd/systemd /sbin/init
systemctl enable kubelet.service containerd.service undo-mount-hacks.service >/dev/null 2>&1
systemctl mask systemd-binfmt.service >/dev/null 2>&1
mkdir -p /etc/kubernetes/manifests /var/lib/kubelet

ctr oci spec \
  | jq '.hooks.createContainer[.hooks.createContainer | length] |= . + {"path": "/kind/bin/mount-product-files.sh"}' \
  | jq 'del(.process.rlimits)' > /etc/containerd/cri-base.json

containerd >/tmp/containerd.log 2>&1 &
pid=$!
for _ in $(seq 1 50); do ctr version >/dev/null 2>&1 && break; sleep 0.2; done
ctr -n k8s.io images import --all-platforms --no-unpack --digests /stage/images.tar >/dev/null
ctr -n k8s.io images ls -q | grep -v '^sha256:' | sort > /kind/images.txt
kill "$pid"; wait "$pid" 2>/dev/null || true
rm -rf /tmp/* /var/log/*.log
