package main

import (
	"fmt"
	"os"

	"github.com/gonote/gonote/script"
)

// runnerCommand is the body of the runner process the kernel supervisor
// starts: it serves the runner protocol with requests on fd 3 and events on
// fd 4, while cells print to fd 1 and fd 2.
func runnerCommand() int {
	if err := script.ServeRunner(); err != nil {
		fmt.Fprintf(os.Stderr, "gonote runner: %v\n", err)
		return 1
	}
	return 0
}

// runCommand implements `gonote run FILE.go|FILE.ipynb [args...] [-o DIR]`:
// it runs the cells with the notebook DSL, writes displays as numbered
// files, prints text and errors to the terminal, and returns the exit
// status (non-zero after an error).
func runCommand(args []string) int {
	opts, err := script.ParseRunArgs(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	return script.Run(opts)
}
