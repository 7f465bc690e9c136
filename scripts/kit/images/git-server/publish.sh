#!/bin/sh
# publish "<html>": commits the given HTML as index.html on main of /srv/git/site.git and prints the
# new commit id. Used by the lesson on git-sync to show that a new commit reaches nginx.
set -e
repo=${GIT_PROJECT_ROOT:-/srv/git}/site.git
html=${1:?usage: publish "<html>"}
work=$(mktemp -d)
git clone -q "$repo" "$work" 2>/dev/null || git init -q -b main "$work"
cd "$work"
printf '%s\n' "$html" > index.html
git add index.html
git -c user.name="Sidecar Labs" -c user.email=labs@sidecar-labs.invalid commit -q -m "Publish: $html"
git push -q origin HEAD:main 2>/dev/null || { git remote add origin "$repo" && git push -q origin HEAD:main; }
git rev-parse HEAD
rm -rf "$work"
