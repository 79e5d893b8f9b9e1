// Package loadbench drives trygg's SMS webhook under load, side by side with a bare
// baseline server, and reports throughput, latency and Redis round trips per turn. It is
// the engine of cmd/loadbench; everything runs on loopback.
//
// The baseline is the floor of what any Twilio webhook on this machine costs: the same
// form, the same signature check (twilio-go's RequestValidator), one Redis GET and one SET
// on the same Redis, and a fixed TwiML answer. The full server is trygg itself, built with
// internal/app.New exactly as `trygg serve` builds it.
package loadbench

import (
	"hash/fnv"
	"net/http"
	"strconv"

	"github.com/redis/go-redis/v9"
	"github.com/twilio/twilio-go/client"
)

// BareTwiML is the baseline's fixed answer: about as long as one of trygg's replies.
const BareTwiML = `<?xml version="1.0" encoding="UTF-8"?><Response><Message>Bra att du hör av dig. ` +
	`Brottsofferjouren har ett nummer för unga under 20: 010-567 63 25. Det är gratis, och du ` +
	`bestämmer själv vad du vill berätta. Är du i fara nu? Ring 112.</Message></Response>`

// bareMaxBody bounds the baseline's request body, as trygg's webhook does (64 KiB).
const bareMaxBody = 64 << 10

// bareTTL is how long the baseline keeps its one key per sender.
const bareTTL = "600" // seconds

// Bare returns the baseline webhook: POST only, the form parsed by net/http, the
// signature over publicURL plus the request URI checked with twilio-go's RequestValidator
// (as trygg does), then one GET and one SET of a per-sender key on rdb, then BareTwiML.
// The key is a hash of the sender, so no phone number is written to Redis.
func Bare(token, publicURL string, rdb redis.UniversalClient) http.Handler {
	validator := client.NewRequestValidator(token)
	answer := []byte(BareTwiML)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, bareMaxBody)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		params := make(map[string]string, len(r.PostForm))
		for k, v := range r.PostForm {
			params[k] = v[0]
		}
		sig := r.Header.Get("X-Twilio-Signature")
		if sig == "" || !validator.Validate(publicURL+r.URL.RequestURI(), params, sig) {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		h := fnv.New64a()
		h.Write([]byte(params["From"]))
		key := "loadbench:bare:" + strconv.FormatUint(h.Sum64(), 16)
		ctx := r.Context()
		if err := rdb.Get(ctx, key).Err(); err != nil && err != redis.Nil {
			http.Error(w, "store", http.StatusInternalServerError)
			return
		}
		if err := rdb.Do(ctx, "SET", key, params["MessageSid"], "EX", bareTTL).Err(); err != nil {
			http.Error(w, "store", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		w.Write(answer)
	})
}
