// Command gonote-runner holds gonote's Go interpreter (package script, on
// yaegi). It is a separate binary so that the kernel supervisor, gonote,
// carries none of the interpreter and its symbol tables:
//
//	gonote-runner                      the runner process of `gonote kernel`:
//	                                   requests on fd 3, events on fd 4,
//	                                   cell output on fd 1 and fd 2
//	gonote-runner run FILE.go | NOTEBOOK.ipynb [...]
//	                                   the engine of `gonote run`, which
//	                                   execs it with the same arguments
//
// Install it next to gonote (install.sh builds both into bin/).
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/gonote/gonote/script"
)

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
}

func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return serveRunner(stderr)
	}
	switch args[0] {
	case "run":
		return runScript(args[1:], stderr)
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "gonote-runner: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage (gonote-runner is started by gonote; run gonote instead):
  gonote-runner                                     serve the runner protocol on fd 3 (requests) and fd 4 (events)
  gonote-runner run FILE.go | NOTEBOOK.ipynb [...]  what 'gonote run' executes
`)
}

// serveRunner is the body of the runner process the kernel supervisor
// starts: it serves the runner protocol with requests on fd 3 and events on
// fd 4, while cells print to fd 1 and fd 2.
func serveRunner(stderr io.Writer) int {
	if err := script.ServeRunner(); err != nil {
		fmt.Fprintf(stderr, "gonote runner: %v\n", err)
		return 1
	}
	return 0
}

// runScript implements `gonote run FILE.go|FILE.ipynb [args...] [-o DIR]`:
// it runs the cells with the notebook DSL, writes displays as numbered
// files, prints text and errors to the terminal, and returns the exit
// status (non-zero after an error).
func runScript(args []string, stderr io.Writer) int {
	opts, err := script.ParseRunArgs(args)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	return script.Run(opts)
}
