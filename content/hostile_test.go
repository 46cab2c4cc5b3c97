package content

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
)

// parseBudget is the CPU time one hostile body may take to parse. The
// bodies below took seconds to minutes before they were bounded. CPU
// time, not wall time, so that a machine shared with other work does not
// fail the test; on an idle machine they are the same.
const parseBudget = time.Second

// cpuTime is the CPU time this process has used (all threads, GC
// included).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// hostile is a body that once made parsing super-linear, with what the
// writer must see: accepted, or rejected at a line with a message.
type hostile struct {
	name string
	body string
	line int    // 0: accepted; else the error's line in the file
	want string // in the error text
}

func nested(prefix string, n int) string { return strings.Repeat(prefix, n) + "deep\n" }

func indentedList(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(strings.Repeat("  ", i) + "- a\n")
	}
	return b.String()
}

func hostileBodies() []hostile {
	const fm = "---\ntitle: T\n---\n" // the body starts on line 4
	cases := []hostile{
		{"200k unclosed link openers", "Intro.\n\n" + strings.Repeat("[a](", 200_000), 6, "link openers `](` from here on are never closed"},
		{"unclosed image openers", strings.Repeat("![a](", 100_000), 4, "never closed"},
		{"unclosed angle destinations", strings.Repeat("[a](<", 100_000), 4, "never closed"},
		{"unclosed titles over many lines", strings.Repeat("[a](b (\n", 100_000), 4, "never closed"},
		{"2k lines of real links", strings.Repeat("[a](https://x.example/a) [b](</b c>) [t](u \"t\")\n", 2_000), 0, ""},
		{"long run of closed links", strings.Repeat("[a](b)", 5_000), 0, ""},
		{"20k identical headings", strings.Repeat("# Same\n\n", 20_000), 4 + 2*10_000, "more than 10000 Markdown elements"},
		{"100k setext headings", strings.Repeat("a\n=\n", 100_000), 4 + 2*10_000, "Markdown elements"},
		{"10k setext headings", strings.Repeat("a\n=\n", 10_000), 0, ""},
		{"setext headings of many lines", strings.Repeat("a\nb\nc\n---\n", 60_000), 4 + 4*10_000, "Markdown elements"},
		{"600 nested blockquotes", nested(">", 600), 4, "the limit is 100"},
		{"200k nested blockquotes", nested(">", 200_000), 4, "the limit is 100"},
		{"600 nested list items on one line", nested("- ", 600), 4, "the limit is 100"},
		{"1000 indented list levels", indentedList(1000), 4 + 99, "the limit is 100"},
		{"quotes and lists", "ok\n\n" + nested("> - ", 300), 6, "the limit is 100"},
		{"60 indented list levels", indentedList(60), 4 + 49, "more than 100 levels"},
		{"40 indented list levels", indentedList(40), 0, ""},
		{"nested emphasis", strings.Repeat("*a _", 30_000), 4, "runs of emphasis markers"},
		{"deep fenced code is not nesting", "```\n" + strings.Repeat(">", 5000) + "\n" + strings.Repeat("[a](", 50_000) + "\n```\n", 0, ""},
		{"many open brackets", strings.Repeat("[", 500_000), 0, ""},
		{"many backticks", strings.Repeat("`a", 300_000), 4, "Markdown elements"},
		{"many less-than signs", strings.Repeat("<a ", 300_000), 0, ""},
		{"nested raw HTML", "x\n\n" + strings.Repeat("<div>", 600) + "\ndeep\n" + strings.Repeat("</div>", 600) + "\n", 6, "more than 100 levels"},
		{"nested raw HTML on one line", strings.Repeat("<div>", 600) + "deep" + strings.Repeat("</div>", 600) + "\n", 4, "more than 100 levels"},
		{"unclosed inline HTML", strings.Repeat("a <span><em>", 20_000) + "\n", 4, "more than 100 levels"},
		{"closed raw HTML", strings.Repeat("<div><p>a<br></div>\n", 5_000), 0, ""},
		{"many images", strings.Repeat("![x](a.png)\n\n", 4_000), 4 + 100, "images; the limit is 50"},
	}
	for i := range cases {
		cases[i].body = fm + cases[i].body
	}
	return cases
}

func TestHostileBodiesParseInBoundedTime(t *testing.T) {
	for _, tt := range hostileBodies() {
		t.Run(tt.name, func(t *testing.T) {
			start, cpu := time.Now(), cpuTime()
			_, err := ParseBytes(nil, "post.md", []byte(tt.body), ParseOptions{})
			if took := cpuTime() - cpu; took > parseBudget {
				t.Errorf("took %v of CPU (budget %v), %v of wall time, for %d bytes", took, parseBudget, time.Since(start), len(tt.body))
			}
			if tt.line == 0 {
				if err != nil {
					t.Fatalf("rejected: %.300v", err)
				}
				return
			}
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("want a positioned error, got %v", err)
			}
			if errs[0].Line != tt.line || !strings.Contains(errs[0].Message, tt.want) {
				t.Errorf("got %s, want line %d with %q", errs[0], tt.line, tt.want)
			}
		})
	}
}

func TestLinkOpenerErrorPosition(t *testing.T) {
	src := "---\ntitle: T\n---\nFine [link](https://x.example).\n\nThen x" + strings.Repeat("[a](", 50_000) + "\n"
	_, err := ParseBytes(nil, "post.md", []byte(src), ParseOptions{})
	if err == nil || !strings.HasPrefix(err.Error(), "post.md:6:9: ") {
		t.Fatalf("want post.md:6:9, got %.200v", err)
	}
}

func TestIdenticalHeadingsGetDistinctIDs(t *testing.T) {
	src := "---\ntitle: T\n---\n# Same\n\n# Same 2\n\n# Same\n\n# Same\n"
	it := mustParse(t, src, nil, ParseOptions{})
	var ids []string
	for c := it.Doc.FirstChild(); c != nil; c = c.NextSibling() {
		id, _ := c.AttributeString("id")
		ids = append(ids, fmt.Sprintf("%s", id))
	}
	if got := strings.Join(ids, " "); got != "same same-2 same-3 same-4" {
		t.Errorf("ids = %s", got)
	}
}

func TestParseHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := ParseBytesContext(ctx, nil, "post.md", []byte("---\ntitle: T\n---\nbody\n"), ParseOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestTitleLimits(t *testing.T) {
	for _, tt := range []struct{ name, title, want string }{
		{"zalgo", "a" + strings.Repeat("\u0301", 9000), "post.md:2:1: title: is 18001 bytes; the limit is 2048"},
		{"graphemes", strings.Repeat("ab ", 101), "post.md:2:1: title: is 302 characters; the limit is 300"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseString(t, "---\ntitle: "+tt.title+"\n---\n", nil, ParseOptions{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
	// Marks on letters are fine: this is 250 characters.
	mustParse(t, "---\ntitle: "+strings.Repeat("e\u0301\u0302", 250)+"\n---\n", nil, ParseOptions{})
}
