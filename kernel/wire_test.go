package kernel

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestSignKnownVector(t *testing.T) {
	// HMAC-SHA256 test case 2 of RFC 4231: key "Jefe".
	s := NewSigner(sha256.New, []byte("Jefe"))
	got := string(s.Sign([]byte("what do ya want "), []byte("for nothing?")))
	want := "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
	if got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
	if !s.Verify([]byte(strings.ToUpper(want)), []byte("what do ya want for nothing?")) {
		t.Errorf("Verify rejects the upper-case hex of a valid signature")
	}
}

func encodeTest(t *testing.T, s *Signer, ids ...string) [][]byte {
	t.Helper()
	var idFrames [][]byte
	for _, id := range ids {
		idFrames = append(idFrames, []byte(id))
	}
	frames, err := Encode(s, idFrames, Header{MsgID: "m1", MsgType: "execute_request", Session: "s", Version: "5.3"},
		json.RawMessage(`{"msg_id":"p"}`), map[string]any{"k": 1}, map[string]any{"code": "1+1"})
	if err != nil {
		t.Fatal(err)
	}
	return frames
}

func TestDecodeRoundTrip(t *testing.T) {
	s := NewSigner(sha256.New, []byte("key"))
	m, err := Decode(encodeTest(t, s, "id1", "id2"), s)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Identities) != 2 || string(m.Identities[1]) != "id2" {
		t.Errorf("identities %q", m.Identities)
	}
	if m.Header.MsgType != "execute_request" || string(m.Parent) != `{"msg_id":"p"}` || string(m.Content) != `{"code":"1+1"}` {
		t.Errorf("decoded %+v", m)
	}
}

func TestDecodeRejects(t *testing.T) {
	key := NewSigner(sha256.New, []byte("key"))
	other := NewSigner(sha256.New, []byte("other"))
	good := encodeTest(t, key, "id")
	modify := func(i int, v string) [][]byte {
		f := append([][]byte(nil), good...)
		f[i] = []byte(v)
		return f
	}
	tests := []struct {
		name   string
		frames [][]byte
		signer *Signer
		want   error
	}{
		{"no delimiter", [][]byte{[]byte("a"), []byte("b")}, key, ErrNoDelimiter},
		{"too few frames", good[:5], key, ErrTooFewFrames},
		{"wrong key", good, other, ErrBadSignature},
		{"missing signature", modify(2, ""), key, ErrBadSignature},
		{"tampered content", modify(6, `{"code":"rm -rf"}`), key, ErrBadSignature},
		{"sha512 signer on sha256 message", good, NewSigner(sha512.New, []byte("key")), ErrBadSignature},
		{"header not json", modify(3, "nope"), NewSigner(nil, nil), nil},
		{"header without msg_type", modify(3, `{"msg_id":"x"}`), NewSigner(nil, nil), nil},
		{"content not an object", modify(6, `[1]`), NewSigner(nil, nil), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(tt.frames, tt.signer)
			if err == nil {
				t.Fatal("Decode accepted the message")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
		})
	}
}

func TestEmptyKeyDisablesSigning(t *testing.T) {
	s := NewSigner(sha256.New, nil)
	frames := encodeTest(t, s)
	if len(frames[1]) != 0 {
		t.Errorf("signature %q, want empty", frames[1])
	}
	frames[1] = []byte("anything")
	if _, err := Decode(frames, s); err != nil {
		t.Errorf("unsigned kernel rejected a message: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	s := NewSigner(sha256.New, []byte("key"))
	frames, _ := Encode(s, [][]byte{[]byte("id")}, Header{MsgID: "m", MsgType: "kernel_info_request"}, nil, nil, map[string]any{})
	f.Add(strings.Join(bytesToStrings(frames), "\x00"), true)
	f.Add("<IDS|MSG>\x00\x00{}\x00{}\x00{}\x00{}", false)
	f.Add("", false)
	f.Fuzz(func(t *testing.T, joined string, signed bool) {
		var fr [][]byte
		for _, p := range strings.Split(joined, "\x00") {
			fr = append(fr, []byte(p))
		}
		signer := NewSigner(sha256.New, nil)
		if signed {
			signer = s
		}
		m, err := Decode(fr, signer)
		if err == nil && (m.Header.MsgType == "" || !json.Valid(m.Content)) {
			t.Errorf("Decode accepted an invalid message: %+v", m)
		}
	})
}

func bytesToStrings(b [][]byte) []string {
	out := make([]string, len(b))
	for i, x := range b {
		out[i] = string(x)
	}
	return out
}
