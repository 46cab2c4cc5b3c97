package worker

import (
	"context"
	"testing"
	"time"
)

// A suspect task waits until the tasks already running are done, and no
// task starts beside it; a task abandoned at its deadline stops counting.
func TestIsolation(t *testing.T) {
	iso := newIsolation()
	ctx := context.Background()
	leaveA, err := iso.enter(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := iso.enter(short, true); err == nil {
		t.Fatal("a suspect started beside a running task")
	}
	leaveA()
	leaveS, err := iso.enter(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	short2, cancel2 := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel2()
	if _, err := iso.enter(short2, false); err == nil {
		t.Fatal("a task started beside a suspect")
	}
	leaveS()

	// A stuck task's share goes back when its context ends.
	stuck, cancel3 := context.WithCancel(ctx)
	if _, err := iso.enter(stuck, false); err != nil {
		t.Fatal(err)
	}
	cancel3()
	wait, cancel4 := context.WithTimeout(ctx, 5*time.Second)
	defer cancel4()
	leave, err := iso.enter(wait, true)
	if err != nil {
		t.Fatalf("the suspect still waits for an abandoned task: %v", err)
	}
	leave()
}
