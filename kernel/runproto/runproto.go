// Package runproto holds the framed protocol spoken between the gonote
// supervisor (package kernel) and its runner process (package script).
//
// The supervisor starts the runner with three extra pipes besides stdout and
// stderr: fd 3 carries Requests from the supervisor to the runner and fd 4
// carries Events from the runner back. Every frame is a 4-byte big-endian
// length followed by that many bytes of JSON.
//
// Output ordering: the runner's fd 1 and fd 2 are plain pipes read by the
// supervisor. Before the runner sends an Event that must appear after the
// output already written (a display, an execute_result, an error, a reply),
// it writes SyncMarker(n) to both fd 1 and fd 2 and puts n in Event.Sync. The
// supervisor processes such an event only after both stream readers have
// passed marker n, so prints and displays reach the notebook in order.
package runproto

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Request kinds, supervisor -> runner.
const (
	KindExecute   = "execute"   // Execute is set
	KindComplete  = "complete"  // Complete is set
	KindInspect   = "inspect"   // Inspect is set
	KindInput     = "input"     // Input holds the answer to an input_request
	KindInterrupt = "interrupt" // cancel the running cell's context
	KindRestore   = "restore"   // Restore holds the last Ledger snapshot of a dead runner
	KindShutdown  = "shutdown"  // finish and exit 0
)

// Event kinds, runner -> supervisor.
const (
	EventReady         = "ready"          // the runner is up; sent once at start
	EventDisplay       = "display_data"   // Display is set
	EventUpdate        = "update_display" // Display is set, with a display_id in Transient
	EventResult        = "execute_result" // Display is set: the cell's final value
	EventClear         = "clear_output"   // Wait is set
	EventError         = "error"          // Error is set (published on iopub)
	EventInputRequest  = "input_request"  // Prompt and Password are set
	EventExecuteReply  = "execute_reply"  // ExecuteReply is set; the cell is finished
	EventCompleteReply = "complete_reply" // Reply holds the complete_reply content
	EventInspectReply  = "inspect_reply"  // Reply holds the inspect_reply content
	EventLedger        = "ledger"         // Ledger holds an opaque snapshot to keep for a restart
	EventRestored      = "restored"       // Restored is set: answer to KindRestore
)

// Request is one frame from the supervisor to the runner.
type Request struct {
	Kind     string           `json:"kind"`
	ID       string           `json:"id,omitempty"` // the Jupyter msg_id of the request it serves
	Execute  *ExecuteRequest  `json:"execute,omitempty"`
	Complete *CompleteRequest `json:"complete,omitempty"`
	Inspect  *InspectRequest  `json:"inspect,omitempty"`
	Input    string           `json:"input,omitempty"`
	Restore  json.RawMessage  `json:"restore,omitempty"`
}

// ExecuteRequest asks the runner to run one cell.
type ExecuteRequest struct {
	Code            string            `json:"code"`
	Silent          bool              `json:"silent"`
	StoreHistory    bool              `json:"store_history"`
	AllowStdin      bool              `json:"allow_stdin"`
	ExecutionCount  int               `json:"execution_count"` // the number shown as In [n]
	UserExpressions map[string]string `json:"user_expressions,omitempty"`
}

// CompleteRequest is a complete_request; CursorPos counts Unicode code points.
type CompleteRequest struct {
	Code      string `json:"code"`
	CursorPos int    `json:"cursor_pos"`
}

// InspectRequest is an inspect_request; CursorPos counts Unicode code points.
type InspectRequest struct {
	Code        string `json:"code"`
	CursorPos   int    `json:"cursor_pos"`
	DetailLevel int    `json:"detail_level"`
}

// Event is one frame from the runner to the supervisor.
type Event struct {
	Kind string `json:"kind"`
	ID   string `json:"id,omitempty"` // msg_id of the request this event belongs to
	Sync uint64 `json:"sync,omitempty"`

	Display      *DisplayData    `json:"display,omitempty"`
	Wait         bool            `json:"wait,omitempty"`
	Error        *ErrorContent   `json:"error,omitempty"`
	Prompt       string          `json:"prompt,omitempty"`
	Password     bool            `json:"password,omitempty"`
	ExecuteReply *ExecuteReply   `json:"execute_reply,omitempty"`
	Reply        json.RawMessage `json:"reply,omitempty"`
	Ledger       json.RawMessage `json:"ledger,omitempty"`
	Restored     *Restored       `json:"restored,omitempty"`
}

// DisplayData is the content of display_data, update_display_data and
// execute_result messages (execution_count is added by the supervisor).
type DisplayData struct {
	Data      map[string]any `json:"data"`
	Metadata  map[string]any `json:"metadata"`
	Transient map[string]any `json:"transient,omitempty"`
}

// ErrorContent is the content of an iopub error message.
type ErrorContent struct {
	Ename     string   `json:"ename"`
	Evalue    string   `json:"evalue"`
	Traceback []string `json:"traceback"`
}

// ExecuteReply finishes a cell. Status is "ok", "error" or "aborted".
type ExecuteReply struct {
	Status          string         `json:"status"`
	Ename           string         `json:"ename,omitempty"`
	Evalue          string         `json:"evalue,omitempty"`
	Traceback       []string       `json:"traceback,omitempty"`
	UserExpressions map[string]any `json:"user_expressions,omitempty"`
	Payload         []any          `json:"payload,omitempty"`
}

// Restored answers a KindRestore request after a runner restart.
type Restored struct {
	Declarations int      `json:"declarations"`   // declarations and imports restored
	Lost         []string `json:"lost,omitempty"` // variables whose values were lost
	Err          string   `json:"err,omitempty"`  // what could not be restored
}

// MaxFrame bounds one frame, so a corrupt length cannot exhaust memory.
const MaxFrame = 256 << 20

// WriteFrame writes v as one length-prefixed JSON frame.
func WriteFrame(w io.Writer, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("runproto: encode frame: %w", err)
	}
	if len(body) > MaxFrame {
		return fmt.Errorf("runproto: frame of %d bytes exceeds %d", len(body), MaxFrame)
	}
	buf := make([]byte, 4+len(body))
	binary.BigEndian.PutUint32(buf, uint32(len(body)))
	copy(buf[4:], body)
	if _, err := w.Write(buf); err != nil {
		return fmt.Errorf("runproto: write frame: %w", err)
	}
	return nil
}

// ReadFrame reads one frame into v. It returns io.EOF at a clean end of stream.
func ReadFrame(r io.Reader, v any) error {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("runproto: truncated frame header: %w", err)
		}
		return err
	}
	n := binary.BigEndian.Uint32(head[:])
	if n > MaxFrame {
		return fmt.Errorf("runproto: frame of %d bytes exceeds %d", n, MaxFrame)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return fmt.Errorf("runproto: truncated frame body: %w", err)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("runproto: decode frame: %w", err)
	}
	return nil
}
