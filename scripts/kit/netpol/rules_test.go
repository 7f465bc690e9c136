package main

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	netv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func pod(ns, name, ip string, lbl map[string]string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: lbl},
		Spec:       corev1.PodSpec{NodeName: "n1", Containers: []corev1.Container{{Name: "c", Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080, Protocol: "TCP"}}}}},
		Status:     corev1.PodStatus{Phase: corev1.PodRunning, PodIPs: []corev1.PodIP{{IP: ip}}},
	}
}

func fence(ns string) *netv1.NetworkPolicy {
	udp := corev1.ProtocolUDP
	return &netv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "fence"},
		Spec: netv1.NetworkPolicySpec{
			PolicyTypes: []netv1.PolicyType{netv1.PolicyTypeIngress, netv1.PolicyTypeEgress},
			Ingress:     []netv1.NetworkPolicyIngressRule{{From: []netv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{}}}}, {Ports: []netv1.NetworkPolicyPort{{Port: ptr(intstr.FromString("http"))}}}},
			Egress: []netv1.NetworkPolicyEgressRule{
				{To: []netv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{}}}},
				{To: []netv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": "kube-system"}}}},
					Ports: []netv1.NetworkPolicyPort{{Protocol: &udp, Port: ptr(intstr.FromInt32(53))}}},
				{To: []netv1.NetworkPolicyPeer{{IPBlock: &netv1.IPBlock{CIDR: "10.0.0.0/8", Except: []string{"10.244.0.0/16"}}}}},
			},
		},
	}
}

func ptr[T any](v T) *T { return &v }

func TestCompileFencesNamespaces(t *testing.T) {
	st := &State{
		Node: "n1",
		Pods: []*corev1.Pod{pod("a", "x", "10.244.0.5", nil), pod("b", "y", "10.244.0.6", nil), pod("kube-system", "dns", "10.244.0.2", nil)},
		Namespaces: map[string]map[string]string{"a": {"kubernetes.io/metadata.name": "a"}, "b": {"kubernetes.io/metadata.name": "b"},
			"kube-system": {"kubernetes.io/metadata.name": "kube-system"}},
		Policies: []*netv1.NetworkPolicy{fence("a")},
	}
	out, chains := Compile(st)
	if len(chains) != 3 { // top + egress + ingress of a/x
		t.Fatalf("chains %v\n%s", chains, out)
	}
	e, i := chainName("E", "a", "x"), chainName("I", "a", "x")
	for _, want := range []string{
		"-A SLNP -s 10.244.0.5/32 -m comment --comment \"a/x\" -j " + e,
		"-A SLNP -d 10.244.0.5/32 -m comment --comment \"a/x\" -j " + i,
		"-A " + e + " -d 10.244.0.5/32 -m comment --comment \"a/fence\" -j RETURN",
		"-A " + e + " -d 10.244.0.2/32 -p udp -m udp --dport 53 -m comment --comment \"a/fence\" -j RETURN",
		"-A " + i + " -s 10.244.0.5/32 -m comment --comment \"a/fence\" -j RETURN",
		"-A " + i + " -p tcp -m tcp --dport 8080 -m comment --comment \"a/fence\" -j RETURN",
		"-A " + e + " -j REJECT",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "-d 10.244.0.6/32 -m comment --comment \"a/fence\"") {
		t.Errorf("namespace b's pod is allowed:\n%s", out)
	}
	if strings.Contains(out, "10.244.0.0/16") || !strings.Contains(out, "-d 10.0.0.0/9 ") {
		t.Errorf("ipBlock except not carved out:\n%s", out)
	}
}

func TestSubtract(t *testing.T) {
	got := ipBlockCIDRs(&netv1.IPBlock{CIDR: "0.0.0.0/0", Except: []string{"10.244.0.0/24", "169.254.0.0/16"}})
	if len(got) != 24-1+15 { // /0 minus a /24: 24 prefixes; one of them (128/1) minus a /16: 15
		t.Fatalf("%d prefixes: %v", len(got), got)
	}
	for _, g := range got {
		if g == "10.244.0.0/24" || strings.HasPrefix(g, "169.254.") {
			t.Fatalf("except still inside: %v", got)
		}
	}
}

func TestCompile6DropsEveryIPv6PacketOnThePodBridge(t *testing.T) {
	out := Compile6("cni0")
	for _, want := range []string{
		":SLNP - [0:0]",
		"-A SLNP -i cni0 -m comment --comment \"the pod network is IPv4 only: no IPv6 to, from or between pods\" -j DROP",
		"-A SLNP -o cni0 -m comment --comment \"the pod network is IPv4 only: no IPv6 to, from or between pods\" -j DROP",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if strings.Count(out, "-j ") != 2 || !strings.HasSuffix(out, "COMMIT\n") {
		t.Errorf("expected exactly the two DROP rules and a COMMIT:\n%s", out)
	}
}
