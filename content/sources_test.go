package content

import (
	"strings"
	"testing"
	"time"
)

func TestBrandSources(t *testing.T) {
	b, err := loadBrand(t, okBrand+`sources:
  blog:
    kind: feed
    url: https://blog.test.example/feed.xml
    publish_after: 2h
    tags: [News]
    since: 2026-01-02
    allow_hosts: [127.0.0.1]
  site:
    kind: folder
    path: /srv/hugo/content
    policy: auto_publish
    channels: [portal, email]
`)
	if err != nil {
		t.Fatal(err)
	}
	srcs := b.SourceList()
	if len(srcs) != 2 || srcs[0].ID != "blog" || srcs[1].ID != "site" {
		t.Fatalf("sources = %+v", srcs)
	}
	blog, site := srcs[0], srcs[1]
	if blog.Policy != PolicyPublishAfter || blog.Delay != 2*time.Hour || blog.Interval != DefaultSourceEvery {
		t.Errorf("blog policy %q delay %v every %v", blog.Policy, blog.Delay, blog.Interval)
	}
	if !blog.SinceTime.Equal(time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("since = %v", blog.SinceTime)
	}
	if !blog.KeepsTags([]string{"news"}) || blog.KeepsTags([]string{"sport"}) {
		t.Error("tag filter is not case-insensitive membership")
	}
	if site.Compat != CompatHugo || !site.Wants("email", "site") || site.Wants("social", "site") {
		t.Errorf("folder source %+v", site)
	}
}

func TestBrandSourceErrors(t *testing.T) {
	for _, tc := range []struct{ yml, want string }{
		{"sources:\n  blog:\n    kind: rss\n", "brand.yaml:20:5: sources.blog.kind: must be feed or folder"},
		{"sources:\n  blog:\n    kind: feed\n    url: file:///etc/passwd\n", "brand.yaml:21:5: sources.blog.url: must be an absolute http(s) URL"},
		{"sources:\n  blog:\n    kind: feed\n    url: https://x.example/\n    policy: publish_after\n", "sources.blog.publish_after: is required"},
		{"sources:\n  blog:\n    kind: feed\n    url: https://x.example/\n    publish_after: soon\n", "brand.yaml:22:5: sources.blog.publish_after: must be a duration"},
		{"sources:\n  blog:\n    kind: feed\n    url: https://x.example/\n    targets: [sight]\n", "did you mean `site`?"},
		{"sources:\n  blog:\n    kind: feed\n    url: https://x.example/\n    since: yesterday\n", "sources.blog.since: must be a date"},
		{"sources:\n  site:\n    kind: folder\n    path: content/\n", "sources.site.path: must be an absolute path"},
		{"sources:\n  blog:\n    kind: feed\n    url: https://x.example/\n    every: 5s\n", "sources.blog.every: must be a duration between 1m"},
		{"sources:\n  blog:\n    kind: feed\n    url: https://x.example/\n    polcy: draft\n", "polcy"},
	} {
		_, err := loadBrand(t, okBrand+tc.yml)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q:\n got %v\nwant %q", tc.yml, err, tc.want)
		}
	}
}
