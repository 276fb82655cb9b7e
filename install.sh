#!/usr/bin/env bash
# install.sh — build gonote and register it as the Jupyter kernel "Go (gonote)".
#
#   ./install.sh                 build ./bin/gonote and ./bin/gonote-runner (the interpreter
#                                process gonote starts; keep the two side by side), install
#                                the kernelspec for this user
#   ./install.sh --sys-prefix    install the kernelspec into Python's sys.prefix instead
#   ./install.sh --prefix DIR    install the kernelspec into DIR/share/jupyter/kernels
#
# Needs Go 1.26 or later (found on PATH or in /usr/local/go/bin).
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v go >/dev/null 2>&1; then
	if [ -x /usr/local/go/bin/go ]; then
		export PATH="$PATH:/usr/local/go/bin"
	else
		echo "install.sh: the Go toolchain was not found (need Go 1.26+ on PATH or in /usr/local/go)" >&2
		exit 1
	fi
fi

mkdir -p bin
echo "install.sh: building gonote and gonote-runner ($(go version))"
go build -trimpath -o bin/ ./cmd/gonote ./cmd/gonote-runner
echo "install.sh: registering the kernelspec"
./bin/gonote install "$@"
if command -v jupyter >/dev/null 2>&1; then
	jupyter kernelspec list 2>/dev/null | grep -i gonote || true
fi
echo "install.sh: done. Start JupyterLab with 'jupyter lab' and pick \"Go (gonote)\"."
