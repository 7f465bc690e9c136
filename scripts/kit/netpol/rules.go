// Compiles Kubernetes NetworkPolicies into one iptables-restore payload for the pods of this node.
// Pure: the same pods, namespaces and policies always give the same text, so the loop in main.go can
// skip applying when nothing changed.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	netv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Top is the chain FORWARD and INPUT jump to; per-pod chains hang off it.
const Top = "SLNP"

// State is everything a verdict depends on.
type State struct {
	Node       string
	Pods       []*corev1.Pod
	Namespaces map[string]map[string]string // name -> labels
	Policies   []*netv1.NetworkPolicy
}

type portMatch struct {
	proto string // tcp, udp, sctp
	ports string // "" (any), "80", "8000:8080"
}

// podIPs are the pod's IPv4 addresses (the kit's bridge network is IPv4 only).
func podIPs(p *corev1.Pod) []string {
	var out []string
	for _, ip := range p.Status.PodIPs {
		if a, err := netip.ParseAddr(ip.IP); err == nil && a.Is4() {
			out = append(out, a.String()+"/32")
		}
	}
	return out
}

func live(p *corev1.Pod) bool {
	return !p.Spec.HostNetwork && p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed && p.DeletionTimestamp == nil
}

func selects(sel *metav1.LabelSelector, set map[string]string) bool {
	s, err := metav1.LabelSelectorAsSelector(sel)
	return err == nil && s.Matches(labels.Set(set))
}

func hasType(np *netv1.NetworkPolicy, t netv1.PolicyType) bool {
	if len(np.Spec.PolicyTypes) == 0 { // the API's default: Ingress, plus Egress when egress rules exist
		return t == netv1.PolicyTypeIngress || (t == netv1.PolicyTypeEgress && len(np.Spec.Egress) > 0)
	}
	for _, x := range np.Spec.PolicyTypes {
		if x == t {
			return true
		}
	}
	return false
}

// subtract returns cidr minus except as a list of prefixes (the halves that do not hold except).
func subtract(cidr, except netip.Prefix) []netip.Prefix {
	if !cidr.Overlaps(except) {
		return []netip.Prefix{cidr}
	}
	if except.Bits() <= cidr.Bits() {
		return nil
	}
	bits := cidr.Bits() + 1
	lo := netip.PrefixFrom(cidr.Addr(), bits)
	hiAddr := cidr.Addr().As4()
	idx := (bits - 1) / 8
	hiAddr[idx] |= 0x80 >> ((bits - 1) % 8)
	hi := netip.PrefixFrom(netip.AddrFrom4(hiAddr), bits)
	return append(subtract(lo, except), subtract(hi, except)...)
}

func ipBlockCIDRs(b *netv1.IPBlock) []string {
	base, err := netip.ParsePrefix(b.CIDR)
	if err != nil || !base.Addr().Is4() {
		return nil
	}
	parts := []netip.Prefix{base.Masked()}
	for _, e := range b.Except {
		ex, err := netip.ParsePrefix(e)
		if err != nil {
			continue
		}
		var next []netip.Prefix
		for _, p := range parts {
			next = append(next, subtract(p, ex.Masked())...)
		}
		parts = next
	}
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		out = append(out, p.String())
	}
	return out
}

// peerPods are the live pods a peer selects (policy namespace unless a namespaceSelector is given).
func (s *State) peerPods(ns string, peer netv1.NetworkPolicyPeer) []*corev1.Pod {
	var out []*corev1.Pod
	for _, p := range s.Pods {
		if !live(p) {
			continue
		}
		if peer.NamespaceSelector != nil {
			if !selects(peer.NamespaceSelector, s.Namespaces[p.Namespace]) {
				continue
			}
		} else if p.Namespace != ns {
			continue
		}
		if peer.PodSelector != nil && !selects(peer.PodSelector, p.Labels) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// namedPort finds a container port by name on a pod.
func namedPort(p *corev1.Pod, name, proto string) (int32, bool) {
	for _, c := range append(append([]corev1.Container{}, p.Spec.InitContainers...), p.Spec.Containers...) {
		for _, cp := range c.Ports {
			if cp.Name == name && strings.EqualFold(string(cp.Protocol), proto) {
				return cp.ContainerPort, true
			}
		}
	}
	return 0, false
}

// ports turns a rule's ports into matches; named ports resolve on target (nil: cannot resolve).
func ports(list []netv1.NetworkPolicyPort, target *corev1.Pod) []portMatch {
	if len(list) == 0 {
		return []portMatch{{}}
	}
	var out []portMatch
	for _, np := range list {
		proto := "TCP"
		if np.Protocol != nil {
			proto = string(*np.Protocol)
		}
		m := portMatch{proto: strings.ToLower(proto)}
		switch {
		case np.Port == nil:
		case np.Port.Type == 0: // an int
			m.ports = fmt.Sprint(np.Port.IntVal)
			if np.EndPort != nil && *np.EndPort > np.Port.IntVal {
				m.ports += fmt.Sprintf(":%d", *np.EndPort)
			}
		default:
			if target == nil {
				continue
			}
			n, ok := namedPort(target, np.Port.StrVal, proto)
			if !ok {
				continue
			}
			m.ports = fmt.Sprint(n)
		}
		out = append(out, m)
	}
	return out
}

func chainName(kind, ns, name string) string {
	h := sha256.Sum256([]byte(ns + "/" + name))
	return fmt.Sprintf("%s-%s-%s", Top, kind, strings.ToUpper(hex.EncodeToString(h[:])[:16]))
}

func rule(chain, addrFlag, addr string, pm portMatch, comment string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "-A %s", chain)
	if addr != "" {
		fmt.Fprintf(&b, " %s %s", addrFlag, addr)
	}
	if pm.proto != "" {
		fmt.Fprintf(&b, " -p %s", pm.proto)
		if pm.ports != "" {
			fmt.Fprintf(&b, " -m %s --dport %s", pm.proto, pm.ports)
		}
	}
	fmt.Fprintf(&b, " -m comment --comment %q -j RETURN", comment)
	return b.String()
}

// allowRules lists the RETURN rules of one pod's chain for one direction.
func (s *State) allowRules(pod *corev1.Pod, chain string, egress bool) ([]string, bool) {
	var out []string
	isolated := false
	t, flag := netv1.PolicyTypeIngress, "-s"
	if egress {
		t, flag = netv1.PolicyTypeEgress, "-d"
	}
	for _, np := range s.Policies {
		if np.Namespace != pod.Namespace || !hasType(np, t) || !selects(&np.Spec.PodSelector, pod.Labels) {
			continue
		}
		isolated = true
		comment := np.Namespace + "/" + np.Name
		type r struct {
			peers []netv1.NetworkPolicyPeer
			ports []netv1.NetworkPolicyPort
		}
		var rs []r
		if egress {
			for _, e := range np.Spec.Egress {
				rs = append(rs, r{e.To, e.Ports})
			}
		} else {
			for _, i := range np.Spec.Ingress {
				rs = append(rs, r{i.From, i.Ports})
			}
		}
		for _, x := range rs {
			if len(x.peers) == 0 { // any peer
				var target *corev1.Pod
				if !egress {
					target = pod
				}
				for _, pm := range ports(x.ports, target) {
					out = append(out, rule(chain, flag, "", pm, comment))
				}
				continue
			}
			for _, peer := range x.peers {
				if peer.IPBlock != nil {
					var target *corev1.Pod
					if !egress {
						target = pod
					}
					for _, c := range ipBlockCIDRs(peer.IPBlock) {
						for _, pm := range ports(x.ports, target) {
							out = append(out, rule(chain, flag, c, pm, comment))
						}
					}
					continue
				}
				for _, pp := range s.peerPods(np.Namespace, peer) {
					target := pod
					if egress {
						target = pp
					}
					for _, ip := range podIPs(pp) {
						for _, pm := range ports(x.ports, target) {
							out = append(out, rule(chain, flag, ip, pm, comment))
						}
					}
				}
			}
		}
	}
	return out, isolated
}

// Compile returns the iptables-restore payload (filter table) and the chains it defines.
func Compile(s *State) (string, []string) {
	pods := append([]*corev1.Pod{}, s.Pods...)
	sort.Slice(pods, func(i, j int) bool { return pods[i].Namespace+"/"+pods[i].Name < pods[j].Namespace+"/"+pods[j].Name })
	chains := []string{Top}
	top := []string{fmt.Sprintf("-A %s -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN", Top)}
	var body []string
	for _, p := range pods {
		if p.Spec.NodeName != s.Node || !live(p) || len(podIPs(p)) == 0 {
			continue
		}
		for _, egress := range []bool{true, false} {
			kind, flag := "I", "-d"
			if egress {
				kind, flag = "E", "-s"
			}
			chain := chainName(kind, p.Namespace, p.Name)
			rules, isolated := s.allowRules(p, chain, egress)
			if !isolated {
				continue
			}
			chains = append(chains, chain)
			for _, ip := range podIPs(p) {
				top = append(top, fmt.Sprintf("-A %s %s %s -m comment --comment %q -j %s", Top, flag, ip, p.Namespace+"/"+p.Name, chain))
			}
			body = append(body, rules...)
			body = append(body, fmt.Sprintf("-A %s -j REJECT --reject-with icmp-port-unreachable", chain))
		}
	}
	var b strings.Builder
	b.WriteString("*filter\n")
	for _, c := range chains {
		fmt.Fprintf(&b, ":%s - [0:0]\n", c)
	}
	for _, l := range append(top, body...) {
		b.WriteString(l + "\n")
	}
	return b.String(), chains
}
