// Package proto is the FTP wire language with no I/O: the line splitter, the command
// parser with Telnet IAC stripping, the verb table, the reply encoder, the PORT/EPRT/PASV/EPSV
// address codecs, and LIST/NLST/MLSx line formatting.
//
// Everything here is pure: byte slices in, byte slices out, no goroutines, no locks, no
// global mutable state, so every function is safe to call from any goroutine. Parsing
// returns slices that alias the caller's input (valid for as long as that input is left
// unchanged); encoders follow the append convention (AppendX(dst, ...) []byte) and never
// retain dst. Parse and encode paths allocate nothing; alloc_test.go enforces it.
//
// The limits the package enforces are collected in limits.go; the errors it returns are the
// sentinels in errors.go, never wrapped, so callers map them to reply codes with ==.
package proto
