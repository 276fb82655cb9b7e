package script

import (
	"context"
	"reflect"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/traefik/yaegi/interp"
)

// yaegiControl reaches the fields of a yaegi v0.16.1 Interpreter that its
// ExecuteWithContext uses to stop a run: the run id that interpreted code
// checks before every step, the channel that cancellable channel
// operations select on, and the lock and switch around them.
type yaegiControl struct {
	id         *uint64
	mu         *sync.RWMutex
	done       *chan struct{}
	cancelChan *bool
	fastChan   bool
}

// yaegiControlOf finds the fields, or reports false if a yaegi upgrade
// renamed them.
func yaegiControlOf(in *interp.Interpreter) (yaegiControl, bool) {
	iv := reflect.ValueOf(in).Elem()
	id, mu, done := iv.FieldByName("id"), iv.FieldByName("mutex"), iv.FieldByName("done")
	cancelChan, fastChan := iv.FieldByName("cancelChan"), iv.FieldByName("fastChan")
	for _, f := range []struct {
		v reflect.Value
		t reflect.Type
	}{
		{id, reflect.TypeFor[uint64]()}, {mu, reflect.TypeFor[sync.RWMutex]()}, {done, reflect.TypeFor[chan struct{}]()},
		{cancelChan, reflect.TypeFor[bool]()}, {fastChan, reflect.TypeFor[bool]()},
	} {
		if !f.v.IsValid() || f.v.Type() != f.t {
			return yaegiControl{}, false
		}
	}
	return yaegiControl{
		id:         (*uint64)(unsafe.Pointer(id.UnsafeAddr())),
		mu:         (*sync.RWMutex)(unsafe.Pointer(mu.UnsafeAddr())),
		done:       (*chan struct{})(unsafe.Pointer(done.UnsafeAddr())),
		cancelChan: (*bool)(unsafe.Pointer(cancelChan.UnsafeAddr())),
		fastChan:   fastChan.Bool(),
	}, true
}

// executeWatched runs prog as the interpreter's ExecuteWithContext does,
// and stops it the same way when ctx ends (the run id moves on and the
// done channel closes, which stops every interpreted goroutine at its next
// step or channel operation). ExecuteWithContext then returns at once and
// leaves its goroutine behind, still inside whatever compiled call it was
// in (time.Sleep, a long gonum routine, a WaitGroup); that call may finish
// much later and go on running the interpreter's bookkeeping while later
// cells compile. executeWatched also returns a channel that is closed when
// that goroutine has really returned, so the caller can wait for it.
// stopped, if not nil, is called once the interpreter has been stopped
// (compiled calls that should end early on an interrupt wait for it: see
// Session.sleep).
// ctl is the interpreter's control (yaegiControlOf), nil when it was not
// found: then the run is ExecuteWithContext's own.
func executeWatched(ctx context.Context, in *interp.Interpreter, ctl *yaegiControl, prog *interp.Program, stopped func()) (reflect.Value, <-chan struct{}, error) {
	finished := make(chan struct{})
	if ctl == nil {
		defer close(finished)
		res, err := in.ExecuteWithContext(ctx, prog)
		if ctx.Err() != nil && stopped != nil {
			stopped()
		}
		return res, finished, err
	}
	ctl.mu.Lock()
	done := make(chan struct{})
	*ctl.done = done
	*ctl.cancelChan = !ctl.fastChan
	ctl.mu.Unlock()
	var res reflect.Value
	var err error
	go func() {
		defer close(finished)
		res, err = in.Execute(prog)
	}()
	select {
	case <-ctx.Done():
		atomic.AddUint64(ctl.id, 1)
		close(done)
		if stopped != nil {
			stopped()
		}
		return reflect.Value{}, finished, ctx.Err()
	case <-finished:
		return res, finished, err
	}
}
