package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

// certFile is where -tls saves the server's certificate, in the -out folder.
const certFile = "server-cert.pem"

// makeTLS makes a key pair and a certificate for it, signed by itself, and
// saves the certificate in root. No authority vouches for it: a client
// must be given it to trust (the client's -ca), or the encryption keeps
// out eavesdroppers, not someone in the middle.
func makeTLS(root *os.Root) (*tls.Config, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("make a TLS key: %w", err)
	}
	// The names a client may dial us by; the serial number is left for
	// CreateCertificate to choose at random.
	template := &x509.Certificate{
		Subject:     pkix.Name{CommonName: "netprog mail sink"},
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		NotBefore:   time.Now().Add(-time.Hour), // a clock a little behind
		NotAfter:    time.Now().AddDate(1, 0, 0),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		// Its own authority, that clients may trust as one.
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template,
		&key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("make a TLS certificate: %w", err)
	}
	_, err = saveFile(root, certFile, true, func(w io.Writer) error {
		return pem.Encode(w, &pem.Block{Type: "CERTIFICATE", Bytes: der})
	})
	if err != nil {
		return nil, fmt.Errorf("save the TLS certificate: %w", err)
	}
	cert := tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12,
	}, nil
}
