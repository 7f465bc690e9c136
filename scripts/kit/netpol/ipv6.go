// The IPv6 side of the fence. The kit's pod network is IPv4 only, yet the kernel gives every pod
// interface, and the node's bridge, an IPv6 link-local address (fe80::/64): without rules of its own a
// learner reaches another learner's pod, or the node's services, over fe80::…%eth0 past every IPv4
// rule. No pod here has an IPv6 address to allow, so the fence for IPv6 is whole: nothing IPv6 crosses
// the pod bridge, between two pods (bridged: neighbour discovery included) or between a pod and the
// node.
package main

import "fmt"

// Compile6 returns the ip6tables-restore payload (filter table) for a node whose pods hang off bridge.
func Compile6(bridge string) string {
	comment := "the pod network is IPv4 only: no IPv6 to, from or between pods"
	return fmt.Sprintf("*filter\n:%[1]s - [0:0]\n"+
		"-A %[1]s -i %[2]s -m comment --comment %[3]q -j DROP\n"+
		"-A %[1]s -o %[2]s -m comment --comment %[3]q -j DROP\n"+
		"COMMIT\n", Top, bridge, comment)
}
