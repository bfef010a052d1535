// Data connections: PASV/EPSV/PORT/EPRT, TLS resumed from the control connection's
// session under PROT P, and the RETR, STOR and listing loops on them.

package ftpclient

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"time"
)

// OpenData opens a data connection for verb (RETR, STOR, LIST, ...) and waits for the
// preliminary 1xx reply. The caller reads or writes the connection, then calls CloseData.
func (c *Conn) OpenData(ctx context.Context, verb, arg string) (net.Conn, error) {
	var dc net.Conn
	switch c.d.Data {
	case DataPASV, DataEPSV:
		var port uint16
		if c.d.Data == DataEPSV || c.remote.Is6() {
			code, text, err := c.Cmd("EPSV", "")
			if err != nil {
				return nil, err
			}
			if code != 229 {
				return nil, NewReplyError("EPSV", code, text)
			}
			if port, err = ParseEPSV(text); err != nil {
				return nil, fmt.Errorf("ftpclient: EPSV reply %q: %w", text, err)
			}
		} else {
			code, text, err := c.Cmd("PASV", "")
			if err != nil {
				return nil, err
			}
			if code != 227 {
				return nil, NewReplyError("PASV", code, text)
			}
			ap, err := ParsePASV(text)
			if err != nil {
				return nil, fmt.Errorf("ftpclient: PASV reply %q: %w", text, err)
			}
			port = ap.Port() // the address is the control peer's: servers behind NAT lie
		}
		var err error
		if dc, err = c.dialData(ctx, port); err != nil {
			return nil, err
		}
		if err := c.sendExpect1xx(verb, arg); err != nil {
			dc.Close()
			return nil, err
		}
	case DataPORT, DataEPRT:
		if c.d.Data == DataPORT && !c.local.Is4() {
			return nil, fmt.Errorf("ftpclient: PORT to %s: IPv6 needs EPRT: %w", c.d.Addr, ErrBadConfig)
		}
		ln, err := net.ListenTCP("tcp", net.TCPAddrFromAddrPort(netip.AddrPortFrom(c.local, 0)))
		if err != nil {
			return nil, fmt.Errorf("ftpclient: listen for active data on %s: %w", c.local, err)
		}
		defer ln.Close()
		ap := ln.Addr().(*net.TCPAddr).AddrPort()
		ap = netip.AddrPortFrom(c.local, ap.Port())
		var arg2 [64]byte
		cmd := "EPRT"
		a := AppendEPRT(arg2[:0], ap)
		if c.d.Data == DataPORT {
			cmd = "PORT"
			a = AppendPORT(arg2[:0], ap)
		}
		if err := c.Expect(cmd, string(a), 2); err != nil {
			return nil, err
		}
		if err := c.sendExpect1xx(verb, arg); err != nil {
			return nil, err
		}
		ln.SetDeadline(time.Now().Add(c.d.timeout()))
		tc, err := ln.AcceptTCP()
		if err != nil {
			return nil, fmt.Errorf("ftpclient: accept active data connection on %s: %w", ap, err)
		}
		dc = tc
	}
	if c.protP {
		tc := tls.Client(dc, c.tlsConf)
		dc.SetDeadline(time.Now().Add(c.d.timeout()))
		if err := tc.Handshake(); err != nil {
			dc.Close()
			return nil, fmt.Errorf("ftpclient: TLS handshake on data connection for %s: %w", verb, err)
		}
		if c.d.Debug != nil {
			c.debugf("  data connection TLS resumed=%v\n", tc.ConnectionState().DidResume)
		}
		dc = tc
	}
	return dc, nil
}

func (c *Conn) sendExpect1xx(verb, arg string) error {
	code, text, err := c.Cmd(verb, arg)
	if err != nil {
		return err
	}
	if code/100 != 1 {
		return NewReplyError(verb, code, text)
	}
	return nil
}

func (c *Conn) dialData(ctx context.Context, port uint16) (net.Conn, error) {
	dl := net.Dialer{Timeout: c.d.timeout(), KeepAlive: -1}
	if len(c.d.Sources) > 0 {
		// Servers check that data comes from the control connection's address.
		dl.LocalAddr = net.TCPAddrFromAddrPort(netip.AddrPortFrom(c.local, 0))
	}
	addr := netip.AddrPortFrom(c.remote, port).String()
	dc, err := dl.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("ftpclient: dial data connection %s: %w", addr, err)
	}
	return dc, nil
}

// CloseData closes a data connection and reads the transfer's final reply, which must be
// 2xx. When the transfer itself failed (xferErr != nil) that error is returned instead.
func (c *Conn) CloseData(dc net.Conn, xferErr error) error {
	cerr := dc.Close()
	if xferErr != nil {
		return xferErr
	}
	code, text, err := c.readReply()
	if err != nil {
		return err
	}
	if code/100 != 2 {
		return NewReplyError("transfer", code, text)
	}
	if cerr != nil {
		return fmt.Errorf("ftpclient: close data connection: %w", cerr)
	}
	return nil
}

// Retr downloads path into w through buf and returns the bytes received. The transfer is
// refused with ErrShortData when the final reply is 2xx but fewer than want bytes came
// (want < 0: unknown).
func (c *Conn) Retr(ctx context.Context, path string, want int64, buf []byte, w io.Writer) (int64, error) {
	dc, err := c.OpenData(ctx, "RETR", path)
	if err != nil {
		return 0, err
	}
	n, err := ReadData(dc, c.d.timeout(), buf, w)
	if err = c.CloseData(dc, err); err != nil {
		return n, err
	}
	if want >= 0 && n != want {
		return n, fmt.Errorf("ftpclient: RETR %s: got %d bytes, want %d: %w", path, n, want, ErrShortData)
	}
	return n, nil
}

// Stor uploads everything r yields to path through buf and returns the bytes sent.
func (c *Conn) Stor(ctx context.Context, path string, r io.Reader, buf []byte) (int64, error) {
	dc, err := c.OpenData(ctx, "STOR", path)
	if err != nil {
		return 0, err
	}
	var n int64
	var xerr error
	to := c.d.timeout()
	for {
		k, rerr := r.Read(buf)
		if k > 0 {
			dc.SetWriteDeadline(time.Now().Add(to))
			w, werr := dc.Write(buf[:k])
			n += int64(w)
			if werr != nil {
				xerr = fmt.Errorf("ftpclient: STOR %s: write data: %w", path, werr)
				break
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			xerr = rerr
			break
		}
	}
	if xerr == nil {
		xerr = finishUpload(dc, to, buf)
	}
	return n, c.CloseData(dc, xerr)
}

// finishUpload half-closes an upload and waits for the server to close its side. Closing
// outright while unread bytes sit in our receive queue (a TLS 1.3 session ticket the
// server sent on the data connection) makes the kernel send RST, and the server loses the
// tail of the upload still in its queue.
func finishUpload(dc net.Conn, to time.Duration, buf []byte) error {
	cw, ok := dc.(interface{ CloseWrite() error })
	if !ok {
		return nil
	}
	if err := cw.CloseWrite(); err != nil {
		return fmt.Errorf("ftpclient: half-close upload: %w", err)
	}
	dc.SetReadDeadline(time.Now().Add(to))
	for {
		if _, err := dc.Read(buf); err != nil {
			if err == io.EOF {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return fmt.Errorf("ftpclient: wait for server to close upload: %w", err)
			}
			return nil // a reset after our FIN: the data was delivered
		}
	}
}

// List runs verb (LIST, NLST, MLSD) on path, copies the listing into w and returns its
// size in bytes.
func (c *Conn) List(ctx context.Context, verb, path string, buf []byte, w io.Writer) (int64, error) {
	dc, err := c.OpenData(ctx, verb, path)
	if err != nil {
		return 0, err
	}
	n, err := ReadData(dc, c.d.timeout(), buf, w)
	return n, c.CloseData(dc, err)
}

// ReadData copies a data connection into w through buf without io.Copy (which would
// allocate a buffer through TCPConn's WriterTo), refreshing the read deadline to timeout
// before each read, and returns the bytes copied. It does not close dc.
func ReadData(dc net.Conn, to time.Duration, buf []byte, w io.Writer) (int64, error) {
	var n int64
	for {
		dc.SetReadDeadline(time.Now().Add(to))
		k, err := dc.Read(buf)
		if k > 0 {
			n += int64(k)
			if _, werr := w.Write(buf[:k]); werr != nil {
				return n, werr
			}
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("ftpclient: read data connection: %w", err)
		}
	}
}
