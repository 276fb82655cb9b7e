// Package script runs notebook cells written in Go on the yaegi
// interpreter: the cell compiler (compile.go, rewrite.go) splits a cell into
// imports, declarations and statements in any order and rewrites the
// patterns yaegi mishandles; the Session (session.go) evaluates the pieces,
// shows the final value, turns failures into one error with a traceback of
// cell lines, and keeps a ledger of definitions (ledger.go) so that a
// redefinition rebinds what depends on it and a new runner process can be
// restored; magic.go holds the %magics; runner.go serves the runner
// protocol of package kernel/runproto; run.go is `gonote run` for scripts
// and notebooks.
package script
