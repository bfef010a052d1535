// Command spread measures how evenly the kernel spreads connections over 3 processes
// accepting on one port, for the choice behind fastftpd --workers (ARCHITECTURE.md,
// "Workers on one host"): `go run ./perf/spread inherit` (one listening socket inherited
// by every process, as fastftpd does) or `go run ./perf/spread reuse` (a SO_REUSEPORT
// socket per process). 10 clients make 3,000 connections to 127.0.0.1:23999 (PORT to
// change it); it prints the connections each process accepted. Linux only (SO_REUSEPORT
// as Linux balances it).

//go:build linux

package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func serve(ln net.Listener) {
	var n atomic.Int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			c.Write([]byte("x"))
			c.Close()
		}
	}()
	s := make(chan os.Signal, 1)
	signal.Notify(s, syscall.SIGTERM)
	<-s
	fmt.Println(n.Load())
}

func main() {
	if len(os.Args) < 2 {
		os.Args = append(os.Args, "")
	}
	switch os.Args[1] {
	case "child-inherit":
		ln, err := net.FileListener(os.NewFile(3, "l"))
		if err != nil {
			panic(err)
		}
		serve(ln)
		return
	case "child-reuse":
		lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
			c.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, 0xf, 1) })
			return nil
		}}
		ln, err := lc.Listen(context.Background(), "tcp", addr())
		if err != nil {
			panic(err)
		}
		serve(ln)
		return
	}
	mode := os.Args[1]
	if mode != "inherit" && mode != "reuse" {
		fmt.Fprintln(os.Stderr, "usage: spread inherit|reuse")
		os.Exit(2)
	}
	var f *os.File
	if mode == "inherit" {
		ln, err := net.Listen("tcp", addr())
		if err != nil {
			panic(err)
		}
		f, _ = ln.(*net.TCPListener).File()
		ln.Close()
	}
	var cmds []*exec.Cmd
	var outs []*os.File
	for range 3 {
		c := exec.Command(os.Args[0], "child-"+mode)
		if f != nil {
			c.ExtraFiles = []*os.File{f}
		}
		r, w, _ := os.Pipe()
		c.Stdout = w
		if err := c.Start(); err != nil {
			panic(err)
		}
		cmds = append(cmds, c)
		outs = append(outs, r)
	}
	time.Sleep(300 * time.Millisecond)
	var wg sync.WaitGroup
	next := make(chan struct{})
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := make([]byte, 1)
			for range next {
				c, err := net.Dial("tcp", addr())
				if err != nil {
					continue
				}
				c.Read(b)
				c.Close()
			}
		}()
	}
	for range 3000 {
		next <- struct{}{}
	}
	close(next)
	wg.Wait()
	for i, c := range cmds {
		c.Process.Signal(syscall.SIGTERM)
		b := make([]byte, 32)
		n, _ := outs[i].Read(b)
		fmt.Print(string(b[:n-1]), " ")
		c.Wait()
	}
	fmt.Println(mode)
}

func addr() string {
	if p := os.Getenv("PORT"); p != "" {
		return "127.0.0.1:" + p
	}
	return "127.0.0.1:23999"
}
