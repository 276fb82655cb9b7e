package kernel

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInstallKernelSpec(t *testing.T) {
	dir := t.TempDir()
	for range 2 { // idempotent: the second install replaces the first
		specDir, err := InstallKernelSpec(dir, "gonote", "/opt/gonote/bin/gonote")
		if err != nil {
			t.Fatal(err)
		}
		if specDir != filepath.Join(dir, "gonote") {
			t.Errorf("spec dir %s", specDir)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "gonote", "kernel.json"))
	if err != nil {
		t.Fatal(err)
	}
	var spec map[string]any
	if err := json.Unmarshal(data, &spec); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"argv":           "[/opt/gonote/bin/gonote kernel {connection_file}]",
		"display_name":   "Go (gonote)",
		"language":       "go",
		"interrupt_mode": "message",
		"metadata":       "map[debugger:false]",
	}
	for key, w := range want {
		if got := fmt.Sprint(spec[key]); got != w {
			t.Errorf("%s = %s, want %s", key, got, w)
		}
	}
	for _, size := range []int{32, 64} {
		b, err := os.ReadFile(filepath.Join(dir, "gonote", "logo-"+itoa(size)+"x"+itoa(size)+".png"))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if img.Bounds().Dx() != size || img.Bounds().Dy() != size {
			t.Errorf("logo %d has bounds %v", size, img.Bounds())
		}
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "gonote"))
	if len(entries) != 3 {
		t.Errorf("kernelspec dir has %d files, want 3 (no temporaries left)", len(entries))
	}
	removed, err := UninstallKernelSpec(dir, "gonote")
	if err != nil || !removed {
		t.Fatalf("uninstall: %v %v", removed, err)
	}
	if removed, err := UninstallKernelSpec(dir, "gonote"); err != nil || removed {
		t.Errorf("second uninstall: removed=%v err=%v, want false, nil", removed, err)
	}
}

func TestInstallRejectsBadInput(t *testing.T) {
	tests := []struct {
		name, kernel, binary, want string
	}{
		{"bad name", "go note", "/bin/gonote", `kernel name "go note"`},
		{"relative binary", "gonote", "gonote", "must be absolute"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := InstallKernelSpec(t.TempDir(), tt.kernel, tt.binary)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestKernelsDir(t *testing.T) {
	t.Setenv("JUPYTER_DATA_DIR", "/data/jupyter")
	tests := []struct {
		mode, prefix, want, wantErr string
	}{
		{InstallUser, "", "/data/jupyter/kernels", ""},
		{InstallPrefix, "/opt/env", "/opt/env/share/jupyter/kernels", ""},
		{InstallPrefix, "", "", "prefix is empty"},
		{"global", "", "", `install mode "global"`},
	}
	for _, tt := range tests {
		got, err := KernelsDir(tt.mode, tt.prefix)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("KernelsDir(%q, %q) error %v, want %q", tt.mode, tt.prefix, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("KernelsDir(%q, %q) = %q, %v; want %q", tt.mode, tt.prefix, got, err, tt.want)
		}
	}
	got, err := KernelsDir(InstallSysPrefix, "")
	if err != nil || !strings.HasSuffix(got, "/share/jupyter/kernels") {
		t.Errorf("sys-prefix dir %q, %v", got, err)
	}
}

func TestLogoPNGSizes(t *testing.T) {
	for _, size := range []int{0, 7, 2000} {
		if _, err := LogoPNG(size); err == nil {
			t.Errorf("LogoPNG(%d) accepted a bad size", size)
		}
	}
	b, err := LogoPNG(64)
	if err != nil {
		t.Fatal(err)
	}
	img, _ := png.Decode(bytes.NewReader(b))
	// Corners are transparent, the centre of the "o" ring is blue, the ring white.
	if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
		t.Errorf("corner alpha %d, want 0", a)
	}
	if r, g, b, _ := img.At(47, 37).RGBA(); r>>8 != 0 || g>>8 != 0xad || b>>8 != 0xd8 {
		t.Errorf("inside of the o is %x %x %x, want the blue", r>>8, g>>8, b>>8)
	}
	if r, _, _, _ := img.At(47, 31).RGBA(); r>>8 != 0xff {
		t.Errorf("the o ring is not white (red %x)", r>>8)
	}
}

func itoa(n int) string { return fmt.Sprint(n) }
