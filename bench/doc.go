// Package bench is the engine behind cmd/ftpbench, a load generator that measures any FTP
// server with the same yardstick.
//
// It drives servers through package ftpclient (allocation-free reply parsing,
// PASV/EPSV/PORT/EPRT, explicit and implicit FTPS with TLS session reuse on data
// connections) and holds the scenarios (pyftpdlib's classic table plus login, idle, retr,
// stor, list and mirror), closed- and open-loop drivers, a mergeable log-linear latency
// histogram (and one per second of each measured window, for the JSON's time series),
// server cost sampling from /proc (per-thread schedstat nanoseconds for the server's
// process trees, /proc/stat for the whole machine, softirq included), JSON reports, Go
// benchmark lines for benchstat, the self-contained HTML report (inline SVG charts from
// package svgchart), the compare command used by regression CI, and the merging of results
// measured concurrently (--procs children; several agents' reports, `ftpbench merge`). A
// row that did not do all its work (a client that never logged in, bytes short of what was
// expected) is marked incomplete.
//
// It imports no package of the fastftp server (ftpclient is a client): it must measure
// every server alike.
package bench
