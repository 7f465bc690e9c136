#!/bin/sh
# A local stand-in for git-sync v4, used only by the offline kit: the Go module proxy refuses
# k8s.io/git-sync (403 for every version), so the real program cannot be built offline. Online, the
# cluster runs the upstream image. This script implements the part of git-sync's interface the labs
# use, with the same flags and GITSYNC_* variables and the same on-disk layout:
#   <root>/.worktrees/<commit>   a checkout per commit
#   <root>/<link>                a symlink swapped atomically to the newest checkout
# Flags: --repo --root --link --ref --period --depth --one-time --max-failures (also as --flag=value).
set -u
repo=${GITSYNC_REPO:-} root=${GITSYNC_ROOT:-/tmp/git} link=${GITSYNC_LINK:-} ref=${GITSYNC_REF:-HEAD}
period=${GITSYNC_PERIOD:-10s} depth=${GITSYNC_DEPTH:-1} one_time=${GITSYNC_ONE_TIME:-false}
max_failures=${GITSYNC_MAX_FAILURES:-0}

while [ $# -gt 0 ]; do
  arg=$1; shift
  case "$arg" in
    --*=*) name=${arg%%=*}; value=${arg#*=} ;;
    --one-time|--version|--help) name=$arg; value=true ;;
    --*) name=$arg; value=${1:-}; shift ;;
    *) echo "git-sync: unexpected argument: $arg" >&2; exit 2 ;;
  esac
  case "$name" in
    --repo) repo=$value ;; --root) root=$value ;; --link) link=$value ;; --ref) ref=$value ;;
    --period) period=$value ;; --depth) depth=$value ;; --one-time) one_time=$value ;;
    --max-failures) max_failures=$value ;;
    --version) echo "v4.4.2 (sidecar-labs offline stand-in)"; exit 0 ;;
    --help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "git-sync: flag $name is not supported by this stand-in (supported: --repo --root --link --ref --period --depth --one-time --max-failures)" >&2; exit 2 ;;
  esac
done
[ -n "$repo" ] || { echo "git-sync: --repo or \$GITSYNC_REPO must be specified" >&2; exit 2; }
[ -n "$link" ] || { link=$(basename "$repo"); link=${link%.git}; }

log() { printf '{"ts":"%s","msg":"%s"}\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }
# The root is often an emptyDir owned by another user; without this, git refuses to work in it.
git config --global --add safe.directory '*' 2>/dev/null
mkdir -p "$root" && cd "$root" || exit 1
[ -d .git ] || git init -q
git remote get-url origin >/dev/null 2>&1 || git remote add origin "$repo"
mkdir -p .worktrees
case "$period" in *ms) pause=1 ;; *s|*m|*h) pause=$period ;; *) pause=${period}s ;; esac

current="" failures=0
while :; do
  if git fetch -q --depth "$depth" origin "$ref" 2>/tmp/git-sync.err; then
    failures=0
    hash=$(git rev-parse FETCH_HEAD)
    if [ "$hash" != "$current" ]; then
      git worktree add -q -f --detach ".worktrees/$hash" "$hash" >/dev/null 2>&1 || git -C ".worktrees/$hash" checkout -q "$hash"
      ln -sfn ".worktrees/$hash" ".$link.new" && mv -T ".$link.new" "$link"
      if [ -n "$current" ]; then git worktree remove -f ".worktrees/$current" 2>/dev/null; fi
      git worktree prune
      log "updated to $hash"
      current=$hash
    fi
  else
    failures=$((failures + 1))
    log "fetch failed ($failures): $(tr '\n' ' ' </tmp/git-sync.err)"
    [ "$max_failures" -ge 0 ] && [ "$failures" -gt "$max_failures" ] && [ -z "$current" ] && [ "$one_time" = true ] && exit 1
  fi
  [ "$one_time" = true ] && [ -n "$current" ] && exit 0
  sleep "$pause"
done
