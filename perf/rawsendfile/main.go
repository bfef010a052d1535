// Command rawsendfile is the loopback ceiling the peer comparison measures against: the
// least FTP a load generator needs (USER, PASS, TYPE, SIZE, PASV/EPSV, RETR, STOR, DELE,
// NOOP, QUIT) in front of a data connection that only sendfile(2)s a file out or splice(2)s
// one in. No permissions, no paths beyond one flat directory, no limits: what any real
// server does on top of this is its cost.
//
//	rawsendfile -l 127.0.0.1:30000 -d /dev/shm/fixture -r 28000-29999
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
)

// chunk is bytes per sendfile(2) call, as DESIGN measured best on loopback (64 KiB).
const chunk = 64 << 10

func main() {
	listen := flag.String("l", "127.0.0.1:0", "control address to listen on")
	dir := flag.String("d", ".", "directory whose files are served (flat: names only)")
	pasv := flag.String("r", "", "passive ports FROM-TO (default: any free port)")
	flag.Parse()
	lo, hi := 0, 0
	if *pasv != "" {
		a, b, _ := strings.Cut(*pasv, "-")
		lo, _ = strconv.Atoi(a)
		hi, _ = strconv.Atoi(b)
		if lo <= 0 || hi < lo {
			log.Fatalf("rawsendfile: bad -r %q", *pasv)
		}
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatalf("rawsendfile: listen %s: %v", *listen, err)
	}
	fmt.Println(ln.Addr()) // the harness reads the port from here
	s := &server{dir: *dir, lo: lo, hi: hi}
	for {
		c, err := ln.Accept()
		if err != nil {
			log.Printf("rawsendfile: accept: %v", err)
			continue
		}
		go s.serve(c.(*net.TCPConn))
	}
}

type server struct {
	dir    string
	lo, hi int
	next   atomic.Uint32 // round-robin cursor over the passive range
}

// listenData opens a passive listener on the control connection's own address.
func (s *server) listenData(ip net.IP) (*net.TCPListener, error) {
	if s.lo == 0 {
		return net.ListenTCP("tcp", &net.TCPAddr{IP: ip})
	}
	n := s.hi - s.lo + 1
	var err error
	for i := 0; i < n; i++ {
		p := s.lo + int(s.next.Add(1))%n
		var ln *net.TCPListener
		if ln, err = net.ListenTCP("tcp", &net.TCPAddr{IP: ip, Port: p}); err == nil {
			return ln, nil
		}
	}
	return nil, err
}

func (s *server) serve(c *net.TCPConn) {
	defer c.Close()
	r := bufio.NewReaderSize(c, 512)
	reply := func(line string) bool { _, err := io.WriteString(c, line+"\r\n"); return err == nil }
	local := c.LocalAddr().(*net.TCPAddr).IP
	var data *net.TCPListener
	defer func() {
		if data != nil {
			data.Close()
		}
	}()
	if !reply("220 raw") {
		return
	}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
		name := filepath.Join(s.dir, filepath.Base(arg))
		ok := true
		switch strings.ToUpper(verb) {
		case "USER":
			ok = reply("331 any password")
		case "PASS":
			ok = reply("230 in")
		case "TYPE", "NOOP", "MODE", "STRU":
			ok = reply("200 ok")
		case "SIZE":
			if fi, err := os.Stat(name); err == nil {
				ok = reply("213 " + strconv.FormatInt(fi.Size(), 10))
			} else {
				ok = reply("550 no")
			}
		case "DELE": // files are kept: they are the fixture
			ok = reply("250 ignored")
		case "MKD":
			ok = reply(`257 "` + arg + `" ignored`)
		case "PASV", "EPSV":
			if data != nil {
				data.Close()
			}
			if data, err = s.listenData(local); err != nil {
				ok = reply("425 " + err.Error())
				break
			}
			p := data.Addr().(*net.TCPAddr).Port
			if strings.EqualFold(verb, "EPSV") {
				ok = reply("229 ok (|||" + strconv.Itoa(p) + "|)")
			} else {
				ip := local.To4()
				ok = reply(fmt.Sprintf("227 ok (%d,%d,%d,%d,%d,%d)", ip[0], ip[1], ip[2], ip[3], p>>8, p&255))
			}
		case "RETR", "STOR":
			ok = s.transfer(c, &data, strings.EqualFold(verb, "STOR"), name, reply)
		case "QUIT":
			reply("221 bye")
			return
		default:
			ok = reply("502 not here")
		}
		if !ok {
			return
		}
	}
}

// transfer runs one RETR (sendfile in chunks) or STOR (splice) on the pending passive
// listener, which it consumes.
func (s *server) transfer(c *net.TCPConn, data **net.TCPListener, stor bool, name string, reply func(string) bool) bool {
	ln := *data
	*data = nil
	if ln == nil {
		return reply("425 PASV first")
	}
	defer ln.Close()
	var f *os.File
	var err error
	if stor {
		f, err = os.Create(name)
	} else {
		f, err = os.Open(name)
	}
	if err != nil {
		return reply("550 " + err.Error())
	}
	defer f.Close()
	if !reply("150 go") {
		return false
	}
	dc, err := ln.AcceptTCP()
	if err != nil {
		return reply("425 " + err.Error())
	}
	if stor {
		_, err = io.Copy(f, dc) // *os.File.ReadFrom: splice(2) from the socket
	} else {
		for err == nil {
			var n int64
			// *net.TCPConn.ReadFrom of a LimitReader around *os.File: sendfile(2).
			n, err = dc.ReadFrom(io.LimitReader(f, chunk))
			if n == 0 && err == nil {
				break
			}
		}
	}
	dc.Close()
	if err != nil {
		return reply("426 " + err.Error())
	}
	return reply("226 done")
}
