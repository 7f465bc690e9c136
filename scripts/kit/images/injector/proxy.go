package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"sync/atomic"
	"time"
)

// runProxy is the injected sidecar: every request on -listen goes to -upstream, and the answer
// carries X-Sidecar-Proxy (which proxy served it) so a learner can see the hop. -admin answers
// /healthz/ready for the startup probe and for an app that waits for its proxy.
func runProxy(args []string) error {
	fs := flag.NewFlagSet("proxy", flag.ContinueOnError)
	listen := fs.String("listen", ":15001", "address the proxy listens on")
	upstream := fs.String("upstream", "http://127.0.0.1:80", "where requests go (the app, or a Service)")
	admin := fs.String("admin", ":15021", "address of the health endpoint /healthz/ready")
	if err := fs.Parse(args); err != nil {
		return err
	}
	target, err := url.Parse(*upstream)
	if err != nil || (target.Scheme != "http") || target.Host == "" {
		return fmt.Errorf("-upstream: expected an http:// URL with a host, got %q", *upstream)
	}
	name, _ := os.Hostname()
	var served atomic.Int64
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ModifyResponse = func(r *http.Response) error {
		r.Header.Set("X-Sidecar-Proxy", name)
		return nil
	}
	rp.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		log.Printf("%s %s: upstream %s: %v", r.Method, r.URL.Path, target.Host, err)
		w.Header().Set("X-Sidecar-Proxy", name)
		http.Error(w, "sidecar proxy: upstream "+target.Host+" did not answer", http.StatusBadGateway)
	}
	main := &http.Server{
		Addr: *listen,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n := served.Add(1)
			if n == 1 || n%100 == 0 {
				log.Printf("served %d requests", n)
			}
			rp.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz/ready", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "ready: %s proxies %s\n", name, target.Host)
	})
	health := &http.Server{Addr: *admin, Handler: mux, ReadHeaderTimeout: 5 * time.Second, MaxHeaderBytes: 4 << 10}
	errs := make(chan error, 2)
	go func() { errs <- health.ListenAndServe() }()
	go func() { errs <- main.ListenAndServe() }()
	log.Printf("proxy %s: %s -> %s (health on %s)", name, *listen, target.Host, *admin)
	return <-errs
}
