package config

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// getenv turns a map into Load's getenv.
func getenv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// with returns a copy of base with the entries of extra added or replaced.
func with(base map[string]string, extra map[string]string) map[string]string {
	out := make(map[string]string, len(base)+len(extra))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

const (
	testSID    = "AC0123456789abcdef0123456789abcdef"
	testSecret = "s3cret-pseudonym-key-0123"
)

func TestLoadDefaults(t *testing.T) {
	c, err := Load(getenv(nil))
	if err != nil {
		t.Fatalf("Load(empty) = %v", err)
	}
	if c.Addr != ":8080" {
		t.Errorf("Addr = %q, want :8080", c.Addr)
	}
	if c.MetricsAddr != ":9090" {
		t.Errorf("MetricsAddr = %q, want :9090", c.MetricsAddr)
	}
	if c.HandoffWait != 10*time.Minute {
		t.Errorf("HandoffWait = %v, want 10m", c.HandoffWait)
	}
	if c.SMSPerSecond != 1 {
		t.Errorf("SMSPerSecond = %v, want 1", c.SMSPerSecond)
	}
	if c.ConversationTTL != 24*time.Hour {
		t.Errorf("ConversationTTL = %v, want 24h", c.ConversationTTL)
	}
	if want := (Limit{30, 10 * time.Minute}); c.SMSSenderLimit != want {
		t.Errorf("SMSSenderLimit = %v, want %v", c.SMSSenderLimit, want)
	}
	if want := (Limit{600, time.Minute}); c.SMSGlobalLimit != want {
		t.Errorf("SMSGlobalLimit = %v, want %v", c.SMSGlobalLimit, want)
	}
	if got := fmt.Sprint(c.SMSCountries); got != "[46]" {
		t.Errorf("SMSCountries = %s, want [46]", got)
	}
	if c.LogLevel != slog.LevelInfo {
		t.Errorf("LogLevel = %v, want info", c.LogLevel)
	}
	for name, l := range map[string]struct{ got, want Limit }{
		"WebClientLimit": {c.WebClientLimit, Limit{120, 10 * time.Minute}},
		"WebNewLimit":    {c.WebNewLimit, Limit{20, 10 * time.Minute}},
		"WebGlobalLimit": {c.WebGlobalLimit, Limit{600, time.Minute}},
		"WebPollLimit":   {c.WebPollLimit, Limit{240, time.Minute}},
	} {
		if l.got != l.want {
			t.Errorf("%s = %v, want %v", name, l.got, l.want)
		}
	}
	if len(c.TrustedProxies) != 0 || c.LagesbildClientCap != 5 {
		t.Errorf("TrustedProxies = %v, LagesbildClientCap = %d; want none, 5", c.TrustedProxies, c.LagesbildClientCap)
	}
	if c.QuickExitURL != "https://www.smhi.se/" {
		t.Errorf("QuickExitURL = %q, want https://www.smhi.se/", c.QuickExitURL)
	}
	if c.Secret != nil || c.PublicURL != "" || c.FlowsDir != "" || c.LocalesDir != "" {
		t.Errorf("unset values not empty: %#v", c)
	}
	if c.SMSEnabled() || c.SlackEnabled() || c.RedisEnabled() {
		t.Errorf("SMSEnabled, SlackEnabled, RedisEnabled = %v, %v, %v; want all false",
			c.SMSEnabled(), c.SlackEnabled(), c.RedisEnabled())
	}
	if !c.StaffedHours.IsZero() || c.StaffedHours.Open(time.Date(2025, 1, 13, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("StaffedHours = %v, want never staffed", c.StaffedHours)
	}
}

func TestLoadValid(t *testing.T) {
	flows, locales := t.TempDir(), t.TempDir()
	c, err := Load(getenv(map[string]string{
		"TRYGG_ADDR":                   "127.0.0.1:9000",
		"TRYGG_PUBLIC_URL":             "https://trygg.example.se/base/",
		"TRYGG_SECRET":                 " " + testSecret + "\n",
		"REDIS_ADDRS":                  "sentinel-0:26379, sentinel-1:26379 ,[::1]:26379",
		"REDIS_MASTER_NAME":            "trygg",
		"TWILIO_ACCOUNT_SID":           testSID,
		"TWILIO_AUTH_TOKEN":            "tok",
		"TWILIO_MESSAGING_SERVICE_SID": "MG0123",
		"SLACK_SIGNING_SECRET":         "sig",
		"SLACK_BOT_TOKEN":              "xoxb-1",
		"SLACK_APP_TOKEN":              "xapp-1",
		"SLACK_TEAM_ID":                "T0TEAM",
		"SLACK_STAFF_CHANNEL":          "C0STAFF",
		"SLACK_ALLOWED_CHANNELS":       "C01, G02",
		"SLACK_ALERT_USERS":            "U01,W02",
		"TRYGG_STAFFED_HOURS":          "mån-fre 09:00-16:00",
		"TRYGG_HOLIDAYS":               "2025-12-24, 2025-12-25",
		"TRYGG_HANDOFF_WAIT":           "90s",
		"TRYGG_SMS_PER_SECOND":         "0.5",
		"TRYGG_SMS_SENDER_LIMIT":       "5 / 90s",
		"TRYGG_SMS_GLOBAL_LIMIT":       "1000/1h",
		"TRYGG_SMS_COUNTRIES":          "46, 358,47",
		"TRYGG_CONVERSATION_TTL":       "48h",
		"TRYGG_LOG_LEVEL":              "DEBUG",
		"TRYGG_FLOWS_DIR":              flows,
		"TRYGG_LOCALES_DIR":            locales,
		"TRYGG_QUICK_EXIT_URL":         "https://www.google.com/search?q=v%C3%A4der",
		"TRYGG_TRUSTED_PROXIES":        "10.0.0.0/8, 127.0.0.1 ,::1, fd00::/8, ::ffff:192.0.2.1",
		"TRYGG_WEB_CLIENT_LIMIT":       "50/5m",
		"TRYGG_WEB_NEW_LIMIT":          "10/1h",
		"TRYGG_WEB_GLOBAL_LIMIT":       "100/1m",
		"TRYGG_WEB_POLL_LIMIT":         "30/30s",
		"TRYGG_LAGESBILD_CLIENT_CAP":   "2",
	}))
	if err != nil {
		t.Fatalf("Load = %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Addr", c.Addr, "127.0.0.1:9000"},
		{"PublicURL", c.PublicURL, "https://trygg.example.se/base"},
		{"Secret", string(c.Secret), testSecret},
		{"RedisAddrs", fmt.Sprint(c.RedisAddrs), "[sentinel-0:26379 sentinel-1:26379 [::1]:26379]"},
		{"RedisMasterName", c.RedisMasterName, "trygg"},
		{"RedisEnabled", c.RedisEnabled(), true},
		{"SMSEnabled", c.SMSEnabled(), true},
		{"TwilioMessagingServiceSID", c.TwilioMessagingServiceSID, "MG0123"},
		{"SlackEnabled", c.SlackEnabled(), true},
		{"SlackAppToken", c.SlackAppToken, "xapp-1"},
		{"SlackTeamID", c.SlackTeamID, "T0TEAM"},
		{"SlackStaffChannel", c.SlackStaffChannel, "C0STAFF"},
		{"SlackAllowedChannels", fmt.Sprint(c.SlackAllowedChannels), "[C01 G02]"},
		{"SlackAlertUsers", fmt.Sprint(c.SlackAlertUsers), "[U01 W02]"},
		{"StaffedHours", c.StaffedHours.String(), "mon-fri 09:00-16:00 (Europe/Stockholm); closed 2025-12-24, 2025-12-25"},
		{"Holidays", len(c.Holidays), 2},
		{"HandoffWait", c.HandoffWait, 90 * time.Second},
		{"SMSPerSecond", c.SMSPerSecond, 0.5},
		{"SMSSenderLimit", c.SMSSenderLimit, Limit{5, 90 * time.Second}},
		{"SMSGlobalLimit", c.SMSGlobalLimit, Limit{1000, time.Hour}},
		{"SMSCountries", fmt.Sprint(c.SMSCountries), "[46 358 47]"},
		{"ConversationTTL", c.ConversationTTL, 48 * time.Hour},
		{"LogLevel", c.LogLevel, slog.LevelDebug},
		{"FlowsDir", c.FlowsDir, flows},
		{"LocalesDir", c.LocalesDir, locales},
		{"QuickExitURL", c.QuickExitURL, "https://www.google.com/search?q=v%C3%A4der"},
		{"TrustedProxies", fmt.Sprint(c.TrustedProxies), "[10.0.0.0/8 127.0.0.1/32 ::1/128 fd00::/8 192.0.2.1/32]"},
		{"WebClientLimit", c.WebClientLimit, Limit{50, 5 * time.Minute}},
		{"WebNewLimit", c.WebNewLimit, Limit{10, time.Hour}},
		{"WebGlobalLimit", c.WebGlobalLimit, Limit{100, time.Minute}},
		{"WebPollLimit", c.WebPollLimit, Limit{30, 30 * time.Second}},
		{"LagesbildClientCap", c.LagesbildClientCap, 2},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
	// Holidays are applied: Christmas Eve 2025 is a Wednesday, 10:00 in Stockholm.
	if c.StaffedHours.Open(time.Date(2025, 12, 24, 9, 0, 0, 0, time.UTC)) {
		t.Error("open on a holiday")
	}
}

func TestLoadValidRedisURLAndTwilioFrom(t *testing.T) {
	c, err := Load(getenv(map[string]string{
		"REDIS_URL":          "rediss://:pw@redis.internal:6380/2",
		"TRYGG_SECRET":       testSecret,
		"TWILIO_ACCOUNT_SID": testSID,
		"TWILIO_AUTH_TOKEN":  "tok",
		"TWILIO_FROM":        "+46701234567",
		"TRYGG_PUBLIC_URL":   "http://localhost:8080",
	}))
	if err != nil {
		t.Fatalf("Load = %v", err)
	}
	if !c.RedisEnabled() || c.RedisURL != "rediss://:pw@redis.internal:6380/2" || c.TwilioFrom != "+46701234567" {
		t.Errorf("got RedisEnabled=%v RedisURL=%q TwilioFrom=%q", c.RedisEnabled(), c.RedisURL, c.TwilioFrom)
	}
	if c.PublicURL != "http://localhost:8080" {
		t.Errorf("PublicURL = %q", c.PublicURL)
	}
}

func TestLoadInvalid(t *testing.T) {
	file := filepath.Join(t.TempDir(), "flows.yaml")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	twilio := map[string]string{"TWILIO_ACCOUNT_SID": testSID, "TWILIO_AUTH_TOKEN": "tok"}
	slack := map[string]string{"SLACK_SIGNING_SECRET": "sig", "SLACK_BOT_TOKEN": "xoxb-1"}
	redis := map[string]string{"TRYGG_SECRET": testSecret}

	tests := []struct {
		name    string
		env     map[string]string
		wantVar string // the variable the message must start with
		want    string // a part of that message
	}{
		{"addr without port", map[string]string{"TRYGG_ADDR": "8080"}, "TRYGG_ADDR", "is not host:port"},
		{"addr bad port", map[string]string{"TRYGG_ADDR": ":http-alt"}, "TRYGG_ADDR", "port"},
		{"metrics addr without port", map[string]string{"TRYGG_METRICS_ADDR": "9090"}, "TRYGG_METRICS_ADDR", "is not host:port"},
		{"metrics addr bad port", map[string]string{"TRYGG_METRICS_ADDR": ":99999"}, "TRYGG_METRICS_ADDR", "port"},
		{"metrics on the public port", map[string]string{"TRYGG_METRICS_ADDR": ":8080"}, "TRYGG_METRICS_ADDR", "own, private port"},
		{"metrics on the public port of one host", map[string]string{"TRYGG_ADDR": "10.0.0.5:8000", "TRYGG_METRICS_ADDR": ":8000"}, "TRYGG_METRICS_ADDR", "own, private port"},
		{"public on the default metrics port", map[string]string{"TRYGG_ADDR": ":9090"}, "TRYGG_METRICS_ADDR", "own, private port"},
		{"public url relative", map[string]string{"TRYGG_PUBLIC_URL": "/trygg"}, "TRYGG_PUBLIC_URL", "absolute http or https"},
		{"public url ftp", map[string]string{"TRYGG_PUBLIC_URL": "ftp://example.se"}, "TRYGG_PUBLIC_URL", "absolute http or https"},
		{"public url no host", map[string]string{"TRYGG_PUBLIC_URL": "https:///x"}, "TRYGG_PUBLIC_URL", "no host"},
		{"public url query", map[string]string{"TRYGG_PUBLIC_URL": "https://example.se/?a=1"}, "TRYGG_PUBLIC_URL", "query"},
		{"public url fragment", map[string]string{"TRYGG_PUBLIC_URL": "https://example.se/#top"}, "TRYGG_PUBLIC_URL", "fragment"},
		{"public url user", map[string]string{"TRYGG_PUBLIC_URL": "https://u:p@example.se"}, "TRYGG_PUBLIC_URL", "user name"},
		{"public url unparsable", map[string]string{"TRYGG_PUBLIC_URL": "https://exa mple.se"}, "TRYGG_PUBLIC_URL", "not a URL"},
		{"quick exit relative", map[string]string{"TRYGG_QUICK_EXIT_URL": "/weather"}, "TRYGG_QUICK_EXIT_URL", "absolute http or https"},
		{"quick exit script", map[string]string{"TRYGG_QUICK_EXIT_URL": "javascript:alert(1)"}, "TRYGG_QUICK_EXIT_URL", "absolute http or https"},
		{"quick exit no host", map[string]string{"TRYGG_QUICK_EXIT_URL": "https:///x"}, "TRYGG_QUICK_EXIT_URL", "no host"},
		{"quick exit user", map[string]string{"TRYGG_QUICK_EXIT_URL": "https://u:p@example.se"}, "TRYGG_QUICK_EXIT_URL", "user name"},
		{"quick exit unparsable", map[string]string{"TRYGG_QUICK_EXIT_URL": "https://exa mple.se"}, "TRYGG_QUICK_EXIT_URL", "not a URL"},
		{"secret short", map[string]string{"TRYGG_SECRET": "short"}, "TRYGG_SECRET", "too short"},
		{"secret missing with redis url", map[string]string{"REDIS_URL": "redis://r:6379"}, "TRYGG_SECRET", "required with Redis"},
		{"secret missing with redis addrs", map[string]string{"REDIS_ADDRS": "r:6379"}, "TRYGG_SECRET", "required with Redis"},
		{"redis url scheme", with(redis, map[string]string{"REDIS_URL": "http://r:6379"}), "REDIS_URL", "redis:// or rediss://"},
		{"redis url no host", with(redis, map[string]string{"REDIS_URL": "redis:///0"}), "REDIS_URL", "no host"},
		{"redis url bad db", with(redis, map[string]string{"REDIS_URL": "redis://r:6379/x"}), "REDIS_URL", "database number"},
		{"redis url bad port", with(redis, map[string]string{"REDIS_URL": "redis://r:99999"}), "REDIS_URL", "port"},
		{"redis url unparsable", with(redis, map[string]string{"REDIS_URL": "redis://r:6379/%zz"}), "REDIS_URL", "not a valid URL"},
		{"redis url and addrs", with(redis, map[string]string{"REDIS_URL": "redis://r:6379", "REDIS_ADDRS": "r:6379"}), "REDIS_URL", "both set"},
		{"redis addrs no port", with(redis, map[string]string{"REDIS_ADDRS": "r1:6379,r2"}), "REDIS_ADDRS", `"r2" is not host:port`},
		{"redis addrs no host", with(redis, map[string]string{"REDIS_ADDRS": ":6379"}), "REDIS_ADDRS", "no host"},
		{"redis addrs empty item", with(redis, map[string]string{"REDIS_ADDRS": "r1:6379,,r2:6379"}), "REDIS_ADDRS", "item 2"},
		{"master name without addrs", map[string]string{"REDIS_MASTER_NAME": "m"}, "REDIS_MASTER_NAME", "needs REDIS_ADDRS"},
		{"twilio sid alone", map[string]string{"TWILIO_ACCOUNT_SID": testSID}, "TWILIO_AUTH_TOKEN", "missing"},
		{"twilio token alone", map[string]string{"TWILIO_AUTH_TOKEN": "tok"}, "TWILIO_ACCOUNT_SID", "missing"},
		{"twilio sid shape", map[string]string{"TWILIO_ACCOUNT_SID": "SK123", "TWILIO_AUTH_TOKEN": "tok"}, "TWILIO_ACCOUNT_SID", "starts with AC"},
		{"twilio from not e164", with(twilio, map[string]string{"TWILIO_FROM": "0701234567"}), "TWILIO_FROM", "E.164"},
		{"twilio from letters", with(twilio, map[string]string{"TWILIO_FROM": "+4670abc"}), "TWILIO_FROM", "E.164"},
		{"twilio from and service", with(twilio, map[string]string{"TWILIO_FROM": "+46701234567", "TWILIO_MESSAGING_SERVICE_SID": "MG1"}), "TWILIO_FROM", "both set"},
		{"whatsapp from without prefix", with(twilio, map[string]string{"TWILIO_WHATSAPP_FROM": "+46701234567"}), "TWILIO_WHATSAPP_FROM", "whatsapp: and an E.164"},
		{"whatsapp from not e164", with(twilio, map[string]string{"TWILIO_WHATSAPP_FROM": "whatsapp:0701234567"}), "TWILIO_WHATSAPP_FROM", "whatsapp: and an E.164"},
		{"whatsapp from without twilio", map[string]string{"TWILIO_WHATSAPP_FROM": "whatsapp:+46701234567"}, "TWILIO_WHATSAPP_FROM", "needs TWILIO_ACCOUNT_SID"},
		{"whatsapp template shape", with(twilio, map[string]string{"TWILIO_WHATSAPP_FROM": "whatsapp:+46701234567", "TWILIO_WA_TEMPLATE_SV": "HX123"}), "TWILIO_WA_TEMPLATE_SV", "Content API template SID"},
		{"whatsapp template without sender", with(twilio, map[string]string{"TWILIO_WA_TEMPLATE_AR": "HX0123456789abcdef0123456789abcdef"}), "TWILIO_WA_TEMPLATE_AR", "TWILIO_WHATSAPP_FROM is not"},
		{"messaging service shape", with(twilio, map[string]string{"TWILIO_MESSAGING_SERVICE_SID": "AC1"}), "TWILIO_MESSAGING_SERVICE_SID", "starts with MG"},
		{"slack secret alone", map[string]string{"SLACK_SIGNING_SECRET": "sig"}, "SLACK_BOT_TOKEN", "missing"},
		{"slack bot alone", map[string]string{"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET", "missing"},
		{"slack app token prefix", with(slack, map[string]string{"SLACK_APP_TOKEN": "xoxb-2"}), "SLACK_APP_TOKEN", "xapp-"},
		{"slack app token without bot", map[string]string{"SLACK_APP_TOKEN": "xapp-1"}, "SLACK_APP_TOKEN", "needs SLACK_BOT_TOKEN"},
		{"team id lower case", map[string]string{"SLACK_TEAM_ID": "myteam"}, "SLACK_TEAM_ID", "not a Slack workspace id"},
		{"team id is a channel", map[string]string{"SLACK_TEAM_ID": "C0123"}, "SLACK_TEAM_ID", "not a Slack workspace id"},
		{"staff channel name", map[string]string{"SLACK_STAFF_CHANNEL": "#trygg"}, "SLACK_STAFF_CHANNEL", "not a Slack channel id"},
		{"allowed channels empty item", map[string]string{"SLACK_ALLOWED_CHANNELS": "C01, ,C02"}, "SLACK_ALLOWED_CHANNELS", "item 2"},
		{"allowed channels trailing comma", map[string]string{"SLACK_ALLOWED_CHANNELS": "C01,"}, "SLACK_ALLOWED_CHANNELS", "item 2"},
		{"allowed channels lower case", map[string]string{"SLACK_ALLOWED_CHANNELS": "general"}, "SLACK_ALLOWED_CHANNELS", `"general" is not a Slack channel id`},
		{"alert users empty item", map[string]string{"SLACK_ALERT_USERS": ",U01"}, "SLACK_ALERT_USERS", "item 1"},
		{"alert users bad id", map[string]string{"SLACK_ALERT_USERS": "U01,@anna"}, "SLACK_ALERT_USERS", `"@anna" is not a Slack user id`},
		{"staffed hours bad day", map[string]string{"TRYGG_STAFFED_HOURS": "mo-fr 09:00-16:00"}, "TRYGG_STAFFED_HOURS", "not a day"},
		{"staffed hours end before start", map[string]string{"TRYGG_STAFFED_HOURS": "mon 16:00-09:00"}, "TRYGG_STAFFED_HOURS", "ends before it starts"},
		{"staffed hours no time", map[string]string{"TRYGG_STAFFED_HOURS": "mon-fri"}, "TRYGG_STAFFED_HOURS", "no time range"},
		{"holidays bad date", map[string]string{"TRYGG_HOLIDAYS": "2025-12-24,24/12"}, "TRYGG_HOLIDAYS", `"24/12" is not a date`},
		{"holidays impossible date", map[string]string{"TRYGG_HOLIDAYS": "2025-02-30"}, "TRYGG_HOLIDAYS", "not a date"},
		{"handoff wait not duration", map[string]string{"TRYGG_HANDOFF_WAIT": "10"}, "TRYGG_HANDOFF_WAIT", `"10" is not a duration (e.g. 10m)`},
		{"handoff wait zero", map[string]string{"TRYGG_HANDOFF_WAIT": "0s"}, "TRYGG_HANDOFF_WAIT", "longer than zero"},
		{"handoff wait negative", map[string]string{"TRYGG_HANDOFF_WAIT": "-5m"}, "TRYGG_HANDOFF_WAIT", "longer than zero"},
		{"ttl not duration", map[string]string{"TRYGG_CONVERSATION_TTL": "abc"}, "TRYGG_CONVERSATION_TTL", `"abc" is not a duration (e.g. 24h)`},
		{"ttl negative", map[string]string{"TRYGG_CONVERSATION_TTL": "-1h"}, "TRYGG_CONVERSATION_TTL", "longer than zero"},
		{"sms rate not number", map[string]string{"TRYGG_SMS_PER_SECOND": "fast"}, "TRYGG_SMS_PER_SECOND", "not a number"},
		{"sms rate zero", map[string]string{"TRYGG_SMS_PER_SECOND": "0"}, "TRYGG_SMS_PER_SECOND", "more than 0"},
		{"sms rate too high", map[string]string{"TRYGG_SMS_PER_SECOND": "101"}, "TRYGG_SMS_PER_SECOND", "at most 100"},
		{"sms rate NaN", map[string]string{"TRYGG_SMS_PER_SECOND": "NaN"}, "TRYGG_SMS_PER_SECOND", "more than 0"},
		{"sms rate Inf", map[string]string{"TRYGG_SMS_PER_SECOND": "+Inf"}, "TRYGG_SMS_PER_SECOND", "at most 100"},
		{"sender limit no slash", map[string]string{"TRYGG_SMS_SENDER_LIMIT": "30"}, "TRYGG_SMS_SENDER_LIMIT", "count/duration"},
		{"sender limit zero", map[string]string{"TRYGG_SMS_SENDER_LIMIT": "0/10m"}, "TRYGG_SMS_SENDER_LIMIT", "whole number from 1"},
		{"sender limit negative", map[string]string{"TRYGG_SMS_SENDER_LIMIT": "-3/10m"}, "TRYGG_SMS_SENDER_LIMIT", "whole number from 1"},
		{"sender limit fraction", map[string]string{"TRYGG_SMS_SENDER_LIMIT": "2.5/10m"}, "TRYGG_SMS_SENDER_LIMIT", "whole number from 1"},
		{"sender limit no unit", map[string]string{"TRYGG_SMS_SENDER_LIMIT": "30/10"}, "TRYGG_SMS_SENDER_LIMIT", "duration"},
		{"sender limit zero window", map[string]string{"TRYGG_SMS_SENDER_LIMIT": "30/0s"}, "TRYGG_SMS_SENDER_LIMIT", "duration"},
		{"global limit window too long", map[string]string{"TRYGG_SMS_GLOBAL_LIMIT": "600/25h"}, "TRYGG_SMS_GLOBAL_LIMIT", "duration"},
		{"global limit count too high", map[string]string{"TRYGG_SMS_GLOBAL_LIMIT": "1000001/1m"}, "TRYGG_SMS_GLOBAL_LIMIT", "whole number from 1"},
		{"countries with plus", map[string]string{"TRYGG_SMS_COUNTRIES": "+46"}, "TRYGG_SMS_COUNTRIES", `"+46" is not a country calling code`},
		{"countries with 00", map[string]string{"TRYGG_SMS_COUNTRIES": "0046"}, "TRYGG_SMS_COUNTRIES", `"0046" is not a country calling code`},
		{"countries a name", map[string]string{"TRYGG_SMS_COUNTRIES": "46,SE"}, "TRYGG_SMS_COUNTRIES", `"SE" is not a country calling code`},
		{"countries too long", map[string]string{"TRYGG_SMS_COUNTRIES": "4670"}, "TRYGG_SMS_COUNTRIES", "1 to 3 digits"},
		{"countries empty item", map[string]string{"TRYGG_SMS_COUNTRIES": "46,,47"}, "TRYGG_SMS_COUNTRIES", "item 2"},
		{"countries twice", map[string]string{"TRYGG_SMS_COUNTRIES": "46,46"}, "TRYGG_SMS_COUNTRIES", "listed twice"},
		{"log level", map[string]string{"TRYGG_LOG_LEVEL": "verbose"}, "TRYGG_LOG_LEVEL", "not one of debug, info, warn, error"},
		{"log level numeric", map[string]string{"TRYGG_LOG_LEVEL": "warn+2"}, "TRYGG_LOG_LEVEL", "not one of"},
		{"flows dir missing", map[string]string{"TRYGG_FLOWS_DIR": filepath.Join(file, "nope")}, "TRYGG_FLOWS_DIR", "cannot read"},
		{"flows dir is a file", map[string]string{"TRYGG_FLOWS_DIR": file}, "TRYGG_FLOWS_DIR", "is not a directory"},
		{"locales dir missing", map[string]string{"TRYGG_LOCALES_DIR": "/does/not/exist"}, "TRYGG_LOCALES_DIR", "does not exist"},
		{"trusted proxy a name", map[string]string{"TRYGG_TRUSTED_PROXIES": "10.0.0.0/8, proxy.local"}, "TRYGG_TRUSTED_PROXIES", `"proxy.local": not an IP address or a CIDR network`},
		{"trusted proxy bad network", map[string]string{"TRYGG_TRUSTED_PROXIES": "10.0.0.0/33"}, "TRYGG_TRUSTED_PROXIES", "not an IP address or a CIDR"},
		{"web client limit", map[string]string{"TRYGG_WEB_CLIENT_LIMIT": "many/10m"}, "TRYGG_WEB_CLIENT_LIMIT", "whole number from 1"},
		{"web new limit", map[string]string{"TRYGG_WEB_NEW_LIMIT": "20"}, "TRYGG_WEB_NEW_LIMIT", "count/duration"},
		{"web global limit", map[string]string{"TRYGG_WEB_GLOBAL_LIMIT": "600/0s"}, "TRYGG_WEB_GLOBAL_LIMIT", "duration"},
		{"web poll limit", map[string]string{"TRYGG_WEB_POLL_LIMIT": "0/1m"}, "TRYGG_WEB_POLL_LIMIT", "whole number from 1"},
		{"lägesbild client cap", map[string]string{"TRYGG_LAGESBILD_CLIENT_CAP": "0"}, "TRYGG_LAGESBILD_CLIENT_CAP", "whole number from 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(getenv(tt.env))
			if err == nil {
				t.Fatalf("Load = nil error, want one about %s", tt.wantVar)
			}
			if c.Addr != "" || c.Secret != nil {
				t.Errorf("Load returned a non-zero Config with an error")
			}
			msgs := problemLines(err)
			i := slices.IndexFunc(msgs, func(m string) bool {
				return strings.HasPrefix(m, tt.wantVar+": ") && strings.Contains(m, tt.want)
			})
			if i < 0 {
				t.Errorf("no problem %q containing %q in:\n%s", tt.wantVar+": …", tt.want, err)
			}
		})
	}
}

// problemLines returns the separate problems of a joined Load error.
func problemLines(err error) []string {
	var lines []string
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			lines = append(lines, e.Error())
		}
		return lines
	}
	return []string{err.Error()}
}

func TestLoadReportsAllProblems(t *testing.T) {
	_, err := Load(getenv(map[string]string{
		"TRYGG_ADDR":             "nope",
		"TRYGG_CONVERSATION_TTL": "abc",
		"TRYGG_HANDOFF_WAIT":     "-1m",
		"TRYGG_LOG_LEVEL":        "loud",
		"TRYGG_STAFFED_HOURS":    "mon 25:00-26:00, xyz 09:00-10:00",
		"SLACK_BOT_TOKEN":        "xoxb-1",
	}))
	if err == nil {
		t.Fatal("Load = nil error")
	}
	want := []string{
		"TRYGG_ADDR", "TRYGG_CONVERSATION_TTL", "TRYGG_HANDOFF_WAIT", "TRYGG_LOG_LEVEL",
		"TRYGG_STAFFED_HOURS", "TRYGG_STAFFED_HOURS", "TRYGG_STAFFED_HOURS", "SLACK_SIGNING_SECRET",
	}
	var got []string
	for _, line := range problemLines(err) {
		name, _, ok := strings.Cut(line, ": ")
		if !ok {
			t.Errorf("problem %q does not start with a variable name", line)
		}
		got = append(got, name)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("problems are about %v, want %v; error:\n%s", got, want, err)
	}
	// Every line of the printed error names its variable.
	for _, line := range strings.Split(err.Error(), "\n") {
		if !slices.ContainsFunc(want, func(v string) bool { return strings.HasPrefix(line, v+": ") }) {
			t.Errorf("line %q does not start with a variable name", line)
		}
	}
}

func TestLoadNeverLeaksSecrets(t *testing.T) {
	const (
		shortSecret  = "tiny-key-42"
		redisPass    = "hunter2-redis-pass"
		authToken    = "twilio-auth-token-77"
		signing      = "slack-signing-secret-88"
		botToken     = "xoxb-bot-token-99"
		badAppToken  = "xoxp-app-token-55"
		accountSID   = "SK-account-sid-66"
		wrongPrefURL = "http://:" + redisPass + "@r:6379"
	)
	tests := []struct {
		name    string
		env     map[string]string
		secrets []string
	}{
		{"short secret", map[string]string{"TRYGG_SECRET": shortSecret}, []string{shortSecret}},
		{"redis url unparsable", map[string]string{"TRYGG_SECRET": testSecret, "REDIS_URL": "redis://:" + redisPass + "@r:6379/%zz"}, []string{redisPass, testSecret}},
		{"redis url wrong scheme", map[string]string{"TRYGG_SECRET": testSecret, "REDIS_URL": wrongPrefURL}, []string{redisPass}},
		{"redis url bad port", map[string]string{"REDIS_URL": "redis://:" + redisPass + "@r:x"}, []string{redisPass}},
		{"redis url bad db", map[string]string{"REDIS_URL": "redis://:" + redisPass + "@r/abc", "REDIS_ADDRS": "r:1"}, []string{redisPass}},
		{"twilio token alone", map[string]string{"TWILIO_AUTH_TOKEN": authToken}, []string{authToken}},
		{"twilio sid wrong", map[string]string{"TWILIO_ACCOUNT_SID": accountSID, "TWILIO_AUTH_TOKEN": authToken}, []string{accountSID, authToken}},
		{"slack secret alone", map[string]string{"SLACK_SIGNING_SECRET": signing}, []string{signing}},
		{"slack bot alone", map[string]string{"SLACK_BOT_TOKEN": botToken, "SLACK_APP_TOKEN": badAppToken}, []string{botToken, badAppToken}},
		{"slack app token alone", map[string]string{"SLACK_APP_TOKEN": badAppToken}, []string{badAppToken}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(getenv(tt.env))
			if err == nil {
				t.Fatal("Load = nil error, want one")
			}
			for _, s := range tt.secrets {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error leaks a secret %q:\n%s", s, err)
				}
			}
		})
	}
}

func TestConfigPrintHidesSecrets(t *testing.T) {
	c, err := Load(getenv(map[string]string{
		"TRYGG_SECRET":         testSecret,
		"REDIS_URL":            "redis://:hunter2-redis-pass@r:6379",
		"TWILIO_ACCOUNT_SID":   testSID,
		"TWILIO_AUTH_TOKEN":    "twilio-auth-token-77",
		"SLACK_SIGNING_SECRET": "slack-signing-secret-88",
		"SLACK_BOT_TOKEN":      "xoxb-bot-token-99",
		"SLACK_APP_TOKEN":      "xapp-app-token-55",
	}))
	if err != nil {
		t.Fatal(err)
	}
	var buf strings.Builder
	slog.New(slog.NewTextHandler(&buf, nil)).Info("config", "config", c)
	printed := buf.String() + fmt.Sprint(c) + fmt.Sprintf("%+v %#v", c, c)
	for _, s := range []string{testSecret, "hunter2-redis-pass", "twilio-auth-token-77", "slack-signing-secret-88", "xoxb-bot-token-99", "xapp-app-token-55", testSID} {
		if strings.Contains(printed, s) {
			t.Errorf("printed config leaks %q:\n%s", s, printed)
		}
	}
	if !strings.Contains(printed, "sms=true") || !strings.Contains(printed, "secret_set=true") {
		t.Errorf("printed config lacks the settings summary:\n%s", printed)
	}
}

// stockholm is a helper for wall-clock times in Europe/Stockholm.
func stockholm(t *testing.T, y int, m time.Month, d, hh, mm int) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(Zone)
	if err != nil {
		t.Fatal(err)
	}
	return time.Date(y, m, d, hh, mm, 0, 0, loc)
}

func TestScheduleOpen(t *testing.T) {
	utc := func(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, time.UTC) }
	const weekdays = "mon-fri 09:00-16:00"
	tests := []struct {
		name     string
		hours    string
		holidays string
		at       func(t *testing.T) time.Time
		want     bool
	}{
		// Winter (CET, UTC+1): Monday 13 January 2025.
		{"winter monday 09:30 local", weekdays, "", func(t *testing.T) time.Time { return stockholm(t, 2025, 1, 13, 9, 30) }, true},
		{"winter monday 08:59 local", weekdays, "", func(t *testing.T) time.Time { return stockholm(t, 2025, 1, 13, 8, 59) }, false},
		{"winter monday 09:00 local, start inclusive", weekdays, "", func(t *testing.T) time.Time { return stockholm(t, 2025, 1, 13, 9, 0) }, true},
		{"winter monday 15:59 local", weekdays, "", func(t *testing.T) time.Time { return stockholm(t, 2025, 1, 13, 15, 59) }, true},
		{"winter monday 16:00 local, end exclusive", weekdays, "", func(t *testing.T) time.Time { return stockholm(t, 2025, 1, 13, 16, 0) }, false},
		{"winter monday 08:30 UTC is 09:30 local", weekdays, "", func(*testing.T) time.Time { return utc(2025, 1, 13, 8, 30) }, true},
		{"winter monday 15:00 UTC is 16:00 local", weekdays, "", func(*testing.T) time.Time { return utc(2025, 1, 13, 15, 0) }, false},
		// Summer (CEST, UTC+2): Monday 16 June 2025.
		{"summer monday 09:30 local", weekdays, "", func(t *testing.T) time.Time { return stockholm(t, 2025, 6, 16, 9, 30) }, true},
		{"summer monday 16:00 local", weekdays, "", func(t *testing.T) time.Time { return stockholm(t, 2025, 6, 16, 16, 0) }, false},
		{"summer monday 07:30 UTC is 09:30 local", weekdays, "", func(*testing.T) time.Time { return utc(2025, 6, 16, 7, 30) }, true},
		{"summer monday 14:00 UTC is 16:00 local", weekdays, "", func(*testing.T) time.Time { return utc(2025, 6, 16, 14, 0) }, false},
		{"summer monday 14:30 UTC would be open in winter", weekdays, "", func(*testing.T) time.Time { return utc(2025, 6, 16, 14, 30) }, false},
		// The week clocks go forward (Sunday 30 March 2025) and back (Sunday 26 October 2025).
		{"monday before spring change 15:00 UTC is 16:00 local", weekdays, "", func(*testing.T) time.Time { return utc(2025, 3, 24, 15, 0) }, false},
		{"monday before spring change 14:30 UTC is 15:30 local", weekdays, "", func(*testing.T) time.Time { return utc(2025, 3, 24, 14, 30) }, true},
		{"monday after spring change 07:30 UTC is 09:30 local", weekdays, "", func(*testing.T) time.Time { return utc(2025, 3, 31, 7, 30) }, true},
		{"monday after spring change 14:30 UTC is 16:30 local", weekdays, "", func(*testing.T) time.Time { return utc(2025, 3, 31, 14, 30) }, false},
		{"monday after spring change 16:00 local", weekdays, "", func(t *testing.T) time.Time { return stockholm(t, 2025, 3, 31, 16, 0) }, false},
		{"friday before autumn change 07:30 UTC is 09:30 local", weekdays, "", func(*testing.T) time.Time { return utc(2025, 10, 24, 7, 30) }, true},
		{"monday after autumn change 07:30 UTC is 08:30 local", weekdays, "", func(*testing.T) time.Time { return utc(2025, 10, 27, 7, 30) }, false},
		{"monday after autumn change 08:30 UTC is 09:30 local", weekdays, "", func(*testing.T) time.Time { return utc(2025, 10, 27, 8, 30) }, true},
		{"monday after autumn change 09:30 local", weekdays, "", func(t *testing.T) time.Time { return stockholm(t, 2025, 10, 27, 9, 30) }, true},
		{"monday after autumn change 16:00 local", weekdays, "", func(t *testing.T) time.Time { return stockholm(t, 2025, 10, 27, 16, 0) }, false},
		// Days.
		{"saturday closed on weekdays", weekdays, "", func(t *testing.T) time.Time { return stockholm(t, 2025, 1, 18, 10, 0) }, false},
		{"sunday closed on weekdays", weekdays, "", func(t *testing.T) time.Time { return stockholm(t, 2025, 1, 19, 10, 0) }, false},
		{"saturday rule", weekdays + ", sat 10:00-14:00", "", func(t *testing.T) time.Time { return stockholm(t, 2025, 1, 18, 10, 0) }, true},
		{"saturday rule end", weekdays + ", sat 10:00-14:00", "", func(t *testing.T) time.Time { return stockholm(t, 2025, 1, 18, 14, 0) }, false},
		{"day list includes wednesday", "mon,wed 08:30-12:00", "", func(t *testing.T) time.Time { return stockholm(t, 2025, 1, 15, 8, 30) }, true},
		{"day list excludes tuesday", "mon,wed 08:30-12:00", "", func(t *testing.T) time.Time { return stockholm(t, 2025, 1, 14, 9, 0) }, false},
		{"swedish days", "MÅN-fre 09:00-16:00; lör 10:00-12:00", "", func(t *testing.T) time.Time { return stockholm(t, 2025, 1, 18, 11, 0) }, true},
		{"wrapping range includes sunday", "fri-mon 18:00-24:00", "", func(t *testing.T) time.Time { return stockholm(t, 2025, 1, 19, 23, 59) }, true},
		{"wrapping range excludes tuesday", "fri-mon 18:00-24:00", "", func(t *testing.T) time.Time { return stockholm(t, 2025, 1, 14, 19, 0) }, false},
		{"local date decides the day", "sat 00:00-01:00", "", func(*testing.T) time.Time { return utc(2025, 1, 17, 23, 30) }, true},
		// Holidays.
		{"holiday closed all day", weekdays, "2025-12-24", func(t *testing.T) time.Time { return stockholm(t, 2025, 12, 24, 10, 0) }, false},
		{"day after holiday open", weekdays, "2025-12-24", func(t *testing.T) time.Time { return stockholm(t, 2025, 12, 23, 10, 0) }, true},
		{"holiday uses Stockholm date", "tue 00:00-02:00", "2025-12-24", func(*testing.T) time.Time { return utc(2025, 12, 23, 23, 30) }, false},
		{"holiday list", weekdays, "2025-12-24, 2025-12-25,2025-12-26", func(t *testing.T) time.Time { return stockholm(t, 2025, 12, 26, 10, 0) }, false},
		// Unset.
		{"zero schedule never open", "", "", func(t *testing.T) time.Time { return stockholm(t, 2025, 1, 13, 10, 0) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSchedule(tt.hours)
			if err != nil {
				t.Fatalf("ParseSchedule(%q) = %v", tt.hours, err)
			}
			days, err := ParseHolidays(tt.holidays)
			if err != nil {
				t.Fatalf("ParseHolidays(%q) = %v", tt.holidays, err)
			}
			at := tt.at(t)
			if got := s.WithHolidays(days).Open(at); got != tt.want {
				t.Errorf("%q.Open(%v) = %v, want %v", tt.hours, at.In(s.loc), got, tt.want)
			}
		})
	}
}

func TestZeroScheduleNeverOpen(t *testing.T) {
	var s Schedule
	for h := range 24 {
		if at := time.Date(2025, 1, 13, h, 0, 0, 0, time.UTC); s.Open(at) {
			t.Errorf("zero Schedule open at %v", at)
		}
	}
	if s.String() != "never staffed" {
		t.Errorf("String() = %q", s.String())
	}
}

func TestParseScheduleErrors(t *testing.T) {
	tests := []struct {
		spec string
		want []string // one entry per expected problem
	}{
		{"mon-fri", []string{`"mon-fri" has no time range`}},
		{"09:00-16:00", []string{`"09:00-16:00" has no days`}},
		{"mon-fri 09:00-16:00 13:00-15:00", []string{`"13:00-15:00" has no days`}},
		{"funday 09:00-16:00", []string{`"funday" is not a day`}},
		{"mon-xyz 09:00-16:00", []string{`"mon-xyz" is not a day range`}},
		{"mon 9-16", []string{`"9" is not a time`, `"16" is not a time`}},
		{"mon 09:00", []string{`"09:00" is not a time range`}},
		{"mon 24:00-24:00", []string{`"24:00" is not a time of day`}},
		{"mon 09:60-10:00", []string{`"09:60" is not a time of day`}},
		{"mon 10:00-10:00", []string{"ends before it starts"}},
		{"mon 10:00-09:00", []string{"ends before it starts"}},
		{"mon 1000-1100", []string{`"1000" is not a time`, `"1100" is not a time`}},
		{"mon +9:00-10:00", []string{`"+9:00" is not a time`}},
		{"xyz 09:00-10:00, tue 25:00-26:00, wed", []string{"not a day", "25:00", "26:00", "no time range"}},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			s, err := ParseSchedule(tt.spec)
			if err == nil {
				t.Fatalf("ParseSchedule = %v, nil; want an error", s)
			}
			got := problemLines(err)
			if len(got) != len(tt.want) {
				t.Errorf("got %d problems, want %d:\n%s", len(got), len(tt.want), err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%s", w, err)
				}
			}
		})
	}
}

func TestScheduleString(t *testing.T) {
	tests := []struct{ spec, want string }{
		{"mon-fri 09:00-16:00", "mon-fri 09:00-16:00 (Europe/Stockholm)"},
		{"mån,tis,ons 8:30-12:00, lör 10:00-14:00", "mon-wed 08:30-12:00, sat 10:00-14:00 (Europe/Stockholm)"},
		{"sun,mon,wed 10:00-24:00", "mon,wed,sun 10:00-24:00 (Europe/Stockholm)"},
		{"fri-mon 18:00-20:00", "mon,fri-sun 18:00-20:00 (Europe/Stockholm)"},
	}
	for _, tt := range tests {
		s, err := ParseSchedule(tt.spec)
		if err != nil {
			t.Fatalf("ParseSchedule(%q) = %v", tt.spec, err)
		}
		if got := s.String(); got != tt.want {
			t.Errorf("ParseSchedule(%q).String() = %q, want %q", tt.spec, got, tt.want)
		}
		// What String prints parses to the same schedule.
		again, err := ParseSchedule(strings.TrimSuffix(tt.want, " (Europe/Stockholm)"))
		if err != nil || again.String() != tt.want {
			t.Errorf("round trip of %q = %q, %v", tt.want, again, err)
		}
	}
}

func TestWithHolidaysDoesNotChangeOriginal(t *testing.T) {
	s, err := ParseSchedule("mon-sun 00:00-24:00")
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2025, 12, 24, 0, 0, 0, 0, time.UTC)
	closed := s.WithHolidays([]time.Time{day})
	at := stockholm(t, 2025, 12, 24, 12, 0)
	if !s.Open(at) || closed.Open(at) {
		t.Errorf("original open = %v (want true), with holiday open = %v (want false)", s.Open(at), closed.Open(at))
	}
	if !strings.Contains(closed.String(), "closed 2025-12-24") {
		t.Errorf("String() = %q lacks the holiday", closed.String())
	}
}

// TestMetricsAddr: /metrics gets its own listener; another host or port than TRYGG_ADDR's
// is accepted, and port 0 (any free port) never clashes.
func TestMetricsAddr(t *testing.T) {
	for _, row := range []struct{ addr, metrics, want string }{
		{"", "", ":9090"},
		{"", "127.0.0.1:9100", "127.0.0.1:9100"},
		{"10.0.0.5:8080", "127.0.0.1:8080", "127.0.0.1:8080"},
		{"127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"},
	} {
		c, err := Load(getenv(map[string]string{"TRYGG_ADDR": row.addr, "TRYGG_METRICS_ADDR": row.metrics}))
		if err != nil {
			t.Errorf("TRYGG_ADDR=%q TRYGG_METRICS_ADDR=%q: %v", row.addr, row.metrics, err)
			continue
		}
		if c.MetricsAddr != row.want {
			t.Errorf("TRYGG_METRICS_ADDR=%q: MetricsAddr = %q, want %q", row.metrics, c.MetricsAddr, row.want)
		}
	}
}

// TestLoadWhatsApp checks TWILIO_WHATSAPP_FROM and the templates by language: the channel
// is on with the sender, and each TWILIO_WA_TEMPLATE_<LANG> is its language's template.
func TestLoadWhatsApp(t *testing.T) {
	c, err := Load(getenv(map[string]string{
		"TWILIO_ACCOUNT_SID":    testSID,
		"TWILIO_AUTH_TOKEN":     "tok",
		"TWILIO_WHATSAPP_FROM":  "whatsapp:+46701234567",
		"TWILIO_WA_TEMPLATE_SV": "HX0123456789abcdef0123456789abcdef",
		"TWILIO_WA_TEMPLATE_TI": "HXfedcba9876543210fedcba9876543210",
	}))
	if err != nil {
		t.Fatalf("Load = %v", err)
	}
	if !c.WhatsAppEnabled() || c.WhatsAppFrom != "whatsapp:+46701234567" {
		t.Errorf("WhatsAppEnabled = %v, WhatsAppFrom = %q", c.WhatsAppEnabled(), c.WhatsAppFrom)
	}
	want := map[string]string{"sv": "HX0123456789abcdef0123456789abcdef", "ti": "HXfedcba9876543210fedcba9876543210"}
	if len(c.WhatsAppTemplates) != len(want) || c.WhatsAppTemplates["sv"] != want["sv"] || c.WhatsAppTemplates["ti"] != want["ti"] {
		t.Errorf("WhatsAppTemplates = %v, want %v", c.WhatsAppTemplates, want)
	}
	if c, _ := Load(getenv(map[string]string{"TWILIO_ACCOUNT_SID": testSID, "TWILIO_AUTH_TOKEN": "tok"})); c.WhatsAppEnabled() {
		t.Error("WhatsApp is on without TWILIO_WHATSAPP_FROM")
	}
}
