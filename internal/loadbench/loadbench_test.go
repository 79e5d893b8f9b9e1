package loadbench_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/twilio/twilio-go/client"

	"github.com/vasteras/trygg/internal/loadbench"
	"github.com/vasteras/trygg/internal/store/redisstore/redistest"
)

// TestSignMatchesTwilioGo: the load's signatures are the ones twilio-go accepts, and
// changing a field breaks them.
func TestSignMatchesTwilioGo(t *testing.T) {
	p := loadbench.NewTraffic(3).Next()
	u := "http://127.0.0.1:8080/twilio/sms"
	v := client.NewRequestValidator(loadbench.AuthToken)
	if !v.Validate(u, p, loadbench.Sign(loadbench.AuthToken, u, p)) {
		t.Fatal("twilio-go refuses the load's signature")
	}
	sig := loadbench.Sign(loadbench.AuthToken, u, p)
	p["Body"] += "!"
	if v.Validate(u, p, sig) {
		t.Fatal("twilio-go accepts a signature over another body")
	}
}

// TestTrafficResidents: distinct residents with their own numbers walk the script, and
// every request has its own MessageSid of Twilio's form.
func TestTrafficResidents(t *testing.T) {
	tr := loadbench.NewTraffic(2)
	seen := map[string]bool{}
	var bodies, froms []string
	for range 4 {
		p := tr.Next()
		if seen[p["MessageSid"]] || len(p["MessageSid"]) != 34 || !strings.HasPrefix(p["MessageSid"], "SM") {
			t.Fatalf("MessageSid %q repeated or malformed", p["MessageSid"])
		}
		seen[p["MessageSid"]] = true
		bodies, froms = append(bodies, p["Body"]), append(froms, p["From"])
	}
	if froms[0] == froms[1] || froms[0] != froms[2] {
		t.Errorf("From numbers %v: want two residents taking turns", froms)
	}
	if bodies[0] != loadbench.Script[0] || bodies[2] != loadbench.Script[1] {
		t.Errorf("bodies %v do not follow the script", bodies)
	}
}

// TestBareChecksSignatures: the baseline answers a signed webhook with its TwiML after one
// GET and one SET, and refuses forged, unsigned and non-POST requests.
func TestBareChecksSignatures(t *testing.T) {
	mini := redistest.StartMini(t)
	rdb := redis.NewClient(&redis.Options{Addr: mini.Addr()})
	defer rdb.Close()
	trips := &loadbench.RoundTrips{}
	rdb.AddHook(trips)
	srv := httptest.NewServer(nil)
	defer srv.Close()
	srv.Config.Handler = loadbench.Bare(loadbench.AuthToken, srv.URL, rdb)
	target := loadbench.NewTarget("bare", srv.URL+"/twilio/sms", loadbench.AuthToken, 1)
	defer target.Close()

	status, body, err := target.Send(loadbench.NewTraffic(1).Next())
	if err != nil || status != http.StatusOK || string(body) != loadbench.BareTwiML {
		t.Fatalf("signed: status %d, err %v, body %q", status, err, body)
	}
	if n := trips.Count(); n != 2 {
		t.Errorf("%d Redis round trips, want 2 (GET and SET)", n)
	}
	forged := loadbench.NewTarget("bare", srv.URL+"/twilio/sms", "another token", 1)
	defer forged.Close()
	if status, _, _ := forged.Send(loadbench.NewTraffic(1).Next()); status != http.StatusForbidden {
		t.Errorf("forged: status %d, want 403", status)
	}
	res, err := http.Post(srv.URL+"/twilio/sms", "application/x-www-form-urlencoded", strings.NewReader("From=%2B46700000000&Body=hej"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("unsigned: status %d, want 403", res.StatusCode)
	}
	res, err = http.Get(srv.URL + "/twilio/sms")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: status %d, want 405", res.StatusCode)
	}
	if n := trips.Count(); n != 2 {
		t.Errorf("refused requests touched Redis: %d round trips in all", n)
	}
}

// TestStartRunsBothServers: Start brings up trygg and the baseline on loopback; a request
// through the program's client gets trygg's TwiML routing a 16-year-old to the youth line;
// a short run measures both and counts trygg's Redis round trips.
func TestStartRunsBothServers(t *testing.T) {
	mini := redistest.StartMini(t)
	s, err := loadbench.Start(t.Context(), mini.URL(), 4)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}()
	p := loadbench.NewTraffic(1).Next()
	p["Body"] = "Jag är 16 och blev rånad"
	status, body, err := s.Full.Send(p)
	if err != nil || status != http.StatusOK {
		t.Fatalf("full: status %d, err %v", status, err)
	}
	if !strings.Contains(string(body), "<Response><Message>") || !strings.Contains(string(body), "010-567 63 25") {
		t.Fatalf("full: not trygg's TwiML for a 16-year-old: %s", body)
	}
	rep, err := s.Run(t.Context(), loadbench.Options{
		Workers: 2, Phase: 50 * time.Millisecond, Rounds: 1, Rate: 100, RatePhase: 50 * time.Millisecond,
		Warmup: 4, Residents: 3,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"bare", "full"} {
		if rep.Max[name].OK == 0 || rep.Max[name].Failed != 0 || rep.Paced[name].OK == 0 || rep.Paced[name].Failed != 0 {
			t.Errorf("%s: max %d ok %d failed, paced %d ok %d failed", name,
				rep.Max[name].OK, rep.Max[name].Failed, rep.Paced[name].OK, rep.Paced[name].Failed)
		}
	}
	if rep.Trips["bare"] != 2 || rep.Trips["full"] < 2 {
		t.Errorf("round trips per request: bare %v (want 2), full %v", rep.Trips["bare"], rep.Trips["full"])
	}
	if rep.Ratio() <= 0 {
		t.Errorf("ratio %v", rep.Ratio())
	}

	// One at a time (no two turns of one resident racing), every SMS turn of the whole app,
	// Grannsamverkan's Prepare and the rest included, costs exactly two round trips.
	tr := loadbench.NewTraffic(50)
	before := s.FullTrips.Count()
	const turns = 40
	for range turns {
		if status, body, err := s.Full.Send(tr.Next()); err != nil || status != http.StatusOK {
			t.Fatalf("full: status %d, err %v: %s", status, err, body)
		}
	}
	if n := s.FullTrips.Count() - before; n != 2*turns {
		t.Errorf("%d SMS turns one at a time cost %d Redis round trips, want %d", turns, n, 2*turns)
	}
}

// TestStartRefusesRemoteRedis: the benchmark only runs against a Redis on loopback.
func TestStartRefusesRemoteRedis(t *testing.T) {
	if _, err := loadbench.Start(t.Context(), "redis://redis.example.se:6379/0", 1); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("Start with a remote Redis: %v, want a refusal naming loopback", err)
	}
}
