package main

import (
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// The opt-in label a Pod carries to get the proxy (the objectSelector of the webhook configuration
// selects on it too; checking it here again costs nothing).
const injectLabel = "sidecar-labs.dev/inject"

// The name of the injected container; a Pod that already has one is left as it is.
const proxyName = "sidecar-proxy"

// maxReview bounds an AdmissionReview body (the API server refuses objects above about 3 MiB).
const maxReview = 6 << 20

type settings struct {
	image, cpu, memory, cpuLimit, memoryLimit, upstream string
}

func runWebhook(args []string) error {
	fs := flag.NewFlagSet("webhook", flag.ContinueOnError)
	listen := fs.String("listen", ":8443", "HTTPS address of /mutate")
	health := fs.String("health", ":8080", "plain HTTP address of /healthz and /readyz")
	config := fs.String("config", "sidecar-labs-injector", "the MutatingWebhookConfiguration whose caBundle this webhook keeps")
	service := fs.String("service", "sidecar-labs-injector.sidecar-labs-system", "Service name.namespace the API server calls")
	var s settings
	fs.StringVar(&s.image, "image", "docker.io/sidecarlabs/injector:0.1.0", "image of the injected proxy")
	fs.StringVar(&s.cpu, "cpu", "20m", "CPU request of the injected proxy")
	fs.StringVar(&s.memory, "memory", "16Mi", "memory request of the injected proxy")
	fs.StringVar(&s.cpuLimit, "cpu-limit", "100m", "CPU limit of the injected proxy")
	fs.StringVar(&s.memoryLimit, "memory-limit", "32Mi", "memory limit of the injected proxy")
	fs.StringVar(&s.upstream, "upstream", "http://127.0.0.1:80", "where the injected proxy sends requests")
	if err := fs.Parse(args); err != nil {
		return err
	}
	name, ns, ok := strings.Cut(*service, ".")
	if !ok || name == "" || ns == "" {
		return fmt.Errorf("-service: expected name.namespace, got %q", *service)
	}
	cert, pemCert, err := selfSignedCert(name, ns)
	if err != nil {
		return fmt.Errorf("making the serving certificate: %w", err)
	}
	var ready atomic.Bool
	go keepCABundle(*config, pemCert, &ready)

	hmux := http.NewServeMux()
	hmux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
	hmux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !ready.Load() {
			http.Error(w, "caBundle not yet written to "+*config, http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ready\n")
	})
	go func() {
		hs := &http.Server{Addr: *health, Handler: hmux, ReadHeaderTimeout: 5 * time.Second, MaxHeaderBytes: 4 << 10}
		log.Fatal(hs.ListenAndServe())
	}()

	mux := http.NewServeMux()
	mux.HandleFunc("/mutate", func(w http.ResponseWriter, r *http.Request) { serveMutate(w, r, s) })
	srv := &http.Server{
		Addr:              *listen,
		Handler:           mux,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       90 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
	log.Printf("webhook on %s for %s (config %s), injecting %s", *listen, *service, *config, s.image)
	return srv.ListenAndServeTLS("", "")
}

// The parts of an AdmissionReview (admission.k8s.io/v1) this webhook reads and writes.
type review struct {
	APIVersion string    `json:"apiVersion"`
	Kind       string    `json:"kind"`
	Request    *request  `json:"request,omitempty"`
	Response   *response `json:"response,omitempty"`
}

type request struct {
	UID       string                `json:"uid"`
	Kind      struct{ Kind string } `json:"kind"`
	Operation string                `json:"operation"`
	Namespace string                `json:"namespace"`
	Object    json.RawMessage       `json:"object"`
}

type response struct {
	UID       string `json:"uid"`
	Allowed   bool   `json:"allowed"`
	PatchType string `json:"patchType,omitempty"`
	Patch     []byte `json:"patch,omitempty"`
}

type pod struct {
	Metadata struct {
		Name         string            `json:"name"`
		GenerateName string            `json:"generateName"`
		Labels       map[string]string `json:"labels"`
		Annotations  map[string]string `json:"annotations"`
	} `json:"metadata"`
	Spec struct {
		InitContainers []struct{ Name string } `json:"initContainers"`
		Containers     []struct{ Name string } `json:"containers"`
	} `json:"spec"`
}

// serveMutate always allows: the webhook only ever adds a container. A review it cannot read is
// answered 400, which the API server treats by the configuration's failurePolicy (Ignore).
func serveMutate(w http.ResponseWriter, r *http.Request, s settings) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST an AdmissionReview", http.StatusMethodNotAllowed)
		return
	}
	var rev review
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxReview)).Decode(&rev); err != nil || rev.Request == nil {
		http.Error(w, "expected an AdmissionReview with a request", http.StatusBadRequest)
		return
	}
	resp := &response{UID: rev.Request.UID, Allowed: true}
	if patch, who := mutation(rev.Request, s); patch != nil {
		b, err := json.Marshal(patch)
		if err == nil {
			resp.PatchType, resp.Patch = "JSONPatch", b
			log.Printf("injected %s into pod %s in %s", proxyName, who, rev.Request.Namespace)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(review{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview", Response: resp})
}

type op struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value"`
}

// mutation returns the JSON patch that puts the proxy first among the Pod's init containers, as a
// native sidecar, or nil when the Pod is not to be touched (not a Pod, not a CREATE, not opted in,
// or already has the proxy).
func mutation(req *request, s settings) ([]op, string) {
	if req.Kind.Kind != "Pod" || req.Operation != "CREATE" {
		return nil, ""
	}
	var p pod
	if err := json.Unmarshal(req.Object, &p); err != nil || p.Metadata.Labels[injectLabel] != "true" {
		return nil, ""
	}
	for _, c := range append(p.Spec.InitContainers, p.Spec.Containers...) {
		if c.Name == proxyName {
			return nil, ""
		}
	}
	always := "Always"
	falseV, trueV, uid := false, true, int64(65532)
	proxy := map[string]any{
		"name":            proxyName,
		"image":           s.image,
		"imagePullPolicy": "IfNotPresent",
		"restartPolicy":   always,
		"args":            []string{"proxy", "--listen=:15001", "--admin=:15021", "--upstream=" + s.upstream},
		"ports": []map[string]any{
			{"name": "proxy", "containerPort": 15001},
			{"name": "proxy-health", "containerPort": 15021},
		},
		"startupProbe": map[string]any{
			"httpGet":          map[string]any{"path": "/healthz/ready", "port": 15021},
			"periodSeconds":    1,
			"failureThreshold": 30,
		},
		// Every resource a quota may count, ephemeral storage included: the LimitRange's defaults
		// were applied before this webhook runs, so they do not reach the injected container.
		"resources": map[string]any{
			"requests": map[string]string{"cpu": s.cpu, "memory": s.memory, "ephemeral-storage": "1Mi"},
			"limits":   map[string]string{"cpu": s.cpuLimit, "memory": s.memoryLimit, "ephemeral-storage": "16Mi"},
		},
		"securityContext": map[string]any{
			"allowPrivilegeEscalation": falseV,
			"readOnlyRootFilesystem":   trueV,
			"runAsNonRoot":             trueV,
			"runAsUser":                uid,
			"capabilities":             map[string]any{"drop": []string{"ALL"}},
			"seccompProfile":           map[string]string{"type": "RuntimeDefault"},
		},
	}
	var patch []op
	if len(p.Spec.InitContainers) == 0 {
		patch = append(patch, op{"add", "/spec/initContainers", []any{proxy}})
	} else {
		patch = append(patch, op{"add", "/spec/initContainers/0", proxy})
	}
	if p.Metadata.Annotations == nil {
		patch = append(patch, op{"add", "/metadata/annotations", map[string]string{}})
	}
	patch = append(patch, op{"add", "/metadata/annotations/sidecar-labs.dev~1injected", proxyName})
	who := p.Metadata.Name
	if who == "" {
		who = p.Metadata.GenerateName + "…"
	}
	return patch, who
}
