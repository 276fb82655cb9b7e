package kernel

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseConnection(t *testing.T) {
	const ports = `"shell_port":5001,"control_port":5002,"stdin_port":5003,"hb_port":5004,"iopub_port":5005`
	tests := []struct {
		name     string
		json     string
		wantErr  string
		endpoint string // of the shell port
	}{
		{"tcp loopback", `{"transport":"tcp","ip":"127.0.0.1","key":"k","signature_scheme":"hmac-sha256",` + ports + `}`, "", "tcp://127.0.0.1:5001"},
		{"any address", `{"transport":"tcp","ip":"0.0.0.0","key":"k",` + ports + `}`, "", "tcp://0.0.0.0:5001"},
		{"star", `{"ip":"*",` + ports + `}`, "", "tcp://0.0.0.0:5001"},
		{"ipv6", `{"ip":"::1",` + ports + `}`, "", "tcp://[::1]:5001"},
		{"ipc", `{"transport":"ipc","ip":"/tmp/kernel-x","signature_scheme":"hmac-sha512",` + ports + `}`, "", "ipc:///tmp/kernel-x-5001"},
		{"unknown scheme", `{"ip":"127.0.0.1","signature_scheme":"hmac-whirlpool",` + ports + `}`, `signature_scheme "hmac-whirlpool" is not supported`, ""},
		{"unknown transport", `{"transport":"udp","ip":"127.0.0.1",` + ports + `}`, `transport "udp"`, ""},
		{"missing ip", `{` + ports + `}`, "ip is missing", ""},
		{"missing port", `{"ip":"127.0.0.1","shell_port":5001}`, "control_port 0: must be in 1..65535", ""},
		{"port out of range", `{"ip":"127.0.0.1",` + strings.Replace(ports, "5005", "70000", 1) + `}`, "iopub_port 70000", ""},
		{"duplicate port", `{"ip":"127.0.0.1",` + strings.Replace(ports, "5005", "5001", 1) + `}`, "same port as shell_port", ""},
		{"malformed json", `{"ip":`, "malformed JSON", ""},
		{"port as string", `{"ip":"127.0.0.1","shell_port":"5001"}`, "malformed JSON", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, err := ParseConnection([]byte(tt.json))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := info.Endpoint(info.ShellPort); got != tt.endpoint {
				t.Errorf("endpoint %s, want %s", got, tt.endpoint)
			}
		})
	}
}

func TestLoadConnectionNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kernel-1.json")
	if err := os.WriteFile(path, []byte("not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadConnection(path)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("error %v does not name %s", err, path)
	}
	if _, err := LoadConnection(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("a missing file was accepted")
	}
}
