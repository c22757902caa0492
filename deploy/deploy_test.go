package deploy

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"github.com/exorun/exorun/cmd/exorun/cli"
	"github.com/exorun/exorun/internal/exitcode"
)

const (
	jobFile      = "kubernetes/indexed-job.yaml"
	workflowFile = "github-actions/exorun-shards.yml"
	dockerfile   = "Dockerfile"

	// indexVar is what Kubernetes expands to the pod's completion index.
	indexVar = "$(JOB_COMPLETION_INDEX)"
	// matrixShard is what GitHub Actions expands to the job's shard;
	// command writes it without blanks, as one word.
	matrixShard = "${{ matrix.shard }}"
	shardWord   = "${{matrix.shard}}"
)

// noRetry are the exit codes a retry cannot change: the Job fails the
// index at once on them and retries every other one.
var noRetry = []int32{
	int32(exitcode.Script), int32(exitcode.Usage), int32(exitcode.Auth), int32(exitcode.Permission),
	int32(exitcode.Checks), int32(exitcode.Bundle),
}

// decodeStrict decodes YAML into v the way the API server's strict field
// validation (kubectl apply --validate=strict) does: a duplicate key, an
// unknown field or one spelt in another case fails. yaml.UnmarshalStrict
// alone is not enough: it decodes with encoding/json, which takes
// readOnlyRootFileSystem for readOnlyRootFilesystem, a field the API
// server would drop with no more than a warning.
func decodeStrict(data []byte, v any) error {
	j, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		return err
	}
	strict, err := kjson.UnmarshalStrict(j, v, kjson.DisallowDuplicateFields, kjson.DisallowUnknownFields)
	if err != nil {
		return err
	}
	return errors.Join(strict...)
}

// readJob parses the Indexed Job strictly (decodeStrict).
func readJob(t *testing.T) (*batchv1.Job, []byte) {
	t.Helper()
	data, err := os.ReadFile(jobFile)
	if err != nil {
		t.Fatal(err)
	}
	// yaml reads the first document alone: a second one would be ignored.
	if regexp.MustCompile(`(?m)^---`).Match(data) {
		t.Fatalf("%s: want one YAML document, the Job", jobFile)
	}
	var job batchv1.Job
	if err := decodeStrict(data, &job); err != nil {
		t.Fatalf("%s: %v", jobFile, err)
	}
	return &job, data
}

// TestKubernetesIndexedJob checks what Kubernetes' own validation would
// refuse (podFailurePolicy rules, backoffLimitPerIndex) and what it would
// accept but exorun would get wrong: the shard count, unexpanded
// variables, mounts, the objects to create, the security context.
func TestKubernetesIndexedJob(t *testing.T) {
	job, data := readJob(t)
	if job.APIVersion != "batch/v1" || job.Kind != "Job" {
		t.Errorf("apiVersion/kind = %s/%s, want batch/v1 Job", job.APIVersion, job.Kind)
	}
	if job.Name == "" {
		t.Error("metadata.name is empty")
	}
	spec := job.Spec
	if spec.CompletionMode == nil || *spec.CompletionMode != batchv1.IndexedCompletion {
		t.Fatalf("completionMode = %v, want Indexed", spec.CompletionMode)
	}
	if spec.Completions == nil || *spec.Completions < 1 {
		t.Fatalf("completions = %v, want N >= 1", spec.Completions)
	}
	n := int(*spec.Completions)
	if spec.Parallelism == nil || *spec.Parallelism < 1 || int(*spec.Parallelism) > n {
		t.Errorf("parallelism = %v, want 1..completions (%d)", spec.Parallelism, n)
	}

	pod := spec.Template.Spec
	checkFailurePolicy(t, spec, pod)
	checkSecurity(t, pod)
	checkObjects(t, pod, comments(data))
	checkExitCodesListed(t, comments(data))

	if len(pod.Containers) == 0 {
		t.Fatal("no container")
	}
	mounts := map[string]corev1.VolumeMount{}
	for _, c := range pod.Containers {
		if c.Image == "" {
			t.Errorf("container %s has no image", c.Name)
		}
		checkShardArgs(t, c, n)
		for _, m := range c.VolumeMounts {
			mounts[m.MountPath] = m
		}
		// Every absolute path exorun is given lies on a mounted volume:
		// the rest of the file system is read-only and holds nothing.
		for _, p := range containerPaths(c) {
			m, ok := mountOf(c, p.path)
			switch {
			case !ok:
				t.Errorf("%s %s is on no volume mount", p.what, p.path)
			case p.write && m.ReadOnly:
				t.Errorf("%s %s is on read-only mount %s", p.what, p.path, m.MountPath)
			}
		}
	}
	if len(mounts) == 0 {
		t.Error("no volume mounts")
	}
}

// checkShardArgs checks every --shard K/N: K is the completion index and
// N the number of completions; the summary file differs per index; every
// $(VAR) in args is one Kubernetes expands (an undeclared one is passed
// as it is, silently).
func checkShardArgs(t *testing.T, c corev1.Container, n int) {
	t.Helper()
	declared := map[string]bool{"JOB_COMPLETION_INDEX": true}
	for _, e := range c.Env {
		declared[e.Name] = true
	}
	for _, a := range c.Args {
		for _, m := range regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`).FindAllStringSubmatch(a, -1) {
			if !declared[m[1]] {
				t.Errorf("arg %q: $(%s) is not in the container's env, Kubernetes would not expand it", a, m[1])
			}
		}
	}
	shards := flagValues(c.Args, "--shard")
	if len(shards) == 0 {
		t.Errorf("container %s: no --shard in args %q", c.Name, c.Args)
	}
	for _, s := range shards {
		k, perN, ok := strings.Cut(s, "/")
		if !ok || k != indexVar {
			t.Errorf("--shard %s: want %s/N", s, indexVar)
		}
		if perN != strconv.Itoa(n) {
			t.Errorf("--shard %s: N is not completions (%d): shards would be lost or run twice", s, n)
		}
	}
	for _, f := range []string{"--tenants", "--summary-json"} {
		if len(flagValues(c.Args, f)) != 1 {
			t.Errorf("container %s: want one %s in args %q", c.Name, f, c.Args)
		}
	}
	for _, s := range flagValues(c.Args, "--summary-json") {
		if !strings.Contains(s, indexVar) {
			t.Errorf("--summary-json %s: every index would write the same file; put %s in its name", s, indexVar)
		}
	}
}

// checkFailurePolicy holds the Job API's rules for podFailurePolicy and
// backoffLimitPerIndex (pkg/apis/batch/validation), and the choice of
// exit codes that are not retried.
func checkFailurePolicy(t *testing.T, spec batchv1.JobSpec, pod corev1.PodSpec) {
	t.Helper()
	if pod.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("restartPolicy = %q, want Never (podFailurePolicy and backoffLimitPerIndex need it)", pod.RestartPolicy)
	}
	if spec.BackoffLimitPerIndex == nil && spec.BackoffLimit == nil {
		t.Error("neither backoffLimitPerIndex nor backoffLimit is set")
	}
	if spec.BackoffLimitPerIndex != nil && *spec.BackoffLimitPerIndex < 0 {
		t.Errorf("backoffLimitPerIndex = %d, want >= 0", *spec.BackoffLimitPerIndex)
	}
	if spec.PodReplacementPolicy != nil && *spec.PodReplacementPolicy != batchv1.Failed {
		t.Errorf("podReplacementPolicy = %s; with podFailurePolicy only Failed is allowed", *spec.PodReplacementPolicy)
	}
	if spec.PodFailurePolicy == nil || len(spec.PodFailurePolicy.Rules) == 0 {
		t.Fatal("no podFailurePolicy rules")
	}
	rules := spec.PodFailurePolicy.Rules
	if len(rules) > 20 {
		t.Errorf("%d podFailurePolicy rules, at most 20 are allowed", len(rules))
	}
	containers := map[string]bool{}
	for _, c := range append(slices.Clone(pod.Containers), pod.InitContainers...) {
		containers[c.Name] = true
	}
	var failed []int32
	for i, r := range rules {
		switch r.Action {
		case batchv1.PodFailurePolicyActionFailJob, batchv1.PodFailurePolicyActionIgnore, batchv1.PodFailurePolicyActionCount:
		case batchv1.PodFailurePolicyActionFailIndex:
			if spec.BackoffLimitPerIndex == nil {
				t.Errorf("rule %d: FailIndex needs backoffLimitPerIndex", i)
			}
		default:
			t.Errorf("rule %d: unknown action %q", i, r.Action)
		}
		if (r.OnExitCodes == nil) == (len(r.OnPodConditions) == 0) {
			t.Errorf("rule %d: want exactly one of onExitCodes and onPodConditions", i)
		}
		if len(r.OnPodConditions) > 20 {
			t.Errorf("rule %d: more than 20 onPodConditions", i)
		}
		for _, c := range r.OnPodConditions {
			if c.Type == "" {
				t.Errorf("rule %d: a pod condition has no type", i)
			}
		}
		e := r.OnExitCodes
		if e == nil {
			continue
		}
		if e.ContainerName != nil && !containers[*e.ContainerName] {
			t.Errorf("rule %d: containerName %q is no container of the pod", i, *e.ContainerName)
		}
		if len(e.Values) == 0 || len(e.Values) > 255 {
			t.Errorf("rule %d: %d values, want 1 to 255", i, len(e.Values))
		}
		for j, v := range e.Values {
			if j > 0 && v <= e.Values[j-1] {
				t.Errorf("rule %d: values %v must be ascending without duplicates", i, e.Values)
			}
			if v < 0 || v > 255 {
				t.Errorf("rule %d: exit code %d out of 0..255", i, v)
			}
		}
		switch e.Operator {
		case batchv1.PodFailurePolicyOnExitCodesOpIn:
			if slices.Contains(e.Values, 0) {
				t.Errorf("rule %d: 0 is not allowed with In", i)
			}
			if r.Action == batchv1.PodFailurePolicyActionFailIndex || r.Action == batchv1.PodFailurePolicyActionFailJob {
				failed = append(failed, e.Values...)
			}
		case batchv1.PodFailurePolicyOnExitCodesOpNotIn:
			if r.Action == batchv1.PodFailurePolicyActionFailIndex || r.Action == batchv1.PodFailurePolicyActionFailJob {
				t.Errorf("rule %d: %s on NotIn fails on every exit code but a few: list the ones a retry cannot change with In", i, r.Action)
			}
		default:
			t.Errorf("rule %d: unknown operator %q", i, e.Operator)
		}
	}
	slices.Sort(failed)
	if !slices.Equal(failed, noRetry) {
		t.Errorf("exit codes failed without retry = %v, want %v (usage, auth, permission, checks, bundle)", failed, noRetry)
	}
}

// checkSecurity wants a pod that cannot become root, write its image or
// keep a capability, with bounded resources.
func checkSecurity(t *testing.T, pod corev1.PodSpec) {
	t.Helper()
	psc := pod.SecurityContext
	if psc == nil {
		psc = &corev1.PodSecurityContext{}
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Error("automountServiceAccountToken is not false: exorun needs no Kubernetes API token")
	}
	for _, c := range pod.Containers {
		sc := c.SecurityContext
		if sc == nil {
			t.Errorf("container %s has no securityContext", c.Name)
			continue
		}
		nonRoot := sc.RunAsNonRoot
		if nonRoot == nil {
			nonRoot = psc.RunAsNonRoot
		}
		if nonRoot == nil || !*nonRoot {
			t.Errorf("container %s: runAsNonRoot is not true", c.Name)
		}
		for _, uid := range []*int64{psc.RunAsUser, sc.RunAsUser} {
			if uid != nil && *uid == 0 {
				t.Errorf("container %s: runAsUser 0", c.Name)
			}
		}
		if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
			t.Errorf("container %s: readOnlyRootFilesystem is not true", c.Name)
		}
		if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			t.Errorf("container %s: allowPrivilegeEscalation is not false", c.Name)
		}
		if sc.Privileged != nil && *sc.Privileged {
			t.Errorf("container %s is privileged", c.Name)
		}
		if sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) > 0 {
			t.Errorf("container %s: capabilities = %+v, want drop [ALL] and add none", c.Name, sc.Capabilities)
		}
		for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			req, okReq := c.Resources.Requests[r]
			lim, okLim := c.Resources.Limits[r]
			if !okReq || !okLim {
				t.Errorf("container %s: want both a request and a limit of %s", c.Name, r)
				continue
			}
			if req.Cmp(lim) > 0 {
				t.Errorf("container %s: %s request %s is above its limit %s", c.Name, r, req.String(), lim.String())
			}
		}
	}
}

// checkObjects checks the volumes and the objects they and the env name:
// every mount names a declared volume and every volume is mounted; every
// Secret, ConfigMap and claim, and every key taken from one, is one the
// comments tell the user to create; the password comes from the Secret
// that holds the certificate; the certificate file is readable by the
// pod's group and by no one else.
func checkObjects(t *testing.T, pod corev1.PodSpec, comments string) {
	t.Helper()
	created := createdObjects(comments)
	wantKey := func(kind, name, key string) {
		t.Helper()
		if name == "" {
			t.Errorf("a %s reference has no name", kind)
			return
		}
		keys, ok := created[kind+"/"+name]
		if !ok {
			t.Errorf("%s %s: the comments do not tell to create it (kubectl create %s %s ...)", kind, name, kind, name)
			return
		}
		if key != "" && !keys[key] {
			t.Errorf("%s %s: key %s is not among the keys the comments create (%v)", kind, name, key, keys)
		}
	}

	volumes := map[string]corev1.Volume{}
	secretNames := map[string]bool{}
	for _, v := range pod.Volumes {
		if _, dup := volumes[v.Name]; dup {
			t.Errorf("volume %s declared twice", v.Name)
		}
		volumes[v.Name] = v
		switch {
		case v.Secret != nil:
			secretNames[v.Secret.SecretName] = true
			wantKey("secret", v.Secret.SecretName, "")
			if len(v.Secret.Items) == 0 {
				t.Errorf("secret volume %s: list the keys it mounts (items)", v.Name)
			}
			for _, it := range v.Secret.Items {
				wantKey("secret", v.Secret.SecretName, it.Key)
			}
			if m := v.Secret.DefaultMode; m == nil || *m&0o040 == 0 || *m&0o007 != 0 {
				t.Errorf("secret volume %s: defaultMode %s, want group-readable (fsGroup) and nothing for others, e.g. 0440", v.Name, octal(m))
			} else if pod.SecurityContext == nil || pod.SecurityContext.FSGroup == nil {
				t.Errorf("secret volume %s: without fsGroup the nonroot user cannot read it", v.Name)
			}
		case v.ConfigMap != nil:
			wantKey("configmap", v.ConfigMap.Name, "")
			for _, it := range v.ConfigMap.Items {
				wantKey("configmap", v.ConfigMap.Name, it.Key)
			}
		case v.PersistentVolumeClaim != nil:
			if name := v.PersistentVolumeClaim.ClaimName; name == "" || !slices.Contains(claimNames(comments), name) {
				t.Errorf("volume %s: claim %q is not the one the comments name (claim name NAME)", v.Name, name)
			}
		}
	}
	used := map[string]bool{}
	for _, c := range append(slices.Clone(pod.Containers), pod.InitContainers...) {
		paths := map[string]bool{}
		for _, m := range c.VolumeMounts {
			if _, ok := volumes[m.Name]; !ok {
				t.Errorf("container %s mounts volume %s, which is not declared", c.Name, m.Name)
			}
			if paths[m.MountPath] {
				t.Errorf("container %s mounts two volumes on %s", c.Name, m.MountPath)
			}
			paths[m.MountPath] = true
			used[m.Name] = true
		}
		for _, e := range c.Env {
			if e.ValueFrom == nil {
				continue
			}
			if r := e.ValueFrom.SecretKeyRef; r != nil {
				wantKey("secret", r.Name, r.Key)
				if !secretNames[r.Name] {
					t.Errorf("env %s comes from Secret %s, not the certificate's Secret %v", e.Name, r.Name, secretNames)
				}
			}
			if r := e.ValueFrom.ConfigMapKeyRef; r != nil {
				wantKey("configmap", r.Name, r.Key)
			}
		}
	}
	for name := range volumes {
		if !used[name] {
			t.Errorf("volume %s is mounted nowhere", name)
		}
	}
}

// claimNames are the NAMEs of "claim name NAME" in the comments.
func claimNames(comments string) []string {
	var names []string
	for _, m := range regexp.MustCompile(`claim name (\S+)`).FindAllStringSubmatch(comments, -1) {
		names = append(names, strings.TrimRight(m[1], ",.:;)"))
	}
	return names
}

func octal(m *int32) string {
	if m == nil {
		return "unset"
	}
	return fmt.Sprintf("%#o", *m)
}

// createdObjects reads the "kubectl create secret generic NAME" and
// "kubectl create configmap NAME" commands of the comments: kind/name to
// the keys each --from-file or --from-literal makes.
func createdObjects(comments string) map[string]map[string]bool {
	objects := map[string]map[string]bool{}
	for _, line := range strings.Split(comments, "\n") {
		f := strings.Fields(line)
		i := slices.Index(f, "create")
		if i < 1 || f[i-1] != "kubectl" || i+2 >= len(f) {
			continue
		}
		kind, rest := f[i+1], f[i+2:]
		if kind == "secret" {
			rest = rest[1:] // the secret's type: generic
		}
		if len(rest) == 0 {
			continue
		}
		keys := map[string]bool{}
		for _, a := range rest[1:] {
			for _, p := range []string{"--from-file=", "--from-literal="} {
				if v, ok := strings.CutPrefix(a, p); ok {
					if k, _, ok := strings.Cut(v, "="); ok {
						keys[k] = true
					} else {
						keys[path.Base(v)] = true
					}
				}
			}
		}
		objects[kind+"/"+rest[0]] = keys
	}
	return objects
}

// checkExitCodesListed wants the comments to list every exit code, so a
// new one is not left out of the choice of what to retry.
func checkExitCodesListed(t *testing.T, comments string) {
	t.Helper()
	flat := strings.Join(strings.Fields(comments), " ")
	for _, c := range exitcode.Codes {
		if !strings.Contains(flat, fmt.Sprintf("%d %s", c.Code, c.Name)) {
			t.Errorf("the comments do not list exit code %d %s: is it retried?", c.Code, c.Name)
		}
	}
}

// comments returns the text of the YAML's comments, one line each, with
// shell line continuations joined.
func comments(data []byte) string {
	var b strings.Builder
	for _, line := range strings.Split(string(data), "\n") {
		if c, ok := strings.CutPrefix(strings.TrimSpace(line), "#"); ok {
			b.WriteString(strings.TrimSpace(c) + "\n")
		}
	}
	return strings.ReplaceAll(b.String(), "\\\n", " ")
}

type containerPath struct {
	what, path string
	write      bool
}

// containerPaths are the absolute paths in a container's args and env.
func containerPaths(c corev1.Container) []containerPath {
	var paths []containerPath
	for i, a := range c.Args {
		if !strings.HasPrefix(a, "/") {
			continue
		}
		what := "script"
		if i > 0 && strings.HasPrefix(c.Args[i-1], "--") {
			what = c.Args[i-1]
		}
		paths = append(paths, containerPath{what: what, path: a, write: what == "--out" || what == "--summary-json"})
	}
	for _, e := range c.Env {
		if strings.HasPrefix(e.Value, "/") {
			paths = append(paths, containerPath{what: "env " + e.Name, path: e.Value})
		}
	}
	return paths
}

// mountOf is the mount p lies on.
func mountOf(c corev1.Container, p string) (corev1.VolumeMount, bool) {
	for _, m := range c.VolumeMounts {
		if strings.HasPrefix(p, strings.TrimSuffix(m.MountPath, "/")+"/") {
			return m, true
		}
	}
	return corev1.VolumeMount{}, false
}

// flagValues returns the values of flag in args, as "--flag v" or
// "--flag=v".
func flagValues(args []string, flag string) []string {
	var vs []string
	for i, a := range args {
		if a == flag && i+1 < len(args) {
			vs = append(vs, args[i+1])
		} else if v, ok := strings.CutPrefix(a, flag+"="); ok {
			vs = append(vs, v)
		}
	}
	return vs
}

// runExorun runs the real CLI in-process in dir with args and the
// environment vars (plus EXORUN_LOG_NO_TIME), like tests/golden's runCLI.
func runExorun(t *testing.T, dir string, vars map[string]string, args []string) (stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := cli.OSEnv()
	env.Args = args
	env.Stdin = strings.NewReader("")
	env.Stdout, env.Stderr = &out, &errOut
	env.StdinTerminal, env.StdoutTerminal, env.StderrTerminal, env.Width = false, false, false, 0
	env.Terminal, env.Notify, env.ReadPassword, env.SetMemoryLimit = nil, nil, nil, nil
	env.ConfigDir = filepath.Join(dir, "config")
	env.LookupEnv = func(key string) (string, bool) {
		if key == "EXORUN_LOG_NO_TIME" {
			return "1", true
		}
		v, ok := vars[key]
		return v, ok
	}
	code = cli.Main(env)
	return errOut.String(), code
}

// wantMissingFile wants exorun to have read its command line and stopped
// at a file that is not there, naming one of files.
func wantMissingFile(t *testing.T, args []string, stderr string, code int, files ...string) {
	t.Helper()
	if strings.Contains(stderr, "unknown flag") || strings.Contains(stderr, "unknown shorthand flag") || strings.Contains(stderr, "unknown command") {
		t.Fatalf("exorun does not know this command line %q:\n%s", args, stderr)
	}
	if code != int(exitcode.Usage) || !strings.Contains(stderr, "no such file") {
		t.Fatalf("exit %d, want %d with \"no such file\" for the missing %v\nargs %q\n--- stderr ---\n%s", code, exitcode.Usage, files, args, stderr)
	}
	for _, f := range files {
		if strings.Contains(stderr, f) {
			t.Logf("exit %d: %s", code, strings.TrimSpace(stderr))
			return
		}
	}
	t.Fatalf("the error names none of %v:\n%s", files, stderr)
}

// TestKubernetesJobArgs runs the container's args through exorun's own
// command line, index 0, with every read-only mount empty: exorun must
// take every flag and stop at the missing tenants file or script.
func TestKubernetesJobArgs(t *testing.T) {
	job, _ := readJob(t)
	c := job.Spec.Template.Spec.Containers[0]
	dir := t.TempDir()
	// A read-only mount's files are missing; a writable mount is an
	// empty folder.
	rebase := func(p string) string {
		m, ok := mountOf(c, p)
		if !ok {
			return p
		}
		if m.ReadOnly {
			return filepath.Join(dir, "missing", filepath.FromSlash(p))
		}
		root := filepath.Join(dir, "volumes", filepath.FromSlash(m.MountPath))
		if err := os.MkdirAll(root, 0o755); err != nil {
			t.Fatal(err)
		}
		return filepath.Join(dir, "volumes", filepath.FromSlash(p))
	}
	var args []string
	for _, a := range c.Args {
		args = append(args, rebase(strings.ReplaceAll(a, indexVar, "0")))
	}
	vars := map[string]string{"JOB_COMPLETION_INDEX": "0"}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			vars[e.Name] = rebase(e.Value)
		case e.ValueFrom.ConfigMapKeyRef != nil:
			vars[e.Name] = "00000000-0000-0000-0000-000000000000"
		default:
			vars[e.Name] = "not-the-password"
		}
	}
	stderr, code := runExorun(t, dir, vars, args)
	tenants := flagValues(c.Args, "--tenants")
	wantMissingFile(t, args, stderr, code, append(tenants, c.Args[len(c.Args)-1])...)
}

// workflow is the part of a GitHub Actions workflow the examples use;
// decodeStrict refuses any other field, so a misspelt key fails.
type workflow struct {
	Name string `json:"name"`
	// YAML 1.1, which sigs.k8s.io/yaml reads, takes the key on for the
	// boolean true; GitHub reads it as the string "on".
	On          map[string]any    `json:"true"`
	Permissions map[string]string `json:"permissions"`
	Jobs        map[string]ghJob  `json:"jobs"`
}

type ghJob struct {
	Name           string            `json:"name"`
	Needs          []string          `json:"needs"`
	If             string            `json:"if"`
	RunsOn         string            `json:"runs-on"`
	TimeoutMinutes int               `json:"timeout-minutes"`
	Environment    string            `json:"environment"`
	Env            map[string]string `json:"env"`
	Strategy       *struct {
		FailFast *bool `json:"fail-fast"`
		Matrix   struct {
			Shard []int `json:"shard"`
		} `json:"matrix"`
	} `json:"strategy"`
	Steps []ghStep `json:"steps"`
}

type ghStep struct {
	Name            string            `json:"name"`
	If              string            `json:"if"`
	Uses            string            `json:"uses"`
	Run             string            `json:"run"`
	With            map[string]any    `json:"with"`
	Env             map[string]string `json:"env"`
	ContinueOnError bool              `json:"continue-on-error"`
}

func readWorkflow(t *testing.T) *workflow { return readWorkflowFile(t, workflowFile) }

func readWorkflowFile(t *testing.T, name string) *workflow {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var w workflow
	if err := decodeStrict(data, &w); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return &w
}

// shardJob is the workflow's matrix job.
func shardJob(t *testing.T, w *workflow) (string, ghJob) {
	t.Helper()
	var ids []string
	for id, j := range w.Jobs {
		if j.Strategy != nil && len(j.Strategy.Matrix.Shard) > 0 {
			ids = append(ids, id)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("want one job with a strategy.matrix.shard, got %v", ids)
	}
	return ids[0], w.Jobs[ids[0]]
}

// command returns the command line of run that starts with prefix, its
// continuation lines joined, split on blanks (the examples quote nothing);
// an expression ${{ x }} becomes the word ${{x}}.
func command(t *testing.T, run, prefix string) []string {
	t.Helper()
	run = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`).ReplaceAllString(run, "$${{$1}}")
	for _, line := range strings.Split(strings.ReplaceAll(run, "\\\n", " "), "\n") {
		if line = strings.TrimSpace(line); strings.HasPrefix(line, prefix) {
			if strings.ContainsAny(line, `"'`) {
				t.Fatalf("%q: the test splits command lines on blanks and takes no quotes", line)
			}
			return strings.Fields(line)
		}
	}
	return nil
}

// stepIndex is the index of the first step for which match is true, -1
// when there is none.
func stepIndex(steps []ghStep, match func(ghStep) bool) int {
	return slices.IndexFunc(steps, match)
}

func uses(action string) func(ghStep) bool {
	return func(s ghStep) bool { return strings.HasPrefix(s.Uses, action+"@") }
}

func runs(prefix string) func(ghStep) bool {
	return func(s ghStep) bool { return strings.Contains(s.Run, prefix) }
}

// wantBuild wants steps to set up Go, then build exorun, before step at.
func wantBuild(t *testing.T, job string, steps []ghStep, at int) {
	t.Helper()
	setup, build := stepIndex(steps, uses("actions/setup-go")), stepIndex(steps, runs("go install ./cmd/exorun"))
	if setup < 0 || build < 0 || setup > build || build > at {
		t.Errorf("job %s: want actions/setup-go, then go install ./cmd/exorun, before exorun runs (steps %d, %d, %d)", job, setup, build, at)
	}
}

// TestGitHubActionsWorkflow checks the matrix against --shard, the
// summaries' way from the shards to the merge, and that secrets reach
// exorun through the environment only.
func TestGitHubActionsWorkflow(t *testing.T) {
	w := readWorkflow(t)
	if len(w.On) == 0 {
		t.Error("the workflow has no trigger (on:)")
	}
	id, job := shardJob(t, w)
	shards := job.Strategy.Matrix.Shard
	for i, s := range shards {
		if s != i {
			t.Fatalf("matrix.shard = %v, want 0..N-1 in order", shards)
		}
	}
	if job.Strategy.FailFast == nil || *job.Strategy.FailFast {
		t.Error("strategy.fail-fast is not false: a failed shard would cancel the others and the merge would miss their summaries")
	}
	for jid, j := range w.Jobs {
		for _, s := range j.Steps {
			if strings.Contains(s.Run, "secrets.") {
				t.Errorf("job %s step %q puts a secret in its command line; pass it in env", jid, s.Name)
			}
			if s.ContinueOnError {
				t.Errorf("job %s step %q: continue-on-error hides exorun's exit code", jid, s.Name)
			}
		}
	}

	at := stepIndex(job.Steps, runs("exorun run "))
	if at < 0 {
		t.Fatalf("job %s runs no exorun run", id)
	}
	wantBuild(t, id, job.Steps, at)
	step := job.Steps[at]
	args := command(t, step.Run, "exorun run ")
	for _, s := range flagValues(args, "--shard") {
		k, n, _ := strings.Cut(s, "/")
		if k != shardWord || n != strconv.Itoa(len(shards)) {
			t.Errorf("--shard %s: want %s/%d, the size of the matrix", s, matrixShard, len(shards))
		}
	}
	if len(flagValues(args, "--shard")) != 1 || len(flagValues(args, "--tenants")) != 1 {
		t.Errorf("want one --shard and one --tenants in %q", args)
	}
	for _, v := range []string{"EXORUN_CERTIFICATE", "EXORUN_CERTIFICATE_PASSWORD"} {
		if !strings.HasPrefix(step.Env[v], "${{ secrets.") {
			t.Errorf("step %q: env %s = %q, want it from a secret", step.Name, v, step.Env[v])
		}
	}
	summaries := flagValues(args, "--summary-json")
	if len(summaries) != 1 || !strings.Contains(summaries[0], shardWord) {
		t.Fatalf("--summary-json %v: want one, named after %s", summaries, matrixShard)
	}
	summary := strings.ReplaceAll(summaries[0], shardWord, matrixShard)
	up := stepIndex(job.Steps, func(s ghStep) bool { return uses("actions/upload-artifact")(s) && s.With["path"] == summary })
	if up < 0 {
		t.Fatalf("job %s uploads no artifact with path %s", id, summary)
	}
	upload := job.Steps[up]
	if upload.Uses != "actions/upload-artifact@v4" || up < at || !strings.Contains(upload.If, "always()") {
		t.Errorf("summary upload %+v: want actions/upload-artifact@v4 after the run, if: always()", upload)
	}
	artifact, _ := upload.With["name"].(string)
	if !strings.Contains(artifact, matrixShard) {
		t.Errorf("artifact name %q: v4 wants a name per shard; put %s in it", artifact, matrixShard)
	}

	var merges []string
	for mid, m := range w.Jobs {
		if stepIndex(m.Steps, runs("exorun summary merge")) >= 0 {
			merges = append(merges, mid)
		}
	}
	if len(merges) != 1 {
		t.Fatalf("want one job that runs exorun summary merge, got %v", merges)
	}
	mid, merge := merges[0], w.Jobs[merges[0]]
	if !slices.Contains(merge.Needs, id) {
		t.Errorf("job %s needs %v, not %s", mid, merge.Needs, id)
	}
	if !strings.Contains(merge.If, "always()") {
		t.Errorf("job %s: if %q, want always(): a failed shard must still be merged", mid, merge.If)
	}
	mat := stepIndex(merge.Steps, runs("exorun summary merge"))
	wantBuild(t, mid, merge.Steps, mat)
	down := stepIndex(merge.Steps, uses("actions/download-artifact"))
	if down < 0 || down > mat {
		t.Fatalf("job %s downloads no artifact before the merge", mid)
	}
	d := merge.Steps[down]
	pattern, _ := d.With["pattern"].(string)
	dir, _ := d.With["path"].(string)
	if d.Uses != "actions/download-artifact@v4" || d.With["merge-multiple"] != true || dir == "" {
		t.Errorf("download %+v: want actions/download-artifact@v4 with path and merge-multiple: true", d)
	}
	for _, s := range shards {
		name := strings.ReplaceAll(artifact, matrixShard, strconv.Itoa(s))
		if ok, err := path.Match(pattern, name); !ok || err != nil {
			t.Errorf("download pattern %q does not match shard %d's artifact %s", pattern, s, name)
		}
	}
	for jid, j := range w.Jobs {
		for _, s := range j.Steps {
			if name, _ := s.With["name"].(string); uses("actions/upload-artifact")(s) && jid != id && name != "" {
				if ok, _ := path.Match(pattern, name); ok {
					t.Errorf("job %s uploads %s, which the download pattern %q takes for a shard's summary", jid, name, pattern)
				}
			}
		}
	}
	margs := command(t, merge.Steps[mat].Run, "exorun summary merge")
	if !slices.Contains(margs, path.Join(dir, "*.json")) {
		t.Errorf("merge %q: want %s among its files", margs, path.Join(dir, "*.json"))
	}
	if strings.Contains(merge.Steps[mat].Run, "|| true") {
		t.Error("the merge step swallows exorun's exit code (|| true)")
	}
}

// TestGitHubActionsArgs runs the workflow's exorun command lines through
// exorun's own, shard 0, in an empty folder: exorun must take every flag
// and stop at the missing tenants file or script, or summaries.
func TestGitHubActionsArgs(t *testing.T) {
	w := readWorkflow(t)
	id, job := shardJob(t, w)
	at := stepIndex(job.Steps, runs("exorun run "))
	if at < 0 {
		t.Fatalf("job %s runs no exorun run", id)
	}
	vars := map[string]string{}
	for k, v := range job.Steps[at].Env {
		if !strings.Contains(v, "${{") {
			vars[k] = v
		}
	}
	t.Run("run", func(t *testing.T) {
		dir := t.TempDir()
		t.Chdir(dir)
		if err := os.Mkdir("summaries", 0o755); err != nil { // the step's mkdir -p
			t.Fatal(err)
		}
		args := command(t, strings.ReplaceAll(job.Steps[at].Run, matrixShard, "0"), "exorun run ")[1:]
		stderr, code := runExorun(t, dir, vars, args)
		wantMissingFile(t, args, stderr, code, append(flagValues(args, "--tenants"), args[len(args)-1])...)
	})
	t.Run("merge", func(t *testing.T) {
		var run string
		for _, j := range w.Jobs {
			if i := stepIndex(j.Steps, runs("exorun summary merge")); i >= 0 {
				run = j.Steps[i].Run
			}
		}
		dir := t.TempDir()
		t.Chdir(dir)
		// No summary was downloaded: the shell passes the glob as it is.
		args := command(t, run, "exorun summary merge")[1:]
		if len(args) == 0 {
			t.Fatal("no exorun summary merge")
		}
		stderr, code := runExorun(t, dir, nil, args)
		wantMissingFile(t, args, stderr, code, "summaries")
	})
}

// TestDockerfile checks the builder's Go against go.mod and the image's
// shape: a static binary, a numeric nonroot user.
func TestDockerfile(t *testing.T) {
	data, err := os.ReadFile(dockerfile)
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	goLine := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(mod)
	if goLine == nil {
		t.Fatal("go.mod has no go directive")
	}
	text := string(data)
	for _, want := range []string{
		"ARG GO_VERSION=" + string(goLine[1]) + "\n",
		"FROM golang:${GO_VERSION} AS build\n",
		"RUN CGO_ENABLED=0 go build -trimpath -o /exorun ./cmd/exorun\n",
		"FROM gcr.io/distroless/static-debian12:nonroot\n",
		"COPY --from=build /exorun /exorun\n",
		`ENTRYPOINT ["/exorun"]` + "\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("%s lacks %q", dockerfile, strings.TrimSpace(want))
		}
	}
	user := regexp.MustCompile(`(?m)^USER (\d+)(:\d+)?$`).FindStringSubmatch(text)
	if user == nil || user[1] == "0" {
		t.Errorf("%s: want a numeric USER other than 0, so runAsNonRoot can verify it", dockerfile)
	}
	job, _ := readJob(t)
	if sc := job.Spec.Template.Spec.SecurityContext; user != nil && sc != nil && sc.RunAsUser != nil && strconv.FormatInt(*sc.RunAsUser, 10) != user[1] {
		t.Errorf("the Job runs as %d, the image as %s", *sc.RunAsUser, user[1])
	}
}
