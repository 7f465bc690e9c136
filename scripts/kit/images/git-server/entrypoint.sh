#!/bin/sh
# Seeds /srv/git/site.git (bare) with a one-page website on first start, then serves it.
# The labs push new commits with: kubectl exec deploy/git-server -- publish "<html>"
set -e
repo=${GIT_PROJECT_ROOT:-/srv/git}/site.git
if [ ! -d "$repo" ]; then
  git init -q --bare -b main "$repo"
  publish "<h1>Version 1 of the site, served from git</h1>" >/dev/null
fi
exec /usr/local/bin/git-server
