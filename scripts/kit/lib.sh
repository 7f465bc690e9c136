# Shared by the kit scripts: the cache location, the kit binaries and a Go toolchain on PATH.
cache=${SIDECAR_LABS_CACHE:-$HOME/.cache/sidecar-labs}
# bench/matrix.ts builds other Kubernetes versions (KIT_KUBERNETES_VERSION, matrix.env) into their own
# bin dir (KIT_BIN), so the default kit's binaries stay as they are.
bin=${KIT_BIN:-$cache/bin}
# shellcheck disable=SC1091  # matrix.env sits beside this file
[ -n "${KIT_KUBERNETES_VERSION:-}" ] && source "$(dirname "${BASH_SOURCE[0]}")/matrix.env"
# host-setup.sh installs Go from the module proxy under the cache when the system has none (or too old).
for d in "$cache"/go-*/bin; do [ -x "$d/go" ] && PATH="$d:$PATH"; done
[ -d /usr/local/go/bin ] && PATH="/usr/local/go/bin:$PATH"
export PATH
