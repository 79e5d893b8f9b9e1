package classify

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
)

// magic starts every model file; the digit is the format's version.
const magic = "trygg-classify 2\n"

// MarshalBinary writes the model: the magic line, the configuration as JSON, the classes
// of both heads, the two scales, the features (sorted, as differences from the one before)
// and every feature's weights, one byte each (numbers little-endian). The same model
// gives the same bytes.
func (m *Model) MarshalBinary() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(magic)
	cfg, err := json.Marshal(m.cfg)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	b.Write(binary.AppendUvarint(nil, uint64(len(cfg))))
	b.Write(cfg)
	for _, names := range [][]string{m.topics, m.dangers} {
		b.Write(binary.AppendUvarint(nil, uint64(len(names))))
		for _, n := range names {
			b.Write(binary.AppendUvarint(nil, uint64(len(n))))
			b.WriteString(n)
		}
	}
	b.Write(binary.LittleEndian.AppendUint32(nil, math.Float32bits(m.scaleTopic)))
	b.Write(binary.LittleEndian.AppendUint32(nil, math.Float32bits(m.scaleDanger)))
	feats := m.index.features()
	b.Write(binary.AppendUvarint(nil, uint64(len(feats))))
	last := uint32(0)
	for _, f := range feats {
		b.Write(binary.AppendUvarint(nil, uint64(f-last)))
		last = f
	}
	b.Write(m.w)
	return b.Bytes(), nil
}

// Unmarshal reads a model written by MarshalBinary.
func Unmarshal(data []byte) (*Model, error) {
	r := &reader{b: data}
	if !bytes.HasPrefix(data, []byte(magic)) {
		return nil, errors.New("not a trygg classifier model (or another version of one)")
	}
	r.b = r.b[len(magic):]
	m := &Model{}
	if err := json.Unmarshal(r.bytes(), &m.cfg); err != nil && r.err == nil {
		r.err = fmt.Errorf("config: %w", err)
	}
	m.topics, m.dangers = r.names(), r.names()
	m.scaleTopic, m.scaleDanger = math.Float32frombits(r.uint32()), math.Float32frombits(r.uint32())
	n := r.uvarint()
	stride := len(m.topics) + len(m.dangers)
	if r.err == nil && (stride > maxClasses || n > uint64(len(r.b))) {
		r.err = fmt.Errorf("%d classes and %d features do not fit the file", stride, n)
	}
	if r.err != nil {
		return nil, fmt.Errorf("read model: %w", r.err)
	}
	feats := make([]uint32, n)
	f, b := uint32(0), r.b
	for i := range feats {
		d, k := binary.Uvarint(b)
		if k <= 0 {
			return nil, errors.New("read model: features truncated")
		}
		f += uint32(d)
		feats[i], b = f, b[k:]
	}
	r.b = b
	m.index = newTable(feats)
	if r.err == nil && len(r.b) != int(n)*stride {
		r.err = fmt.Errorf("%d bytes of weights, want %d", len(r.b), int(n)*stride)
	}
	if r.err != nil {
		return nil, fmt.Errorf("read model: %w", r.err)
	}
	m.w = bytes.Clone(r.b)
	if !slices.Contains(m.dangers, DangerNone) || len(m.topics) == 0 {
		return nil, errors.New("read model: no topics, or no danger class none")
	}
	m.pool = newPool(m.cfg.Features)
	return m, nil
}

// reader reads the parts of a model file, keeping the first error.
type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errors.New("truncated")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) bytes() []byte {
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.b)) {
		if r.err == nil {
			r.err = errors.New("truncated")
		}
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) names() []string {
	n := r.uvarint()
	if n > maxClasses {
		r.err = fmt.Errorf("%d classes", n)
		return nil
	}
	out := make([]string, 0, n)
	for range int(n) {
		out = append(out, string(r.bytes()))
	}
	return out
}

func (r *reader) uint32() uint32 {
	if r.err != nil || len(r.b) < 4 {
		if r.err == nil {
			r.err = errors.New("truncated")
		}
		return 0
	}
	v := binary.LittleEndian.Uint32(r.b)
	r.b = r.b[4:]
	return v
}
