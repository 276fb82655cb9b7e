package kernel

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// DefaultKernelName is the kernelspec directory name gonote installs.
const DefaultKernelName = "gonote"

// kernelNameRE is what jupyter_client accepts as a kernelspec name.
var kernelNameRE = regexp.MustCompile(`^[a-zA-Z0-9._-]+$`)

// KernelSpec is the content of kernel.json.
type KernelSpec struct {
	Argv                  []string       `json:"argv"`
	DisplayName           string         `json:"display_name"`
	Language              string         `json:"language"`
	InterruptMode         string         `json:"interrupt_mode"`
	Metadata              map[string]any `json:"metadata"`
	KernelProtocolVersion string         `json:"kernel_protocol_version"`
}

// Where a kernelspec is installed.
const (
	InstallUser      = "user"
	InstallSysPrefix = "sys-prefix"
	InstallPrefix    = "prefix"
)

// KernelsDir returns the directory that holds kernelspecs for an install
// mode: "user" ($JUPYTER_DATA_DIR/kernels or ~/.local/share/jupyter/kernels),
// "sys-prefix" (<python3 sys.prefix>/share/jupyter/kernels, /usr/local when
// python3 is not found) or "prefix" (prefix/share/jupyter/kernels).
func KernelsDir(mode, prefix string) (string, error) {
	switch mode {
	case InstallUser:
		dir, err := JupyterDataDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(dir, "kernels"), nil
	case InstallSysPrefix:
		return filepath.Join(pythonPrefix(), "share", "jupyter", "kernels"), nil
	case InstallPrefix:
		if prefix == "" {
			return "", errors.New("kernel: install prefix is empty: give a directory")
		}
		abs, err := filepath.Abs(prefix)
		if err != nil {
			return "", fmt.Errorf("kernel: install prefix %q: %w", prefix, err)
		}
		return filepath.Join(abs, "share", "jupyter", "kernels"), nil
	}
	return "", fmt.Errorf("kernel: install mode %q: must be %q, %q or %q", mode, InstallUser, InstallSysPrefix, InstallPrefix)
}

// pythonPrefix is sys.prefix of the Python that runs Jupyter (the
// interpreter named by the jupyter script's #! line, else python3 on the
// PATH), where Jupyter looks for system kernelspecs; /usr/local if neither
// answers.
func pythonPrefix() string {
	var pythons []string
	if jupyter, err := exec.LookPath("jupyter"); err == nil {
		if py := shebangInterpreter(jupyter); py != "" {
			pythons = append(pythons, py)
		}
	}
	pythons = append(pythons, "python3")
	for _, py := range pythons {
		out, err := exec.Command(py, "-c", "import sys; print(sys.prefix)").Output()
		if p := strings.TrimSpace(string(out)); err == nil && p != "" {
			return p
		}
	}
	return "/usr/local"
}

// shebangInterpreter returns the program named by a script's #! line when
// it is a Python interpreter.
func shebangInterpreter(script string) string {
	f, err := os.Open(script)
	if err != nil {
		return ""
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	fields := strings.Fields(strings.TrimPrefix(line, "#!"))
	if !strings.HasPrefix(line, "#!") || len(fields) == 0 {
		return ""
	}
	if filepath.Base(fields[0]) == "env" && len(fields) > 1 {
		fields = fields[1:]
	}
	if !strings.HasPrefix(filepath.Base(fields[0]), "python") {
		return ""
	}
	return fields[0]
}

// InstallKernelSpec writes kernelsDir/name/kernel.json (running binary with
// "kernel {connection_file}") and the two logos, replacing an earlier
// install of the same name. It returns the kernelspec directory.
func InstallKernelSpec(kernelsDir, name, binary string) (string, error) {
	if !kernelNameRE.MatchString(name) {
		return "", fmt.Errorf("kernel: kernel name %q: use only letters, digits, '.', '_' and '-'", name)
	}
	if !filepath.IsAbs(binary) {
		return "", fmt.Errorf("kernel: binary path %q must be absolute", binary)
	}
	dir := filepath.Join(kernelsDir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("kernel: create kernelspec dir: %w", err)
	}
	display := "Go (gonote)"
	if name != DefaultKernelName {
		display = "Go (gonote: " + name + ")"
	}
	spec := KernelSpec{
		Argv:                  []string{binary, "kernel", "{connection_file}"},
		DisplayName:           display,
		Language:              "go",
		InterruptMode:         "message",
		Metadata:              map[string]any{"debugger": false},
		KernelProtocolVersion: ProtocolVersion,
	}
	data, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		return "", fmt.Errorf("kernel: encode kernel.json: %w", err)
	}
	files := map[string][]byte{"kernel.json": append(data, '\n')}
	for _, size := range []int{32, 64} {
		logo, err := LogoPNG(size)
		if err != nil {
			return "", err
		}
		files[fmt.Sprintf("logo-%dx%d.png", size, size)] = logo
	}
	for file, content := range files {
		if err := writeFileAtomic(filepath.Join(dir, file), content); err != nil {
			return "", err
		}
	}
	return dir, nil
}

func writeFileAtomic(path string, content []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, content, 0o644); err != nil {
		return fmt.Errorf("kernel: write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("kernel: write %s: %w", path, err)
	}
	return nil
}

// UninstallKernelSpec removes kernelsDir/name. It reports false when there
// was nothing to remove.
func UninstallKernelSpec(kernelsDir, name string) (bool, error) {
	if !kernelNameRE.MatchString(name) {
		return false, fmt.Errorf("kernel: kernel name %q: use only letters, digits, '.', '_' and '-'", name)
	}
	dir := filepath.Join(kernelsDir, name)
	if _, err := os.Stat(filepath.Join(dir, "kernel.json")); os.IsNotExist(err) {
		return false, nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return false, fmt.Errorf("kernel: remove %s: %w", dir, err)
	}
	return true, nil
}
