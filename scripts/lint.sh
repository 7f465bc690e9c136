#!/usr/bin/env bash
# The lint gates (`npm run lint`, a step of `npm test`): ESLint with typescript-eslint, Prettier's
# formatting check (`npm run format` fixes it), dependency-cruiser (the import structure of src/) and
# then shellcheck. All run; any failure fails.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
node=node_modules/node/bin/node
[ -x "$node" ] || node=node
status=0
echo "eslint"; "$node" node_modules/eslint/bin/eslint.js . || status=1
echo "prettier --check"; "$node" node_modules/prettier/bin/prettier.cjs --check --log-level warn . || {
  echo "formatting differs: run \`npm run format\`" >&2
  status=1
}
echo "dependency-cruiser (layers, cycles, package internals: .dependency-cruiser.js)"
"$node" node_modules/dependency-cruiser/bin/dependency-cruiser.mjs --config .dependency-cruiser.js --output-type err src || status=1
echo "shellcheck"; bash scripts/shellcheck.sh || status=1
exit "$status"
