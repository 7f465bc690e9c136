#!/usr/bin/env bash
# Runs the steps of .github/workflows/validate-labs.yml with the same commands, on this machine, with a
# local registry mirror standing in for the internet (Docker Hub, registry.k8s.io, kind's downloads).
#   scripts/ci-online.sh              (the registry is started, filled, and removed with the cluster)
# What differs from GitHub, step by step (each marked "GitHub-only" or "differs" below):
#   - actions/checkout, actions/setup-node, actions/setup-go, actions/upload-artifact: GitHub-only; the
#     working tree, Node 24 from node_modules, and the kit's Go stand in; the JUnit file stays in test-results/.
#   - "Install dependencies" (npm ci): skipped unless CI_ONLINE_NPM_CI=1 (it replaces node_modules).
#   - "Tools": kind and kubectl come from the kit's Go builds, not from kind.sigs.k8s.io / dl.k8s.io.
#   - "Create the kind cluster": the node image is the kit's, pulled from the mirror (kindest/node is not
#     reachable here); the kind config adds the mirror (containerdConfigPatches + hosts.toml mount), the
#     kit's bridge CNI (disableDefaultCNI), another cluster name and host port (30180), as a second cluster
#     beside the shared one. The lab images the node image preloads are removed, so the labs pull them.
#     The kit's bridge CNI does not enforce NetworkPolicy (kindnet does on GitHub); `cluster up` installs
#     the kit's enforcer, this script (like the workflow) does not.
#   - "Build and load the project's own images": the same go build / docker build / kind load, but on the
#     kit's Debian base: debian:bookworm-slim + apt-get need the internet.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); repo=$(cd "$here/.." && pwd); cd "$repo"
source scripts/kit/lib.sh
export PATH="$repo/node_modules/.bin:$PATH:$bin"
name=sidecar-labs-ci
export KUBECONFIG=/tmp/$name-kubeconfig
port=${CI_ONLINE_REGISTRY_PORT:-5001}
step() { printf '\n━━ ci-online: %s ━━\n' "$*"; }
# shellcheck disable=SC2317 # called by the trap
cleanup() {
  kind delete cluster --name "$name" --kubeconfig "$KUBECONFIG" >/dev/null 2>&1 || true
  [ -n "${CI_ONLINE_KEEP_REGISTRY:-}" ] || bash scripts/mirror-registry.sh stop
}
trap cleanup EXIT

step "registry mirror (stands in for the internet)"
url=$(bash scripts/mirror-registry.sh start "$port")
# CI_ONLINE_NODE_IMAGE names a node image already built (else the kit's, built or cached)
node_image=${CI_ONLINE_NODE_IMAGE:-$(bash scripts/kit/build-node-image.sh 2>/dev/null | tail -1)}
node src/cli/main.ts kit push --registry "$url" --node-image "$node_image"
hostport=${url#http://}

[ -n "${CI_ONLINE_NPM_CI:-}" ] && { step "Install dependencies"; npm ci --no-audit --no-fund; }

step "Unit tests of the engine and the lab format"
npx vitest run --project unit src/engine

step "Tools (kind, kubectl) — from the kit"
kind version; kubectl version --client | head -1

step "Create the kind cluster"
docker pull -q "$hostport/docker.io/$node_image"
docker network create kind >/dev/null 2>&1 || true
docker network connect kind sidecar-labs-registry 2>/dev/null || true
hosts=$(mktemp -d)
for reg in docker.io registry.k8s.io; do
  mkdir -p "$hosts/$reg"
  printf '[host."http://sidecar-labs-registry:5000/v2/%s"]\n  capabilities = ["pull", "resolve"]\n  override_path = true\n' "$reg" > "$hosts/$reg/hosts.toml"
done
cat > /tmp/kind.yaml <<YAML
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
networking:
  disableDefaultCNI: true
containerdConfigPatches:
  - |-
    [plugins."io.containerd.grpc.v1.cri".registry]
      config_path = "/etc/containerd/certs.d"
nodes:
  - role: control-plane
    extraPortMappings:
      - { containerPort: 30080, hostPort: 30180, listenAddress: 127.0.0.1 }
    extraMounts:
      - { hostPath: "$hosts", containerPath: /etc/containerd/certs.d, readOnly: true }
YAML
kind create cluster --name "$name" --image "$hostport/docker.io/$node_image" --config /tmp/kind.yaml --wait 120s
kubectl get nodes -o wide
mapfile -t lab_images < <(node -e "import('./src/course/images.ts').then(m => console.log(m.labImages.join('\n')))")
docker exec "$name-control-plane" ctr -n k8s.io images rm "${lab_images[@]}" || true

step "Build and load the project's own images (git-server, toolbox, twemproxy)"
tmp=$(mktemp -d)
labbase=$(bash scripts/kit/build-rootfs.sh labbase)
cp -r scripts/kit/images/git-server "$tmp/git-server"
(cd "$tmp/git-server" && CGO_ENABLED=0 go build -trimpath -o git-server .)
docker build -q --build-arg BASE="$labbase" -t docker.io/sidecarlabs/git-server:0.1.0 "$tmp/git-server"
cp -r scripts/kit/images/toolbox "$tmp/toolbox" && cp "$(command -v kubectl)" "$tmp/toolbox/kubectl"
docker build -q --build-arg BASE="$labbase" -t docker.io/sidecarlabs/toolbox:0.1.0 "$tmp/toolbox"
labapps=$(bash scripts/kit/build-rootfs.sh labapps)
docker build -q --build-arg BASE="$labapps" -t docker.io/sidecarlabs/twemproxy:0.5.0 scripts/kit/images/twemproxy
kind load docker-image --name "$name" docker.io/sidecarlabs/git-server:0.1.0 docker.io/sidecarlabs/toolbox:0.1.0 \
  docker.io/sidecarlabs/twemproxy:0.5.0

rc=0
step "Validate every lab"
node src/cli/main.ts validate --cluster current --parallel 4 --junit test-results/validate.xml || rc=1

step "Engine integration tests"
SIDECAR_LABS_CLUSTER=current npx vitest run --project integration tests/integration/engine || rc=1

if [ $rc != 0 ]; then
  step "Show the cluster when something failed"
  kubectl get namespaces --show-labels
  kubectl get pods -A -o wide
  kubectl get events -A --sort-by=.lastTimestamp | tail -50
fi
step "images the node pulled"
docker exec "$name-control-plane" ctr -n k8s.io images ls | grep -v -e ^sha256: -e ^import-
exit $rc
