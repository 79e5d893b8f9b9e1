package sms

import (
	"net/url"
	"testing"
)

// FuzzParseForm checks parseForm against url.ParseQuery: the same fields and values for
// every body ParseQuery reads without repeated fields, and an error for every body it
// refuses.
func FuzzParseForm(f *testing.F) {
	for _, s := range []string{
		"Body=Hej&From=%2B46701740605",
		"Body=J%C3%A4g+%C3%A4r+16&NumMedia=0",
		"Body=&ToCity=&x",
		"a=1&&b=2&",
		"a=1&a=2",
		"a;b=1",
		"a=1;b=2",
		"Body=%zz",
		"%zz=1",
		"Body=%F0%9F%98%A2+%E2%80%9C",
		"=x",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		got, err := parseForm([]byte(body))
		want, werr := url.ParseQuery(body)
		repeated := false
		for _, v := range want {
			repeated = repeated || len(v) > 1
		}
		switch {
		case werr != nil || repeated:
			if err == nil {
				t.Fatalf("parseForm(%q) = %v, want an error (ParseQuery: %v, repeated %v)", body, got, werr, repeated)
			}
		case err != nil:
			t.Fatalf("parseForm(%q): %v; ParseQuery reads %v", body, err, want)
		case len(got) != len(want):
			t.Fatalf("parseForm(%q) = %v, want %v", body, got, want)
		default:
			for k, v := range want {
				if g, ok := got[k]; !ok || g != v[0] {
					t.Fatalf("parseForm(%q)[%q] = %q, want %q", body, k, g, v[0])
				}
			}
		}
	})
}
