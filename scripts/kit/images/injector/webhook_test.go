package main

import (
	"encoding/json"
	"testing"
)

func req(t *testing.T, op string, pod string) *request {
	t.Helper()
	r := &request{UID: "u", Operation: op, Namespace: "lab-x", Object: json.RawMessage(pod)}
	r.Kind.Kind = "Pod"
	return r
}

var s = settings{image: "img:1", cpu: "20m", memory: "16Mi", cpuLimit: "100m", memoryLimit: "32Mi", upstream: "http://127.0.0.1:80"}

func TestOnlyOptedInPodsOnCreate(t *testing.T) {
	cases := map[string]*request{
		"no label":      req(t, "CREATE", `{"metadata":{"name":"a"},"spec":{"containers":[{"name":"app"}]}}`),
		"label false":   req(t, "CREATE", `{"metadata":{"labels":{"sidecar-labs.dev/inject":"false"}},"spec":{}}`),
		"update":        req(t, "UPDATE", `{"metadata":{"labels":{"sidecar-labs.dev/inject":"true"}},"spec":{}}`),
		"has the proxy": req(t, "CREATE", `{"metadata":{"labels":{"sidecar-labs.dev/inject":"true"}},"spec":{"containers":[{"name":"sidecar-proxy"}]}}`),
		"not JSON":      req(t, "CREATE", `{`),
	}
	for name, r := range cases {
		if p, _ := mutation(r, s); p != nil {
			t.Errorf("%s: expected no patch, got %v", name, p)
		}
	}
}

func TestProxyFirstAsNativeSidecar(t *testing.T) {
	r := req(t, "CREATE", `{"metadata":{"generateName":"web-","labels":{"sidecar-labs.dev/inject":"true"}},"spec":{"initContainers":[{"name":"setup"}],"containers":[{"name":"app"}]}}`)
	p, who := mutation(r, s)
	if who != "web-…" || len(p) != 3 {
		t.Fatalf("expected 3 operations for web-…, got %q %v", who, p)
	}
	if p[0].Path != "/spec/initContainers/0" || p[1].Path != "/metadata/annotations" || p[2].Path != "/metadata/annotations/sidecar-labs.dev~1injected" {
		t.Fatalf("unexpected paths: %v", p)
	}
	c := p[0].Value.(map[string]any)
	if c["restartPolicy"] != "Always" || c["name"] != proxyName || c["image"] != "img:1" {
		t.Fatalf("not a native sidecar proxy: %v", c)
	}
	r = req(t, "CREATE", `{"metadata":{"labels":{"sidecar-labs.dev/inject":"true"},"annotations":{}},"spec":{"containers":[{"name":"app"}]}}`)
	if p, _ := mutation(r, s); len(p) != 2 || p[0].Path != "/spec/initContainers" {
		t.Fatalf("a Pod without init containers gets the list: %v", p)
	}
}
