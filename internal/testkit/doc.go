// Package testkit is what this module's tests share: the fastftpd binary started on a free
// loopback port (StartFastftpd), an in-process server on 127.0.0.1:0 (Start) and a raw
// control client that reads multi-line replies with ftpclient's reader (Dial). Everything
// stops through t.Cleanup. Only tests import it.
package testkit
