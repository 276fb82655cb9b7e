package kernel

import (
	"encoding/json"
	"log"
	"runtime"
	"strings"
	"time"

	"github.com/gonote/gonote/kernel/runproto"
)

// handle answers one non-execute request on ch, between status busy and
// idle, replying on the same socket.
func (k *Kernel) handle(ch *channel, m *Message) {
	if m.Header.MsgType == "execute_request" {
		// Only shell queues cells; on control an execute is refused.
		k.status(m, "busy")
		k.reply(ch, m, "execute_reply", map[string]any{"status": "error", "execution_count": k.execCount.Load(),
			"ename": "BadRequest", "evalue": "execute_request must be sent on the shell channel", "traceback": []string{}})
		k.status(m, "idle")
		return
	}
	if m.Header.MsgType == "kernel_info_request" {
		// The first kernel_info is a client's readiness probe: wait for
		// its iopub subscription so the probe's status messages arrive.
		k.firstInfo.Do(func() { k.socks.waitSubscriber(time.Second) })
	}
	k.status(m, "busy")
	if m.Header.MsgType == "shutdown_request" {
		k.status(m, "idle")
		k.shutdown(ch, m)
		return
	}
	defer k.status(m, "idle")
	switch m.Header.MsgType {
	case "kernel_info_request":
		k.reply(ch, m, "kernel_info_reply", k.kernelInfo())
	case "interrupt_request":
		k.Interrupt()
		k.reply(ch, m, "interrupt_reply", map[string]any{"status": "ok"})
	case "is_complete_request":
		var c struct {
			Code string `json:"code"`
		}
		_ = json.Unmarshal(m.Content, &c)
		r := IsComplete(c.Code)
		content := map[string]any{"status": r.Status}
		if r.Status == "incomplete" {
			content["indent"] = r.Indent
		}
		k.reply(ch, m, "is_complete_reply", content)
	case "history_request":
		k.reply(ch, m, "history_reply", k.historyReply(m.Content))
	case "complete_request":
		k.reply(ch, m, "complete_reply", k.complete(m))
	case "inspect_request":
		k.reply(ch, m, "inspect_reply", k.inspect(m))
	case "comm_info_request":
		k.reply(ch, m, "comm_info_reply", map[string]any{"status": "ok", "comms": map[string]any{}})
	case "comm_open":
		// No comm targets are registered: close the comm at once, as the
		// spec asks of a kernel that cannot open it.
		var c struct {
			CommID     string `json:"comm_id"`
			TargetName string `json:"target_name"`
		}
		_ = json.Unmarshal(m.Content, &c)
		log.Printf("gonote: comm_open for unknown target %q: closing it", c.TargetName)
		k.publish(m.RawHeader, "comm_close", map[string]any{"comm_id": c.CommID, "data": map[string]any{}})
	case "comm_msg", "comm_close":
		// Comms are never open here: nothing to deliver, and these
		// messages have no reply.
	default:
		log.Printf("gonote: unsupported message type %q on %s", m.Header.MsgType, ch.name)
	}
}

// kernelInfo is the content of kernel_info_reply.
func (k *Kernel) kernelInfo() map[string]any {
	goVersion := strings.TrimPrefix(runtime.Version(), "go")
	return map[string]any{
		"status":                 "ok",
		"protocol_version":       ProtocolVersion,
		"implementation":         "gonote",
		"implementation_version": k.opts.Version,
		"language_info": map[string]any{
			"name":            "go",
			"version":         goVersion,
			"mimetype":        "text/x-go",
			"file_extension":  ".go",
			"pygments_lexer":  "go",
			"codemirror_mode": "go",
		},
		"banner": "gonote " + k.opts.Version + " — Go " + goVersion +
			" on the yaegi interpreter, with gonum and gonum/plot.\nType %help for magics.",
		"help_links": []map[string]string{
			{"text": "Go documentation", "url": "https://go.dev/doc/"},
			{"text": "Go standard library", "url": "https://pkg.go.dev/std"},
			{"text": "gonum", "url": "https://pkg.go.dev/gonum.org/v1/gonum"},
			{"text": "gonum/plot", "url": "https://pkg.go.dev/gonum.org/v1/plot"},
		},
		"debugger": false,
	}
}

// historyRequest is the content of history_request.
type historyRequest struct {
	Output         bool   `json:"output"`
	Raw            bool   `json:"raw"`
	HistAccessType string `json:"hist_access_type"`
	Session        int    `json:"session"`
	Start          int    `json:"start"`
	Stop           int    `json:"stop"`
	N              int    `json:"n"`
	Pattern        string `json:"pattern"`
	Unique         bool   `json:"unique"`
}

func (k *Kernel) historyReply(raw json.RawMessage) map[string]any {
	var r historyRequest
	if err := json.Unmarshal(raw, &r); err != nil {
		return map[string]any{"status": "error", "ename": "BadRequest", "evalue": "history_request content: " + err.Error(),
			"traceback": []string{}, "history": []any{}}
	}
	var entries []HistoryEntry
	switch r.HistAccessType {
	case "tail":
		entries = k.history.Tail(r.N)
	case "range":
		entries = k.history.Range(r.Session, r.Start, r.Stop)
	case "search":
		pattern := r.Pattern
		if pattern == "" {
			pattern = "*"
		}
		entries = k.history.Search(pattern, r.N, r.Unique)
	default:
		return map[string]any{"status": "error", "ename": "BadRequest",
			"evalue":    `hist_access_type "` + r.HistAccessType + `": must be "tail", "range" or "search"`,
			"traceback": []string{}, "history": []any{}}
	}
	out := make([]any, 0, len(entries))
	for _, e := range entries {
		if r.Output {
			out = append(out, []any{e.Session, e.Line, []any{e.Source, nil}})
		} else {
			out = append(out, []any{e.Session, e.Line, e.Source})
		}
	}
	return map[string]any{"status": "ok", "history": out}
}

// complete forwards a complete_request to the runner; without an answer
// it replies with no matches at the cursor.
func (k *Kernel) complete(m *Message) any {
	var c runproto.CompleteRequest
	_ = json.Unmarshal(m.Content, &c)
	if raw, ok := k.sup.ask(runproto.Request{Kind: runproto.KindComplete, ID: m.Header.MsgID, Complete: &c}, k.opts.AskTimeout); ok {
		return raw
	}
	return map[string]any{"status": "ok", "matches": []string{}, "cursor_start": c.CursorPos,
		"cursor_end": c.CursorPos, "metadata": map[string]any{}}
}

// inspect forwards an inspect_request to the runner; without an answer it
// replies found false.
func (k *Kernel) inspect(m *Message) any {
	var c runproto.InspectRequest
	_ = json.Unmarshal(m.Content, &c)
	if raw, ok := k.sup.ask(runproto.Request{Kind: runproto.KindInspect, ID: m.Header.MsgID, Inspect: &c}, k.opts.AskTimeout); ok {
		return raw
	}
	return map[string]any{"status": "ok", "found": false, "data": map[string]any{}, "metadata": map[string]any{}}
}
