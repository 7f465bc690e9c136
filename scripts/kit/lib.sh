# Shared by the kit scripts: the cache location, the kit binaries and a Go toolchain on PATH.
cache=${SIDECAR_LABS_CACHE:-$HOME/.cache/sidecar-labs}
bin=${KIT_BIN:-$cache/bin}   # bench/matrix.ts builds other Kubernetes versions into their own bin dir
# host-setup.sh installs Go from the module proxy under the cache when the system has none (or too old).
for d in "$cache"/go-*/bin; do [ -x "$d/go" ] && PATH="$d:$PATH"; done
[ -d /usr/local/go/bin ] && PATH="/usr/local/go/bin:$PATH"
export PATH
