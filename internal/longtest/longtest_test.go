package longtest

import "testing"

func TestEnabledFollowsTheEnvironment(t *testing.T) {
	t.Setenv(Env, "1")
	if !Enabled() {
		t.Errorf("%s=1: Enabled() = false", Env)
	}
	t.Setenv(Env, "")
	if Enabled() {
		t.Errorf("%s empty: Enabled() = true", Env)
	}
}
