package kernel

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/json"
	"fmt"
	"hash"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
)

// ConnectionInfo is the content of a Jupyter connection file.
type ConnectionInfo struct {
	Transport       string `json:"transport"`
	IP              string `json:"ip"`
	ShellPort       int    `json:"shell_port"`
	ControlPort     int    `json:"control_port"`
	StdinPort       int    `json:"stdin_port"`
	HBPort          int    `json:"hb_port"`
	IOPubPort       int    `json:"iopub_port"`
	Key             string `json:"key"`
	SignatureScheme string `json:"signature_scheme"`
	KernelName      string `json:"kernel_name"`
}

// hashes maps the supported signature schemes to their hash constructors.
var hashes = map[string]func() hash.Hash{
	"hmac-md5":    md5.New,
	"hmac-sha1":   sha1.New,
	"hmac-sha224": sha256.New224,
	"hmac-sha256": sha256.New,
	"hmac-sha384": sha512.New384,
	"hmac-sha512": sha512.New,
}

// SupportedSchemes lists the signature schemes a connection file may name.
func SupportedSchemes() []string {
	names := make([]string, 0, len(hashes))
	for name := range hashes {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// LoadConnection reads and validates a connection file.
func LoadConnection(path string) (ConnectionInfo, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return ConnectionInfo{}, fmt.Errorf("kernel: read connection file: %w", err)
	}
	info, err := ParseConnection(data)
	if err != nil {
		return ConnectionInfo{}, fmt.Errorf("kernel: connection file %s: %w", path, err)
	}
	return info, nil
}

// ParseConnection decodes and validates the JSON of a connection file.
// A missing transport means tcp and a missing signature_scheme means
// hmac-sha256, as jupyter_client writes them.
func ParseConnection(data []byte) (ConnectionInfo, error) {
	var info ConnectionInfo
	if err := json.Unmarshal(data, &info); err != nil {
		return ConnectionInfo{}, fmt.Errorf("malformed JSON: %w", err)
	}
	if info.Transport == "" {
		info.Transport = "tcp"
	}
	if info.SignatureScheme == "" {
		info.SignatureScheme = "hmac-sha256"
	}
	if info.Transport != "tcp" && info.Transport != "ipc" {
		return ConnectionInfo{}, fmt.Errorf("transport %q: must be \"tcp\" or \"ipc\"", info.Transport)
	}
	if strings.TrimSpace(info.IP) == "" {
		return ConnectionInfo{}, fmt.Errorf("ip is missing or empty")
	}
	if _, ok := hashes[info.SignatureScheme]; !ok {
		return ConnectionInfo{}, fmt.Errorf("signature_scheme %q is not supported (supported: %s)",
			info.SignatureScheme, strings.Join(SupportedSchemes(), ", "))
	}
	ports := []struct {
		name string
		port int
	}{
		{"shell_port", info.ShellPort}, {"control_port", info.ControlPort}, {"stdin_port", info.StdinPort},
		{"hb_port", info.HBPort}, {"iopub_port", info.IOPubPort},
	}
	seen := map[int]string{}
	for _, p := range ports {
		if p.port < 1 || p.port > 65535 {
			return ConnectionInfo{}, fmt.Errorf("%s %d: must be in 1..65535", p.name, p.port)
		}
		if other, dup := seen[p.port]; dup {
			return ConnectionInfo{}, fmt.Errorf("%s %d: same port as %s", p.name, p.port, other)
		}
		seen[p.port] = p.name
	}
	return info, nil
}

// Endpoint returns the zmq endpoint of a port of this connection.
func (c ConnectionInfo) Endpoint(port int) string {
	if c.Transport == "ipc" {
		// jupyter_client names ipc sockets "<ip>-<port>".
		return "ipc://" + c.IP + "-" + strconv.Itoa(port)
	}
	host := c.IP
	if host == "*" {
		host = "0.0.0.0"
	}
	return "tcp://" + net.JoinHostPort(host, strconv.Itoa(port))
}

// Signer returns the message signer for this connection's key and scheme.
func (c ConnectionInfo) Signer() *Signer {
	newHash := hashes[c.SignatureScheme]
	if newHash == nil {
		newHash = sha256.New
	}
	return NewSigner(newHash, []byte(c.Key))
}

// hmacNew is split out so the signer can build a keyed hash.
func hmacNew(newHash func() hash.Hash, key []byte) hash.Hash { return hmac.New(newHash, key) }
