// Package transfer owns the transfer job of an FTP data connection: it opens the data
// connection (passive accept or active dial, TCP_NOTSENT_LOWAT on sending sockets, the
// data-connection TLS the session supplies), chooses how the bytes move (the data-loop
// engine, sendfile/splice, or MODE Z's zlib stream), applies the upload policy (a
// temporary file renamed on success, or in place) and turns the result into the reply.
//
// The session decides whether a transfer may run (permissions, limits, one at a time),
// opens the file, sends the 150 and logs; it asks Send (RETR), Receive (STOR APPE STOU)
// or List (LIST NLST MLSD) for the transfer and gets a Result, whose Reply is the one
// mapping of errors to FTP replies (errors.go), storage errors of the control connection
// included, since opening a transfer's file fails the way any storage call does.
//
// Every function here blocks: call it from the transfer's own goroutine, never from an
// event loop. Canceling the context (ABOR, QUIT, shutdown) ends the transfer.
package transfer
