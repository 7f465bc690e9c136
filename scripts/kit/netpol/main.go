// sidecar-labs-netpol: a NetworkPolicy enforcer for the offline kit's node, whose static bridge CNI
// enforces nothing. It watches pods, namespaces and NetworkPolicies, compiles the policies that select
// this node's pods into iptables chains (rules.go) and installs them with one iptables-restore, hooked
// first in FORWARD (pod to pod, pod to anywhere beyond the node) and INPUT (pod to the node itself).
// Replies of allowed connections pass by conntrack; a denied connection is rejected at once. IPv6 gets
// its own, whole fence (ipv6.go) through ip6tables, hooked the same way.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	netv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
)

func run(stdin string, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

var ourChain = regexp.MustCompile(`(?m)^:(` + Top + `-[A-Z]-[0-9A-F]+) `)

// apply installs payload, deletes chains of pods that are gone, and makes sure the hooks exist.
func apply(payload string, chains []string) error {
	saved, err := run("", "iptables-save", "-t", "filter")
	if err != nil {
		return err
	}
	keep := map[string]bool{}
	for _, c := range chains {
		keep[c] = true
	}
	var stale []string
	for _, m := range ourChain.FindAllStringSubmatch(saved, -1) {
		if !keep[m[1]] {
			stale = append(stale, m[1])
		}
	}
	text := payload
	for _, c := range stale {
		text += fmt.Sprintf(":%s - [0:0]\n", c)
	}
	for _, c := range stale {
		text += fmt.Sprintf("-X %s\n", c)
	}
	text += "COMMIT\n"
	if _, err := run(text, "iptables-restore", "--noflush", "--wait"); err != nil {
		return err
	}
	return hookBoth("iptables")
}

// apply6 installs the IPv6 fence (one chain, replaced whole) and hooks it first like the IPv4 one.
func apply6(payload string) error {
	if _, err := run(payload, "ip6tables-restore", "--noflush", "--wait"); err != nil {
		return err
	}
	return hookBoth("ip6tables")
}

func hookBoth(tool string) error {
	for _, hook := range []string{"FORWARD", "INPUT"} {
		if err := hookFirst(tool, hook); err != nil {
			return err
		}
	}
	return nil
}

// hookFirst makes `-j SLNP` the first rule of a built-in chain: kube-proxy's KUBE-FORWARD accepts
// packets marked for masquerading (NodePorts), which must not pass before the policies have a say.
func hookFirst(tool, hook string) error {
	rules, err := run("", tool, "--wait", "-S", hook)
	if err != nil {
		return err
	}
	jump := fmt.Sprintf("-A %s -j %s", hook, Top)
	var first string
	present := 0
	for _, l := range strings.Split(rules, "\n") {
		if strings.HasPrefix(l, "-A ") {
			if first == "" {
				first = l
			}
			if l == jump {
				present++
			}
		}
	}
	if first == jump && present == 1 {
		return nil
	}
	for ; present > 0; present-- {
		if _, err := run("", tool, "--wait", "-D", hook, "-j", Top); err != nil {
			return err
		}
	}
	_, err = run("", tool, "--wait", "-I", hook, "1", "-j", Top)
	return err
}

// bridged pod-to-pod traffic only meets iptables (and ip6tables) when the bridge hands it over
func bridgeNetfilter() {
	for _, f := range []string{"/proc/sys/net/bridge/bridge-nf-call-iptables", "/proc/sys/net/bridge/bridge-nf-call-ip6tables"} {
		if b, err := os.ReadFile(f); err == nil && strings.TrimSpace(string(b)) == "1" {
			continue
		}
		if err := os.WriteFile(f, []byte("1"), 0o644); err != nil {
			log.Printf("cannot enable %s (bridged traffic would bypass the policies): %v", f, err)
		}
	}
}

// stateFromList reads a kubectl List of pods, namespaces and NetworkPolicies.
func stateFromList(r io.Reader, node string) (*State, error) {
	var list struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := json.NewDecoder(r).Decode(&list); err != nil {
		return nil, fmt.Errorf("reading the list: %w", err)
	}
	st := &State{Node: node, Namespaces: map[string]map[string]string{}}
	for _, raw := range list.Items {
		var meta struct{ Kind string }
		if err := json.Unmarshal(raw, &meta); err != nil {
			return nil, err
		}
		var err error
		switch meta.Kind {
		case "Pod":
			p := &corev1.Pod{}
			err = json.Unmarshal(raw, p)
			st.Pods = append(st.Pods, p)
		case "Namespace":
			n := &corev1.Namespace{}
			err = json.Unmarshal(raw, n)
			st.Namespaces[n.Name] = n.Labels
		case "NetworkPolicy":
			np := &netv1.NetworkPolicy{}
			err = json.Unmarshal(raw, np)
			st.Policies = append(st.Policies, np)
		}
		if err != nil {
			return nil, fmt.Errorf("a %s in the list: %w", meta.Kind, err)
		}
	}
	return st, nil
}

func envOr(name, dflt string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return dflt
}

func main() {
	node := flag.String("node", os.Getenv("NODE_NAME"), "the node whose pods to fence (default $NODE_NAME)")
	resync := flag.Duration("resync", time.Minute, "re-apply the rules at least this often")
	dryRun := flag.Bool("dry-run", false, "read `kubectl get pods,namespaces,networkpolicies -A -o json` on stdin, print the rules, change nothing")
	bridge := flag.String("pod-bridge", envOr("POD_BRIDGE", "cni0"), "the bridge the node's pods hang off (the kit's bridge CNI: cni0); no IPv6 crosses it")
	ipv6 := flag.Bool("ipv6", false, "with --dry-run: print the ip6tables rules instead")
	flag.Parse()
	if *dryRun && *ipv6 {
		fmt.Print(Compile6(*bridge))
		return
	}
	if *dryRun {
		st, err := stateFromList(os.Stdin, *node)
		if err != nil {
			log.Fatal(err)
		}
		payload, _ := Compile(st)
		fmt.Print(payload + "COMMIT\n")
		return
	}
	if *node == "" {
		log.Fatal("no node name: pass --node or set NODE_NAME")
	}
	cfg, err := rest.InClusterConfig()
	if err != nil {
		log.Fatalf("in-cluster config: %v", err)
	}
	client := kubernetes.NewForConfigOrDie(cfg)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	factory := informers.NewSharedInformerFactory(client, *resync)
	pods := factory.Core().V1().Pods()
	nss := factory.Core().V1().Namespaces()
	nps := factory.Networking().V1().NetworkPolicies()
	kick := make(chan struct{}, 1)
	notify := cache.ResourceEventHandlerFuncs{
		AddFunc: func(any) {
			select {
			case kick <- struct{}{}:
			default:
			}
		},
		UpdateFunc: func(any, any) {
			select {
			case kick <- struct{}{}:
			default:
			}
		},
		DeleteFunc: func(any) {
			select {
			case kick <- struct{}{}:
			default:
			}
		},
	}
	for _, inf := range []cache.SharedIndexInformer{pods.Informer(), nss.Informer(), nps.Informer()} {
		if _, err := inf.AddEventHandler(notify); err != nil {
			log.Fatal(err)
		}
	}
	factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), pods.Informer().HasSynced, nss.Informer().HasSynced, nps.Informer().HasSynced) {
		log.Fatal("caches did not sync")
	}
	bridgeNetfilter()
	log.Printf("enforcing NetworkPolicies for pods on node %s, and no IPv6 across %s", *node, *bridge)

	last, last6 := "", ""
	tick := time.NewTicker(*resync)
	defer tick.Stop()
	for {
		podList, _ := pods.Lister().List(labels.Everything())
		nsList, _ := nss.Lister().List(labels.Everything())
		npList, _ := nps.Lister().List(labels.Everything())
		st := &State{Node: *node, Pods: podList, Policies: npList, Namespaces: map[string]map[string]string{}}
		for _, n := range nsList {
			st.Namespaces[n.Name] = n.Labels
		}
		payload, chains := Compile(st)
		if payload != last {
			if err := apply(payload, chains); err != nil {
				log.Printf("applying rules: %v", err)
			} else {
				last = payload
				log.Printf("rules applied: %d chains", len(chains))
			}
		}
		if payload6 := Compile6(*bridge); payload6 != last6 {
			if err := apply6(payload6); err != nil {
				log.Printf("applying IPv6 rules: %v", err)
			} else {
				last6 = payload6
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-kick:
			time.Sleep(100 * time.Millisecond) // let a burst of events settle into one apply
		case <-tick.C:
			last, last6 = "", "" // re-apply: heals rules someone flushed
		}
	}
}
