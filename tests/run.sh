#!/usr/bin/env bash
# tests/run.sh — the whole test suite: static checks, Go tests, the Jupyter
# protocol conformance tests and every notebook executed end to end.
#
#   tests/run.sh            everything (slow statistical checks too when GONOTE_SLOW=1)
#
# Needs Go and Debian's python3-jupyter-client, python3-jupyter-kernel-test,
# python3-nbclient, jupyter-nbconvert, python3-ipykernel and python3-numpy
# (.ci/run installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v go >/dev/null 2>&1 || export PATH="$PATH:/usr/local/go/bin"

step() { printf '\n=== %s\n' "$*"; }

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt wants to change:"; echo "$unformatted"; exit 1
fi

step "go vet"
go vet ./...

step "go test"
go test -count=1 ./...

# Some script tests drive yaegi v0.16.1 into its own data races on purpose
# (an interrupted cell whose compiled call is not awaited, as in gonote run;
# interpreted goroutines of one cell running while the next cell compiles:
# corpus sharp.txt; goroutines calling a function literal held in a
# variable, whose return writes into the creating frame unlocked: corpus
# semantics.txt, TestLoopVariablesInGoroutines and
# TestLoopWithDefersInAFunctionRuns; a goroutine that enters
# an interpreted function or panics while the next cell starts reads the
# global frame's done channel and the package scope's name, which every
# Execute and Compile rewrite with the same values:
# TestRunnerImmediateGoroutinePanicIsReportedOnce); they run in the plain
# pass above and are left out of the race pass, which checks our code.
# Instrumenting our packages only (-gcflags=yaegi...=-race=false) is no way
# out: it loses yaegi's happens-before edges and reports reflect's caches.
step "go test -race (kernel, cmd, script)"
go test -count=1 -race ./kernel/... ./cmd/...
go test -count=1 -race -skip 'TestInterruptedTopLevelLoopStaysStopped|TestCorpus/sharp.txt|TestCorpus/semantics.txt|TestLoopVariablesInGoroutines|TestLoopWithDefersInAFunctionRuns|TestRunnerImmediateGoroutinePanicIsReportedOnce' ./script/...

# The protocol and notebook tests run against a freshly built binary whose
# kernelspec lives in a private Jupyter path, so they never test a stale install.
step "build gonote and gonote-runner and register the kernel in a private Jupyter path"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/" ./cmd/gonote ./cmd/gonote-runner
"$work/gonote" install --prefix "$work/prefix" --name gonote
export JUPYTER_PATH="$work/prefix/share/jupyter"
export JUPYTER_DATA_DIR="$work/data"
export GONOTE_BIN="$work/gonote"

step "Jupyter protocol and notebook tests (jupyter_client, jupyter_kernel_test, nbclient)"
/usr/bin/python3 -m unittest discover -s tests -p 'test_*.py' -v
