// Command gonote is a Jupyter kernel for Go and a script runner:
//
//	gonote kernel CONNECTION_FILE      serve a Jupyter connection (started by Jupyter)
//	gonote install [--user | --sys-prefix | --prefix DIR] [--name NAME]
//	gonote uninstall [--user | --sys-prefix | --prefix DIR] [--name NAME]
//	gonote run FILE.go | NOTEBOOK.ipynb [...]
//	gonote version
//
// gonote itself holds no interpreter: the kernel supervisor starts the
// sibling binary gonote-runner (found next to gonote, or named by
// $GONOTE_RUNNER) as its runner process, and `gonote run` replaces itself
// with `gonote-runner run`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"

	"github.com/gonote/gonote/kernel"
)

// version is gonote's release.
const version = "0.1.0"

// runnerName is the file name of the runner binary, built from
// cmd/gonote-runner and installed next to gonote.
const runnerName = "gonote-runner"

// runnerEnv names an environment variable that overrides where the runner
// binary is.
const runnerEnv = "GONOTE_RUNNER"

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
}

func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "kernel":
		return kernelCommand(args[1:], stderr)
	case "install":
		return installCommand(args[1:], stdout, stderr, false)
	case "uninstall":
		return installCommand(args[1:], stdout, stderr, true)
	case "run":
		return runCommand(args[1:], stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "gonote", version)
		return 0
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "gonote: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage:
  gonote install [--user | --sys-prefix | --prefix DIR] [--name NAME]   register the Jupyter kernel
  gonote uninstall [--user | --sys-prefix | --prefix DIR] [--name NAME] remove it
  gonote run FILE.go | NOTEBOOK.ipynb [-p name=value ...] [-o OUT.ipynb] run cells headless
  gonote kernel CONNECTION_FILE                                          serve Jupyter (started by Jupyter)
  gonote version
`)
}

// kernelCommand serves one Jupyter connection until shutdown. SIGINT
// interrupts the running cell; SIGTERM stops the kernel.
func kernelCommand(args []string, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: gonote kernel CONNECTION_FILE")
		return 2
	}
	log.SetPrefix("")
	log.SetFlags(log.Ltime | log.Lmicroseconds)
	// The supervisor only relays messages, a few at a time and each in
	// microseconds; on one processor its goroutines hand work to each other
	// without waking other threads on other CPUs, which shortens every
	// round trip (BENCHMARKS.md). The runner, which computes, keeps them all.
	runtime.GOMAXPROCS(1)
	info, err := kernel.LoadConnection(args[0])
	if err != nil {
		fmt.Fprintln(stderr, "gonote:", err)
		return 1
	}
	runner, err := findRunner()
	if err != nil {
		fmt.Fprintln(stderr, "gonote:", err)
		return 1
	}
	k, err := kernel.New(info, kernel.Options{RunnerArgv: []string{runner}, Version: version})
	if err != nil {
		fmt.Fprintln(stderr, "gonote:", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	interrupts := make(chan os.Signal, 1)
	signal.Notify(interrupts, os.Interrupt)
	go func() {
		for range interrupts {
			k.Interrupt()
		}
	}()
	if err := k.Run(ctx); err != nil {
		fmt.Fprintln(stderr, "gonote:", err)
		return 1
	}
	return 0
}

// executable is the absolute path of this binary, symlinks resolved.
func executable() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find the gonote binary: %w", err)
	}
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	return filepath.Abs(exe)
}

// findRunner returns the absolute path of the runner binary: $GONOTE_RUNNER
// when set, else gonote-runner in the directory of this executable. It fails
// with the path it looked at when that is not an executable file.
func findRunner() (string, error) {
	path, from := os.Getenv(runnerEnv), "in $"+runnerEnv
	if path == "" {
		exe, err := executable()
		if err != nil {
			return "", err
		}
		path, from = filepath.Join(filepath.Dir(exe), runnerName), "next to "+exe
	}
	path, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("runner path %q (from %s): %w", path, from, err)
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("the runner binary %s (looked for %s) does not exist; build it with `go build -o %s ./cmd/gonote-runner` (install.sh builds gonote and gonote-runner together)", path, from, path)
	case err != nil:
		return "", fmt.Errorf("the runner binary (looked for %s): %w", from, err)
	case !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0:
		return "", fmt.Errorf("the runner binary %s (looked for %s) is not an executable file (mode %v)", path, from, fi.Mode())
	}
	return path, nil
}

// runCommand implements `gonote run ...` by replacing this process with
// `gonote-runner run ...`, so the script's exit status, signals and standard
// streams are the runner's own. It returns only when that fails.
func runCommand(args []string, stderr io.Writer) int {
	runner, err := findRunner()
	if err != nil {
		fmt.Fprintln(stderr, "gonote run:", err)
		return 1
	}
	argv := append([]string{runner, "run"}, args...)
	err = syscall.Exec(runner, argv, os.Environ())
	fmt.Fprintf(stderr, "gonote run: start %s: %v\n", runner, err)
	return 1
}

// installCommand installs or removes the kernelspec.
func installCommand(args []string, stdout, stderr io.Writer, remove bool) int {
	verb := "install"
	if remove {
		verb = "uninstall"
	}
	fs := flag.NewFlagSet("gonote "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	user := fs.Bool("user", false, "install for the current user (the default): $JUPYTER_DATA_DIR/kernels or ~/.local/share/jupyter/kernels")
	sysPrefix := fs.Bool("sys-prefix", false, "install into python3's sys.prefix/share/jupyter/kernels")
	prefix := fs.String("prefix", "", "install into `DIR`/share/jupyter/kernels")
	name := fs.String("name", kernel.DefaultKernelName, "kernelspec `NAME`")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "gonote %s: unexpected argument %q\n", verb, fs.Arg(0))
		return 2
	}
	chosen := 0
	mode := kernel.InstallUser
	for _, m := range []struct {
		set  bool
		mode string
	}{{*user, kernel.InstallUser}, {*sysPrefix, kernel.InstallSysPrefix}, {*prefix != "", kernel.InstallPrefix}} {
		if m.set {
			chosen++
			mode = m.mode
		}
	}
	if chosen > 1 {
		fmt.Fprintf(stderr, "gonote %s: choose one of --user, --sys-prefix and --prefix\n", verb)
		return 2
	}
	dir, err := kernel.KernelsDir(mode, *prefix)
	if err != nil {
		fmt.Fprintln(stderr, "gonote:", err)
		return 1
	}
	if remove {
		removed, err := kernel.UninstallKernelSpec(dir, *name)
		if err != nil {
			fmt.Fprintln(stderr, "gonote:", err)
			return 1
		}
		if removed {
			fmt.Fprintf(stdout, "removed kernelspec %s from %s\n", *name, dir)
		} else {
			fmt.Fprintf(stdout, "kernelspec %s is not installed in %s: nothing to remove\n", *name, dir)
		}
		return 0
	}
	exe, err := executable()
	if err != nil {
		fmt.Fprintln(stderr, "gonote:", err)
		return 1
	}
	specDir, err := kernel.InstallKernelSpec(dir, *name, exe)
	if err != nil {
		fmt.Fprintln(stderr, "gonote:", err)
		return 1
	}
	fmt.Fprintf(stdout, "installed kernelspec %s in %s (runs %s)\n", *name, specDir, exe)
	return 0
}
