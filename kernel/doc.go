// Package kernel is the Jupyter side of gonote: it reads the connection file,
// speaks the Jupyter wire protocol (frames, HMAC signatures) over zmq4
// sockets, answers heartbeat, control, history, is_complete and comm requests
// itself, and supervises the runner process that holds the Go interpreter
// (started, fed and restarted through package kernel/runproto).
//
// The supervisor never runs user code, so nothing a cell does can stop the
// kernel process or its heartbeat.
package kernel
