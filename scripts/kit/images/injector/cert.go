package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"log"
	"math/big"
	"net/http"
	"os"
	"sync/atomic"
	"time"
)

// selfSignedCert makes a new key and a certificate for the Service's DNS names that is its own CA,
// so the configuration's caBundle is the certificate itself. A new one at every start: the key
// never leaves the process.
func selfSignedCert(svc, ns string) (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	host := svc + "." + ns + ".svc"
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: host},
		DNSNames:              []string{host, svc + "." + ns, host + ".cluster.local"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().AddDate(1, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

const saDir = "/var/run/secrets/kubernetes.io/serviceaccount/"

// keepCABundle writes the certificate into every webhook of the configuration, and checks again
// every 20 s: a re-apply of the manifest (which has no caBundle) or a restart of another replica
// cannot leave the API server with a CA this process does not serve.
func keepCABundle(config string, pemCert []byte, ready *atomic.Bool) {
	for {
		if err := syncCABundle(config, pemCert); err != nil {
			log.Printf("caBundle of %s: %v", config, err)
			ready.Store(false)
			time.Sleep(3 * time.Second)
			continue
		}
		ready.Store(true)
		time.Sleep(20 * time.Second)
	}
}

func syncCABundle(config string, pemCert []byte) error {
	ca, err := os.ReadFile(saDir + "ca.crt")
	if err != nil {
		return err
	}
	token, err := os.ReadFile(saDir + "token")
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	url := fmt.Sprintf("https://%s:%s/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/%s",
		os.Getenv("KUBERNETES_SERVICE_HOST"), os.Getenv("KUBERNETES_SERVICE_PORT"), config)
	call := func(method, ctype string, body []byte) ([]byte, error) {
		req, err := http.NewRequest(method, url, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+string(bytes.TrimSpace(token)))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		var buf bytes.Buffer
		buf.ReadFrom(http.MaxBytesReader(nil, resp.Body, 1<<20))
		if resp.StatusCode/100 != 2 {
			return nil, fmt.Errorf("%s: %s %s", method, resp.Status, bytes.TrimSpace(buf.Bytes()))
		}
		return buf.Bytes(), nil
	}
	body, err := call(http.MethodGet, "", nil)
	if err != nil {
		return err
	}
	var cfg struct {
		Webhooks []struct {
			ClientConfig struct {
				CABundle []byte `json:"caBundle"`
			} `json:"clientConfig"`
		} `json:"webhooks"`
	}
	if err := json.Unmarshal(body, &cfg); err != nil {
		return err
	}
	var patch []op
	for i, w := range cfg.Webhooks {
		if !bytes.Equal(w.ClientConfig.CABundle, pemCert) {
			patch = append(patch, op{"add", fmt.Sprintf("/webhooks/%d/clientConfig/caBundle", i), pemCert})
		}
	}
	if len(cfg.Webhooks) == 0 {
		return fmt.Errorf("it has no webhooks")
	}
	if patch == nil {
		return nil
	}
	b, _ := json.Marshal(patch)
	if _, err := call(http.MethodPatch, "application/json-patch+json", b); err != nil {
		return err
	}
	log.Printf("wrote the serving certificate into the caBundle of %s", config)
	return nil
}
