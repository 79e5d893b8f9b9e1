package deploy

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/vasteras/trygg/internal/config"
)

// No Kubernetes schema checker can be installed here (kubeconform and the like fetch their
// schemas from the network at run time), so these tests decode every manifest strictly
// into the subset of the Kubernetes types that trygg's manifests use: a misspelt or
// misplaced field is an error. A field added on purpose needs its place in the types below.

// objectMeta is metadata.
type objectMeta struct {
	Name        string            `yaml:"name"`
	Namespace   string            `yaml:"namespace"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

type labelSelector struct {
	MatchLabels map[string]string `yaml:"matchLabels"`
}

type seccompProfile struct {
	Type string `yaml:"type"`
}

type probe struct {
	HTTPGet *struct {
		Path string `yaml:"path"`
		Port any    `yaml:"port"`
	} `yaml:"httpGet"`
	InitialDelaySeconds int `yaml:"initialDelaySeconds"`
	PeriodSeconds       int `yaml:"periodSeconds"`
	TimeoutSeconds      int `yaml:"timeoutSeconds"`
	FailureThreshold    int `yaml:"failureThreshold"`
}

type container struct {
	Name            string   `yaml:"name"`
	Image           string   `yaml:"image"`
	ImagePullPolicy string   `yaml:"imagePullPolicy"`
	Command         []string `yaml:"command"`
	Args            []string `yaml:"args"`
	Ports           []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
		Protocol      string `yaml:"protocol"`
	} `yaml:"ports"`
	EnvFrom []struct {
		ConfigMapRef *struct {
			Name string `yaml:"name"`
		} `yaml:"configMapRef"`
		SecretRef *struct {
			Name string `yaml:"name"`
		} `yaml:"secretRef"`
	} `yaml:"envFrom"`
	Env []struct {
		Name      string `yaml:"name"`
		Value     string `yaml:"value"`
		ValueFrom *struct {
			ResourceFieldRef *struct {
				Resource string `yaml:"resource"`
			} `yaml:"resourceFieldRef"`
		} `yaml:"valueFrom"`
	} `yaml:"env"`
	Resources struct {
		Requests map[string]string `yaml:"requests"`
		Limits   map[string]string `yaml:"limits"`
	} `yaml:"resources"`
	LivenessProbe   *probe `yaml:"livenessProbe"`
	ReadinessProbe  *probe `yaml:"readinessProbe"`
	StartupProbe    *probe `yaml:"startupProbe"`
	SecurityContext *struct {
		AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
		ReadOnlyRootFilesystem   *bool `yaml:"readOnlyRootFilesystem"`
		RunAsNonRoot             *bool `yaml:"runAsNonRoot"`
		Capabilities             struct {
			Drop []string `yaml:"drop"`
			Add  []string `yaml:"add"`
		} `yaml:"capabilities"`
		SeccompProfile *seccompProfile `yaml:"seccompProfile"`
	} `yaml:"securityContext"`
}

type deployment struct {
	APIVersion string     `yaml:"apiVersion"`
	Kind       string     `yaml:"kind"`
	Metadata   objectMeta `yaml:"metadata"`
	Spec       struct {
		Replicas             int           `yaml:"replicas"`
		RevisionHistoryLimit int           `yaml:"revisionHistoryLimit"`
		Selector             labelSelector `yaml:"selector"`
		Strategy             struct {
			Type          string `yaml:"type"`
			RollingUpdate struct {
				MaxUnavailable any `yaml:"maxUnavailable"`
				MaxSurge       any `yaml:"maxSurge"`
			} `yaml:"rollingUpdate"`
		} `yaml:"strategy"`
		Template struct {
			Metadata objectMeta `yaml:"metadata"`
			Spec     struct {
				AutomountServiceAccountToken  *bool `yaml:"automountServiceAccountToken"`
				EnableServiceLinks            *bool `yaml:"enableServiceLinks"`
				TerminationGracePeriodSeconds int   `yaml:"terminationGracePeriodSeconds"`
				SecurityContext               struct {
					RunAsNonRoot   *bool           `yaml:"runAsNonRoot"`
					RunAsUser      int64           `yaml:"runAsUser"`
					RunAsGroup     int64           `yaml:"runAsGroup"`
					FSGroup        int64           `yaml:"fsGroup"`
					SeccompProfile *seccompProfile `yaml:"seccompProfile"`
				} `yaml:"securityContext"`
				TopologySpreadConstraints []struct {
					MaxSkew           int           `yaml:"maxSkew"`
					TopologyKey       string        `yaml:"topologyKey"`
					WhenUnsatisfiable string        `yaml:"whenUnsatisfiable"`
					LabelSelector     labelSelector `yaml:"labelSelector"`
				} `yaml:"topologySpreadConstraints"`
				Containers []container `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

type service struct {
	APIVersion string     `yaml:"apiVersion"`
	Kind       string     `yaml:"kind"`
	Metadata   objectMeta `yaml:"metadata"`
	Spec       struct {
		Type     string            `yaml:"type"`
		Selector map[string]string `yaml:"selector"`
		Ports    []struct {
			Name       string `yaml:"name"`
			Port       int    `yaml:"port"`
			TargetPort any    `yaml:"targetPort"`
			Protocol   string `yaml:"protocol"`
		} `yaml:"ports"`
	} `yaml:"spec"`
}

type podDisruptionBudget struct {
	APIVersion string     `yaml:"apiVersion"`
	Kind       string     `yaml:"kind"`
	Metadata   objectMeta `yaml:"metadata"`
	Spec       struct {
		MinAvailable   any           `yaml:"minAvailable"`
		MaxUnavailable any           `yaml:"maxUnavailable"`
		Selector       labelSelector `yaml:"selector"`
	} `yaml:"spec"`
}

type configMap struct {
	APIVersion string            `yaml:"apiVersion"`
	Kind       string            `yaml:"kind"`
	Metadata   objectMeta        `yaml:"metadata"`
	Data       map[string]string `yaml:"data"`
}

type secret struct {
	APIVersion string            `yaml:"apiVersion"`
	Kind       string            `yaml:"kind"`
	Metadata   objectMeta        `yaml:"metadata"`
	Type       string            `yaml:"type"`
	StringData map[string]string `yaml:"stringData"`
	Data       map[string]string `yaml:"data"`
}

type kustomization struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Namespace  string `yaml:"namespace"`
	Labels     []struct {
		Pairs            map[string]string `yaml:"pairs"`
		IncludeSelectors bool              `yaml:"includeSelectors"`
	} `yaml:"labels"`
	Resources []string `yaml:"resources"`
	Images    []struct {
		Name    string `yaml:"name"`
		NewName string `yaml:"newName"`
		NewTag  string `yaml:"newTag"`
	} `yaml:"images"`
}

// kinds maps each kind the manifests may hold to its apiVersion and its strict type.
var kinds = map[string]struct {
	apiVersion string
	new        func() any
}{
	"Deployment":          {"apps/v1", func() any { return &deployment{} }},
	"Service":             {"v1", func() any { return &service{} }},
	"PodDisruptionBudget": {"policy/v1", func() any { return &podDisruptionBudget{} }},
	"ConfigMap":           {"v1", func() any { return &configMap{} }},
	"Secret":              {"v1", func() any { return &secret{} }},
	"Kustomization":       {"kustomize.config.k8s.io/v1beta1", func() any { return &kustomization{} }},
}

// manifest is one YAML document of a file under k8s/.
type manifest struct {
	file  string
	kind  string
	name  string
	value any // a pointer to one of the types above
}

// documents splits a YAML file into its documents (---), skipping empty ones.
func documents(t *testing.T, file string) []*yaml.Node {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var docs []*yaml.Node
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if len(n.Content) > 0 && !(n.Content[0].Kind == yaml.ScalarNode && n.Content[0].Tag == "!!null") {
			docs = append(docs, &n)
		}
	}
}

// strict decodes a document into v, refusing fields v does not have.
func strict(doc *yaml.Node, v any) error {
	b, err := yaml.Marshal(doc)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	return dec.Decode(v)
}

// manifests reads every document of every YAML file under k8s/.
func manifests(t *testing.T) []manifest {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("k8s", "*.y*ml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in k8s/ (%v)", err)
	}
	var out []manifest
	for _, file := range files {
		docs := documents(t, file)
		if len(docs) == 0 {
			t.Errorf("%s: no YAML document", file)
		}
		for i, doc := range docs {
			var head struct {
				APIVersion string     `yaml:"apiVersion"`
				Kind       string     `yaml:"kind"`
				Metadata   objectMeta `yaml:"metadata"`
			}
			if err := doc.Decode(&head); err != nil {
				t.Errorf("%s document %d: %v", file, i+1, err)
				continue
			}
			k, ok := kinds[head.Kind]
			switch {
			case head.APIVersion == "" || head.Kind == "":
				t.Errorf("%s document %d: apiVersion and kind are required", file, i+1)
				continue
			case !ok:
				t.Errorf("%s document %d: kind %q is not one these tests know", file, i+1, head.Kind)
				continue
			case head.APIVersion != k.apiVersion:
				t.Errorf("%s: %s has apiVersion %q, want %q", file, head.Kind, head.APIVersion, k.apiVersion)
			}
			if head.Kind != "Kustomization" && head.Metadata.Name == "" {
				t.Errorf("%s: %s has no metadata.name", file, head.Kind)
			}
			v := k.new()
			if err := strict(doc, v); err != nil {
				t.Errorf("%s: %s: %v", file, head.Kind, err)
				continue
			}
			out = append(out, manifest{file: file, kind: head.Kind, name: head.Metadata.Name, value: v})
		}
	}
	return out
}

// only returns the one manifest of a kind.
func only[T any](t *testing.T, ms []manifest, kind string) *T {
	t.Helper()
	var found []*T
	for _, m := range ms {
		if m.kind == kind {
			found = append(found, m.value.(*T))
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one %s, found %d", kind, len(found))
	}
	return found[0]
}

// TestManifestsParse: every YAML file in deploy/ parses (all documents); every manifest
// under k8s/ has apiVersion, kind and metadata.name and only fields of its kind.
func TestManifestsParse(t *testing.T) {
	var files []string
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 7 {
		t.Fatalf("found only %v", files)
	}
	for _, f := range files {
		if len(documents(t, f)) == 0 {
			t.Errorf("%s has no YAML document", f)
		}
	}
	if ms := manifests(t); len(ms) < 6 {
		t.Errorf("only %d manifests", len(ms))
	}
}

// TestKustomization: the kustomization lists every manifest, and only existing ones.
func TestKustomization(t *testing.T) {
	ms := manifests(t)
	k := only[kustomization](t, ms, "Kustomization")
	listed := map[string]bool{}
	for _, r := range k.Resources {
		listed[filepath.Join("k8s", r)] = true
		if _, err := os.Stat(filepath.Join("k8s", r)); err != nil {
			t.Errorf("kustomization lists %s: %v", r, err)
		}
	}
	for _, m := range ms {
		if m.kind != "Kustomization" && !listed[m.file] {
			t.Errorf("%s is not in the kustomization's resources", m.file)
		}
	}
	if len(k.Images) != 1 || k.Images[0].Name != "trygg" || k.Images[0].NewTag == "" || k.Images[0].NewTag == "latest" {
		t.Errorf("images = %+v: want trygg pinned to a tag", k.Images)
	}
}

// TestDeployment: two replicas, probes on /healthz and /readyz (start-up gate only), resources, and a
// container that runs as non-root on a read-only root file system with no privileges.
func TestDeployment(t *testing.T) {
	ms := manifests(t)
	d := only[deployment](t, ms, "Deployment")
	s := d.Spec
	if s.Replicas != 2 {
		t.Errorf("replicas = %d, want 2", s.Replicas)
	}
	if !subset(s.Selector.MatchLabels, s.Template.Metadata.Labels) || len(s.Selector.MatchLabels) == 0 {
		t.Errorf("selector %v does not match the pod labels %v", s.Selector.MatchLabels, s.Template.Metadata.Labels)
	}
	pod := s.Template.Spec
	if pod.SecurityContext.RunAsNonRoot == nil || !*pod.SecurityContext.RunAsNonRoot || pod.SecurityContext.RunAsUser == 0 {
		t.Error("pod: runAsNonRoot and a non-zero runAsUser are required")
	}
	if pod.SecurityContext.SeccompProfile == nil || pod.SecurityContext.SeccompProfile.Type != "RuntimeDefault" {
		t.Error("pod: seccompProfile RuntimeDefault is required")
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Error("pod: trygg needs no service account token")
	}
	if pod.TerminationGracePeriodSeconds <= 10 {
		t.Errorf("terminationGracePeriodSeconds = %d: trygg drains for 10 s", pod.TerminationGracePeriodSeconds)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	ports := map[string]int{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	if ports["http"] != 8080 {
		t.Errorf("container port http = %d, want 8080", ports["http"])
	}
	for name, tc := range map[string]struct {
		p    *probe
		path string
	}{
		"liveness": {c.LivenessProbe, "/healthz"},
		// /readyz fails on every replica at once when Redis is down; as the readiness
		// probe it would empty the Service, where each replica still answers with the
		// safety reply. It gates a new pod's start instead.
		"startup":   {c.StartupProbe, "/readyz"},
		"readiness": {c.ReadinessProbe, "/healthz"},
	} {
		switch {
		case tc.p == nil || tc.p.HTTPGet == nil:
			t.Errorf("%s probe: want httpGet %s", name, tc.path)
		case tc.p.HTTPGet.Path != tc.path:
			t.Errorf("%s probe path = %q, want %s", name, tc.p.HTTPGet.Path, tc.path)
		case tc.p.HTTPGet.Port != "http" && tc.p.HTTPGet.Port != 8080:
			t.Errorf("%s probe port = %v, want http", name, tc.p.HTTPGet.Port)
		}
	}
	if c.Resources.Requests["cpu"] == "" || c.Resources.Requests["memory"] == "" || c.Resources.Limits["memory"] == "" {
		t.Errorf("resources = %+v: want cpu and memory requests and a memory limit", c.Resources)
	}
	sc := c.SecurityContext
	switch {
	case sc == nil:
		t.Fatal("container has no securityContext")
	case sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation:
		t.Error("container: allowPrivilegeEscalation must be false")
	case sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem:
		t.Error("container: readOnlyRootFilesystem must be true")
	case sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot:
		t.Error("container: runAsNonRoot must be true")
	case !slices.Contains(sc.Capabilities.Drop, "ALL") || len(sc.Capabilities.Add) > 0:
		t.Errorf("container capabilities: drop %v add %v, want drop ALL", sc.Capabilities.Drop, sc.Capabilities.Add)
	case sc.SeccompProfile == nil || sc.SeccompProfile.Type != "RuntimeDefault":
		t.Error("container: seccompProfile RuntimeDefault is required")
	}

	// The configuration the container reads exists.
	cm := only[configMap](t, ms, "ConfigMap")
	sec := only[secret](t, ms, "Secret")
	var refs []string
	for _, e := range c.EnvFrom {
		if e.ConfigMapRef != nil {
			refs = append(refs, "ConfigMap/"+e.ConfigMapRef.Name)
		}
		if e.SecretRef != nil {
			refs = append(refs, "Secret/"+e.SecretRef.Name)
		}
	}
	for _, want := range []string{"ConfigMap/" + cm.Metadata.Name, "Secret/" + sec.Metadata.Name} {
		if !slices.Contains(refs, want) {
			t.Errorf("the container does not read %s (envFrom %v)", want, refs)
		}
	}
}

// TestServiceAndDisruptionBudget: the Service and the PodDisruptionBudget select the
// Deployment's pods; the Service targets the named port; one pod always stays.
func TestServiceAndDisruptionBudget(t *testing.T) {
	ms := manifests(t)
	d := only[deployment](t, ms, "Deployment")
	pods := d.Spec.Template.Metadata.Labels
	svc := only[service](t, ms, "Service")
	if len(svc.Spec.Selector) == 0 || !subset(svc.Spec.Selector, pods) {
		t.Errorf("Service selector %v does not select the pods %v", svc.Spec.Selector, pods)
	}
	if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].TargetPort != "http" {
		t.Errorf("Service ports = %+v, want one targeting http", svc.Spec.Ports)
	}
	pdb := only[podDisruptionBudget](t, ms, "PodDisruptionBudget")
	if pdb.Spec.MinAvailable != 1 {
		t.Errorf("minAvailable = %v, want 1", pdb.Spec.MinAvailable)
	}
	if len(pdb.Spec.Selector.MatchLabels) == 0 || !subset(pdb.Spec.Selector.MatchLabels, pods) {
		t.Errorf("PodDisruptionBudget selector %v does not select the pods %v", pdb.Spec.Selector.MatchLabels, pods)
	}
}

// TestConfigExamples: the example settings (ConfigMap and Secret, compose's env file) are
// variables trygg documents and accepts; the Secret's placeholders hold no usable key, and
// trygg refuses to start on them.
func TestConfigExamples(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	documented := func(name string) {
		t.Helper()
		if !bytes.Contains(readme, []byte("`"+name+"`")) {
			t.Errorf("%s is not documented in the README", name)
		}
	}
	ms := manifests(t)
	cm := only[configMap](t, ms, "ConfigMap")
	sec := only[secret](t, ms, "Secret")
	env := map[string]string{}
	for k, v := range cm.Data {
		documented(k)
		env[k] = v
	}
	for k, v := range sec.StringData {
		documented(k)
		if !strings.Contains(v, "REPLACE-ME") {
			t.Errorf("Secret example %s = %q: examples hold placeholders only", k, v)
		}
		env[k] = v
	}
	if len(sec.Data) > 0 {
		t.Error("the Secret example must not carry encoded data")
	}
	if _, err := config.Load(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "TRYGG_SECRET") {
		t.Errorf("trygg starts on the placeholder secret: %v", err)
	}
	env["TRYGG_SECRET"] = "a-real-secret-of-32-bytes-000000"
	if _, err := config.Load(func(k string) string { return env[k] }); err != nil {
		t.Errorf("the ConfigMap and Secret examples do not load: %v", err)
	}

	// compose: the env file example with compose's environment.
	compose := composeFile(t)
	svc := compose.Services["trygg-a"]
	cenv := envFile(t, "trygg.env.example")
	for k := range cenv {
		documented(k)
	}
	for k, v := range svc.Environment {
		documented(k)
		cenv[k] = v
	}
	if _, err := config.Load(func(k string) string { return cenv[k] }); err != nil {
		t.Errorf("compose's settings do not load: %v", err)
	}
}

// envFile reads KEY=VALUE lines, skipping comments.
func envFile(t *testing.T, name string) map[string]string {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Errorf("%s: %q is not KEY=VALUE", name, line)
			continue
		}
		env[k] = v
	}
	return env
}

// composeService is the part of a compose service these tests read.
type composeService struct {
	Build *struct {
		Context    string `yaml:"context"`
		Dockerfile string `yaml:"dockerfile"`
	} `yaml:"build"`
	Image   string `yaml:"image"`
	EnvFile []struct {
		Path     string `yaml:"path"`
		Required *bool  `yaml:"required"`
	} `yaml:"env_file"`
	Environment map[string]string `yaml:"environment"`
	DependsOn   any               `yaml:"depends_on"`
	ReadOnly    bool              `yaml:"read_only"`
	CapDrop     []string          `yaml:"cap_drop"`
	SecurityOpt []string          `yaml:"security_opt"`
	Restart     string            `yaml:"restart"`
	Command     []string          `yaml:"command"`
	Ports       []string          `yaml:"ports"`
	Volumes     []string          `yaml:"volumes"`
	Healthcheck *struct {
		Test     []string `yaml:"test"`
		Interval string   `yaml:"interval"`
		Timeout  string   `yaml:"timeout"`
		Retries  int      `yaml:"retries"`
	} `yaml:"healthcheck"`
}

type compose struct {
	Name     string                    `yaml:"name"`
	Trygg    composeService            `yaml:"x-trygg"`
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]any            `yaml:"volumes"`
}

func composeFile(t *testing.T) compose {
	t.Helper()
	docs := documents(t, "compose.yaml")
	if len(docs) != 1 {
		t.Fatalf("compose.yaml has %d documents", len(docs))
	}
	var c compose
	if err := strict(docs[0], &c); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	return c
}

// TestCompose: two trygg replicas built from the Dockerfile share Redis 7 behind a proxy
// that balances between both and publishes :8080.
func TestCompose(t *testing.T) {
	c := composeFile(t)
	var replicas []string
	for _, name := range []string{"trygg-a", "trygg-b"} {
		s, ok := c.Services[name]
		if !ok {
			t.Fatalf("no service %s", name)
		}
		replicas = append(replicas, name)
		if s.Build == nil || s.Build.Dockerfile != "deploy/Dockerfile" {
			t.Errorf("%s is not built from deploy/Dockerfile", name)
		} else if _, err := os.Stat(filepath.Join(s.Build.Context, s.Build.Dockerfile)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if s.Environment["REDIS_URL"] != "redis://redis:6379" {
			t.Errorf("%s: REDIS_URL = %q", name, s.Environment["REDIS_URL"])
		}
		if !s.ReadOnly || !slices.Contains(s.CapDrop, "ALL") || !slices.Contains(s.SecurityOpt, "no-new-privileges:true") {
			t.Errorf("%s: want read_only, cap_drop ALL, no-new-privileges", name)
		}
		if len(s.EnvFile) == 0 || s.EnvFile[0].Path != "trygg.env.example" {
			t.Errorf("%s: env_file = %+v", name, s.EnvFile)
		}
		if len(s.Ports) > 0 {
			t.Errorf("%s publishes ports; only the proxy should", name)
		}
	}
	if r := c.Services["redis"]; r.Image != "redis:7" || r.Healthcheck == nil {
		t.Errorf("redis: image %q, healthcheck %v", r.Image, r.Healthcheck != nil)
	}
	p, ok := c.Services["proxy"]
	if !ok || !slices.Contains(p.Ports, "8080:8080") {
		t.Fatalf("proxy: ports %v, want 8080:8080", p.Ports)
	}
	var caddyfile string
	for _, v := range p.Volumes {
		if src, dst, ok := strings.Cut(v, ":"); ok && strings.HasPrefix(dst, "/etc/caddy/Caddyfile") {
			caddyfile = src
		}
	}
	b, err := os.ReadFile(caddyfile)
	if err != nil {
		t.Fatalf("proxy config %q: %v", caddyfile, err)
	}
	conf := string(b)
	for _, r := range replicas {
		if !strings.Contains(conf, r+":8080") {
			t.Errorf("Caddyfile does not send requests to %s", r)
		}
	}
	for _, want := range []string{"lb_policy round_robin", "health_uri /healthz", "lb_try_duration", ":8080 {"} {
		if !strings.Contains(conf, want) {
			t.Errorf("Caddyfile lacks %q", want)
		}
	}
	// /readyz fails on both replicas at once when the shared Redis is down; Caddy would
	// then answer residents with an empty 503 instead of trygg's safety reply.
	if strings.Contains(conf, "health_uri /readyz") {
		t.Error("Caddyfile checks /readyz: a Redis outage would take out both replicas")
	}
	if strings.Count(conf, "{") != strings.Count(conf, "}") {
		t.Error("Caddyfile braces do not balance")
	}
}

// TestDockerfile: a multi-stage build of a static, stripped binary with the Go version of
// go.mod, on a non-root distroless (or scratch) final stage that exposes 8080 and holds no
// secret.
func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	// Join continued lines, drop comments.
	text := strings.ReplaceAll(string(b), "\\\n", " ")
	type stage struct {
		from  string
		lines []string
	}
	var stages []stage
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(strings.ToUpper(line), "FROM ") {
			stages = append(stages, stage{from: strings.Fields(line)[1]})
			continue
		}
		if len(stages) == 0 {
			t.Fatalf("instruction before FROM: %s", line)
		}
		stages[len(stages)-1].lines = append(stages[len(stages)-1].lines, line)
	}
	if len(stages) < 2 {
		t.Fatalf("%d stages, want a build stage and a final stage", len(stages))
	}
	gomod, err := os.ReadFile(filepath.Join("..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(gomod)
	if goVersion == nil || stages[0].from != "golang:"+string(goVersion[1]) {
		t.Errorf("build stage FROM %s, want golang:%s (go.mod)", stages[0].from, goVersion[1])
	}
	build := strings.Join(stages[0].lines, "\n")
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", `-ldflags "-s -w"`, "./cmd/trygg"} {
		if !strings.Contains(build, want) {
			t.Errorf("build stage lacks %s", want)
		}
	}
	final := stages[len(stages)-1]
	if !strings.HasPrefix(final.from, "gcr.io/distroless/static") && final.from != "scratch" {
		t.Errorf("final stage FROM %s, want distroless static or scratch", final.from)
	}
	var user, expose string
	for _, l := range final.lines {
		f := strings.Fields(l)
		switch strings.ToUpper(f[0]) {
		case "USER":
			user = f[1]
		case "EXPOSE":
			expose = f[1]
		}
	}
	if name, _, _ := strings.Cut(user, ":"); name != "nonroot" && name != "65532" {
		t.Errorf("final stage USER %q, want nonroot", user)
	}
	if expose != "8080" {
		t.Errorf("EXPOSE %q, want 8080", expose)
	}
	secretish := regexp.MustCompile(`(?i)^(ENV|ARG)\s+\S*(SECRET|TOKEN|PASSWORD|AUTH)`)
	for _, s := range stages {
		for _, l := range s.lines {
			if secretish.MatchString(l) {
				t.Errorf("the image carries a secret: %s", l)
			}
		}
	}
}

// subset reports whether every pair of a is in b.
func subset(a, b map[string]string) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
