package kernel

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// maxHistory is how many entries the history file keeps.
const maxHistory = 10000

// HistoryEntry is one executed cell.
type HistoryEntry struct {
	Session int    `json:"session"`
	Line    int    `json:"line"`
	Source  string `json:"source"`
}

// History is the input history of all sessions, kept in a JSON-lines file
// so that it survives kernel restarts. Each kernel process is one session.
type History struct {
	mu      sync.Mutex
	file    string
	out     *os.File // opened for appending at the first Add
	entries []HistoryEntry
	session int
}

// JupyterDataDir returns $JUPYTER_DATA_DIR, or $XDG_DATA_HOME/jupyter, or
// ~/.local/share/jupyter, as jupyter_core does on Linux.
func JupyterDataDir() (string, error) {
	if d := os.Getenv("JUPYTER_DATA_DIR"); d != "" {
		return d, nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "jupyter"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("kernel: find the Jupyter data dir: %w", err)
	}
	return filepath.Join(home, ".local", "share", "jupyter"), nil
}

// OpenHistory loads the history file (creating its directory) and starts a
// new session numbered one after the last one recorded. An empty file name
// keeps the history in memory only.
func OpenHistory(file string) (*History, error) {
	h := &History{file: file}
	if file != "" {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			return nil, fmt.Errorf("kernel: history dir: %w", err)
		}
		if err := h.load(); err != nil {
			return nil, err
		}
	}
	for _, e := range h.entries {
		h.session = max(h.session, e.Session)
	}
	h.session++
	if len(h.entries) > maxHistory {
		h.entries = h.entries[len(h.entries)-maxHistory:]
		if err := h.rewrite(); err != nil {
			return nil, err
		}
	}
	return h, nil
}

func (h *History) load() error {
	f, err := os.Open(h.file)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("kernel: open history: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var e HistoryEntry
		if json.Unmarshal(sc.Bytes(), &e) == nil && e.Session > 0 {
			h.entries = append(h.entries, e)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("kernel: read history %s: %w", h.file, err)
	}
	return nil
}

func (h *History) rewrite() error {
	tmp := h.file + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("kernel: rewrite history: %w", err)
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for _, e := range h.entries {
		if err := enc.Encode(e); err != nil {
			f.Close()
			return fmt.Errorf("kernel: rewrite history: %w", err)
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("kernel: rewrite history: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("kernel: rewrite history: %w", err)
	}
	return os.Rename(tmp, h.file)
}

// Session returns the number of the current session.
func (h *History) Session() int { return h.session }

// Add records the source of execution line in the current session.
func (h *History) Add(line int, source string) error {
	e := HistoryEntry{Session: h.session, Line: line, Source: source}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.entries = append(h.entries, e)
	if h.file == "" {
		return nil
	}
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("kernel: history entry: %w", err)
	}
	if h.out == nil {
		f, err := os.OpenFile(h.file, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return fmt.Errorf("kernel: append history: %w", err)
		}
		h.out = f
	}
	// One write of a whole line: with O_APPEND, kernels sharing the file
	// do not interleave their entries.
	if _, err := h.out.Write(append(data, '\n')); err != nil {
		return fmt.Errorf("kernel: append history: %w", err)
	}
	return nil
}

// Close closes the history file.
func (h *History) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.out == nil {
		return nil
	}
	err := h.out.Close()
	h.out = nil
	return err
}

// Tail returns the last n entries of all sessions, oldest first.
func (h *History) Tail(n int) []HistoryEntry {
	h.mu.Lock()
	defer h.mu.Unlock()
	if n <= 0 || n > len(h.entries) {
		n = len(h.entries)
	}
	return append([]HistoryEntry(nil), h.entries[len(h.entries)-n:]...)
}

// Range returns the entries of session with start <= line < stop (stop <= 0
// means to the end). A session <= 0 counts back from the current session:
// 0 is the current one, -1 the one before.
func (h *History) Range(session, start, stop int) []HistoryEntry {
	if session <= 0 {
		session += h.session
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []HistoryEntry
	for _, e := range h.entries {
		if e.Session == session && e.Line >= start && (stop <= 0 || e.Line < stop) {
			out = append(out, e)
		}
	}
	return out
}

// Search returns the entries whose source matches the glob pattern (as
// IPython: "*" and "?" match any text and any character, across lines; the
// pattern matches the whole source). With unique, only the latest of equal
// sources is kept. n > 0 keeps the last n matches.
func (h *History) Search(pattern string, n int, unique bool) []HistoryEntry {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []HistoryEntry
	seen := map[string]bool{}
	for i := len(h.entries) - 1; i >= 0; i-- {
		e := h.entries[i]
		if !globMatch(pattern, e.Source) || (unique && seen[e.Source]) {
			continue
		}
		seen[e.Source] = true
		out = append(out, e)
		if n > 0 && len(out) == n {
			break
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// globMatch matches a glob in which "*" and "?" also match "/" and newlines
// (path.Match stops at "/"), by matching rune by rune.
func globMatch(pattern, s string) bool {
	p, t := []rune(pattern), []rune(s)
	pi, ti := 0, 0
	star, mark := -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == t[ti]) && p[pi] != '*':
			pi++
			ti++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, ti
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			ti = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
