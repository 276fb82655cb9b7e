package script

import (
	"io"
	"log"
	"os"
	"runtime"
	"testing"
)

func runtimeGosched() { runtime.Gosched() }

func TestMain(m *testing.M) {
	log.SetOutput(io.Discard) // yaegi's internal compiler logs, as in the runner
	os.Exit(m.Run())
}
