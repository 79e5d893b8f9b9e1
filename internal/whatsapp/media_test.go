package whatsapp_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestMedia checks pictures, voice notes and files: they are never fetched; alone they get
// the media reply (write in words, 112 and Brottsofferjouren); with a caption, the caption
// is answered too; nothing of the media, nor the profile name, is logged or stored.
func TestMedia(t *testing.T) {
	var fetched atomic.Int32
	media := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fetched.Add(1) }))
	defer media.Close()
	tests := []struct {
		name        string
		caption     string
		contentType string
		want        []string // in the replies, in order of their messages
		wantFirst   string   // in the first message
	}{
		{name: "photo", contentType: "image/jpeg", want: []string{"bilder", "112", youthBOJ, adultBOJ}},
		{name: "voice note", contentType: "audio/ogg", want: []string{"röstmeddelanden", "112"}},
		{name: "document", contentType: "application/pdf", want: []string{"Skriv med ord", "112"}},
		{name: "photo with a caption", caption: "Hej", contentType: "image/jpeg", want: []string{"bilder", "112"}, wantFirst: "trygg"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			f := photo(sidN(i+1), tt.caption, tt.contentType)
			f.Set("MediaUrl0", media.URL+"/ME1")
			got := e.say(f)
			all := strings.Join(got, "\n")
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("replies lack %q:\n%s", w, all)
				}
			}
			if tt.wantFirst != "" && (len(got) < 2 || !strings.Contains(got[0], tt.wantFirst)) {
				t.Errorf("a caption's own answer should come first: %q", got)
			}
			if tt.caption == "" && len(got) != 1 {
				t.Errorf("a picture alone got %d messages, want the media reply alone", len(got))
			}
			if fetched.Load() != 0 {
				t.Error("the media was fetched")
			}
			e.checkPrivate(media.URL)
		})
	}
}

// TestMediaThenWords checks that a picture in the middle of a conversation does not
// lose it: the words after it go on where the conversation was.
func TestMediaThenWords(t *testing.T) {
	e := newEnv(t)
	e.say(form(sidN(1), "Jag blev rånad"))
	e.say(photo(sidN(2), "", "image/jpeg"))
	got := strings.Join(e.say(form(sidN(3), "16")), "\n")
	if !strings.Contains(got, youthBOJ) || strings.Contains(got, adultBOJ) {
		t.Errorf("the age after a picture: %q", got)
	}
}
