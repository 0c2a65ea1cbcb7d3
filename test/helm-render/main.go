// helm-render renders a Helm chart the way `helm template` does, for tests on machines without
// helm. It is built from the pieces Helm's own engine is made of and that Debian packages:
// Go's text/template, sprig (golang-github-masterminds-sprig-dev) and sigs.k8s.io/yaml
// (golang-k8s-sigs-yaml-dev). Helm's own functions (include, tpl, required, toYaml, fromYaml,
// toJson, fromJson, lookup) and objects (.Values, .Release, .Chart, .Capabilities, .Template,
// .Files) are reimplemented here with Helm's semantics: templates share one namespace, files
// starting with "_" are partials, missing keys render as empty, and values files are merged
// over values.yaml with null deleting a key.
//
// Build offline in GOPATH mode (no module download):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o helm-render ./test/helm-render
//
// Usage: helm-render -chart DIR [-f values.yaml]... [-name RELEASE] [-namespace NS] [-api-versions a/v1,b/v1]
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"sigs.k8s.io/yaml"
)

type valueFiles []string

func (v *valueFiles) String() string     { return strings.Join(*v, ",") }
func (v *valueFiles) Set(s string) error { *v = append(*v, s); return nil }

// Files is .Files: the chart's non-template files, read by path relative to the chart.
type Files map[string][]byte

func (f Files) Get(name string) string      { return string(f[name]) }
func (f Files) GetBytes(name string) []byte { return f[name] }

// APIVersions is .Capabilities.APIVersions.
type APIVersions []string

func (a APIVersions) Has(v string) bool {
	for _, x := range a {
		if x == v {
			return true
		}
	}
	return false
}

func readYAML(path string) (map[string]interface{}, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[string]interface{}{}
	if err := yaml.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// merge lays src over dst as Helm coalesces user values over chart values: maps merge key by
// key, anything else replaces, and null removes the key.
func merge(dst, src map[string]interface{}) map[string]interface{} {
	for k, v := range src {
		if v == nil {
			delete(dst, k)
			continue
		}
		sm, sok := v.(map[string]interface{})
		dm, dok := dst[k].(map[string]interface{})
		if sok && dok {
			dst[k] = merge(dm, sm)
		} else {
			dst[k] = v
		}
	}
	return dst
}

func toYAML(v interface{}) string {
	data, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(data), "\n")
}

func fromYAML(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func toJSON(v interface{}) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(data)
}

func fromJSON(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func required(msg string, v interface{}) (interface{}, error) {
	if v == nil {
		return v, errors.New(msg)
	}
	if s, ok := v.(string); ok && s == "" {
		return v, errors.New(msg)
	}
	return v, nil
}

// funcMap is sprig's (less env and expandenv, which Helm removes) plus Helm's own functions.
func funcMap(root *template.Template) template.FuncMap {
	f := sprig.TxtFuncMap()
	delete(f, "env")
	delete(f, "expandenv")
	depth := 0
	f["include"] = func(name string, data interface{}) (string, error) {
		if depth++; depth > 1000 {
			return "", fmt.Errorf("include %q: nested too deeply", name)
		}
		defer func() { depth-- }()
		var buf bytes.Buffer
		err := root.ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
	f["tpl"] = func(text string, data interface{}) (string, error) {
		t, err := root.Clone()
		if err != nil {
			return "", err
		}
		if t, err = t.New("tpl").Parse(text); err != nil {
			return "", err
		}
		var buf bytes.Buffer
		err = t.Execute(&buf, data)
		return strings.ReplaceAll(buf.String(), "<no value>", ""), err
	}
	f["required"] = required
	f["toYaml"] = toYAML
	f["fromYaml"] = fromYAML
	f["toJson"] = toJSON
	f["fromJson"] = fromJSON
	f["lookup"] = func(string, string, string, string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil // as `helm template`: no cluster to look in
	}
	return f
}

func run() error {
	chartDir := flag.String("chart", "", "chart directory")
	release := flag.String("name", "release-name", "release name")
	namespace := flag.String("namespace", "default", "release namespace")
	apis := flag.String("api-versions", "", "comma-separated API versions .Capabilities.APIVersions.Has reports")
	var values valueFiles
	flag.Var(&values, "f", "values file laid over the chart's values.yaml (repeatable)")
	flag.Parse()
	if *chartDir == "" {
		return errors.New("-chart is required")
	}

	meta, err := readYAML(filepath.Join(*chartDir, "Chart.yaml"))
	if err != nil {
		return err
	}
	chart := map[string]interface{}{}
	for k, v := range meta { // .Chart.Name, .Chart.AppVersion: Helm exposes the fields capitalised
		chart[strings.ToUpper(k[:1])+k[1:]] = v
	}
	name, _ := chart["Name"].(string)
	vals, err := readYAML(filepath.Join(*chartDir, "values.yaml"))
	if err != nil {
		return err
	}
	for _, file := range values {
		extra, err := readYAML(file)
		if err != nil {
			return err
		}
		vals = merge(vals, extra)
	}

	files := Files{}
	var templates []string
	err = filepath.Walk(*chartDir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(*chartDir, path)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.HasPrefix(rel, "templates/") {
			templates = append(templates, rel)
		} else {
			files[rel] = data
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(templates)

	root := template.New("gotpl").Option("missingkey=zero")
	root.Funcs(funcMap(root))
	for _, rel := range templates {
		data, _ := os.ReadFile(filepath.Join(*chartDir, rel))
		if _, err := root.New(name + "/" + rel).Parse(string(data)); err != nil {
			return err
		}
	}
	var apiVersions APIVersions
	if *apis != "" {
		apiVersions = strings.Split(*apis, ",")
	}
	top := map[string]interface{}{
		"Values": vals,
		"Chart":  chart,
		"Files":  files,
		"Release": map[string]interface{}{
			"Name": *release, "Namespace": *namespace, "Service": "Helm",
			"IsInstall": true, "IsUpgrade": false, "Revision": 1,
		},
		"Capabilities": map[string]interface{}{
			"KubeVersion": map[string]interface{}{"Version": "v1.30.0", "Major": "1", "Minor": "30", "GitVersion": "v1.30.0"},
			"APIVersions": apiVersions,
		},
	}

	var out bytes.Buffer
	for _, rel := range templates {
		base := filepath.Base(rel)
		if strings.HasPrefix(base, "_") || strings.HasSuffix(base, ".txt") {
			continue // partials define templates; NOTES.txt is not a manifest
		}
		full := name + "/" + rel
		data := map[string]interface{}{}
		for k, v := range top {
			data[k] = v
		}
		data["Template"] = map[string]interface{}{"Name": full, "BasePath": name + "/templates"}
		var buf bytes.Buffer
		if err := root.ExecuteTemplate(&buf, full, data); err != nil {
			return err
		}
		text := strings.ReplaceAll(buf.String(), "<no value>", "")
		if strings.TrimSpace(text) == "" {
			continue
		}
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", full, strings.TrimRight(text, "\n"))
	}
	_, err = os.Stdout.Write(out.Bytes())
	return err
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "helm-render:", err)
		os.Exit(1)
	}
}
