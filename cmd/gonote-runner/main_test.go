package main

import (
	"testing"

	"github.com/gonote/gonote/cmd/internal/clitest"
)

func TestDispatch(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"help", []string{"help"}, 0, "gonote-runner run FILE.go", ""},
		{"unknown command", []string{"__runner"}, 2, "", `gonote-runner: unknown command "__runner"`},
		{"run without a file", []string{"run"}, 2, "", "usage: gonote run FILE.go|NOTEBOOK.ipynb"},
		{"run a notebook with a stray argument", []string{"run", "nb.ipynb", "extra"}, 2, "", `unexpected "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clitest.Check(t, dispatch, tt.args, clitest.Want{Code: tt.code, Stdout: tt.stdout, Stderr: tt.stderr})
		})
	}
}
