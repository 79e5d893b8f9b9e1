package grannsamverkan

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ombudIDLetters make ombud ids like "O-3K9P": no I, O, 0 or 1.
const ombudIDLetters = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// Ombud is one kontaktombud in the register, as staff may see it: no number.
type Ombud struct {
	ID     string `json:"id"`
	Area   string `json:"area"`
	Joined string `json:"joined"` // date, 2006-01-02
	Active bool   `json:"active"`
}

// record is an ombud as stored: Ombud and the encrypted number and its lookup hash.
type record struct {
	Ombud
	// Phone is nonce || AES-GCM(number), bound to the id; nil once deactivated.
	Phone []byte `json:"phone,omitempty"`
	Hash  string `json:"hash"`
}

// indexValue is the value of the by-hash index: "area/id/1" (active) or "area/id/0".
func indexValue(o Ombud) []byte {
	a := "0"
	if o.Active {
		a = "1"
	}
	return []byte(o.Area + "/" + o.ID + "/" + a)
}

// parseIndex reads an index value.
func parseIndex(v []byte) (area, id string, active bool, ok bool) {
	parts := strings.Split(string(v), "/")
	if len(parts) != 3 {
		return "", "", false, false
	}
	return parts[0], parts[1], parts[2] == "1", true
}

// register adds the number phone as an active ombud of area and returns the ombud. A number
// already in the register is moved to area (one registration per number).
func (s *Service) register(ctx context.Context, area, phone string) (Ombud, error) {
	hash := s.cfg.Hasher.Of(hashChannel, phone)
	if _, err := s.removeByHash(ctx, hash); err != nil {
		return Ombud{}, err
	}
	o := Ombud{
		ID:     "O-" + randomCode(ombudIDLetters, 4),
		Area:   area,
		Joined: s.cfg.Now().Format(time.DateOnly),
		Active: true,
	}
	sealed, err := s.cipher.Seal(o.ID, phone)
	if err != nil {
		return Ombud{}, fmt.Errorf("grannsamverkan: %w", err)
	}
	rec := record{Ombud: o, Phone: sealed, Hash: hash}
	if err := s.put(ctx, rec); err != nil {
		return Ombud{}, err
	}
	s.invalidate()
	return o, nil
}

// put stores rec and its index entry.
func (s *Service) put(ctx context.Context, rec record) error {
	value, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if err := s.cfg.Records.Put(ctx, ombudScopePrefix+rec.Area, rec.ID, value, RegisterTTL); err != nil {
		return wrap("store ombud", err)
	}
	if err := s.cfg.Records.Put(ctx, byHashScope, rec.Hash, indexValue(rec.Ombud), RegisterTTL); err != nil {
		return wrap("index ombud", err)
	}
	return nil
}

// get reads the record of ombud id in area.
func (s *Service) get(ctx context.Context, area, id string) (record, bool, error) {
	raw, ok, err := s.cfg.Records.Get(ctx, ombudScopePrefix+area, id)
	if err != nil || !ok {
		return record{}, false, wrap("read ombud", err)
	}
	var rec record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return record{}, false, fmt.Errorf("grannsamverkan: ombud unreadable: %w", err)
	}
	return rec, true, nil
}

// removeByHash removes the ombud whose number has hash; false when there is none.
func (s *Service) removeByHash(ctx context.Context, hash string) (bool, error) {
	v, ok, err := s.cfg.Records.Get(ctx, byHashScope, hash)
	if err != nil || !ok {
		return false, wrap("find ombud", err)
	}
	if area, id, _, ok := parseIndex(v); ok {
		if err := s.cfg.Records.Delete(ctx, ombudScopePrefix+area, id); err != nil {
			return false, wrap("remove ombud", err)
		}
	}
	if err := s.cfg.Records.Delete(ctx, byHashScope, hash); err != nil {
		return false, wrap("remove ombud index", err)
	}
	s.invalidate()
	return true, nil
}

// RemoveNumber removes the ombud with the number phone, if any (OMBUD SLUTA, STOPP).
func (s *Service) RemoveNumber(ctx context.Context, phone string) (bool, error) {
	return s.removeByHash(ctx, s.cfg.Hasher.Of(hashChannel, phone))
}

// Remove removes ombud id (staff: /trygg ombud ta bort).
func (s *Service) Remove(ctx context.Context, id string) (Ombud, error) {
	id = strings.ToUpper(strings.TrimSpace(id))
	idx, err := s.cfg.Records.List(ctx, byHashScope)
	if err != nil {
		return Ombud{}, wrap("list ombud", err)
	}
	for hash, v := range idx {
		area, oid, active, ok := parseIndex(v)
		if ok && oid == id {
			if _, err := s.removeByHash(ctx, hash); err != nil {
				return Ombud{}, err
			}
			return Ombud{ID: oid, Area: area, Active: active}, nil
		}
	}
	return Ombud{}, ErrNotFound
}

// Deactivate marks the ombud with number phone inactive and forgets the number, after
// Twilio said they opted out (21610). The record stays so staff see it in the counts, and
// OMBUD SLUTA or STOPP still removes it.
func (s *Service) Deactivate(ctx context.Context, phone string) (bool, error) {
	return s.deactivateHash(ctx, s.cfg.Hasher.Of(hashChannel, phone))
}

// DeactivateID is Deactivate for ombud id of area.
func (s *Service) DeactivateID(ctx context.Context, area, id string) (bool, error) {
	rec, ok, err := s.get(ctx, area, id)
	if err != nil || !ok {
		return false, err
	}
	return s.deactivateHash(ctx, rec.Hash)
}

func (s *Service) deactivateHash(ctx context.Context, hash string) (bool, error) {
	v, ok, err := s.cfg.Records.Get(ctx, byHashScope, hash)
	if err != nil || !ok {
		return false, wrap("find ombud", err)
	}
	area, id, _, ok := parseIndex(v)
	if !ok {
		return false, nil
	}
	rec, ok, err := s.get(ctx, area, id)
	if err != nil || !ok {
		return false, err
	}
	rec.Active, rec.Phone = false, nil
	if err := s.put(ctx, rec); err != nil {
		return false, err
	}
	s.invalidate()
	s.cfg.Log.Info("grannsamverkan: ombud deactivated (opted out)", "ombud", id)
	return true, nil
}

// List returns the ombud of area, or of every area when area is "", by id.
func (s *Service) List(ctx context.Context, area string) ([]Ombud, error) {
	idx, err := s.cfg.Records.List(ctx, byHashScope)
	if err != nil {
		return nil, wrap("list ombud", err)
	}
	var out []Ombud
	for _, v := range idx {
		a, id, active, ok := parseIndex(v)
		if ok && (area == "" || a == area) {
			out = append(out, Ombud{ID: id, Area: a, Active: active})
		}
	}
	slices.SortFunc(out, func(x, y Ombud) int { return strings.Compare(x.Area+x.ID, y.Area+y.ID) })
	return out, nil
}

// Recipients returns the active ombud of area with their numbers.
func (s *Service) Recipients(ctx context.Context, area string) ([]Ombud, error) {
	all, err := s.List(ctx, area)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(o Ombud) bool { return !o.Active }), nil
}

// phone returns the number of ombud id in area; false when the ombud is gone or inactive.
func (s *Service) phone(ctx context.Context, area, id string) (string, bool, error) {
	rec, ok, err := s.get(ctx, area, id)
	if err != nil || !ok || !rec.Active || rec.Phone == nil {
		return "", false, err
	}
	p, err := s.cipher.Open(rec.ID, rec.Phone)
	if err != nil {
		return "", false, err
	}
	return p, true, nil
}

// ActiveAreas returns the areas with at least one active ombud, sorted, from a cache
// refreshed every CacheFor.
func (s *Service) ActiveAreas(ctx context.Context) ([]string, error) {
	now := s.cfg.Now()
	s.mu.Lock()
	if s.haveCache && now.Sub(s.cachedAt) < s.cfg.CacheFor && !now.Before(s.cachedAt) {
		out := s.cached
		s.mu.Unlock()
		return out, nil
	}
	s.mu.Unlock()
	all, err := s.List(ctx, "")
	if err != nil {
		return nil, err
	}
	var areas []string
	for _, o := range all {
		if o.Active && !slices.Contains(areas, o.Area) {
			areas = append(areas, o.Area)
		}
	}
	slices.Sort(areas)
	s.mu.Lock()
	s.cached, s.cachedAt, s.haveCache = areas, now, true
	s.mu.Unlock()
	return areas, nil
}

// invalidate drops the cached active areas after a change in this process.
func (s *Service) invalidate() {
	s.mu.Lock()
	s.haveCache = false
	s.mu.Unlock()
}
