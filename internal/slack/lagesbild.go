package slack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"
	"golang.org/x/text/unicode/norm"

	"github.com/vasteras/trygg/internal/lagesbild"
)

// The EST lägesbild for staff: /trygg lägesbild [vecka] shows a week's reports of unsafe
// places by area, place, kind and time, with a chart uploaded to the channel; the Monday
// post (PostLagesbild, scheduled by lagesbild.Weekly) puts the same in the staff channel;
// /trygg export [vecka] uploads the week as CSV for EMBRACE.
//
// Counts of an area or a place under lagesbild.MinShown are shown as "<3" and never drawn
// as their own bar: the chart merges them into one bar.

// The file names of the uploads: lagesbild-2026-W48.png and lagesbild-2026-W48.csv.
const (
	filePrefix       = "lagesbild-"
	chartFileSuffix  = ".png"
	exportFileSuffix = ".csv"
)

// weekRequest is the week staff asked for.
type weekRequest struct {
	// Week is the ISO week: "2026-W48".
	Week string
	// Partial is true for the current week, which is not over yet.
	Partial bool
}

var (
	// fullWeek is "2026-W48" (also "2026w48", lowercased before matching).
	fullWeek = regexp.MustCompile(`^(\d{4})-?w(\d{1,2})$`)
	// shortWeek is "48", "v48", "v. 48", "vecka 48", "w48", "week 48": that week of this year.
	shortWeek = regexp.MustCompile(`^(?:v\.?|vecka|w|week)?\s*(\d{1,2})$`)
)

// pickWeek reads the week of /trygg lägesbild and /trygg export: "" means the current week
// (the last week when lastByDefault), "förra" the last week, "denna" the current week, "48"
// week 48 of the current ISO year, "2026-W48" that week. A week that has not begun is refused.
func (b *Bot) pickWeek(arg string, now time.Time, lastByDefault bool) (weekRequest, *message) {
	s := norm.NFC.String(strings.ToLower(strings.Join(strings.Fields(arg), " ")))
	now = now.In(b.loc)
	this := lagesbild.Week(now)
	last := lagesbild.Week(now.AddDate(0, 0, -7))
	var week string
	switch s {
	case "":
		week = this
		if lastByDefault {
			week = last
		}
	case "förra", "forra", "förra veckan", "forra veckan", "last", "last week":
		week = last
	case "denna", "den här veckan", "den har veckan", "i veckan", "nu", "this", "this week":
		week = this
	default:
		if m := fullWeek.FindStringSubmatch(s); m != nil {
			y, _ := strconv.Atoi(m[1])
			n, _ := strconv.Atoi(m[2])
			week = fmt.Sprintf("%04d-W%02d", y, n)
		} else if m := shortWeek.FindStringSubmatch(s); m != nil {
			y, _ := now.ISOWeek()
			n, _ := strconv.Atoi(m[1])
			week = fmt.Sprintf("%04d-W%02d", y, n)
		}
	}
	start, _, err := lagesbild.WeekBounds(week)
	if week == "" || err != nil {
		return weekRequest{}, notice(b.text.get("staff_week_bad", map[string]any{"Week": b.echo(arg, maxWordLen)}))
	}
	if y, m, d := start.Date(); time.Date(y, m, d, 0, 0, 0, 0, b.loc).After(now) {
		num, year := weekParts(week)
		return weekRequest{}, notice(b.text.get("staff_week_future", map[string]any{"Num": num, "Year": year}))
	}
	return weekRequest{Week: week, Partial: week == this}, nil
}

// weekParts splits "2026-W08" into "8" and "2026".
func weekParts(week string) (num, year string) {
	y, n, _ := strings.Cut(week, "-W")
	return strings.TrimLeft(n, "0"), y
}

// weekDates returns the Monday and the Sunday of week, "2026-11-23" and "2026-11-29".
func weekDates(week string) (from, to string) {
	start, end, err := lagesbild.WeekBounds(week)
	if err != nil {
		return week, week
	}
	return start.Format(time.DateOnly), end.AddDate(0, 0, -1).Format(time.DateOnly)
}

// splitShow takes --visa (--public, --show) out of args.
func splitShow(args string) (rest string, public bool) {
	var words []string
	for _, w := range strings.Fields(args) {
		if f, ok := cutFlag(w); ok && (f == "visa" || f == "public" || f == "show") {
			public = true
			continue
		}
		words = append(words, w)
	}
	return strings.Join(words, " "), public
}

// readSummary reads the reports of week and the lagesbild.BurstWeeks weeks before, and
// sums them up: the week against the week before, and the web reports against the
// average of the weeks before (a burst).
func (b *Bot) readSummary(ctx context.Context, week string) (lagesbild.Summary, error) {
	events, err := b.cfg.Lagesbild.Week(ctx, week)
	if err != nil {
		return lagesbild.Summary{}, fmt.Errorf("read %s: %w", week, err)
	}
	earlier := make([][]lagesbild.Event, 0, lagesbild.BurstWeeks)
	w := week
	for range lagesbild.BurstWeeks {
		if w, err = lagesbild.PrevWeek(w); err != nil {
			return lagesbild.Summary{}, err
		}
		evs, err := b.cfg.Lagesbild.Week(ctx, w)
		if err != nil {
			return lagesbild.Summary{}, fmt.Errorf("read %s: %w", w, err)
		}
		earlier = append(earlier, evs)
	}
	s := lagesbild.Summarize(week, events, earlier[0])
	s.Burst = lagesbild.FindBurst(events, earlier)
	return s, nil
}

// lagesbildCommand answers /trygg lägesbild [vecka] [--visa]: the summary to the asker (to
// the channel with --visa), the chart uploaded to the channel.
func (b *Bot) lagesbildCommand(ctx context.Context, cmd slackapi.SlashCommand, args string) *message {
	t := b.text
	words, public := splitShow(args)
	if b.cfg.Lagesbild == nil {
		return notice(t.get("staff_lagesbild_none", nil))
	}
	now := b.cfg.Now().In(b.loc)
	req, problem := b.pickWeek(words, now, false)
	if problem != nil {
		return problem
	}
	s, err := b.readSummary(ctx, req.Week)
	if err != nil {
		b.log.Warn("slack: the lägesbild could not be read", "error", err.Error())
		return notice(t.get("staff_lagesbild_unavailable", nil))
	}
	m := b.lagesbildMessage(s, req.Partial, now)
	m.public = public
	m.blocks = append(m.blocks, contextBlock(b.shareChart(ctx, cmd, s, req.Partial, now)))
	return m
}

// shareChart uploads the chart of s to the command's channel and returns what became of it,
// as a note for the summary.
func (b *Bot) shareChart(ctx context.Context, cmd slackapi.SlashCommand, s lagesbild.Summary, partial bool, now time.Time) string {
	t := b.text
	if s.Total == 0 {
		return t.get("staff_chart_empty", nil)
	}
	png, err := b.chartPNG(s, partial, now)
	if err != nil {
		b.log.Error("slack: the lägesbild chart could not be drawn", "error", err.Error())
		return t.get("staff_chart_draw_failed", nil)
	}
	num, year := weekParts(s.Week)
	p := ""
	if partial {
		p = t.get("staff_chart_comment_partial", nil)
	}
	comment := t.get("staff_chart_comment", map[string]any{"Num": num, "Year": year, "Partial": p, "User": cmd.UserID})
	if err := b.upload(ctx, cmd.ChannelID, b.chartFile(s, png, comment)); err != nil {
		b.log.Info("slack: the lägesbild chart was not uploaded", "error", err.Error())
		return b.uploadFailure(err, "staff_chart_not_in_channel", "staff_chart_failed")
	}
	return t.get("staff_chart_shared", nil)
}

// PostLagesbild posts the lägesbild of week to channel (the Monday post): the summary, then
// the chart as a file in the channel. The error says the summary was not posted, and the
// post should be tried again; a chart that could not be uploaded is explained in the
// summary's thread instead, since posting the summary again would post it twice.
func (b *Bot) PostLagesbild(ctx context.Context, channel, week string) error {
	t := b.text
	if b.cfg.Lagesbild == nil {
		return errors.New("slack: no lägesbild store")
	}
	s, err := b.readSummary(ctx, week)
	if err != nil {
		return fmt.Errorf("weekly lägesbild: %w", err)
	}
	now := b.cfg.Now().In(b.loc)
	m := b.lagesbildMessage(s, false, now)
	m.blocks = append(m.blocks, contextBlock(t.get("staff_lagesbild_weekly_note", nil)))
	var png []byte
	if s.Total > 0 {
		if png, err = b.chartPNG(s, false, now); err != nil {
			b.log.Error("slack: the lägesbild chart could not be drawn", "error", err.Error())
			m.blocks = append(m.blocks, contextBlock(t.get("staff_chart_draw_failed", nil)))
		}
	}
	_, ts, err := b.cfg.API.PostMessageContext(ctx, channel, m.options("")...)
	if err != nil {
		return fmt.Errorf("weekly lägesbild: post to the staff channel: %w", err)
	}
	if png == nil {
		return nil
	}
	num, year := weekParts(s.Week)
	comment := t.get("staff_chart_comment_weekly", map[string]any{"Num": num, "Year": year})
	if err := b.upload(ctx, channel, b.chartFile(s, png, comment)); err != nil {
		b.log.Warn("slack: the weekly lägesbild chart was not uploaded", "error", err.Error())
		why := b.uploadFailure(err, "staff_chart_not_in_channel", "staff_chart_failed")
		if _, _, err := b.cfg.API.PostMessageContext(ctx, channel, notice(why).options(ts)...); err != nil {
			b.log.Warn("slack: could not say why the chart is missing", "error", err.Error())
		}
	}
	return nil
}

// exportCommand answers /trygg export [vecka]: the week's reports as CSV (the last week by
// default), uploaded to the channel.
func (b *Bot) exportCommand(ctx context.Context, cmd slackapi.SlashCommand, args string) *message {
	t := b.text
	if b.cfg.Lagesbild == nil {
		return notice(t.get("staff_lagesbild_none", nil))
	}
	now := b.cfg.Now().In(b.loc)
	req, problem := b.pickWeek(args, now, true)
	if problem != nil {
		return problem
	}
	events, err := b.cfg.Lagesbild.Week(ctx, req.Week)
	if err != nil {
		b.log.Warn("slack: the lägesbild could not be read", "error", err.Error())
		return notice(t.get("staff_lagesbild_unavailable", nil))
	}
	var buf bytes.Buffer
	if err := lagesbild.WriteCSV(&buf, events, b.cfg.Names); err != nil {
		b.log.Error("slack: the export could not be written", "error", err.Error())
		return notice(t.get("staff_failed", nil))
	}
	num, year := weekParts(req.Week)
	reports := t.count("staff_reports", int64(len(events)))
	name := filePrefix + req.Week + exportFileSuffix
	err = b.upload(ctx, cmd.ChannelID, file{
		name:    name,
		title:   t.get("staff_export_title", map[string]any{"Week": req.Week}),
		comment: t.get("staff_export_comment", map[string]any{"Num": num, "Year": year, "Reports": reports, "User": cmd.UserID}),
		data:    buf.Bytes(),
	})
	if err != nil {
		b.log.Info("slack: the export was not uploaded", "error", err.Error())
		return notice(b.uploadFailure(err, "staff_export_not_in_channel", "staff_export_failed"))
	}
	b.log.Info("slack: lägesbild exported", "week", req.Week)
	lines := []string{t.get("staff_export_shared", map[string]any{"File": name, "Reports": reports})}
	if strings.TrimSpace(args) == "" {
		lines = append(lines, t.get("staff_export_last_week", map[string]any{"Num": num, "This": lagesbild.Week(now)}))
	}
	return notice(strings.Join(lines, "\n"))
}

// lagesbildMessage renders a summary for staff. partial marks the current week, summed up
// until now.
func (b *Bot) lagesbildMessage(s lagesbild.Summary, partial bool, now time.Time) *message {
	t := b.text
	num, year := weekParts(s.Week)
	prevNum, _ := weekParts(s.PrevWeek)
	from, to := weekDates(s.Week)
	title := t.get("staff_lagesbild_title", map[string]any{"Num": num, "Year": year})
	rangeText := t.get("staff_lagesbild_range", map[string]any{"Week": s.Week, "From": from, "To": to})
	if partial {
		rangeText = t.get("staff_lagesbild_range_partial", map[string]any{"From": from, "Now": now.In(b.loc).Format("2006-01-02 15.04"), "PrevNum": prevNum})
	}
	blocks := []slackapi.Block{header(title), contextBlock(rangeText)}
	if s.Total == 0 {
		blocks = append(blocks, section(t.get("staff_lagesbild_none_yet", map[string]any{
			"Num": num, "PrevNum": prevNum, "Prev": t.count("staff_reports", int64(s.PrevTotal)),
		})))
		return &message{text: title, blocks: blocks}
	}
	blocks = append(blocks, section(t.get("staff_lagesbild_total", map[string]any{
		"Reports": t.count("staff_reports", int64(s.Total)),
		"PrevNum": prevNum,
		"Prev":    number(int64(s.PrevTotal)),
		"Change":  signed(s.Total - s.PrevTotal),
	})))

	var areas []string
	for _, c := range s.Areas {
		if c.Key != "" {
			areas = append(areas, field(b.areaName(c.Key), suppressed(c)))
		}
	}
	for _, c := range s.Areas {
		if c.Key == "" { // reports without an area come last
			areas = append(areas, field(b.areaName(c.Key), suppressed(c)))
		}
	}
	blocks = append(blocks, fields(t.get("staff_lagesbild_areas", nil), areas)...)

	var places []string
	for _, c := range s.Places {
		if c.Key != "" {
			places = append(places, field(b.placeName(c.Key), suppressed(c)))
		}
	}
	if len(places) > 0 {
		blocks = append(blocks, fields(t.get("staff_lagesbild_places", nil), places)...)
	}

	exact := func(title string, counts []lagesbild.Count, name func(string) string) {
		var items []string
		for _, c := range counts {
			items = append(items, field(name(c.Key), number(int64(c.N))+" ("+signed(c.N-c.Prev)+")"))
		}
		blocks = append(blocks, fields(title, items)...)
	}
	exact(t.get("staff_lagesbild_channels", nil), s.Channels, b.channelName)
	if s.Burst != nil {
		blocks = append(blocks, section(t.get("staff_lagesbild_burst", map[string]any{
			"N":       number(int64(s.Burst.N)),
			"Average": strconv.FormatFloat(s.Burst.Average, 'f', 1, 64),
			"Weeks":   lagesbild.BurstWeeks,
			"Factor":  lagesbild.BurstFactor,
		})))
	}
	exact(t.get("staff_lagesbild_kinds", nil), s.Kinds, b.kindName)
	exact(t.get("staff_lagesbild_times", nil), s.Times, b.timeName)
	exact(t.get("staff_lagesbild_days", nil), s.Days, b.daysName)

	blocks = append(blocks,
		contextBlock(t.get("staff_lagesbild_small_note", map[string]any{"PrevNum": prevNum})),
		contextBlock(t.get("staff_lagesbild_export_hint", map[string]any{"Week": s.Week})),
	)
	return &message{text: title, blocks: blocks}
}

// field is a mrkdwn field: the name in bold over the value. name is plain text.
func field(name, value string) string {
	return "*" + escape(name) + "*\n" + value
}

// suppressed shows the count of an area or a place: the number with its change when both
// weeks reach lagesbild.MinShown, the number alone when this week does, else "<3".
func suppressed(c lagesbild.Count) string {
	s := escape(lagesbild.Shown(c.N))
	if ch := lagesbild.Change(c); ch != "" {
		s += " (" + signedText(ch) + ")"
	}
	return s
}

// signed writes a change: +2, -2, ±0.
func signed(d int) string {
	switch {
	case d > 0:
		return "+" + strconv.Itoa(d)
	case d < 0:
		return strconv.Itoa(d)
	}
	return "±0"
}

// signedText writes lagesbild.Change's "0" as ±0.
func signedText(ch string) string {
	if ch == "0" {
		return "±0"
	}
	return ch
}

// areaName names an area id from flows/places.yaml; "" is reports without an area.
func (b *Bot) areaName(id string) string {
	if id == "" {
		return b.text.get("staff_lagesbild_no_area", nil)
	}
	if n := b.cfg.Names.Areas[id]; n != "" {
		return n
	}
	return id
}

// placeName names a place id from flows/places.yaml.
func (b *Bot) placeName(id string) string {
	if n := b.cfg.Names.Places[id]; n != "" {
		return n
	}
	return id
}

// channelName names the channel a report came by.
func (b *Bot) channelName(k string) string { return b.slotName("staff_lagesbild_channel_", k) }

// kindName, timeName and daysName name a report's kind, time of day and days.
func (b *Bot) kindName(k string) string { return b.slotName("staff_kind_", k) }
func (b *Bot) timeName(k string) string { return b.slotName("staff_time_", k) }
func (b *Bot) daysName(k string) string { return b.slotName("staff_days_", k) }

func (b *Bot) slotName(prefix, key string) string {
	if key == "" {
		return b.text.get("staff_lagesbild_unknown", nil)
	}
	if s := b.text.get(prefix+key, nil); s != prefix+key {
		return s
	}
	return key
}

// chartBars returns the bars of the week's chart. Per area: each area with at least
// lagesbild.MinShown reports, then one bar that merges the rest (areas under MinShown and
// reports without an area), drawn only when it reaches MinShown itself, so that no small
// count is ever drawn. Per time of day: the four times in the order of a day, then reports
// without a time.
func (b *Bot) chartBars(s lagesbild.Summary) (areas, times []lagesbild.Bar) {
	small := 0
	for _, c := range s.Areas {
		if c.N >= lagesbild.MinShown {
			areas = append(areas, lagesbild.Bar{Label: b.areaName(c.Key), N: c.N})
		} else {
			small += c.N
		}
	}
	if small >= lagesbild.MinShown {
		areas = append(areas, lagesbild.Bar{Label: b.text.get("staff_lagesbild_other_areas", nil), N: small})
	}
	byTime := map[string]int{}
	for _, c := range s.Times {
		byTime[c.Key] = c.N
	}
	for _, k := range lagesbild.Times {
		times = append(times, lagesbild.Bar{Label: b.timeName(k), N: byTime[k]})
	}
	if n := byTime[""]; n > 0 {
		times = append(times, lagesbild.Bar{Label: b.timeName(""), N: n})
	}
	return areas, times
}

// chartPNG draws the week's chart (chartBars) as a PNG.
func (b *Bot) chartPNG(s lagesbild.Summary, partial bool, now time.Time) ([]byte, error) {
	t := b.text
	areas, times := b.chartBars(s)
	num, year := weekParts(s.Week)
	from, to := weekDates(s.Week)
	title := t.get("staff_chart_title", map[string]any{"Num": num, "Year": year, "From": from, "To": to})
	if partial {
		title = t.get("staff_chart_title_partial", map[string]any{"Num": num, "Year": year, "From": from, "Now": now.In(b.loc).Format(time.DateOnly)})
	}
	png, err := lagesbild.Chart(lagesbild.ChartText{
		Title: title,
		Areas: t.get("staff_chart_areas", nil),
		Times: t.get("staff_chart_times", nil),
		Count: t.get("staff_chart_count", nil),
	}, areas, times)
	if err != nil {
		return nil, fmt.Errorf("chart %s: %w", s.Week, err)
	}
	return png, nil
}

// chartFile is the upload of a week's chart.
func (b *Bot) chartFile(s lagesbild.Summary, png []byte, comment string) file {
	num, year := weekParts(s.Week)
	return file{
		name:    filePrefix + s.Week + chartFileSuffix,
		title:   b.text.get("staff_lagesbild_title", map[string]any{"Num": num, "Year": year}),
		comment: comment,
		alt:     b.text.get("staff_chart_alt", map[string]any{"Num": num, "Year": year}),
		data:    png,
	}
}

// file is something to upload to a channel.
type file struct {
	name, title, comment, alt string
	data                      []byte
}

// upload shares f in channel with Slack's upload flow (files.getUploadURLExternal, a POST
// of the bytes to the URL it gives, files.completeUploadExternal). It needs files:write.
func (b *Bot) upload(ctx context.Context, channel string, f file) error {
	_, err := b.cfg.API.UploadFileContext(ctx, slackapi.UploadFileParameters{
		Reader:         bytes.NewReader(f.data),
		FileSize:       len(f.data),
		Filename:       f.name,
		Title:          f.title,
		InitialComment: f.comment,
		AltTxt:         f.alt,
		Channel:        channel,
	})
	if err != nil {
		return fmt.Errorf("upload %s: %w", f.name, err)
	}
	return nil
}

// uploadFailure says why an upload failed: trygg is not in the channel (notInChannel), the
// app lacks files:write, or something else (failed, with Slack's error code).
func (b *Bot) uploadFailure(err error, notInChannel, failed string) string {
	var se slackapi.SlackErrorResponse
	if errors.As(err, &se) {
		switch se.Err {
		case "not_in_channel", "channel_not_found":
			return b.text.get(notInChannel, nil)
		case "missing_scope":
			return b.text.get("staff_upload_missing_scope", nil)
		}
		return b.text.get(failed, map[string]any{"Error": "`" + escape(se.Err) + "`"})
	}
	return b.text.get(failed, map[string]any{"Error": b.text.get("staff_slack_unreachable", nil)})
}
