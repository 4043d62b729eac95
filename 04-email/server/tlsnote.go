// This file is the same in 04-email/client and 04-email/server. A test
// keeps the copies identical.

package main

import (
	"crypto/tls"
	"fmt"
)

// tlsNote says what the TLS handshake settled on: the version, the cipher
// suite, the server name the client asked for and the subject of the
// certificate the other side showed, both from the network.
func tlsNote(st tls.ConnectionState) string {
	s := fmt.Sprintf("TLS handshake done: %s, %s", tls.VersionName(st.Version),
		tls.CipherSuiteName(st.CipherSuite))
	if st.ServerName != "" {
		s += ", server name " + quote(st.ServerName)
	}
	if len(st.PeerCertificates) > 0 {
		s += ", certificate " + quote(st.PeerCertificates[0].Subject.String())
	}
	return s
}
