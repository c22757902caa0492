package deploy

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/exorun/exorun/internal/exitcode"
)

const (
	workloadIdentityFile = "kubernetes/workload-identity-cronjob.yaml"
	federatedWorkflow    = "github-actions/exorun-federated.yml"
)

// TestWorkloadIdentityCronJob: the service account and the CronJob are
// valid, wired to each other the way the azure-workload-identity webhook
// wants (the client-id annotation, the use label on the pod), and exorun
// with the variables the webhook sets signs in with the projected token:
// here a missing one, which it names.
func TestWorkloadIdentityCronJob(t *testing.T) {
	data, err := os.ReadFile(workloadIdentityFile)
	if err != nil {
		t.Fatal(err)
	}
	docs := regexp.MustCompile(`(?m)^---\n`).Split(string(data), -1)
	if len(docs) != 2 {
		t.Fatalf("%s: want two documents, the ServiceAccount and the CronJob; got %d", workloadIdentityFile, len(docs))
	}
	var sa corev1.ServiceAccount
	var cron batchv1.CronJob
	if err := decodeStrict([]byte(docs[0]), &sa); err != nil || sa.Kind != "ServiceAccount" {
		t.Fatalf("service account: %v (kind %q)", err, sa.Kind)
	}
	if err := decodeStrict([]byte(docs[1]), &cron); err != nil || cron.Kind != "CronJob" {
		t.Fatalf("cronjob: %v (kind %q)", err, cron.Kind)
	}
	if sa.Annotations["azure.workload.identity/client-id"] == "" {
		t.Error("the service account lacks the azure.workload.identity/client-id annotation")
	}
	pod := cron.Spec.JobTemplate.Spec.Template
	if pod.Labels["azure.workload.identity/use"] != "true" {
		t.Error(`the pod template lacks the label azure.workload.identity/use: "true"; the webhook would not project the token`)
	}
	if pod.Spec.ServiceAccountName != sa.Name || cron.Namespace != sa.Namespace {
		t.Errorf("the pod runs as %s/%s, the annotated service account is %s/%s", cron.Namespace, pod.Spec.ServiceAccountName, sa.Namespace, sa.Name)
	}
	checkSecurity(t, pod.Spec)
	if len(pod.Spec.Containers) != 1 {
		t.Fatalf("want one container, got %d", len(pod.Spec.Containers))
	}
	c := pod.Spec.Containers[0]
	vars := map[string]string{
		// What the webhook adds to the pod.
		"AZURE_CLIENT_ID":            "6e0a3f4d-2b1c-4e5f-8a9b-0c1d2e3f4a5b",
		"AZURE_TENANT_ID":            "7f1b4e5a-3c2d-4f6a-9b0c-1d2e3f4a5b6c",
		"AZURE_FEDERATED_TOKEN_FILE": "/var/run/secrets/azure/tokens/azure-identity-token",
		"AZURE_AUTHORITY_HOST":       "https://login.microsoftonline.com/",
	}
	for _, e := range c.Env {
		vars[e.Name] = e.Value
	}
	dir := t.TempDir()
	t.Chdir(dir)
	args := runScriptInstead(t, dir, c.Args)
	stderr, code := runExorun(t, dir, vars, args)
	if code != int(exitcode.Auth) || !strings.Contains(stderr, "federated token file /var/run/secrets/azure/tokens/azure-identity-token: ") {
		t.Errorf("exit %d, stderr:\n%s\nwant exit %d naming the webhook's token file", code, stderr, exitcode.Auth)
	}
}

// TestGitHubActionsFederated: the workflow asks for an ID token and
// uses no secret, and exorun in its step asks the runner's ID token
// endpoint for a token for Entra ID's audience: here one that refuses,
// which exorun reports with the fix.
func TestGitHubActionsFederated(t *testing.T) {
	w := readWorkflowFile(t, federatedWorkflow)
	if w.Permissions["id-token"] != "write" {
		t.Errorf("permissions: id-token is %q, want write: without it the runner offers no ID token", w.Permissions["id-token"])
	}
	raw, err := os.ReadFile(federatedWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "secrets.") {
		t.Error("the federated workflow uses a secret; it should need none")
	}
	if len(w.Jobs) != 1 {
		t.Fatalf("want one job, got %d", len(w.Jobs))
	}
	for id, job := range w.Jobs {
		if job.Environment == "" {
			t.Errorf("job %s has no environment: the subject to register would depend on the branch", id)
		}
		at := stepIndex(job.Steps, runs("exorun run "))
		if at < 0 {
			t.Fatalf("job %s runs no exorun run", id)
		}
		wantBuild(t, id, job.Steps, at)
		step := job.Steps[at]
		for _, v := range []string{"EXORUN_APP_ID", "EXORUN_ORGANIZATION"} {
			if step.Env[v] == "" {
				t.Errorf("step %q does not set %s", step.Name, v)
			}
		}

		asked := make(chan string, 1)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			asked <- r.URL.Query().Get("audience")
			http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
		}))
		defer srv.Close()
		vars := map[string]string{
			"EXORUN_APP_ID": "6e0a3f4d-2b1c-4e5f-8a9b-0c1d2e3f4a5b", "EXORUN_ORGANIZATION": "contoso.onmicrosoft.com",
			"ACTIONS_ID_TOKEN_REQUEST_URL": srv.URL + "/idtoken?api-version=2.0", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "runner-request-token",
		}
		dir := t.TempDir()
		t.Chdir(dir) // the step's relative --out and --summary-json
		args := runScriptInstead(t, dir, command(t, step.Run, "exorun run ")[1:])
		stderr, code := runExorun(t, dir, vars, args)
		if code != int(exitcode.Auth) || !strings.Contains(stderr, "GitHub Actions refused the ID token request: HTTP 401") || strings.Contains(stderr, "runner-request-token") {
			t.Errorf("exit %d, stderr:\n%s", code, stderr)
		}
		select {
		case aud := <-asked:
			if aud != "api://AzureADTokenExchange" {
				t.Errorf("audience %q, want api://AzureADTokenExchange", aud)
			}
		default:
			t.Error("exorun never asked the ID token endpoint")
		}
	}
}

// runScriptInstead returns args with the script (the last argument)
// replaced by one in dir that connects, and output paths kept in dir.
func runScriptInstead(t *testing.T, dir string, args []string) []string {
	t.Helper()
	script := filepath.Join(dir, "connect.lua")
	if err := os.WriteFile(script, []byte("connect()\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := append([]string(nil), args[:len(args)-1]...)
	for i := range out {
		if strings.HasPrefix(out[i], "/tmp/") {
			out[i] = filepath.Join(dir, filepath.Base(out[i]))
		}
	}
	return append(out, script)
}
