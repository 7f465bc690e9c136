// injector: the course's mutating admission webhook and the proxy it injects, in one small binary
// (standard library only), so the sidecar-injection lesson shows what Istio and Linkerd do without
// either of them.
//
//	injector webhook   serve POST /mutate over TLS: add a native-sidecar proxy to a Pod that opts in
//	injector proxy     the injected proxy: an HTTP reverse proxy to the app, with its own health port
//
// The webhook makes its own serving certificate at start (no cert-manager) and writes it into its
// MutatingWebhookConfiguration's caBundle through the API server (see cert.go).
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "webhook":
		err = runWebhook(os.Args[2:])
	case "proxy":
		err = runProxy(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "injector %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: injector webhook [flags] | injector proxy [flags] (-h for the flags)")
	os.Exit(2)
}
