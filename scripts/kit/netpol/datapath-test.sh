#!/usr/bin/env bash
# Datapath test of the enforcer, no cluster needed (root, iproute2, iptables, curl, python3): network
# namespaces stand in for a node (a bridge with br_netfilter, like the kit's bridge CNI) and four
# pods in namespaces a, b and kube-system. The enforcer's --dry-run compiles the same NetworkPolicy
# the engine gives every session (budget.ts) from a kubectl-style List; the rules are installed in
# the node's namespace the way the DaemonSet installs them, then real connections are tried.
# Prints one line per probe and "N passed, N failed".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${NETPOL_BIN:-$(mktemp -d)/netpol}
[ -x "$bin" ] || (cd "$here" && CGO_ENABLED=0 go build -o "$bin" .)
id=slnp$$
node=$id-node
declare -A ip=([a1]=10.99.0.11 [a2]=10.99.0.12 [b1]=10.99.0.21 [dns]=10.99.0.53)
declare -A ns=([a1]=a [a2]=a [b1]=b [dns]=kube-system)
gw=10.99.0.1
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for n in "${!ip[@]}"; do ip netns del "$id-$n" 2>/dev/null || true; done
  ip netns del "$node" 2>/dev/null || true
}
trap cleanup EXIT

ip netns add "$node"
ip -n "$node" link add br0 type bridge
ip -n "$node" addr add $gw/24 dev br0
ip -n "$node" link set br0 up
ip -n "$node" link set lo up
ip netns exec "$node" sysctl -qw net.ipv4.ip_forward=1
for n in "${!ip[@]}"; do
  ip netns add "$id-$n"
  ip -n "$node" link add "v$n" type veth peer name eth0 netns "$id-$n"
  ip -n "$node" link set "v$n" master br0 up
  ip -n "$id-$n" addr add "${ip[$n]}/24" dev eth0
  ip -n "$id-$n" link set eth0 up
  ip -n "$id-$n" link set lo up
  ip -n "$id-$n" route add default via $gw
  ip netns exec "$id-$n" python3 -m http.server 80 --bind "${ip[$n]}" >/dev/null 2>&1 & pids+=($!)
  ip netns exec "$id-$n" python3 -m http.server 8080 --bind :: >/dev/null 2>&1 & pids+=($!)
done
ip netns exec "$node" python3 -m http.server 8080 --bind :: >/dev/null 2>&1 & pids+=($!)
# the node's own services: "kubelet" on 10250 and "API server" on 6443
for port in 10250 6443; do ip netns exec "$node" python3 -m http.server $port --bind $gw >/dev/null 2>&1 & pids+=($!); done

pod() { # pod NAME
  printf '{"kind":"Pod","metadata":{"name":"%s","namespace":"%s","labels":{"k8s-app":"%s"}},"spec":{"nodeName":"n1","containers":[{"name":"c"}]},"status":{"phase":"Running","podIPs":[{"ip":"%s"}]}}' \
    "$1" "${ns[$1]}" "$([ "$1" = dns ] && echo kube-dns || echo app)" "${ip[$1]}"
}
namespace() { printf '{"kind":"Namespace","metadata":{"name":"%s","labels":{"kubernetes.io/metadata.name":"%s"}}}' "$1" "$1"; }
fence() { # the shape of budget.ts's isolationPolicy, API server at the gateway:6443, pods in 10.99.0.0/24
  printf '{"kind":"NetworkPolicy","metadata":{"name":"sidecar-labs-isolation","namespace":"%s"},"spec":{"podSelector":{},"policyTypes":["Ingress","Egress"],
  "ingress":[{"from":[{"podSelector":{}}]},{"from":[{"ipBlock":{"cidr":"0.0.0.0/0","except":["10.99.0.0/24","169.254.0.0/16"]}}]}],
  "egress":[{"to":[{"podSelector":{}}]},
    {"to":[{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"kube-system"}},"podSelector":{"matchLabels":{"k8s-app":"kube-dns"}}}],"ports":[{"protocol":"UDP","port":53},{"protocol":"TCP","port":80}]},
    {"to":[{"ipBlock":{"cidr":"%s/32"}}],"ports":[{"protocol":"TCP","port":6443}]}]}}' "$1" "$gw"
}
list="{\"items\":[$(pod a1),$(pod a2),$(pod b1),$(pod dns),$(namespace a),$(namespace b),$(namespace kube-system),$(fence a),$(fence b)]}"
rules=$("$bin" --dry-run --node n1 <<<"$list")
pass=0 fail=0
probe() { # probe FROM URL allow|deny
  local got=deny
  ip netns exec "$id-$1" curl -s -o /dev/null -m 2 "$2" && got=allow
  if [ "$got" = "$3" ]; then pass=$((pass + 1)); echo "ok    $1 -> $2: $got"; else fail=$((fail + 1)); echo "FAIL  $1 -> $2: $got, expected $3"; fi
}
# link-local addresses appear once duplicate address detection is done (a second or two)
ll() { # ll NETNS DEV: the interface's fe80:: address
  local a=""
  for _ in $(seq 50); do
    a=$(ip -n "$1" -6 -o addr show dev "$2" scope link | awk '{sub("/.*", "", $4); print $4}')
    [ -n "$a" ] && ! ip -n "$1" -6 -o addr show dev "$2" scope link | grep -q tentative && break
    sleep 0.1
  done
  printf '%s' "$a"
}
b1ll=$(ll "$id-b1" eth0) a2ll=$(ll "$id-a2" eth0) nodell=$(ll "$node" br0)
if [ -z "$b1ll" ] || [ -z "$a2ll" ] || [ -z "$nodell" ]; then echo "FAIL  no IPv6 link-local addresses"; exit 1; fi
sleep 1
echo "without the enforcer's rules (control):"
probe a1 "http://${ip[b1]}" allow
probe a1 "http://$gw:10250" allow
probe a1 "http://[$b1ll%eth0]:8080" allow
probe a1 "http://[$nodell%eth0]:8080" allow
echo "with them:"
ip netns exec "$node" sysctl -qw net.bridge.bridge-nf-call-iptables=1
ip netns exec "$node" iptables-restore --noflush <<<"$rules"
ip netns exec "$node" iptables -I FORWARD 1 -j SLNP
ip netns exec "$node" iptables -I INPUT 1 -j SLNP
ip netns exec "$node" sysctl -qw net.bridge.bridge-nf-call-ip6tables=1
ip netns exec "$node" ip6tables-restore --noflush <<<"$("$bin" --dry-run --ipv6 --pod-bridge br0)"
ip netns exec "$node" ip6tables -I FORWARD 1 -j SLNP
ip netns exec "$node" ip6tables -I INPUT 1 -j SLNP
ip -n "$id-a1" neigh flush dev eth0 # no neighbour learnt before the rules
probe a1 "http://${ip[a2]}" allow                # own namespace
probe a1 "http://${ip[dns]}" allow               # cluster DNS pod (port allowed)
probe a1 "http://$gw:6443" allow                 # the API server
probe a1 "http://${ip[b1]}" deny                 # another learner's pod
probe a1 "http://$gw:10250" deny                 # the node's kubelet
probe a1 "http://169.254.169.254" deny           # link-local metadata
probe b1 "http://${ip[a1]}" deny                 # and the other way round
probe dns "http://${ip[a1]}" deny                # a pod of another namespace, unfenced itself
probe dns "http://${ip[b1]}" deny
probe a1 "http://[$b1ll%eth0]:8080" deny          # another learner's pod over IPv6 link-local
probe a1 "http://[$nodell%eth0]:8080" deny        # the node over IPv6 link-local
probe a1 "http://[$a2ll%eth0]:8080" deny          # no IPv6 at all on an IPv4-only pod network
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
