package kernel

import (
	"bytes"
	"crypto/hmac"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"sync"
	"time"
)

// delimiter separates routing identities from the signed message parts.
const delimiter = "<IDS|MSG>"

// ProtocolVersion is the Jupyter messaging version gonote speaks.
const ProtocolVersion = "5.3"

// Header is a Jupyter message header.
type Header struct {
	MsgID    string `json:"msg_id"`
	Session  string `json:"session"`
	Username string `json:"username"`
	Date     string `json:"date"`
	MsgType  string `json:"msg_type"`
	Version  string `json:"version"`
}

// Message is a decoded Jupyter message. The raw header is kept so that
// replies quote it exactly as their parent_header.
type Message struct {
	Identities [][]byte
	Header     Header
	RawHeader  json.RawMessage
	Parent     json.RawMessage
	Metadata   json.RawMessage
	Content    json.RawMessage
	Buffers    [][]byte
}

// Signer computes and checks message signatures. An empty key disables
// signing: messages are sent with an empty signature and any is accepted.
type Signer struct {
	mu  sync.Mutex
	mac hash.Hash // nil when the key is empty
}

// NewSigner returns a signer using HMAC with newHash and key.
func NewSigner(newHash func() hash.Hash, key []byte) *Signer {
	if len(key) == 0 {
		return &Signer{}
	}
	return &Signer{mac: hmacNew(newHash, key)}
}

// Sign returns the lowercase hex signature of the parts (header, parent,
// metadata, content), or "" when signing is disabled.
func (s *Signer) Sign(parts ...[]byte) []byte {
	if s == nil || s.mac == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mac.Reset()
	for _, p := range parts {
		s.mac.Write(p)
	}
	sum := s.mac.Sum(nil)
	out := make([]byte, hex.EncodedLen(len(sum)))
	hex.Encode(out, sum)
	return out
}

// Verify reports in constant time whether sig signs the parts.
func (s *Signer) Verify(sig []byte, parts ...[]byte) bool {
	if s == nil || s.mac == nil {
		return true
	}
	return hmac.Equal(bytes.ToLower(sig), s.Sign(parts...))
}

// Errors returned by Decode.
var (
	ErrNoDelimiter  = errors.New("no <IDS|MSG> delimiter")
	ErrTooFewFrames = errors.New("fewer than 5 frames after the delimiter")
	ErrBadSignature = errors.New("bad or missing signature")
)

// Decode parses the frames of one incoming message and verifies its
// signature over the exact received bytes.
func Decode(frames [][]byte, signer *Signer) (*Message, error) {
	d := -1
	for i, f := range frames {
		if string(f) == delimiter {
			d = i
			break
		}
	}
	if d < 0 {
		return nil, fmt.Errorf("kernel: decode: %w", ErrNoDelimiter)
	}
	rest := frames[d+1:]
	if len(rest) < 5 {
		return nil, fmt.Errorf("kernel: decode: %w (got %d)", ErrTooFewFrames, len(rest))
	}
	sig, header, parent, metadata, content := rest[0], rest[1], rest[2], rest[3], rest[4]
	if !signer.Verify(sig, header, parent, metadata, content) {
		return nil, fmt.Errorf("kernel: decode: %w", ErrBadSignature)
	}
	m := &Message{
		Identities: frames[:d],
		RawHeader:  json.RawMessage(header),
		Parent:     json.RawMessage(parent),
		Metadata:   json.RawMessage(metadata),
		Content:    json.RawMessage(content),
		Buffers:    rest[5:],
	}
	if err := json.Unmarshal(header, &m.Header); err != nil {
		return nil, fmt.Errorf("kernel: decode header: %w", err)
	}
	if m.Header.MsgType == "" || m.Header.MsgID == "" {
		return nil, fmt.Errorf("kernel: decode header: msg_id and msg_type must be non-empty")
	}
	for _, part := range []struct {
		name string
		raw  []byte
	}{{"parent_header", parent}, {"metadata", metadata}, {"content", content}} {
		if !isJSONObject(part.raw) {
			return nil, fmt.Errorf("kernel: decode %s: not a JSON object", part.name)
		}
	}
	return m, nil
}

func isJSONObject(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) >= 2 && b[0] == '{' && json.Valid(b)
}

// Encode builds the frames of an outgoing message: identities (or a topic
// for iopub), the delimiter, the signature and the four JSON parts.
func Encode(signer *Signer, identities [][]byte, header Header, parent json.RawMessage, metadata, content any) ([][]byte, error) {
	h, err := json.Marshal(header)
	if err != nil {
		return nil, fmt.Errorf("kernel: encode header: %w", err)
	}
	if len(parent) == 0 {
		parent = json.RawMessage("{}")
	}
	if metadata == nil {
		metadata = struct{}{}
	}
	md, err := json.Marshal(metadata)
	if err != nil {
		return nil, fmt.Errorf("kernel: encode metadata: %w", err)
	}
	c, err := json.Marshal(content)
	if err != nil {
		return nil, fmt.Errorf("kernel: encode content of %s: %w", header.MsgType, err)
	}
	frames := make([][]byte, 0, len(identities)+6)
	frames = append(frames, identities...)
	frames = append(frames, []byte(delimiter), signer.Sign(h, parent, md, c), h, parent, md, c)
	return frames, nil
}

// newHeader returns a header for an outgoing message of msgType.
func newHeader(session, msgType string) Header {
	return Header{
		MsgID:    newID(),
		Session:  session,
		Username: "gonote",
		Date:     time.Now().UTC().Format("2006-01-02T15:04:05.000000Z07:00"),
		MsgType:  msgType,
		Version:  ProtocolVersion,
	}
}
