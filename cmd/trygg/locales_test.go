package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLocalesCommand: status lists the languages awaiting review; export writes the review
// file; import takes it back, naming the reviewer, and an unchanged file leaves the texts
// as they were.
func TestLocalesCommand(t *testing.T) {
	r := trygg(t, env(), "", "locales", "status")
	if r.code != 0 || !strings.Contains(r.stdout, "ar\tawaiting review") || !strings.Contains(r.stdout, "ti\tawaiting review") {
		t.Fatalf("status: %d %q %q", r.code, r.stdout, r.stderr)
	}
	dir := t.TempDir()
	review := filepath.Join(dir, "review.so.yaml")
	if r := trygg(t, env(), "", "locales", "export", "--lang", "so", "--out", review); r.code != 0 {
		t.Fatalf("export: %d %q", r.code, r.stderr)
	}
	b, err := os.ReadFile(review)
	if err != nil || !strings.Contains(string(b), "sv: ") || !strings.Contains(string(b), "of 2 parts (GSM-7") {
		t.Fatalf("review file: %v\n%.400s", err, b)
	}
	r = trygg(t, env(), "", "locales", "import", "--dir", dir, "--reviewer", "Test Person, 2026-12-05", review)
	if r.code != 0 || !strings.Contains(r.stdout, "0 texts changed") {
		t.Fatalf("import: %d %q %q", r.code, r.stdout, r.stderr)
	}
	out, err := os.ReadFile(filepath.Join(dir, "so.yaml"))
	if err != nil || !strings.HasPrefix(string(out), "# reviewed-by: Test Person, 2026-12-05\n") {
		t.Fatalf("so.yaml: %v\n%.200s", err, out)
	}
	if r := trygg(t, env(), "", "locales", "export", "--lang", "sv"); r.code != 2 {
		t.Errorf("export of the source language: %d, want 2", r.code)
	}
}
