package reactor

import (
	"crypto/tls"
	"testing"
)

type chooser struct{ cert *tls.Certificate }

func (c chooser) ChooseCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return c.cert, nil
}

// TestChooseWith: the handler's certificate wins; without one, a configuration's
// Certificates are still served when the client sent no server name (crypto/tls alone
// would skip GetCertificate then), and so is its GetCertificate.
func TestChooseWith(t *testing.T) {
	own, conf, got := &tls.Certificate{Certificate: [][]byte{{1}}}, tls.Certificate{Certificate: [][]byte{{2}}}, &tls.Certificate{Certificate: [][]byte{{3}}}
	hello := &tls.ClientHelloInfo{}
	for _, c := range []struct {
		name string
		cfg  *tls.Config
		ch   chooser
		want []byte
	}{
		{"handler's", &tls.Config{Certificates: []tls.Certificate{conf}}, chooser{own}, []byte{1}},
		{"configured, no SNI", &tls.Config{Certificates: []tls.Certificate{conf}}, chooser{}, []byte{2}},
		{"GetCertificate", &tls.Config{GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return got, nil }}, chooser{}, []byte{3}},
	} {
		chooseWith(c.cfg, c.ch)
		cert, err := c.cfg.GetCertificate(hello)
		if err != nil || cert == nil || string(cert.Certificate[0]) != string(c.want) {
			t.Errorf("%s: %v %v, want certificate %v", c.name, cert, err, c.want)
		}
		if len(c.cfg.Certificates) != 0 {
			t.Errorf("%s: Certificates left in place: crypto/tls would skip GetCertificate without SNI", c.name)
		}
	}
	if _, err := (func() (*tls.Certificate, error) {
		cfg := &tls.Config{}
		chooseWith(cfg, chooser{})
		return cfg.GetCertificate(hello)
	})(); err == nil {
		t.Error("no certificate anywhere: no error")
	}
}
