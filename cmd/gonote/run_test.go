package main

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildPair builds gonote and gonote-runner side by side into a temporary
// directory, as install.sh does, and returns the directory.
func buildPair(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	dir := t.TempDir()
	cmd := exec.Command(goTool, "build", "-o", dir+string(filepath.Separator),
		"github.com/gonote/gonote/cmd/gonote", "github.com/gonote/gonote/cmd/gonote-runner")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return dir
}

// TestRunPassesThrough runs scripts with the built gonote, which execs the
// sibling gonote-runner: the script's arguments, standard output and error
// and exit status must arrive unchanged.
func TestRunPassesThrough(t *testing.T) {
	bin := buildPair(t)
	dir := t.TempDir()
	scripts := map[string]string{
		"hello.go": "import (\"fmt\"; \"os\")\nfmt.Println(\"hello\", len(os.Args), os.Args[1:])\n",
		"exit3.go": "import (\"fmt\"; \"os\")\nfmt.Fprintln(os.Stderr, \"leaving\")\nos.Exit(3)\n",
		"bad.go":   "x := undefinedName + 1\n",
	}
	for name, src := range scripts {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"arguments and stdout", []string{"hello.go", "a", "b"}, 0, "hello 3 [a b]\n", ""},
		{"exit status and stderr", []string{"exit3.go"}, 3, "", "leaving\n"},
		{"compile error", []string{"bad.go"}, 1, "", "undefinedName"},
		{"missing script", []string{"nope.go"}, 1, "", "nope.go"},
		{"no script", nil, 2, "", "usage: gonote run"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(filepath.Join(bin, "gonote"), append([]string{"run"}, tt.args...)...)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), runnerEnv+"=")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var exitErr *exec.ExitError
			if err != nil && !errors.As(err, &exitErr) {
				t.Fatal(err)
			}
			if code := cmd.ProcessState.ExitCode(); code != tt.code {
				t.Errorf("exit status %d, want %d (stderr %q)", code, tt.code, stderr.String())
			}
			if tt.stdout != "" && stdout.String() != tt.stdout {
				t.Errorf("stdout %q, want %q", stdout.String(), tt.stdout)
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr %q does not contain %q", stderr.String(), tt.stderr)
			}
		})
	}
}

// TestRunSignalReachesScript interrupts `gonote run` of an endless loop by
// its process id: after the exec that process is the runner, which stops
// the script and exits with 130.
func TestRunSignalReachesScript(t *testing.T) {
	bin := buildPair(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "loop.go")
	if err := os.WriteFile(script, []byte("import \"fmt\"\nfmt.Println(\"ready\")\nn := 0\nfor {\n\tn++\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(bin, "gonote"), "run", script)
	cmd.Env = append(os.Environ(), runnerEnv+"=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "ready\n" {
		cmd.Process.Kill()
		t.Fatalf("first line %q, %v", line, err)
	}
	exe, err := os.Readlink("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/exe")
	if err == nil && filepath.Base(exe) != runnerName {
		t.Errorf("process %d runs %s after gonote run, want the exec'd %s", cmd.Process.Pid, exe, runnerName)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("gonote run did not stop within 30 s of SIGINT")
	}
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("exit status %d after SIGINT, want 130 (stderr %q)", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "Interrupted") {
		t.Errorf("stderr %q does not say the script was interrupted", stderr.String())
	}
}
