package grannsamverkan

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// codeLetters and codeDigits make invite codes: consonants only, so two letters never form
// a word the engine could take for English or Finnish ("AT", "SE") when it guesses the
// language of "OMBUD AT-2535"; no vowels also means no I or O to read as 1 and 0.
const (
	codeLetters = "BCDFGHJKLMNPQRSTVWXZ"
	codeDigits  = "0123456789"
)

// codePattern finds an invite code in a message: two letters, an optional dash or spaces,
// four digits ("BK-4821", "bk4821", "BK 4821", "bk - 4821"), standing alone.
var codePattern = regexp.MustCompile(`(?i)(?:^|[^\pL\pN])([a-z]{2})\s*-?\s*(\d{4})(?:$|[^\pN])`)

// FindCode returns the normalised invite code in text ("BK-4821"), or "".
func FindCode(text string) string {
	m := codePattern.FindStringSubmatch(text)
	if m == nil {
		return ""
	}
	return strings.ToUpper(m[1]) + "-" + m[2]
}

// Invite is a one-time invite code for an area.
type Invite struct {
	Code    string    `json:"-"`
	Area    string    `json:"area"`
	Expires time.Time `json:"expires"`
	Used    bool      `json:"used,omitempty"`
}

// NewInvite creates a one-time invite code for area (an id or name), valid InviteValid.
func (s *Service) NewInvite(ctx context.Context, area string) (Invite, error) {
	id, _, err := s.Area(area)
	if err != nil {
		return Invite{}, err
	}
	inv := Invite{Area: id, Expires: s.cfg.Now().Add(InviteValid)}
	value, err := json.Marshal(inv)
	if err != nil {
		return Invite{}, err
	}
	for range 8 {
		code := randomCode(codeLetters, 2) + "-" + randomCode(codeDigits, 4)
		// Claim the code with the once-guard, so two replicas never hand out the same one.
		if _, taken, err := s.cfg.Guard.Remember(ctx, invitesScope+"-issued", code, []byte{1}, inviteKeep); err != nil {
			return Invite{}, fmt.Errorf("grannsamverkan: claim invite code: %w", err)
		} else if taken {
			continue
		}
		if err := s.cfg.Records.Put(ctx, invitesScope, code, value, inviteKeep); err != nil {
			return Invite{}, fmt.Errorf("grannsamverkan: store invite: %w", err)
		}
		inv.Code = code
		return inv, nil
	}
	return Invite{}, fmt.Errorf("grannsamverkan: no free invite code after 8 tries")
}

// lookupInvite returns the invite under code when it is valid at now: known, for a known
// area, not expired and not used.
func (s *Service) lookupInvite(ctx context.Context, code string) (Invite, bool, error) {
	raw, ok, err := s.cfg.Records.Get(ctx, invitesScope, code)
	if err != nil || !ok {
		return Invite{}, false, wrap("look up invite", err)
	}
	var inv Invite
	if err := json.Unmarshal(raw, &inv); err != nil {
		return Invite{}, false, fmt.Errorf("grannsamverkan: invite unreadable: %w", err)
	}
	inv.Code = code
	if _, known := s.cfg.Areas[inv.Area]; !known || inv.Used || !s.cfg.Now().Before(inv.Expires) {
		return inv, false, nil
	}
	return inv, true, nil
}

// pending is the invite of an OMBUD message waiting for its JA, under the resident's scope.
type pending struct {
	Code string `json:"code"`
	Area string `json:"area"`
}

// wrap wraps err with what, or returns nil.
func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("grannsamverkan: %s: %w", what, err)
}
