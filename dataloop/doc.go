// Package dataloop is a data-plane engine: a few event loops (default one per P) that move
// file bytes between regular files and TCP data sockets with non-blocking sendfile(2)
// (downloads) and splice(2) socket→pipe→file (uploads), driven by epoll readiness.
//
// Why: with a goroutine per transfer blocking in sendfile/splice, hundreds of runnable
// transfer goroutines fill the Go run queue and the gnet control loops wait behind them for
// a P (issue 10: scheduling delay p99 8-134 ms during 300 RETR). Here a transfer is a small
// struct on a loop, not a goroutine; a loop does a bounded amount of work per wake-up
// (one chunk per ready transfer, at most Config.IterBytes per iteration) and then yields
// its P through Go's netpoller (loop.go: yield), so a control loop, whether woken by its
// own epoll or by Go's netpoller, waits about one iteration for a P.
//
// Design choices, each explained where it is implemented:
//   - Edge-triggered epoll (loop.go): a socket is registered once per transfer; the loop keeps
//     its own run queue of sockets not yet seen returning EAGAIN. Level-triggered would need
//     an epoll_ctl per park (throttle wait, page-cache readahead) to stop being re-reported.
//   - The loop parks in Go's netpoller, not in a blocking epoll_wait (loop.go): its epoll fd is
//     itself pollable, so an idle loop holds no P and no thread and wakes like any net.Conn.
//   - Page-cache misses go to a small bounded worker pool (readahead.go): a loop never blocks
//     on the disk for a download.
//   - Throttling never sleeps (pacer.go, timers.go): a Pacer returns (granted, wait) and a
//     transfer that must wait is parked on the loop's timer heap.
//
// The engine is Linux-only.
package dataloop
