// Several server process trees sampled as one: every process once, even when a tree is
// inside another.

//go:build linux

package bench

import (
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// startTree starts sh with two sleeping children and waits (bounded) until both exist.
func startTree(t *testing.T) int {
	t.Helper()
	c := exec.Command("sh", "-c", "sleep 60 & sleep 60 & wait")
	if err := c.Start(); err != nil {
		t.Skipf("no sh: %v", err)
	}
	t.Cleanup(func() {
		if kids, err := childrenMap(); err == nil {
			for _, k := range kids[c.Process.Pid] {
				syscall.Kill(k, syscall.SIGKILL) // sh's own children, found by their parent

			}
		}
		c.Process.Kill()
		c.Wait()
	})
	for i := 0; i < 500; i++ {
		if kids, err := childrenMap(); err == nil && len(kids[c.Process.Pid]) == 2 {
			return c.Process.Pid
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("sh did not start its two children")
	return 0
}

func TestSampleProcTrees(t *testing.T) {
	a, b := startTree(t), startTree(t)
	one, err := SampleProcTree(a)
	if err != nil || one.Procs != 3 || one.Mem <= 0 {
		t.Fatalf("one tree: %+v %v, want 3 processes", one, err)
	}
	both, err := SampleProcTrees([]int{a, b})
	if err != nil || both.Procs != 6 {
		t.Fatalf("two trees: %+v %v, want 6 processes", both, err)
	}
	// `pgrep -f` under `go run` names a parent and its child: the child is counted once.
	kids, _ := childrenMap()
	nested, err := SampleProcTrees([]int{kids[a][0], a, a})
	if err != nil || nested.Procs != 3 {
		t.Fatalf("a tree and its own child: %+v %v, want 3 processes", nested, err)
	}
	if _, err := SampleProcTrees([]int{a, 999999999}); err == nil {
		t.Fatal("a missing root was ignored")
	}
}
