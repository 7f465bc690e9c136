# shellcheck shell=bash
# The one home of what the kit scripts share: the cache location, the kit binaries, a Go toolchain on
# PATH, the lab image list (images.txt) and log(). Source it after setting log_tag (go, images, ...).
kit_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${SIDECAR_LABS_CACHE:-$HOME/.cache/sidecar-labs}
# bench/matrix.ts builds other Kubernetes versions (KIT_KUBERNETES_VERSION, matrix.env) into their own
# bin dir (KIT_BIN), so the default kit's binaries stay as they are.
# shellcheck disable=SC2034 # for the scripts that source this file
bin=${KIT_BIN:-$cache/bin}
# shellcheck disable=SC1091  # matrix.env sits beside this file
[ -n "${KIT_KUBERNETES_VERSION:-}" ] && source "$(dirname "${BASH_SOURCE[0]}")/matrix.env"
# host-setup.sh installs Go from the module proxy under the cache when the system has none (or too old).
for d in "$cache"/go-*/bin; do [ -x "$d/go" ] && PATH="$d:$PATH"; done
[ -d /usr/local/go/bin ] && PATH="/usr/local/go/bin:$PATH"
export PATH

# log MESSAGE...: one progress line on stderr, "[kit/<log_tag> HH:MM:SS] message"; src/cluster/kit.ts
# turns the tag into the phase it shows.
log() { printf '[kit/%s %s] %s\n' "${log_tag:-kit}" "$(date +%H:%M:%S)" "$*" >&2; }

# lab_images all|upstream|project: the lab images of images.txt with that origin, one per line.
lab_images() {
  awk -v origin="$1" '!/^[[:space:]]*#/ && NF >= 2 && (origin == "all" || $2 == origin) { print $1 }' "$kit_dir/images.txt"
}

# lab_image FRAGMENT: the one lab image whose name contains FRAGMENT (e.g. /git-sync:); fails otherwise.
lab_image() {
  local found
  found=$(lab_images all | grep -F -- "$1") || { log "images.txt names no image matching $1"; return 1; }
  [ "$(wc -l <<<"$found")" = 1 ] || { log "images.txt names several images matching $1"; return 1; }
  printf '%s\n' "$found"
}
