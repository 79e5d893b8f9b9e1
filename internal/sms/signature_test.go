package sms_test

import (
	"testing"

	"github.com/twilio/twilio-go/client"

	"github.com/vasteras/trygg/internal/testkit"
)

// Twilio's published example (twilio.com/docs/usage/security) and twilio-go's own test
// vector, with the results Twilio states.
var (
	publishedURL    = "https://mycompany.com/myapp.php?foo=1&bar=2"
	publishedParams = map[string]string{
		"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234",
		"From": "+12349013030", "To": "+18005551212",
	}
	twilioGoParams = map[string]string{
		"Digits": "1234", "CallSid": "CA1234567890ABCDE", "To": "+18005551212",
		"Caller": "+14158675309", "From": "+14158675309",
		"ReasonConferenceEnded": "test", "Reason": "Participant",
	}
)

// TestValidatorPublishedVector proves twilio-go's RequestValidator, which the channel uses,
// on Twilio's published vector, and that it refuses the vector changed in any part.
func TestValidatorPublishedVector(t *testing.T) {
	v := client.NewRequestValidator("12345")
	if !v.Validate(publishedURL, publishedParams, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=") {
		t.Fatal("published vector refused")
	}
	changed := map[string]string{}
	for k, val := range publishedParams {
		changed[k] = val
	}
	changed["Digits"] = "1235"
	other := client.NewRequestValidator("12346")
	for name, ok := range map[string]bool{
		"other param":     v.Validate(publishedURL, changed, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="),
		"other url":       v.Validate("https://mycompany.com/myapp.php?foo=1&bar=3", publishedParams, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="),
		"other token":     other.Validate(publishedURL, publishedParams, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="),
		"empty signature": v.Validate(publishedURL, publishedParams, ""),
	} {
		if ok {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestSignerMatchesTwilio proves the test kit's signer, which every test signs with, on
// Twilio's published vector, twilio-go's vectors and every request the npm package twilio
// signed, and checks that twilio-go's validator accepts every npm fixture too.
func TestSignerMatchesTwilio(t *testing.T) {
	vectors := []struct {
		name, token, url string
		params           map[string]string
		want             string
	}{
		{"published", "12345", publishedURL, publishedParams, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="},
		{"twilio-go https", "12345", publishedURL, twilioGoParams, "vOEb5UThFn24KEfnOFLQY2AE5FY="},
		{"twilio-go http", "12345", "http://mycompany.com/myapp.php?foo=1&bar=2", twilioGoParams, "n2xBNyzSW7rfYStDtOFiFMv7qNo="},
	}
	for _, f := range fixtures(t) {
		vectors = append(vectors, struct {
			name, token, url string
			params           map[string]string
			want             string
		}{"npm " + f.Name, f.Token, f.URL, f.Params, f.Signature})
	}
	if len(vectors) < 10 {
		t.Fatalf("only %d vectors: fixtures missing?", len(vectors))
	}
	for _, vec := range vectors {
		if got := testkit.TwilioSignature(vec.token, vec.url, vec.params); got != vec.want {
			t.Errorf("%s: sign = %q, want %q", vec.name, got, vec.want)
		}
		v := client.NewRequestValidator(vec.token)
		if !v.Validate(vec.url, vec.params, vec.want) {
			t.Errorf("%s: twilio-go refuses it", vec.name)
		}
	}
}
