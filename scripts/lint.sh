#!/usr/bin/env bash
# The lint gates (`npm run lint`, a step of `npm test`): ESLint with typescript-eslint, Prettier's
# formatting check (`npm run format` fixes it) and shellcheck. All three run; any failure fails.
set -uo pipefail
cd "$(dirname "$0")/.."
node=node_modules/node/bin/node
[ -x "$node" ] || node=node
status=0
echo "eslint"; "$node" node_modules/eslint/bin/eslint.js . || status=1
echo "prettier --check"; "$node" node_modules/prettier/bin/prettier.cjs --check --log-level warn . || {
  echo "formatting differs: run \`npm run format\`" >&2
  status=1
}
echo "shellcheck"; bash scripts/shellcheck.sh || status=1
exit "$status"
