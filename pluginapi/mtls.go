package pluginapi

// Mutual TLS between host and plugin, set up afresh for every launch.
//
// go-plugin's own AutoMTLS makes each side generate a P-521 key and
// certificate, which costs about 20 ms per launch on our machines; a
// dispatcher that starts six plugins pays that six times. We do the same
// job with Ed25519, whose keys and signatures cost microseconds: the host
// generates both key pairs, keeps its own, and hands the plugin its
// certificate and key together with the host's certificate through the
// environment (readable only by the same user, like the plugin's memory).
// Each side then trusts exactly the other's certificate.

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"time"
)

// tlsEnv carries the plugin's TLS material from host to plugin.
const tlsEnv = "REFLOW_PLUGIN_TLS"

const tlsServerName = "reflow-plugin"

// keyPair is a certificate and private key in PEM.
type keyPair struct{ cert, key []byte }

func newKeyPair(cn string) (keyPair, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return keyPair{}, err
	}
	sn, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return keyPair{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          sn,
		Subject:               pkix.Name{CommonName: cn},
		DNSNames:              []string{tlsServerName},
		NotBefore:             now.Add(-time.Minute),
		NotAfter:              now.Add(10 * 365 * 24 * time.Hour), // dispatchers may run for months
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
	if err != nil {
		return keyPair{}, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return keyPair{}, err
	}
	return keyPair{
		cert: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		key:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
	}, nil
}

// hostTLS generates the key pairs for one launch. It returns the host's TLS
// configuration and the environment entry that gives the plugin its side.
func hostTLS() (*tls.Config, string, error) {
	host, err := newKeyPair("reflow-host")
	if err != nil {
		return nil, "", err
	}
	plug, err := newKeyPair("reflow-plugin")
	if err != nil {
		return nil, "", err
	}
	cert, err := tls.X509KeyPair(host.cert, host.key)
	if err != nil {
		return nil, "", err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(plug.cert)
	cfg := &tls.Config{
		Certificates: []tls.Certificate{cert},
		RootCAs:      pool,
		ServerName:   tlsServerName,
		MinVersion:   tls.VersionTLS13,
	}
	// PEM blocks are self-delimiting: plugin cert, plugin key, host cert.
	env := tlsEnv + "=" + string(plug.cert) + string(plug.key) + string(host.cert)
	return cfg, env, nil
}

// pluginTLS is the plugin side: it reads its certificate, key and the
// host's certificate from the environment. Without them (a host that turned
// mTLS off) it serves without TLS. The variable is removed so the jobs a
// plugin starts never inherit the key.
func pluginTLS() (*tls.Config, error) {
	material := os.Getenv(tlsEnv)
	os.Unsetenv(tlsEnv)
	if material == "" {
		return nil, nil
	}
	var blocks []*pem.Block
	rest := []byte(material)
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		blocks = append(blocks, b)
	}
	if len(blocks) != 3 || blocks[0].Type != "CERTIFICATE" || blocks[1].Type != "PRIVATE KEY" || blocks[2].Type != "CERTIFICATE" {
		return nil, errors.New("malformed " + tlsEnv + ": want certificate, key, certificate")
	}
	cert, err := tls.X509KeyPair(pem.EncodeToMemory(blocks[0]), pem.EncodeToMemory(blocks[1]))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", tlsEnv, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem.EncodeToMemory(blocks[2])) {
		return nil, fmt.Errorf("%s: host certificate does not parse", tlsEnv)
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pool,
		MinVersion:   tls.VersionTLS13,
	}, nil
}
