#!/usr/bin/env bash
# Runs shellcheck over every shell script in the repository (scripts/lint.sh, a step of `npm test`).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v shellcheck >/dev/null || {
  echo "shellcheck is not installed: sudo apt-get install -y shellcheck (scripts/kit/host-setup.sh installs it)" >&2
  exit 1
}
mapfile -t files < <(git ls-files '*.sh' .ci/run)
shellcheck -x "${files[@]}"
