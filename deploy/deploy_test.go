package deploy

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	kjson "sigs.k8s.io/json"
	k8syaml "sigs.k8s.io/yaml"

	"github.com/vasteras/trygg/internal/config"
)

// No Kubernetes schema checker can be installed here (kubeconform and the like fetch their
// schemas from the network at run time), but the Kubernetes API types themselves come from
// the Go module proxy: these tests decode every object under k8s/ into its k8s.io/api
// (v0.37) type, as strictly as the API server's strict field validation does (an unknown,
// misspelt, wrongly cased or duplicated field, a wrong type or a malformed quantity is an
// error), then check what the types cannot: that ports, selectors and configuration
// references point at something that exists, and trygg's own policy (probes, non-root,
// resources). The kustomization is not a Kubernetes object; it is decoded strictly into
// the subset of kustomize's fields it uses. The k8s.io modules are test-only: the trygg
// binary does not link them.

// apiTypes maps "apiVersion kind" to the k8s.io/api type of every object the manifests
// may hold; any other apiVersion or kind is an error.
var apiTypes = map[string]func() any{
	"apps/v1 Deployment":                 func() any { return new(appsv1.Deployment) },
	"v1 Service":                         func() any { return new(corev1.Service) },
	"policy/v1 PodDisruptionBudget":      func() any { return new(policyv1.PodDisruptionBudget) },
	"v1 ConfigMap":                       func() any { return new(corev1.ConfigMap) },
	"v1 Secret":                          func() any { return new(corev1.Secret) },
	"networking.k8s.io/v1 NetworkPolicy": func() any { return new(networkingv1.NetworkPolicy) },
}

// kustomizationType is the apiVersion and kind of kustomization.yaml.
const kustomizationType = "kustomize.config.k8s.io/v1beta1 Kustomization"

// kustomization is the subset of kustomize's Kustomization that trygg uses.
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

// manifest is one YAML document of a file under k8s/.
type manifest struct {
	file string
	kind string
	name string
	obj  any // a pointer to a k8s.io/api type of apiTypes, or *kustomization
}

// decodeAPI decodes one document into obj, a pointer to a k8s.io/api type.
// sigs.k8s.io/yaml's UnmarshalStrict refuses duplicate and unknown fields, but the
// encoding/json under it matches field names regardless of case; the API server matches
// them exactly (sigs.k8s.io/json), so the document goes through that decoder too.
func decodeAPI(doc []byte, obj any) error {
	if err := k8syaml.UnmarshalStrict(doc, obj); err != nil {
		return err
	}
	j, err := k8syaml.YAMLToJSONStrict(doc)
	if err != nil {
		return err
	}
	fresh := reflect.New(reflect.TypeOf(obj).Elem()).Interface()
	strictErrs, err := kjson.UnmarshalStrict(j, fresh)
	if err != nil {
		return err
	}
	return errors.Join(strictErrs...)
}

// decodeDocument decodes one YAML document into the type its apiVersion and kind name.
func decodeDocument(doc []byte) (manifest, error) {
	var head metav1.PartialObjectMetadata
	if err := k8syaml.Unmarshal(doc, &head); err != nil {
		return manifest{}, err
	}
	m := manifest{kind: head.Kind, name: head.Name}
	if head.APIVersion == "" || head.Kind == "" {
		return m, errors.New("apiVersion and kind are required")
	}
	typ := head.APIVersion + " " + head.Kind
	if typ == kustomizationType {
		var k kustomization
		dec := yaml.NewDecoder(bytes.NewReader(doc))
		dec.KnownFields(true)
		if err := dec.Decode(&k); err != nil {
			return m, fmt.Errorf("%s: %w", typ, err)
		}
		m.obj = &k
		return m, nil
	}
	newObj, ok := apiTypes[typ]
	if !ok {
		return m, fmt.Errorf("%s is not a type these tests know (apiTypes)", typ)
	}
	if head.Name == "" {
		return m, fmt.Errorf("%s has no metadata.name", head.Kind)
	}
	obj := newObj()
	if err := decodeAPI(doc, obj); err != nil {
		return m, fmt.Errorf("%s %s: %w", head.Kind, head.Name, err)
	}
	m.obj = obj
	return m, nil
}

// decodeFiles splits each file (name → content) into YAML documents as kubectl does and
// decodes every document that is not empty.
func decodeFiles(files map[string][]byte) ([]manifest, error) {
	var out []manifest
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(files)) {
		r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(files[name])))
		n := 0
		for {
			doc, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
				break
			}
			if j, err := k8syaml.YAMLToJSON(doc); err == nil && string(j) == "null" {
				continue // only comments
			}
			n++
			m, err := decodeDocument(doc)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s document %d: %w", name, n, err))
				continue
			}
			m.file = name
			out = append(out, m)
		}
		if n == 0 {
			errs = append(errs, fmt.Errorf("%s: no YAML document", name))
		}
	}
	return out, errors.Join(errs...)
}

// k8sFiles reads every YAML file under k8s/.
func k8sFiles(t *testing.T) map[string][]byte {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("k8s", "*.y*ml"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no manifests in k8s/ (%v)", err)
	}
	files := map[string][]byte{}
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		files[name] = b
	}
	return files
}

// manifests decodes every document of every YAML file under k8s/.
func manifests(t *testing.T) []manifest {
	t.Helper()
	ms, err := decodeFiles(k8sFiles(t))
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// only returns the one manifest of type T.
func only[T any](t *testing.T, ms []manifest) *T {
	t.Helper()
	var found []*T
	for _, m := range ms {
		if v, ok := m.obj.(*T); ok {
			found = append(found, v)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one %T, found %d", *new(T), len(found))
	}
	return found[0]
}

// crossCheck returns what is wrong between the decoded objects, which the types alone do
// not catch: invalid names and labels, selectors that select no pods, ports and probes
// that name no container port, requests above limits, and configuration references to
// ConfigMaps, Secrets, keys or resources that are not there. (The API server checks the
// names, labels and keys too, but only when the manifests are applied.)
func crossCheck(ms []manifest) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	invalid := func(what string, errs []string) {
		if len(errs) > 0 {
			bad("%s: %s", what, strings.Join(errs, "; "))
		}
	}
	validLabels := func(what string, ls map[string]string) {
		for k, v := range ls {
			invalid(fmt.Sprintf("%s label %q", what, k), append(validation.IsQualifiedName(k), validation.IsValidLabelValue(v)...))
		}
	}
	selects := func(what string, sel *metav1.LabelSelector, pods map[string]string) bool {
		s, err := metav1.LabelSelectorAsSelector(sel)
		switch {
		case err != nil:
			bad("%s: %v", what, err)
		case s.Empty():
			bad("%s is empty: it would select every pod", what)
		default:
			return s.Matches(labels.Set(pods))
		}
		return false
	}

	configMaps := map[string]*corev1.ConfigMap{}
	secrets := map[string]*corev1.Secret{}
	var deployments []*appsv1.Deployment
	var services []*corev1.Service
	var budgets []*policyv1.PodDisruptionBudget
	var policies []*networkingv1.NetworkPolicy
	for _, m := range ms {
		meta, ok := m.obj.(metav1.Object)
		if !ok {
			continue // the kustomization
		}
		what := m.kind + " " + m.name
		validLabels(what, meta.GetLabels())
		switch o := m.obj.(type) {
		case *corev1.Service:
			invalid(what+" name", validation.IsDNS1035Label(o.Name))
			services = append(services, o)
		default:
			invalid(what+" name", validation.IsDNS1123Subdomain(m.name))
		}
		switch o := m.obj.(type) {
		case *appsv1.Deployment:
			deployments = append(deployments, o)
		case *policyv1.PodDisruptionBudget:
			budgets = append(budgets, o)
		case *networkingv1.NetworkPolicy:
			policies = append(policies, o)
		case *corev1.ConfigMap:
			configMaps[o.Name] = o
			for k := range o.Data {
				invalid(fmt.Sprintf("%s key %q", what, k), validation.IsConfigMapKey(k))
			}
		case *corev1.Secret:
			secrets[o.Name] = o
			for k := range o.StringData {
				invalid(fmt.Sprintf("%s key %q", what, k), validation.IsConfigMapKey(k))
			}
			for k := range o.Data {
				invalid(fmt.Sprintf("%s key %q", what, k), validation.IsConfigMapKey(k))
			}
		}
	}

	// portsOf returns the named and numbered container ports of a pod.
	portsOf := func(pod corev1.PodSpec) (map[string]bool, map[int32]bool) {
		names, numbers := map[string]bool{}, map[int32]bool{}
		for _, c := range pod.Containers {
			for _, p := range c.Ports {
				if p.Name != "" {
					names[p.Name] = true
				}
				numbers[p.ContainerPort] = true
			}
		}
		return names, numbers
	}
	refersTo := func(what string, port intstr.IntOrString, names map[string]bool, numbers map[int32]bool) {
		if (port.Type == intstr.String && !names[port.StrVal]) || (port.Type == intstr.Int && !numbers[port.IntVal]) {
			bad("%s %q is not a container port", what, port.String())
		}
	}

	for _, d := range deployments {
		what := "Deployment " + d.Name
		tmpl := d.Spec.Template
		validLabels(what+" pod", tmpl.Labels)
		if !selects(what+" selector", d.Spec.Selector, tmpl.Labels) {
			bad("%s: selector %s does not match the pod labels %v", what, metav1.FormatLabelSelector(d.Spec.Selector), tmpl.Labels)
		}
		for _, tsc := range tmpl.Spec.TopologySpreadConstraints {
			if !selects(what+" topology spread selector", tsc.LabelSelector, tmpl.Labels) {
				bad("%s: topology spread selector %s does not match the pod labels", what, metav1.FormatLabelSelector(tsc.LabelSelector))
			}
		}
		names, numbers := portsOf(tmpl.Spec)
		for _, c := range tmpl.Spec.Containers {
			cwhat := what + " container " + c.Name
			invalid(cwhat+" name", validation.IsDNS1123Label(c.Name))
			seen := map[string]bool{}
			for _, p := range c.Ports {
				invalid(fmt.Sprintf("%s port name %q", cwhat, p.Name), validation.IsValidPortName(p.Name))
				invalid(fmt.Sprintf("%s port %d", cwhat, p.ContainerPort), validation.IsValidPortNum(int(p.ContainerPort)))
				if seen[p.Name] {
					bad("%s: port name %q twice", cwhat, p.Name)
				}
				seen[p.Name] = true
			}
			for name, p := range map[string]*corev1.Probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe, "startup": c.StartupProbe} {
				switch {
				case p == nil:
				case p.HTTPGet != nil:
					refersTo(cwhat+" "+name+" probe port", p.HTTPGet.Port, names, numbers)
				case p.TCPSocket != nil:
					refersTo(cwhat+" "+name+" probe port", p.TCPSocket.Port, names, numbers)
				}
			}
			for res, q := range c.Resources.Limits {
				if q.Sign() <= 0 {
					bad("%s: limit %s = %s", cwhat, res, q.String())
				}
			}
			for res, q := range c.Resources.Requests {
				if q.Sign() <= 0 {
					bad("%s: request %s = %s", cwhat, res, q.String())
				}
				if lim, ok := c.Resources.Limits[res]; ok && q.Cmp(lim) > 0 {
					bad("%s: request %s %s is above its limit %s", cwhat, res, q.String(), lim.String())
				}
			}
			for _, e := range c.EnvFrom {
				switch {
				case e.ConfigMapRef != nil:
					if configMaps[e.ConfigMapRef.Name] == nil {
						bad("%s: envFrom ConfigMap %q is not in k8s/", cwhat, e.ConfigMapRef.Name)
					}
				case e.SecretRef != nil:
					if secrets[e.SecretRef.Name] == nil {
						bad("%s: envFrom Secret %q is not in k8s/", cwhat, e.SecretRef.Name)
					}
				}
			}
			for _, e := range c.Env {
				invalid(fmt.Sprintf("%s env %q", cwhat, e.Name), validation.IsEnvVarName(e.Name))
				from := e.ValueFrom
				switch {
				case from == nil:
				case from.ConfigMapKeyRef != nil:
					ref := from.ConfigMapKeyRef
					if cm, ok := configMaps[ref.Name]; !ok {
						bad("%s: env %s reads ConfigMap %q, which is not in k8s/", cwhat, e.Name, ref.Name)
					} else if _, ok := cm.Data[ref.Key]; !ok {
						bad("%s: env %s reads key %q, which ConfigMap %s does not have", cwhat, e.Name, ref.Key, ref.Name)
					}
				case from.SecretKeyRef != nil:
					ref := from.SecretKeyRef
					if s, ok := secrets[ref.Name]; !ok {
						bad("%s: env %s reads Secret %q, which is not in k8s/", cwhat, e.Name, ref.Name)
					} else if _, ok := s.StringData[ref.Key]; !ok && s.Data[ref.Key] == nil {
						bad("%s: env %s reads key %q, which Secret %s does not have", cwhat, e.Name, ref.Key, ref.Name)
					}
				case from.ResourceFieldRef != nil:
					// Without the limit, limits.memory gives the node's memory instead.
					kind, res, _ := strings.Cut(from.ResourceFieldRef.Resource, ".")
					list := map[string]corev1.ResourceList{"limits": c.Resources.Limits, "requests": c.Resources.Requests}[kind]
					if _, ok := list[corev1.ResourceName(res)]; !ok {
						bad("%s: env %s reads %s, which the container does not set", cwhat, e.Name, from.ResourceFieldRef.Resource)
					}
				}
			}
		}
	}

	// podsOf returns the Deployment whose pods a selector selects, or nil.
	podsOf := func(what string, sel *metav1.LabelSelector) *appsv1.Deployment {
		for _, d := range deployments {
			if selects(what, sel, d.Spec.Template.Labels) {
				return d
			}
		}
		bad("%s %s selects no Deployment's pods", what, metav1.FormatLabelSelector(sel))
		return nil
	}
	for _, s := range services {
		what := "Service " + s.Name
		d := podsOf(what+" selector", &metav1.LabelSelector{MatchLabels: s.Spec.Selector})
		if d == nil {
			continue
		}
		names, numbers := portsOf(d.Spec.Template.Spec)
		for _, p := range s.Spec.Ports {
			refersTo(fmt.Sprintf("%s port %s: targetPort", what, p.Name), p.TargetPort, names, numbers)
		}
	}
	for _, b := range budgets {
		podsOf("PodDisruptionBudget "+b.Name+" selector", b.Spec.Selector)
	}
	problems = append(problems, metricsChecks(deployments, services, policies, configMaps, podsOf)...)
	return problems
}

// metricsPort returns the port of TRYGG_METRICS_ADDR as a Deployment's container would read
// it from the ConfigMaps it names (envFrom, or an env value), or trygg's default.
func metricsPort(c corev1.Container, configMaps map[string]*corev1.ConfigMap) (int32, error) {
	addr := config.DefaultMetricsAddr
	for _, e := range c.EnvFrom {
		if e.ConfigMapRef != nil && configMaps[e.ConfigMapRef.Name] != nil {
			if v, ok := configMaps[e.ConfigMapRef.Name].Data["TRYGG_METRICS_ADDR"]; ok {
				addr = v
			}
		}
	}
	for _, e := range c.Env {
		if e.Name == "TRYGG_METRICS_ADDR" && e.ValueFrom == nil {
			addr = e.Value
		}
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return 0, fmt.Errorf("TRYGG_METRICS_ADDR %q: %w", addr, err)
	}
	n, err := strconv.ParseInt(port, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("TRYGG_METRICS_ADDR %q: %w", addr, err)
	}
	return int32(n), nil
}

// metricsChecks returns what would make /metrics public or unscraped: the port trygg serves
// it on (TRYGG_METRICS_ADDR) must be the container port named metrics, which the scrape
// annotation names, no Service targets, and a NetworkPolicy opens only to a named source.
func metricsChecks(deployments []*appsv1.Deployment, services []*corev1.Service, policies []*networkingv1.NetworkPolicy,
	configMaps map[string]*corev1.ConfigMap, podsOf func(string, *metav1.LabelSelector) *appsv1.Deployment) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	// The metrics port of each Deployment, by name and number.
	type private struct {
		name   string
		number int32
	}
	ports := map[*appsv1.Deployment]private{}
	for _, d := range deployments {
		what := "Deployment " + d.Name
		for _, c := range d.Spec.Template.Spec.Containers {
			port, err := metricsPort(c, configMaps)
			if err != nil {
				bad("%s container %s: %v", what, c.Name, err)
				continue
			}
			var named *corev1.ContainerPort
			for i, p := range c.Ports {
				if p.ContainerPort == port {
					named = &c.Ports[i]
				}
			}
			switch {
			case named == nil:
				bad("%s container %s: TRYGG_METRICS_ADDR port %d is not a container port", what, c.Name, port)
				continue
			case named.Name != "metrics":
				bad("%s container %s: TRYGG_METRICS_ADDR port %d is named %q, want metrics", what, c.Name, port, named.Name)
			}
			ports[d] = private{named.Name, port}
			ann := d.Spec.Template.Annotations
			if ann["prometheus.io/scrape"] == "true" && ann["prometheus.io/port"] != strconv.Itoa(int(port)) {
				bad("%s: annotation prometheus.io/port %q is not the metrics port %d", what, ann["prometheus.io/port"], port)
			}
		}
	}
	for _, s := range services {
		d := podsOf("Service "+s.Name+" selector", &metav1.LabelSelector{MatchLabels: s.Spec.Selector})
		m, ok := ports[d]
		if d == nil || !ok {
			continue
		}
		for _, p := range s.Spec.Ports {
			if (p.TargetPort.Type == intstr.String && p.TargetPort.StrVal == m.name) || (p.TargetPort.Type == intstr.Int && p.TargetPort.IntVal == m.number) {
				bad("Service %s port %s targets the metrics port: /metrics would be reachable through the Service", s.Name, p.Name)
			}
		}
	}
	for _, np := range policies {
		what := "NetworkPolicy " + np.Name
		d := podsOf(what+" podSelector", &np.Spec.PodSelector)
		if d == nil {
			continue
		}
		names, numbers := map[string]bool{}, map[int32]bool{}
		for _, c := range d.Spec.Template.Spec.Containers {
			for _, p := range c.Ports {
				names[p.Name], numbers[p.ContainerPort] = true, true
			}
		}
		m := ports[d]
		for i, rule := range np.Spec.Ingress {
			for _, p := range rule.Ports {
				if p.Port == nil {
					if len(rule.From) == 0 {
						bad("%s ingress rule %d opens every port to anyone, the metrics port too", what, i+1)
					}
					continue
				}
				if (p.Port.Type == intstr.String && !names[p.Port.StrVal]) || (p.Port.Type == intstr.Int && !numbers[p.Port.IntVal]) {
					bad("%s ingress rule %d: port %q is not a container port", what, i+1, p.Port.String())
				}
				metrics := (p.Port.Type == intstr.String && p.Port.StrVal == m.name) || (p.Port.Type == intstr.Int && p.Port.IntVal == m.number)
				if metrics && len(rule.From) == 0 {
					bad("%s ingress rule %d lets anyone reach the metrics port", what, i+1)
				}
			}
			if len(rule.Ports) == 0 && len(rule.From) == 0 {
				bad("%s ingress rule %d opens every port to anyone, the metrics port too", what, i+1)
			}
		}
	}
	return problems
}

// TestManifestsMatchKubernetesAPI: every document under k8s/ decodes strictly into its
// k8s.io/api type (or, for the kustomization, into the kustomize fields it uses), and the
// objects agree with each other (crossCheck).
func TestManifestsMatchKubernetesAPI(t *testing.T) {
	ms := manifests(t)
	var kinds []string
	for _, m := range ms {
		kinds = append(kinds, m.kind)
	}
	slices.Sort(kinds)
	want := []string{"ConfigMap", "Deployment", "Kustomization", "NetworkPolicy", "PodDisruptionBudget", "Secret", "Service"}
	if !slices.Equal(kinds, want) {
		t.Errorf("kinds = %v, want %v", kinds, want)
	}
	for _, p := range crossCheck(ms) {
		t.Error(p)
	}
}

// TestManifestChecksCatchMistakes: each row makes one mistake in a copy of the manifests,
// and the strict decoding or the cross-check must report it.
func TestManifestChecksCatchMistakes(t *testing.T) {
	for _, tc := range []struct {
		name, file, old, new, want string
	}{
		// Strict decoding into the API types.
		{"misspelt field", "deployment.yaml", "readinessProbe:", "readinesProbe:", `unknown field "readinesProbe"`},
		{"wrongly cased field", "deployment.yaml", "readinessProbe:", "ReadinessProbe:", `unknown field "spec.template.spec.containers[0].ReadinessProbe"`},
		{"field in the wrong place", "deployment.yaml", "      automountServiceAccountToken: false", "      automountServiceAccountToken: false\n      readOnlyRootFilesystem: true", `unknown field "readOnlyRootFilesystem"`},
		{"duplicate field", "deployment.yaml", "  replicas: 2\n", "  replicas: 2\n  replicas: 3\n", `"replicas" already set`},
		{"wrong type", "deployment.yaml", "replicas: 2", "replicas: two", "replicas"},
		{"bad quantity", "deployment.yaml", "memory: 64Mi", "memory: 64MB", "quantities must match"},
		{"port as a list", "service.yaml", "port: 80", "port: [80]", "port"},
		{"unknown kind", "pdb.yaml", "kind: PodDisruptionBudget", "kind: PodDisruptionBudgets", "policy/v1 PodDisruptionBudgets is not a type"},
		{"old apiVersion", "pdb.yaml", "apiVersion: policy/v1", "apiVersion: policy/v1beta1", "policy/v1beta1 PodDisruptionBudget is not a type"},
		{"kustomization field", "kustomization.yaml", "resources:", "resource:", "field resource not found"},
		// Cross-checks between the objects.
		{"probe port", "deployment.yaml", "port: http", "port: htp", `liveness probe port "htp" is not a container port`},
		{"Service targetPort", "service.yaml", "targetPort: http", "targetPort: 8081", `Service trygg port http: targetPort "8081" is not a container port`},
		{"Service selector", "service.yaml", "  selector:\n    app.kubernetes.io/name: trygg", "  selector:\n    app.kubernetes.io/name: trygg-web", "Service trygg selector"},
		{"PDB selector", "pdb.yaml", "matchLabels:\n      app.kubernetes.io/name: trygg", "matchLabels:\n      app.kubernetes.io/name: tryg", "PodDisruptionBudget trygg selector"},
		{"pod labels", "deployment.yaml", "    metadata:\n      labels:\n        app.kubernetes.io/name: trygg", "    metadata:\n      labels:\n        app.kubernetes.io/name: trygg-pod", "does not match the pod labels"},
		{"envFrom ConfigMap", "deployment.yaml", "name: trygg-config", "name: trygg-conf", `envFrom ConfigMap "trygg-conf" is not in k8s/`},
		{"envFrom Secret", "secret.example.yaml", "name: trygg-secret", "name: trygg-secrets", `envFrom Secret "trygg-secret" is not in k8s/`},
		{"ConfigMap key", "configmap.yaml", "TRYGG_LOG_LEVEL:", "TRYGG LOG LEVEL:", `ConfigMap trygg-config key "TRYGG LOG LEVEL"`},
		{"env name", "deployment.yaml", "- name: GOMEMLIMIT", "- name: 1GOMEMLIMIT", `env "1GOMEMLIMIT"`},
		{"request above limit", "deployment.yaml", "memory: 64Mi", "memory: 512Mi", "request memory 512Mi is above its limit 256Mi"},
		{"resourceFieldRef", "deployment.yaml", "resource: limits.memory", "resource: limits.cpu", "reads limits.cpu, which the container does not set"},
		// /metrics stays private (metricsChecks).
		{"Service exposes metrics", "service.yaml", "targetPort: http", "targetPort: metrics", "Service trygg port http targets the metrics port"},
		{"Service exposes metrics by number", "service.yaml", "targetPort: http", "targetPort: 9090", "Service trygg port http targets the metrics port"},
		{"metrics address not a container port", "configmap.yaml", `TRYGG_METRICS_ADDR: ":9090"`, `TRYGG_METRICS_ADDR: ":9191"`, "TRYGG_METRICS_ADDR port 9191 is not a container port"},
		{"metrics on the http port", "configmap.yaml", `TRYGG_METRICS_ADDR: ":9090"`, `TRYGG_METRICS_ADDR: ":8080"`, `TRYGG_METRICS_ADDR port 8080 is named "http"`},
		{"scrape annotation", "deployment.yaml", `prometheus.io/port: "9090"`, `prometheus.io/port: "8080"`, `annotation prometheus.io/port "8080" is not the metrics port 9090`},
		{"NetworkPolicy opens metrics", "networkpolicy.yaml", "        - port: http", "        - port: metrics", "NetworkPolicy trygg ingress rule 1 lets anyone reach the metrics port"},
		{"NetworkPolicy port", "networkpolicy.yaml", "        - port: metrics", "        - port: metric", `NetworkPolicy trygg ingress rule 2: port "metric" is not a container port`},
		{"NetworkPolicy selector", "networkpolicy.yaml", "  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: trygg", "  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: tryg", "NetworkPolicy trygg podSelector"},
		{"label value", "service.yaml", "  labels:\n    app.kubernetes.io/name: trygg", "  labels:\n    app.kubernetes.io/name: trygg!", `label "app.kubernetes.io/name"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := k8sFiles(t)
			name := filepath.Join("k8s", tc.file)
			if !bytes.Contains(files[name], []byte(tc.old)) {
				t.Fatalf("%s does not contain %q", name, tc.old)
			}
			files[name] = bytes.Replace(files[name], []byte(tc.old), []byte(tc.new), 1)
			ms, err := decodeFiles(files)
			if err == nil {
				if problems := crossCheck(ms); len(problems) > 0 {
					err = errors.New(strings.Join(problems, "\n"))
				}
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want one containing %q", err, tc.want)
			}
		})
	}
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

// TestManifestsParse: every YAML file in deploy/ parses (all documents).
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
}

// TestKustomization: the kustomization lists every manifest, and only existing ones, and
// pins the image the Deployment runs.
func TestKustomization(t *testing.T) {
	ms := manifests(t)
	k := only[kustomization](t, ms)
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
		t.Fatalf("images = %+v: want trygg pinned to a tag", k.Images)
	}
	d := only[appsv1.Deployment](t, ms)
	for _, c := range d.Spec.Template.Spec.Containers {
		if c.Image != k.Images[0].Name {
			t.Errorf("container %s runs image %q, which the kustomization does not set", c.Name, c.Image)
		}
	}
}

// TestDeployment: two replicas, probes on /healthz and /readyz (start-up gate only), /metrics
// on its own scraped port, resources, and a
// container that runs as non-root on a read-only root file system with no privileges.
func TestDeployment(t *testing.T) {
	ms := manifests(t)
	d := only[appsv1.Deployment](t, ms)
	s := d.Spec
	if s.Replicas == nil || *s.Replicas != 2 {
		t.Errorf("replicas = %v, want 2", s.Replicas)
	}
	pod := s.Template.Spec
	psc := pod.SecurityContext
	if psc == nil {
		t.Fatal("pod has no securityContext")
	}
	if psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0 {
		t.Error("pod: runAsNonRoot and a non-zero runAsUser are required")
	}
	if psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Error("pod: seccompProfile RuntimeDefault is required")
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Error("pod: trygg needs no service account token")
	}
	if pod.TerminationGracePeriodSeconds == nil || *pod.TerminationGracePeriodSeconds <= 10 {
		t.Errorf("terminationGracePeriodSeconds = %v: trygg drains for 10 s", pod.TerminationGracePeriodSeconds)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	ports := map[string]int32{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	if ports["http"] != 8080 {
		t.Errorf("container port http = %d, want 8080", ports["http"])
	}
	// /metrics on its own port, scraped by Prometheus from the pods (metricsChecks makes
	// sure no Service exposes it and the NetworkPolicy opens it to Prometheus only).
	if ports["metrics"] != 9090 {
		t.Errorf("container port metrics = %d, want 9090", ports["metrics"])
	}
	if ann := s.Template.Annotations; ann["prometheus.io/scrape"] != "true" || ann["prometheus.io/port"] != "9090" || ann["prometheus.io/path"] != "/metrics" {
		t.Errorf("pod annotations %v: want Prometheus to scrape :9090/metrics", ann)
	}
	for name, tc := range map[string]struct {
		p    *corev1.Probe
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
		case tc.p.HTTPGet.Port != intstr.FromString("http") && tc.p.HTTPGet.Port != intstr.FromInt32(8080):
			t.Errorf("%s probe port = %v, want http", name, tc.p.HTTPGet.Port.String())
		}
	}
	for _, r := range []struct {
		list corev1.ResourceList
		name corev1.ResourceName
	}{
		{c.Resources.Requests, corev1.ResourceCPU},
		{c.Resources.Requests, corev1.ResourceMemory},
		{c.Resources.Limits, corev1.ResourceMemory},
	} {
		if q, ok := r.list[r.name]; !ok || q.IsZero() {
			t.Errorf("resources = %v: want cpu and memory requests and a memory limit", c.Resources)
			break
		}
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
	case sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") || len(sc.Capabilities.Add) > 0:
		t.Errorf("container capabilities = %+v, want drop ALL", sc.Capabilities)
	case sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault:
		t.Error("container: seccompProfile RuntimeDefault is required")
	}

	// The container reads the example configuration (crossCheck makes sure what it
	// reads exists).
	cm := only[corev1.ConfigMap](t, ms)
	sec := only[corev1.Secret](t, ms)
	var refs []string
	for _, e := range c.EnvFrom {
		if e.ConfigMapRef != nil {
			refs = append(refs, "ConfigMap/"+e.ConfigMapRef.Name)
		}
		if e.SecretRef != nil {
			refs = append(refs, "Secret/"+e.SecretRef.Name)
		}
	}
	for _, want := range []string{"ConfigMap/" + cm.Name, "Secret/" + sec.Name} {
		if !slices.Contains(refs, want) {
			t.Errorf("the container does not read %s (envFrom %v)", want, refs)
		}
	}
}

// TestServiceAndDisruptionBudget: the Service targets the named port of the Deployment's
// pods, and one pod always stays (crossCheck makes sure both select those pods).
func TestServiceAndDisruptionBudget(t *testing.T) {
	ms := manifests(t)
	d := only[appsv1.Deployment](t, ms)
	svc := only[corev1.Service](t, ms)
	if svc.Spec.Type != corev1.ServiceTypeClusterIP {
		t.Errorf("Service type = %s, want ClusterIP (an ingress in front)", svc.Spec.Type)
	}
	if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].TargetPort != intstr.FromString("http") {
		t.Errorf("Service ports = %+v, want one targeting http", svc.Spec.Ports)
	}
	pdb := only[policyv1.PodDisruptionBudget](t, ms)
	if pdb.Spec.MinAvailable == nil || *pdb.Spec.MinAvailable != intstr.FromInt32(1) || pdb.Spec.MaxUnavailable != nil {
		t.Errorf("minAvailable = %v, maxUnavailable = %v: want minAvailable 1", pdb.Spec.MinAvailable, pdb.Spec.MaxUnavailable)
	}
	if d.Spec.Replicas != nil && *d.Spec.Replicas <= 1 {
		t.Errorf("%d replicas with minAvailable 1: a node drain would never finish", *d.Spec.Replicas)
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
	cm := only[corev1.ConfigMap](t, ms)
	sec := only[corev1.Secret](t, ms)
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
	Expose      []string          `yaml:"expose"`
	Volumes     []string          `yaml:"volumes"`
	Networks    map[string]struct {
		IPv4Address string `yaml:"ipv4_address"`
	} `yaml:"networks"`
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
	Networks map[string]struct {
		IPAM struct {
			Config []struct {
				Subnet string `yaml:"subnet"`
			} `yaml:"config"`
		} `yaml:"ipam"`
	} `yaml:"networks"`
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
// that balances between both and publishes :8080, never /metrics, and sends HSTS.
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
	// The web chat's per-client limits count residents only if the replicas believe the
	// proxy's X-Forwarded-For: its fixed address must be their one trusted proxy, inside
	// the network's subnet.
	proxyIP := p.Networks["default"].IPv4Address
	if proxyIP == "" {
		t.Errorf("proxy has no fixed address on the default network")
	}
	if got := c.Trygg.Environment["TRYGG_TRUSTED_PROXIES"]; got != proxyIP {
		t.Errorf("TRYGG_TRUSTED_PROXIES = %q, want the proxy's address %q", got, proxyIP)
	}
	if cfgs := c.Networks["default"].IPAM.Config; len(cfgs) != 1 {
		t.Errorf("default network: want one subnet, got %d", len(cfgs))
	} else if subnet, err := netip.ParsePrefix(cfgs[0].Subnet); err != nil {
		t.Errorf("default network subnet: %v", err)
	} else if ip, err := netip.ParseAddr(proxyIP); err != nil || !subnet.Contains(ip) {
		t.Errorf("proxy address %q is not in the subnet %s", proxyIP, subnet)
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
	// /metrics is private: each replica serves it on TRYGG_METRICS_ADDR, another port than
	// the one Caddy forwards to, which nothing publishes and Caddy never proxies; Caddy
	// answers /metrics itself with 404.
	for _, r := range replicas {
		s := c.Services[r]
		addr := cmp.Or(s.Environment["TRYGG_METRICS_ADDR"], config.DefaultMetricsAddr)
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			t.Errorf("%s: TRYGG_METRICS_ADDR %q: %v", r, addr, err)
			continue
		}
		if port == "8080" {
			t.Errorf("%s: /metrics on the port Caddy forwards to", r)
		}
		if !slices.Contains(s.Expose, port) {
			t.Errorf("%s: expose %v, want the metrics port %s (on the compose network only)", r, s.Expose, port)
		}
		for name, svc := range c.Services {
			for _, p := range svc.Ports {
				if strings.HasSuffix(p, ":"+port) || p == port {
					t.Errorf("%s publishes %s: /metrics would be public", name, p)
				}
			}
		}
		if strings.Contains(conf, r+":"+port) {
			t.Errorf("Caddyfile proxies to %s:%s, the metrics port", r, port)
		}
	}
	if !regexp.MustCompile(`(?m)^\s*respond /metrics\*? 404\s*$`).MatchString(conf) {
		t.Error("Caddyfile does not answer /metrics with 404")
	}
	// HSTS, for a year at least, deferred so that it replaces trygg's own and a response
	// carries one.
	if m := regexp.MustCompile(`Strict-Transport-Security "max-age=(\d+)(; includeSubDomains)?"`).FindStringSubmatch(conf); m == nil {
		t.Error("Caddyfile sends no Strict-Transport-Security")
	} else if n, _ := strconv.Atoi(m[1]); n < 31536000 {
		t.Errorf("Caddyfile HSTS max-age=%d, want at least a year", n)
	}
	if !regexp.MustCompile(`header \{[^}]*Strict-Transport-Security[^}]*\bdefer\b[^}]*\}`).MatchString(conf) {
		t.Error("Caddyfile's HSTS header is not deferred: a response would carry trygg's and Caddy's")
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
// go.mod, on a non-root distroless (or scratch) final stage that exposes 8080 and the
// metrics port 9090 and holds no secret.
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
	var user string
	var expose []string
	for _, l := range final.lines {
		f := strings.Fields(l)
		switch strings.ToUpper(f[0]) {
		case "USER":
			user = f[1]
		case "EXPOSE":
			expose = append(expose, f[1:]...)
		}
	}
	if name, _, _ := strings.Cut(user, ":"); name != "nonroot" && name != "65532" {
		t.Errorf("final stage USER %q, want nonroot", user)
	}
	if !slices.Equal(expose, []string{"8080", "9090"}) {
		t.Errorf("EXPOSE %q, want 8080 (public) and 9090 (/metrics)", expose)
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
