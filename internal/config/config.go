// Package config reads trygg's settings from environment variables and validates them at
// start-up.
//
// Load reports every problem at once, each naming the variable and what is wrong, so an
// operator fixes a deployment in one round. Messages about secrets (TRYGG_SECRET, REDIS_URL,
// TWILIO_AUTH_TOKEN, the Slack tokens) never repeat the value. The variable names are a
// contract with operators, documented in the README: keep them stable.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Defaults for the optional settings.
const (
	DefaultAddr = ":8080"
	// DefaultMetricsAddr is where /metrics is served: its own listener, never TRYGG_ADDR.
	DefaultMetricsAddr     = ":9090"
	DefaultHandoffWait     = 10 * time.Minute
	DefaultSMSPerSecond    = 1.0
	DefaultConversationTTL = 24 * time.Hour
	// DefaultLagesbildRetention keeps reports of unsafe places for two years.
	DefaultLagesbildRetention = 730 * 24 * time.Hour
	DefaultLogLevel           = slog.LevelInfo

	// DefaultQuickExitURL is where the web chat's quick exit leads: SMHI's weather, a
	// neutral Swedish site that says nothing about why someone was there.
	DefaultQuickExitURL = "https://www.smhi.se/"
	// DefaultSMSSenderLimit is TRYGG_SMS_SENDER_LIMIT's default: 30 messages per sender in
	// 10 minutes is far above what a resident in need writes, and caps what one number costs.
	DefaultSMSSenderLimit = "30/10m"
	// DefaultSMSGlobalLimit is TRYGG_SMS_GLOBAL_LIMIT's default: 600 incoming messages a
	// minute across all senders, a ceiling against SMS pumping.
	DefaultSMSGlobalLimit = "600/1m"
	// DefaultSMSCountries is TRYGG_SMS_COUNTRIES' default: only Swedish numbers (+46) are
	// answered; a message from any other number costs trygg nothing.
	DefaultSMSCountries = "46"

	// MinSecretLen is the shortest TRYGG_SECRET accepted, in bytes.
	MinSecretLen = 16
	// DefaultWebClientLimit is TRYGG_WEB_CLIENT_LIMIT's default: 120 web chat messages per
	// client (address; IPv6 by /64) in 10 minutes, four sessions' worth, since residents
	// behind one NAT share an address.
	DefaultWebClientLimit = "120/10m"
	// DefaultWebNewLimit is TRYGG_WEB_NEW_LIMIT's default: 20 new web conversations per
	// client in 10 minutes.
	DefaultWebNewLimit = "20/10m"
	// DefaultWebGlobalLimit is TRYGG_WEB_GLOBAL_LIMIT's default: 600 web chat messages a
	// minute from all clients together, like the SMS one.
	DefaultWebGlobalLimit = "600/1m"
	// DefaultWebPollLimit is TRYGG_WEB_POLL_LIMIT's default: 240 polls for staff replies
	// (POST /chat/poll) per client in a minute, 20 open chat pages at the script's rate of
	// one poll every 5 seconds.
	DefaultWebPollLimit = "240/1m"
	// DefaultLagesbildClientCap is TRYGG_LAGESBILD_CLIENT_CAP's default: lägesbild reports
	// per client (web address or SMS sender) a day.
	DefaultLagesbildClientCap = 5
	// MaxSMSPerSecond caps TRYGG_SMS_PER_SECOND.
	MaxSMSPerSecond = 100.0
	// MaxLimitCount and MaxLimitWindow bound the message limits (TRYGG_SMS_*_LIMIT).
	MaxLimitCount  = 1_000_000
	MaxLimitWindow = 24 * time.Hour
)

// Limit is a number of messages allowed in a window of time, written "30/10m".
type Limit struct {
	// N is how many messages the window allows.
	N int64
	// Per is the window's length.
	Per time.Duration
}

// String writes l as it is configured, e.g. "30/10m0s".
func (l Limit) String() string { return fmt.Sprintf("%d/%v", l.N, l.Per) }

// ParseLimit reads "count/duration", e.g. "30/10m" or "600/1m": a count from 1 to
// MaxLimitCount and a Go duration longer than zero and at most MaxLimitWindow.
func ParseLimit(v string) (Limit, error) {
	n, per, ok := strings.Cut(v, "/")
	if !ok {
		return Limit{}, errors.New("is not count/duration (e.g. 30/10m)")
	}
	count, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64)
	if err != nil || count < 1 || count > MaxLimitCount {
		return Limit{}, fmt.Errorf("has a count that is not a whole number from 1 to %d (e.g. 30/10m)", MaxLimitCount)
	}
	d, err := time.ParseDuration(strings.TrimSpace(per))
	if err != nil || d <= 0 || d > MaxLimitWindow {
		return Limit{}, fmt.Errorf("has a duration that is not between 0 and %v (e.g. 30/10m)", MaxLimitWindow)
	}
	return Limit{N: count, Per: d}, nil
}

// Config is trygg's validated configuration. The zero value is not useful; use Load.
type Config struct {
	// Addr is the listen address (TRYGG_ADDR).
	Addr string
	// MetricsAddr is the private listen address of /metrics (TRYGG_METRICS_ADDR); never
	// the same port as Addr, which is public.
	MetricsAddr string
	// PublicURL is the public base URL Twilio and Slack call, without a trailing slash
	// (TRYGG_PUBLIC_URL); "" means derive it from each request.
	PublicURL string
	// Secret keys the pseudonymisation of senders (TRYGG_SECRET); nil when unset.
	Secret []byte

	// RedisURL is a redis:// or rediss:// URL (REDIS_URL); it may hold a password.
	RedisURL string
	// RedisAddrs are host:port addresses of a cluster or of sentinels (REDIS_ADDRS).
	RedisAddrs []string
	// RedisMasterName makes RedisAddrs sentinels of this master (REDIS_MASTER_NAME).
	RedisMasterName string

	// TwilioAccountSID is the Twilio account (TWILIO_ACCOUNT_SID).
	TwilioAccountSID string
	// TwilioAuthToken signs Twilio's webhooks and our API calls (TWILIO_AUTH_TOKEN).
	TwilioAuthToken string
	// TwilioFrom is the E.164 number for messages trygg starts itself (TWILIO_FROM).
	TwilioFrom string
	// TwilioMessagingServiceSID is the alternative to TwilioFrom
	// (TWILIO_MESSAGING_SERVICE_SID).
	TwilioMessagingServiceSID string
	// WhatsAppFrom is the WhatsApp sender, "whatsapp:+46…" (TWILIO_WHATSAPP_FROM); "" means
	// no WhatsApp channel.
	WhatsAppFrom string
	// WhatsAppTemplates are the Content API template SIDs ("HX…") sent outside WhatsApp's
	// 24-hour window, by language (TWILIO_WA_TEMPLATE_SV, _EN, _FI, _AR, _FA, _SO, _TI);
	// empty when none is set.
	WhatsAppTemplates map[string]string

	// SlackSigningSecret verifies requests from Slack (SLACK_SIGNING_SECRET).
	SlackSigningSecret string
	// SlackBotToken is the xoxb- token for Slack's Web API (SLACK_BOT_TOKEN).
	SlackBotToken string
	// SlackAppToken is the xapp- token for Socket Mode (SLACK_APP_TOKEN); "" means HTTP
	// endpoints.
	SlackAppToken string
	// SlackTeamID is the only workspace whose requests are served (SLACK_TEAM_ID); "" means
	// the workspace the app is installed in, whose requests alone Slack signs.
	SlackTeamID string
	// SlackStaffChannel is the channel id for handoffs and the weekly lägesbild
	// (SLACK_STAFF_CHANNEL).
	SlackStaffChannel string
	// SlackAllowedChannels are the channel ids where /trygg may be used
	// (SLACK_ALLOWED_CHANNELS); empty means all.
	SlackAllowedChannels []string
	// SlackAlertUsers are the user ids allowed to send Grannsamverkan alerts
	// (SLACK_ALERT_USERS); empty means nobody.
	SlackAlertUsers []string

	// StaffedHours says when staff take handoffs (TRYGG_STAFFED_HOURS), with Holidays
	// already applied; the zero Schedule is never staffed.
	StaffedHours Schedule
	// Holidays are dates closed all day (TRYGG_HOLIDAYS); only the calendar date counts.
	Holidays []time.Time
	// HandoffWait is how long a resident waits for staff before getting the numbers
	// (TRYGG_HANDOFF_WAIT).
	HandoffWait time.Duration
	// SMSPerSecond is the rate for messages trygg sends itself (TRYGG_SMS_PER_SECOND).
	SMSPerSecond float64
	// SMSSenderLimit is how many SMS one sender may send in a window before getting one
	// notice and then no answers until the window ends (TRYGG_SMS_SENDER_LIMIT). A sender
	// gets at most one notice per such window, for this limit or the global one, and what
	// trygg keeps of a sender is bounded by it (its last N+1 answered messages).
	SMSSenderLimit Limit
	// SMSGlobalLimit is how many answers (turns and rate-limit notices together) the SMS
	// channel gives all senders in a window (TRYGG_SMS_GLOBAL_LIMIT): a tenth of it is kept
	// for notices, so that when the turns are spent further senders still get one notice
	// each (112 and the numbers) until that tenth is spent too; then nothing is sent.
	SMSGlobalLimit Limit
	// WebClientLimit bounds the web chat messages of one client (TRYGG_WEB_CLIENT_LIMIT),
	// WebNewLimit the web conversations one client starts (TRYGG_WEB_NEW_LIMIT) and
	// WebGlobalLimit the web chat messages of all clients together (TRYGG_WEB_GLOBAL_LIMIT).
	// Past each, the message gets the safety reply and no turn.
	WebClientLimit, WebNewLimit, WebGlobalLimit Limit
	// WebPollLimit bounds the web chat's polls for staff replies (POST /chat/poll) of one
	// client (TRYGG_WEB_POLL_LIMIT). Past it a poll gets 429 and the replies stay queued.
	WebPollLimit Limit
	// TrustedProxies are the proxies whose X-Forwarded-For (the rightmost address that is
	// not one of them is the client) and X-Forwarded-Proto trygg believes
	// (TRYGG_TRUSTED_PROXIES); empty: none, the client is the socket's peer.
	TrustedProxies []netip.Prefix
	// LagesbildClientCap is how many lägesbild reports one client (a web address or an
	// SMS sender) adds in a day (TRYGG_LAGESBILD_CLIENT_CAP).
	LagesbildClientCap int
	// SMSCountries are the country calling codes (e.g. "46") whose E.164 numbers the SMS
	// channel answers (TRYGG_SMS_COUNTRIES); a message from any other sender gets no answer.
	SMSCountries []string
	// ConversationTTL is how long a silent conversation is kept (TRYGG_CONVERSATION_TTL).
	ConversationTTL time.Duration
	// LagesbildRetention is how long reports of unsafe places are kept
	// (TRYGG_LAGESBILD_RETENTION, e.g. 730d or 17520h).
	LagesbildRetention time.Duration
	// LogLevel is the minimum level logged (TRYGG_LOG_LEVEL).
	LogLevel slog.Level

	// FlowsDir, when set, is read instead of the embedded flow files (TRYGG_FLOWS_DIR).
	FlowsDir string
	// LocalesDir, when set, is read instead of the embedded locale files
	// (TRYGG_LOCALES_DIR).
	LocalesDir string

	// QuickExitURL is the neutral page the web chat's quick exit replaces itself with
	// (TRYGG_QUICK_EXIT_URL).
	QuickExitURL string

	// HandoffReaders says who reads a handoff, by language; the key "" is for every
	// language (TRYGG_HANDOFF_READERS, see ParseHandoffReaders). nil: each locale's default.
	HandoffReaders map[string]string
}

// SMSEnabled reports whether the Twilio SMS channel is configured.
func (c Config) SMSEnabled() bool { return c.TwilioAccountSID != "" && c.TwilioAuthToken != "" }

// WhatsAppEnabled reports whether the WhatsApp channel is configured: Twilio's
// credentials and TWILIO_WHATSAPP_FROM.
func (c Config) WhatsAppEnabled() bool { return c.SMSEnabled() && c.WhatsAppFrom != "" }

// WhatsAppTemplateLangs are the languages a TWILIO_WA_TEMPLATE_<LANG> can be set for:
// trygg's languages.
var WhatsAppTemplateLangs = []string{"sv", "en", "fi", "ar", "fa", "so", "ti"}

// SlackEnabled reports whether the Slack staff channel is configured.
func (c Config) SlackEnabled() bool { return c.SlackSigningSecret != "" && c.SlackBotToken != "" }

// RedisEnabled reports whether a Redis store is configured instead of the in-memory one.
func (c Config) RedisEnabled() bool { return c.RedisURL != "" || len(c.RedisAddrs) > 0 }

// LogValue describes c for the start-up log without any secret: secrets and credentials
// appear only as whether they are set.
func (c Config) LogValue() slog.Value {
	redis := "memory"
	switch {
	case c.RedisURL != "":
		redis = "redis url"
	case c.RedisMasterName != "":
		redis = fmt.Sprintf("sentinel %s via %s", c.RedisMasterName, strings.Join(c.RedisAddrs, ","))
	case len(c.RedisAddrs) > 0:
		redis = "cluster " + strings.Join(c.RedisAddrs, ",")
	}
	return slog.GroupValue(
		slog.String("addr", c.Addr),
		slog.String("metrics_addr", c.MetricsAddr),
		slog.String("public_url", c.PublicURL),
		slog.Bool("secret_set", c.Secret != nil),
		slog.String("store", redis),
		slog.Bool("sms", c.SMSEnabled()),
		slog.Bool("whatsapp", c.WhatsAppEnabled()),
		slog.Int("whatsapp_templates", len(c.WhatsAppTemplates)),
		slog.Bool("slack", c.SlackEnabled()),
		slog.Bool("slack_socket_mode", c.SlackAppToken != ""),
		slog.String("slack_team_id", c.SlackTeamID),
		slog.String("staffed_hours", c.StaffedHours.String()),
		slog.Duration("handoff_wait", c.HandoffWait),
		slog.Float64("sms_per_second", c.SMSPerSecond),
		slog.String("sms_sender_limit", c.SMSSenderLimit.String()),
		slog.String("sms_global_limit", c.SMSGlobalLimit.String()),
		slog.String("web_client_limit", c.WebClientLimit.String()),
		slog.String("web_new_limit", c.WebNewLimit.String()),
		slog.String("web_global_limit", c.WebGlobalLimit.String()),
		slog.Int("trusted_proxies", len(c.TrustedProxies)),
		slog.Int("lagesbild_client_cap", c.LagesbildClientCap),
		slog.String("sms_countries", strings.Join(c.SMSCountries, ",")),
		slog.Duration("conversation_ttl", c.ConversationTTL),
		slog.String("log_level", c.LogLevel.String()),
		slog.String("flows_dir", c.FlowsDir),
		slog.String("locales_dir", c.LocalesDir),
		slog.String("quick_exit_url", c.QuickExitURL),
		slog.Any("handoff_readers", c.HandoffReaders),
	)
}

// String describes c like LogValue, without secrets, so that printing a Config with fmt
// cannot leak them.
func (c Config) String() string { return c.LogValue().String() }

// GoString is String, for the %#v verb.
func (c Config) GoString() string { return c.String() }

// Load reads the configuration through getenv (os.Getenv in production, a map in tests),
// applies defaults and validates every variable. Values are trimmed of surrounding white
// space. The error joins one message per problem, each starting with the variable's name.
// TRYGG_FLOWS_DIR and TRYGG_LOCALES_DIR are checked to be directories.
func Load(getenv func(string) string) (Config, error) {
	env := func(name string) string { return strings.TrimSpace(getenv(name)) }
	var p problems
	c := Config{
		Addr:               DefaultAddr,
		MetricsAddr:        DefaultMetricsAddr,
		HandoffWait:        DefaultHandoffWait,
		SMSPerSecond:       DefaultSMSPerSecond,
		ConversationTTL:    DefaultConversationTTL,
		LagesbildRetention: DefaultLagesbildRetention,
		LogLevel:           DefaultLogLevel,
		QuickExitURL:       DefaultQuickExitURL,
		LagesbildClientCap: DefaultLagesbildClientCap,
	}

	if v := env("TRYGG_ADDR"); v != "" {
		c.Addr = v
		if err := checkHostPort(v); err != nil {
			p.addf("TRYGG_ADDR", "%q %v (e.g. :8080)", v, err)
		}
	}
	if v := env("TRYGG_METRICS_ADDR"); v != "" {
		c.MetricsAddr = v
		if err := checkHostPort(v); err != nil {
			p.addf("TRYGG_METRICS_ADDR", "%q %v (e.g. :9090)", v, err)
		}
	}
	if samePort(c.Addr, c.MetricsAddr) {
		p.addf("TRYGG_METRICS_ADDR", "%q is the port of TRYGG_ADDR %q: /metrics must have its own, private port (e.g. :9090)", c.MetricsAddr, c.Addr)
	}
	if v := env("TRYGG_PUBLIC_URL"); v != "" {
		u, err := parsePublicURL(v)
		if err != nil {
			p.addf("TRYGG_PUBLIC_URL", "%q %v", v, err)
		}
		c.PublicURL = u
	}
	if v := env("TRYGG_SECRET"); v != "" {
		c.Secret = []byte(v)
		if len(c.Secret) < MinSecretLen {
			p.addf("TRYGG_SECRET", "is too short: need at least %d bytes", MinSecretLen)
		}
	}

	c.RedisURL = env("REDIS_URL")
	if c.RedisURL != "" {
		if err := checkRedisURL(c.RedisURL); err != nil {
			p.add("REDIS_URL", err)
		}
	}
	if v := env("REDIS_ADDRS"); v != "" {
		addrs, errs := splitList(v)
		for _, err := range errs {
			p.add("REDIS_ADDRS", err)
		}
		for _, a := range addrs {
			if err := checkHostPort(a); err != nil {
				p.addf("REDIS_ADDRS", "%q %v (e.g. redis-0:6379)", a, err)
			} else if host, _, _ := net.SplitHostPort(a); host == "" {
				p.addf("REDIS_ADDRS", "%q has no host (e.g. redis-0:6379)", a)
			}
		}
		c.RedisAddrs = addrs
	}
	c.RedisMasterName = env("REDIS_MASTER_NAME")
	if c.RedisURL != "" && c.RedisAddrs != nil {
		p.addf("REDIS_URL", "and REDIS_ADDRS are both set; use one")
	}
	if c.RedisMasterName != "" && c.RedisAddrs == nil {
		p.addf("REDIS_MASTER_NAME", "needs REDIS_ADDRS (the sentinel addresses)")
	}
	if c.RedisEnabled() && c.Secret == nil {
		p.addf("TRYGG_SECRET", "is required with Redis, so pseudonyms stay the same across restarts and replicas")
	}

	c.TwilioAccountSID = env("TWILIO_ACCOUNT_SID")
	c.TwilioAuthToken = env("TWILIO_AUTH_TOKEN")
	c.TwilioFrom = env("TWILIO_FROM")
	c.TwilioMessagingServiceSID = env("TWILIO_MESSAGING_SERVICE_SID")
	switch {
	case c.TwilioAccountSID != "" && c.TwilioAuthToken == "":
		p.addf("TWILIO_AUTH_TOKEN", "is missing; TWILIO_ACCOUNT_SID is set and needs it")
	case c.TwilioAccountSID == "" && c.TwilioAuthToken != "":
		p.addf("TWILIO_ACCOUNT_SID", "is missing; TWILIO_AUTH_TOKEN is set and needs it")
	}
	if c.TwilioAccountSID != "" && !strings.HasPrefix(c.TwilioAccountSID, "AC") {
		p.addf("TWILIO_ACCOUNT_SID", "does not look like an account SID (it starts with AC)")
	}
	if c.TwilioFrom != "" && !isE164(c.TwilioFrom) {
		p.addf("TWILIO_FROM", "%q is not a phone number in E.164 form (e.g. +46701234567)", c.TwilioFrom)
	}
	if c.TwilioMessagingServiceSID != "" && !strings.HasPrefix(c.TwilioMessagingServiceSID, "MG") {
		p.addf("TWILIO_MESSAGING_SERVICE_SID", "%q does not look like a messaging service SID (it starts with MG)", c.TwilioMessagingServiceSID)
	}
	if c.TwilioFrom != "" && c.TwilioMessagingServiceSID != "" {
		p.addf("TWILIO_FROM", "and TWILIO_MESSAGING_SERVICE_SID are both set; use one")
	}
	c.WhatsAppFrom = env("TWILIO_WHATSAPP_FROM")
	if c.WhatsAppFrom != "" {
		if n, ok := strings.CutPrefix(c.WhatsAppFrom, "whatsapp:"); !ok || !isE164(n) {
			p.addf("TWILIO_WHATSAPP_FROM", "%q is not a WhatsApp sender: whatsapp: and an E.164 number (e.g. whatsapp:+46701234567)", c.WhatsAppFrom)
		}
		if !c.SMSEnabled() {
			p.addf("TWILIO_WHATSAPP_FROM", "needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN")
		}
	}
	for _, lang := range WhatsAppTemplateLangs {
		name := "TWILIO_WA_TEMPLATE_" + strings.ToUpper(lang)
		v := env(name)
		if v == "" {
			continue
		}
		if !isContentSID(v) {
			p.addf(name, "%q is not a Content API template SID (HX and 32 hexadecimal digits)", v)
		}
		if c.WhatsAppFrom == "" {
			p.addf(name, "is set but TWILIO_WHATSAPP_FROM is not: templates are for the WhatsApp channel")
		}
		if c.WhatsAppTemplates == nil {
			c.WhatsAppTemplates = map[string]string{}
		}
		c.WhatsAppTemplates[lang] = v
	}

	c.SlackSigningSecret = env("SLACK_SIGNING_SECRET")
	c.SlackBotToken = env("SLACK_BOT_TOKEN")
	c.SlackAppToken = env("SLACK_APP_TOKEN")
	switch {
	case c.SlackSigningSecret != "" && c.SlackBotToken == "":
		p.addf("SLACK_BOT_TOKEN", "is missing; SLACK_SIGNING_SECRET is set and needs it")
	case c.SlackSigningSecret == "" && c.SlackBotToken != "":
		p.addf("SLACK_SIGNING_SECRET", "is missing; SLACK_BOT_TOKEN is set and needs it")
	}
	if c.SlackAppToken != "" {
		if !strings.HasPrefix(c.SlackAppToken, "xapp-") {
			p.addf("SLACK_APP_TOKEN", "is not an app-level token (it starts with xapp-)")
		}
		if c.SlackBotToken == "" {
			p.addf("SLACK_APP_TOKEN", "needs SLACK_BOT_TOKEN")
		}
	}
	if v := env("SLACK_TEAM_ID"); v != "" {
		c.SlackTeamID = v
		if !isSlackID(v) || (v[0] != 'T' && v[0] != 'E') {
			p.addf("SLACK_TEAM_ID", "%q is not a Slack workspace id (e.g. T0123ABCD)", v)
		}
	}
	if v := env("SLACK_STAFF_CHANNEL"); v != "" {
		c.SlackStaffChannel = v
		if !isSlackID(v) {
			p.addf("SLACK_STAFF_CHANNEL", "%q is not a Slack channel id (e.g. C0123ABCD, not #name)", v)
		}
	}
	c.SlackAllowedChannels = slackIDs(&p, "SLACK_ALLOWED_CHANNELS", env("SLACK_ALLOWED_CHANNELS"), "channel", "C0123ABCD")
	c.SlackAlertUsers = slackIDs(&p, "SLACK_ALERT_USERS", env("SLACK_ALERT_USERS"), "user", "U0123ABCD")

	sched, err := ParseSchedule(env("TRYGG_STAFFED_HOURS"))
	if err != nil {
		p.add("TRYGG_STAFFED_HOURS", err)
	}
	holidays, err := ParseHolidays(env("TRYGG_HOLIDAYS"))
	if err != nil {
		p.add("TRYGG_HOLIDAYS", err)
	}
	c.Holidays = holidays
	c.StaffedHours = sched.WithHolidays(holidays)

	c.HandoffWait = positiveDuration(&p, "TRYGG_HANDOFF_WAIT", env("TRYGG_HANDOFF_WAIT"), c.HandoffWait, "10m")
	c.ConversationTTL = positiveDuration(&p, "TRYGG_CONVERSATION_TTL", env("TRYGG_CONVERSATION_TTL"), c.ConversationTTL, "24h")
	c.LagesbildRetention = positiveDuration(&p, "TRYGG_LAGESBILD_RETENTION", days(env("TRYGG_LAGESBILD_RETENTION")), c.LagesbildRetention, "730d")
	if v := env("TRYGG_SMS_PER_SECOND"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		switch {
		case err != nil:
			p.addf("TRYGG_SMS_PER_SECOND", "%q is not a number (e.g. 1 or 0.5)", v)
		case !(f > 0 && f <= MaxSMSPerSecond): // also catches NaN
			p.addf("TRYGG_SMS_PER_SECOND", "%q must be more than 0 and at most %g", v, MaxSMSPerSecond)
		default:
			c.SMSPerSecond = f
		}
	}
	c.SMSSenderLimit = limit(&p, "TRYGG_SMS_SENDER_LIMIT", env("TRYGG_SMS_SENDER_LIMIT"), DefaultSMSSenderLimit)
	c.SMSGlobalLimit = limit(&p, "TRYGG_SMS_GLOBAL_LIMIT", env("TRYGG_SMS_GLOBAL_LIMIT"), DefaultSMSGlobalLimit)
	c.WebClientLimit = limit(&p, "TRYGG_WEB_CLIENT_LIMIT", env("TRYGG_WEB_CLIENT_LIMIT"), DefaultWebClientLimit)
	c.WebNewLimit = limit(&p, "TRYGG_WEB_NEW_LIMIT", env("TRYGG_WEB_NEW_LIMIT"), DefaultWebNewLimit)
	c.WebGlobalLimit = limit(&p, "TRYGG_WEB_GLOBAL_LIMIT", env("TRYGG_WEB_GLOBAL_LIMIT"), DefaultWebGlobalLimit)
	c.WebPollLimit = limit(&p, "TRYGG_WEB_POLL_LIMIT", env("TRYGG_WEB_POLL_LIMIT"), DefaultWebPollLimit)
	if v := env("TRYGG_TRUSTED_PROXIES"); v != "" {
		proxies, err := ParseProxies(v)
		if err != nil {
			p.add("TRYGG_TRUSTED_PROXIES", err)
		}
		c.TrustedProxies = proxies
	}
	if v := env("TRYGG_LAGESBILD_CLIENT_CAP"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxLimitCount {
			p.addf("TRYGG_LAGESBILD_CLIENT_CAP", "%q is not a whole number from 1 to %d (e.g. 5)", v, MaxLimitCount)
		} else {
			c.LagesbildClientCap = n
		}
	}
	c.SMSCountries = countries(&p, "TRYGG_SMS_COUNTRIES", env("TRYGG_SMS_COUNTRIES"), DefaultSMSCountries)
	if v := env("TRYGG_LOG_LEVEL"); v != "" {
		lvl, ok := parseLevel(v)
		if !ok {
			p.addf("TRYGG_LOG_LEVEL", "%q is not one of debug, info, warn, error", v)
		}
		c.LogLevel = lvl
	}

	c.FlowsDir = directory(&p, "TRYGG_FLOWS_DIR", env("TRYGG_FLOWS_DIR"))
	c.LocalesDir = directory(&p, "TRYGG_LOCALES_DIR", env("TRYGG_LOCALES_DIR"))
	if v := env("TRYGG_QUICK_EXIT_URL"); v != "" {
		if err := checkExitURL(v); err != nil {
			p.addf("TRYGG_QUICK_EXIT_URL", "%q %v", v, err)
		}
		c.QuickExitURL = v
	}

	if readers, err := ParseHandoffReaders(env("TRYGG_HANDOFF_READERS")); err != nil {
		p.add("TRYGG_HANDOFF_READERS", err)
	} else {
		c.HandoffReaders = readers
	}

	if err := p.err(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// problems collects validation errors, each prefixed with the variable it is about.
type problems []error

// add records err as a problem of variable name, wrapping it. A joined error becomes one
// problem per part, so that every line of the report names its variable.
func (p *problems) add(name string, err error) {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			p.add(name, e)
		}
		return
	}
	*p = append(*p, fmt.Errorf("%s: %w", name, err))
}

// addf records a problem of variable name described by format and args.
func (p *problems) addf(name, format string, args ...any) {
	*p = append(*p, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
}

// err joins the problems, or returns nil when there are none.
func (p problems) err() error { return errors.Join(p...) }

// parsePublicURL checks that v is an absolute http(s) URL with a host and no query,
// fragment or user info, and returns it without trailing slashes.
func parsePublicURL(v string) (string, error) {
	u, err := url.Parse(v)
	switch {
	case err != nil:
		return "", errors.New("is not a URL (e.g. https://trygg.example.se)")
	case u.Scheme != "http" && u.Scheme != "https":
		return "", errors.New("must be an absolute http or https URL (e.g. https://trygg.example.se)")
	case u.Host == "":
		return "", errors.New("has no host (e.g. https://trygg.example.se)")
	case u.User != nil:
		return "", errors.New("must not contain a user name or password")
	case u.RawQuery != "" || u.ForceQuery:
		return "", errors.New("must not have a query (?…)")
	case u.Fragment != "" || strings.Contains(v, "#"):
		return "", errors.New("must not have a fragment (#…)")
	}
	return strings.TrimRight(v, "/"), nil
}

// checkExitURL checks that v is an absolute http(s) URL with a host and no user info: a
// page a browser can be sent to, never a script.
func checkExitURL(v string) error {
	u, err := url.Parse(v)
	switch {
	case err != nil:
		return errors.New("is not a URL (e.g. https://www.smhi.se/)")
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("must be an absolute http or https URL (e.g. https://www.smhi.se/)")
	case u.Host == "":
		return errors.New("has no host (e.g. https://www.smhi.se/)")
	case u.User != nil:
		return errors.New("must not contain a user name or password")
	}
	return nil
}

// checkRedisURL checks the syntax of a Redis URL. The URL may hold a password, so no
// message repeats it, nor does any wrapped net/url error (those quote the input).
func checkRedisURL(v string) error {
	u, err := url.Parse(v)
	if err != nil {
		return errors.New("is not a valid URL (e.g. redis://redis:6379/0)")
	}
	if u.Scheme != "redis" && u.Scheme != "rediss" {
		return errors.New("must start with redis:// or rediss://")
	}
	if u.Host == "" {
		return errors.New("has no host (e.g. redis://redis:6379/0)")
	}
	if u.Port() != "" {
		if n, err := strconv.Atoi(u.Port()); err != nil || n < 1 || n > 65535 {
			return errors.New("has a port that is not a number from 1 to 65535")
		}
	}
	if db := strings.TrimPrefix(u.Path, "/"); db != "" {
		if n, err := strconv.Atoi(db); err != nil || n < 0 {
			return errors.New("has a path that is not a database number (e.g. /0)")
		}
	}
	return nil
}

// checkHostPort checks that v is "host:port" or ":port" with a numeric port.
func checkHostPort(v string) error {
	_, port, err := net.SplitHostPort(v)
	if err != nil {
		return errors.New("is not host:port")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return errors.New("has a port that is not a number from 0 to 65535")
	}
	return nil
}

// samePort reports whether two listen addresses would share a port: the same port
// number on the same host, or on every interface (no host) for either. Port 0 (any free
// port, in tests) never clashes.
func samePort(a, b string) bool {
	ha, pa, errA := net.SplitHostPort(a)
	hb, pb, errB := net.SplitHostPort(b)
	if errA != nil || errB != nil {
		return false
	}
	na, errA := strconv.Atoi(pa)
	nb, errB := strconv.Atoi(pb)
	if errA != nil || errB != nil || na == 0 || na != nb {
		return false
	}
	everywhere := func(h string) bool { return h == "" || h == "0.0.0.0" || h == "::" }
	return everywhere(ha) || everywhere(hb) || strings.EqualFold(ha, hb)
}

// splitList splits a comma-separated list, trimming each item. Empty items are errors.
func splitList(v string) (items []string, errs []error) {
	for i, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			errs = append(errs, fmt.Errorf("item %d of the comma-separated list is empty", i+1))
			continue
		}
		items = append(items, item)
	}
	return items, errs
}

// slackIDs parses a comma-separated list of Slack ids for variable name; kind and example
// only shape the messages. It returns nil for an empty value.
func slackIDs(p *problems, name, v, kind, example string) []string {
	if v == "" {
		return nil
	}
	ids, errs := splitList(v)
	for _, err := range errs {
		p.add(name, err)
	}
	for _, id := range ids {
		if !isSlackID(id) {
			p.addf(name, "%q is not a Slack %s id (e.g. %s)", id, kind, example)
		}
	}
	return ids
}

// isSlackID reports whether s looks like a Slack id: upper-case letters and digits.
func isSlackID(s string) bool {
	if len(s) < 2 {
		return false
	}
	for _, c := range []byte(s) {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// isE164 reports whether s is a phone number in E.164 form: "+", a non-zero digit and at
// most 14 more digits.
func isE164(s string) bool {
	if len(s) < 3 || len(s) > 16 || s[0] != '+' || s[1] < '1' || s[1] > '9' {
		return false
	}
	for _, c := range []byte(s[2:]) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// isContentSID reports whether s is a Content API SID: "HX" and 32 hexadecimal digits.
func isContentSID(s string) bool {
	if len(s) != 34 || !strings.HasPrefix(s, "HX") {
		return false
	}
	for _, c := range []byte(s[2:]) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') && (c < 'A' || c > 'F') {
			return false
		}
	}
	return true
}

// days turns a count of days ("730d") into hours, which time.ParseDuration reads.
func days(v string) string {
	if n, ok := strings.CutSuffix(v, "d"); ok {
		if d, err := strconv.Atoi(n); err == nil && d > 0 && d < 100000 {
			return strconv.Itoa(d*24) + "h"
		}
	}
	return v
}

// positiveDuration parses v as a duration greater than zero for variable name, returning
// def when v is empty or invalid; example is shown in the message.
func positiveDuration(p *problems, name, v string, def time.Duration, example string) time.Duration {
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	switch {
	case err != nil:
		p.addf(name, "%q is not a duration (e.g. %s)", v, example)
	case d <= 0:
		p.addf(name, "%q must be longer than zero (e.g. %s)", v, example)
	default:
		return d
	}
	return def
}

// limit parses v as a Limit for variable name, returning the default def when v is empty
// or invalid.
func limit(p *problems, name, v, def string) Limit {
	d, err := ParseLimit(def)
	if err != nil {
		panic(fmt.Sprintf("config: default %s %q: %v", name, def, err))
	}
	if v == "" {
		return d
	}
	l, err := ParseLimit(v)
	if err != nil {
		p.addf(name, "%q %v", v, err)
		return d
	}
	return l
}

// ParseCountries reads a comma-separated list of country calling codes, e.g. "46" or
// "46,358": each one to three digits, not starting with 0, none twice.
func ParseCountries(v string) ([]string, error) {
	items, errs := splitList(v)
	seen := map[string]bool{}
	for _, cc := range items {
		switch {
		case !isCallingCode(cc):
			errs = append(errs, fmt.Errorf("%q is not a country calling code: 1 to 3 digits without + or 00 (e.g. 46)", cc))
		case seen[cc]:
			errs = append(errs, fmt.Errorf("%q is listed twice", cc))
		}
		seen[cc] = true
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return items, nil
}

// isCallingCode reports whether s is one to three digits, the first not 0.
func isCallingCode(s string) bool {
	if len(s) < 1 || len(s) > 3 || s[0] == '0' {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// countries parses v as calling codes for variable name, returning the default def when
// v is empty or invalid.
func countries(p *problems, name, v, def string) []string {
	d, err := ParseCountries(def)
	if err != nil {
		panic(fmt.Sprintf("config: default %s %q: %v", name, def, err))
	}
	if v == "" {
		return d
	}
	cc, err := ParseCountries(v)
	if err != nil {
		p.add(name, err)
		return d
	}
	return cc
}

// parseLevel reads one of the four log level names, in any case.
func parseLevel(v string) (slog.Level, bool) {
	switch strings.ToLower(v) {
	case "debug":
		return slog.LevelDebug, true
	case "info":
		return slog.LevelInfo, true
	case "warn":
		return slog.LevelWarn, true
	case "error":
		return slog.LevelError, true
	}
	return DefaultLogLevel, false
}

// directory checks that v, when set, names an existing directory, and returns it.
func directory(p *problems, name, v string) string {
	if v == "" {
		return ""
	}
	info, err := os.Stat(v)
	switch {
	case errors.Is(err, os.ErrNotExist):
		p.addf(name, "%q does not exist", v)
	case err != nil:
		p.add(name, fmt.Errorf("cannot read %q: %w", v, err))
	case !info.IsDir():
		p.addf(name, "%q is not a directory", v)
	}
	return v
}

// ParseProxies reads TRYGG_TRUSTED_PROXIES: a comma-separated list of IP addresses and
// CIDR networks, e.g. "10.0.0.0/8, 127.0.0.1, ::1". Each address is a network of one.
func ParseProxies(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	var bad []string
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if strings.Contains(item, "/") {
			p, err := netip.ParsePrefix(item)
			if err != nil {
				bad = append(bad, strconv.Quote(item))
				continue
			}
			if p.Addr().Is4In6() && p.Bits() >= 96 {
				p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(item)
		if err != nil || a.Zone() != "" {
			bad = append(bad, strconv.Quote(item))
			continue
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("%s: not an IP address or a CIDR network (e.g. 10.0.0.0/8,127.0.0.1)", strings.Join(bad, ", "))
	}
	return out, nil
}
