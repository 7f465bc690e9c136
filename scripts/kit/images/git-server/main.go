// git-server: a tiny smart-HTTP git server for the labs, so git-sync can pull from a repository
// inside the cluster (no network needed). It hands every request to git's own CGI program,
// git-http-backend, which implements the protocol; this program only listens and logs.
package main

import (
	"log"
	"net/http"
	"net/http/cgi"
	"os"
)

func main() {
	root := getenv("GIT_PROJECT_ROOT", "/srv/git")
	addr := getenv("LISTEN_ADDR", ":8080")
	backend := &cgi.Handler{
		Path: getenv("GIT_HTTP_BACKEND", "/usr/lib/git-core/git-http-backend"),
		Env:  []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"},
	}
	http.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
	http.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.Printf("%s %s", r.Method, r.URL.RequestURI())
		backend.ServeHTTP(w, r)
	}))
	log.Printf("serving git repositories under %s on %s", root, addr)
	log.Fatal(http.ListenAndServe(addr, nil))
}

func getenv(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
