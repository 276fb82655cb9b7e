package slowtest

import "testing"

func TestEnabledFollowsEnv(t *testing.T) {
	tests := []struct {
		value string
		want  bool
	}{
		{"1", true},
		{"", false},
		{"0", false},
		{"true", false},
	}
	for _, tt := range tests {
		t.Run("GONOTE_SLOW="+tt.value, func(t *testing.T) {
			t.Setenv(Env, tt.value)
			if got := Enabled(); got != tt.want {
				t.Errorf("Enabled() = %v with %s=%q, want %v", got, Env, tt.value, tt.want)
			}
		})
	}
}

func TestRequireSkipsWhenOff(t *testing.T) {
	t.Setenv(Env, "")
	var skipped bool
	t.Run("gated", func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		Require(t, "gated check")
	})
	if !skipped {
		t.Errorf("Require did not skip with %s unset", Env)
	}
}

func TestRequireRunsWhenOn(t *testing.T) {
	t.Setenv(Env, "1")
	var skipped bool
	t.Run("gated", func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		Require(t, "gated check")
	})
	if skipped {
		t.Errorf("Require skipped with %s=1", Env)
	}
}
