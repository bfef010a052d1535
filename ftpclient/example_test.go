package ftpclient_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"time"

	"github.com/fastftp/fastftp/ftpclient"
)

// A download over explicit FTPS with EPSV; the data connection resumes the control
// connection's TLS session, as servers requiring session reuse demand.
func ExampleDialer() {
	d := &ftpclient.Dialer{Addr: "127.0.0.1:2121", Timeout: 10 * time.Second, Data: ftpclient.DataEPSV,
		TLS: ftpclient.TLSExplicit, TLSConfig: &tls.Config{ServerName: "ftp.example.org"}}
	ctx := context.Background()
	c, err := d.Dial(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Quit()
	if err := c.Login("user", "secret"); err != nil {
		fmt.Println(err)
		return
	}
	size, err := c.Size("pub/file.iso")
	if err != nil {
		fmt.Println(err)
		return
	}
	n, err := c.Retr(ctx, "pub/file.iso", size, make([]byte, 64<<10), io.Discard)
	fmt.Println(n, err)
}
