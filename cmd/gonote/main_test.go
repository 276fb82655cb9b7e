package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gonote/gonote/cmd/internal/clitest"
)

func TestDispatch(t *testing.T) {
	dir := t.TempDir()
	badConn := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(badConn, []byte(`{"ip":"127.0.0.1","signature_scheme":"hmac-md4","shell_port":1,"control_port":2,"stdin_port":3,"hb_port":4,"iopub_port":5}`), 0o600); err != nil {
		t.Fatal(err)
	}
	goodConn := filepath.Join(dir, "good.json")
	if err := os.WriteFile(goodConn, []byte(`{"ip":"127.0.0.1","transport":"tcp","signature_scheme":"hmac-sha256","key":"k","shell_port":1,"control_port":2,"stdin_port":3,"hb_port":4,"iopub_port":5}`), 0o600); err != nil {
		t.Fatal(err)
	}
	notExec := filepath.Join(dir, "gonote-runner-noexec")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "no", "gonote-runner")
	t.Setenv("JUPYTER_DATA_DIR", filepath.Join(dir, "data"))
	testBinary, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	besideTest := filepath.Join(filepath.Dir(testBinary), runnerName)
	tests := []struct {
		name     string
		args     []string
		runner   string // $GONOTE_RUNNER; "" looks next to the test binary, where there is none
		code     int
		stdout   string
		stderr   string
		postFile string // must exist afterwards
	}{
		{"no command", nil, "", 2, "", "usage:", ""},
		{"unknown command", []string{"frobnicate"}, "", 2, "", `unknown command "frobnicate"`, ""},
		{"version", []string{"version"}, "", 0, "gonote " + version, "", ""},
		{"kernel without file", []string{"kernel"}, "", 2, "", "usage: gonote kernel CONNECTION_FILE", ""},
		{"kernel with missing file", []string{"kernel", filepath.Join(dir, "nope.json")}, "", 1, "", "nope.json", ""},
		{"kernel with unknown scheme", []string{"kernel", badConn}, "", 1, "", `signature_scheme "hmac-md4" is not supported`, ""},
		{"install two modes", []string{"install", "--user", "--prefix", dir}, "", 2, "", "choose one of", ""},
		{"install bad name", []string{"install", "--name", "a b"}, "", 1, "", `kernel name "a b"`, ""},
		{"install user", []string{"install"}, "", 0, "installed kernelspec gonote", "", filepath.Join(dir, "data", "kernels", "gonote", "kernel.json")},
		{"install prefix", []string{"install", "--prefix", filepath.Join(dir, "env"), "--name", "g2"}, "", 0, "installed kernelspec g2", "",
			filepath.Join(dir, "env", "share", "jupyter", "kernels", "g2", "logo-64x64.png")},
		{"uninstall", []string{"uninstall"}, "", 0, "removed kernelspec gonote", "", ""},
		{"uninstall again", []string{"uninstall"}, "", 0, "nothing to remove", "", ""},
		{"install extra argument", []string{"install", "extra"}, "", 2, "", `unexpected argument "extra"`, ""},
		{"kernel without runner beside gonote", []string{"kernel", goodConn}, "", 1, "", "the runner binary " + besideTest + " (looked for next to", ""},
		{"kernel with missing $GONOTE_RUNNER", []string{"kernel", goodConn}, missing, 1, "", "the runner binary " + missing + " (looked for in $GONOTE_RUNNER) does not exist", ""},
		{"kernel with a runner that is not executable", []string{"kernel", goodConn}, notExec, 1, "", notExec + " (looked for in $GONOTE_RUNNER) is not an executable file", ""},
		{"kernel with a directory as runner", []string{"kernel", goodConn}, dir, 1, "", "is not an executable file", ""},
		{"run without runner beside gonote", []string{"run", "x.go"}, "", 1, "", "gonote run: the runner binary " + besideTest, ""},
		{"run with missing $GONOTE_RUNNER", []string{"run", "x.go"}, missing, 1, "", missing + " (looked for in $GONOTE_RUNNER) does not exist", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(runnerEnv, tt.runner)
			clitest.Check(t, dispatch, tt.args, clitest.Want{Code: tt.code, Stdout: tt.stdout, Stderr: tt.stderr})
			if tt.postFile != "" {
				if _, err := os.Stat(tt.postFile); err != nil {
					t.Errorf("expected %s: %v", tt.postFile, err)
				}
			}
		})
	}
}
