#!/usr/bin/env bash
# A local registry mirror: the CNCF distribution registry (built from its Go module by
# scripts/kit/build-registry.sh) in a container published on 127.0.0.1 only.
#   scripts/mirror-registry.sh start [PORT]   (default 5001) prints the URL, e.g. http://127.0.0.1:5001
#   scripts/mirror-registry.sh stop           removes the container and its storage
# Fill it with `sidecar-labs kit push --registry URL`; `cluster up --registry-mirror URL` joins the
# container to kind's network so the node reaches it by name.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
name=${SIDECAR_LABS_REGISTRY_NAME:-sidecar-labs-registry}
case "${1:-}" in
  start)
    port=${2:-5001}
    image=$(bash "$here/kit/build-registry.sh")
    if ! docker inspect "$name" >/dev/null 2>&1; then
      docker run -d --name "$name" --restart=no -p "127.0.0.1:$port:5000" "$image" >/dev/null
    fi
    for _ in $(seq 1 50); do
      curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && { echo "http://127.0.0.1:$port"; exit 0; }
      sleep 0.2
    done
    echo "registry $name did not answer on 127.0.0.1:$port" >&2; docker logs --tail 20 "$name" >&2; exit 1 ;;
  stop)
    docker rm -f -v "$name" >/dev/null 2>&1 || true ;;
  *) echo "usage: $0 start [PORT] | stop" >&2; exit 2 ;;
esac
