#!/bin/sh
# A runc wrapper for hosts whose capability bounding set is smaller than runc's privileged default
# (these VMs lack CAP_SYS_RESOURCE). runc fails a privileged container with "unable to apply caps"
# when asked for a capability the host cannot grant, so before calling the real runc we drop, from the
# OCI spec (config.json on create/run, the --process file on exec), every capability that is not in our
# own bounding set. Without CAP_SYS_RESOURCE a process also may not lower its oom_score_adj, so a
# requested oomScoreAdj below our own is raised to ours (kubelet asks -998 for pod sandboxes).
# Nothing else in the spec is touched.
# Installed by scripts/kit/host-setup.sh as docker's default runtime, and inside the kind node image as
# containerd's runc binary, because privileged pods (kube-proxy) hit the same wall one level down.
REAL_RUNC=${SIDECAR_LABS_REAL_RUNC:-/usr/sbin/runc}
[ -x "$REAL_RUNC" ] || REAL_RUNC=/usr/bin/runc

# Capability names by bit number (linux/capability.h), to turn CapBnd's mask into names.
caps="CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP LINUX_IMMUTABLE
NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE SYS_RAWIO SYS_CHROOT
SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE
AUDIT_WRITE AUDIT_CONTROL SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ
PERFMON BPF CHECKPOINT_RESTORE"

missing_caps() {
  mask=$(sed -n 's/^CapBnd:\s*//p' /proc/self/status)
  i=0
  for name in $caps; do
    if [ $(( (0x$mask >> i) & 1 )) -eq 0 ]; then printf '"CAP_%s",' "$name"; fi
    i=$((i + 1))
  done
}

strip_caps() { # strip_caps FILE JQPATH
  [ -f "$1" ] || return 0
  missing=$(missing_caps)
  [ -n "$missing" ] || return 0
  floor=$(cat /proc/self/oom_score_adj 2>/dev/null || echo -1000)
  case "$missing" in *'"CAP_SYS_RESOURCE"'*) ;; *) floor=-1000 ;; esac
  tmp="$1.sidecar-labs.$$"
  jq --argjson drop "[${missing%,}]" --argjson floor "$floor" \
    "(if $2.capabilities then $2.capabilities |= with_entries(.value |= ((. // []) - \$drop)) else . end)
     | (if ($2.oomScoreAdj // 1000) < \$floor then $2.oomScoreAdj = \$floor else . end)" \
    "$1" > "$tmp" && mv "$tmp" "$1"
}

cmd="" bundle="" process="" prev=""
for arg in "$@"; do
  case "$prev" in
    --bundle|-b) bundle=$arg ;;
    --process|-p) process=$arg ;;
  esac
  case "$arg" in
    --bundle=*) bundle=${arg#--bundle=} ;;
    --process=*) process=${arg#--process=} ;;
    create|run|exec) [ -z "$cmd" ] && cmd=$arg ;;
  esac
  prev=$arg
done

case "$cmd" in
  create|run) strip_caps "${bundle:-.}/config.json" .process ;;
  exec) [ -n "$process" ] && strip_caps "$process" "" ;;
esac
exec "$REAL_RUNC" "$@"
