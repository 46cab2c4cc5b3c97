package content

import (
	"strings"
	"testing"
)

// A mail target's batch settings load, and values outside their bounds
// are refused at their field.
func TestBrandTargetBatchSettings(t *testing.T) {
	good := okBrand + `  from_address: news@test.example
targets:
  news:
    kind: smtp
    host_env: CROSSCAST_TEST__SMTP_HOST
    to: subscribers
    rate: 300
    batch: 1000
    connections: 20
    domain_rates: {gmail.com: 50, outlook.com: 20}
    window: "22:00-06:00"
`
	b, err := loadBrand(t, good)
	if err != nil {
		t.Fatal(err)
	}
	if ts := b.Targets(); ts[1].Batch != 1000 || ts[1].Connections != 20 || ts[1].DomainRates["gmail.com"] != 50 || ts[1].Window != "22:00-06:00" {
		t.Fatalf("target %+v", ts[1])
	}
	for _, tt := range []struct{ edit, want string }{
		{"batch: 1000|batch: 20000", "targets.news.batch: must be between 1 and 10000 recipients"},
		{"connections: 20|connections: -1", "targets.news.connections: must be between 1 and 100"},
		{"gmail.com: 50|Gmail.com: 50", `targets.news.domain_rates: "Gmail.com"`},
		{"gmail.com: 50|gmail.com: 0", `targets.news.domain_rates: "gmail.com": 0 must be`},
		{`window: "22:00-06:00"|window: "8-20"`, "targets.news.window: must be HH:MM-HH:MM in UTC"},
		{`window: "22:00-06:00"|window: "25:00-06:00"`, "targets.news.window: must be HH:MM-HH:MM"},
		{`window: "22:00-06:00"|window: "06:00-06:00"`, "targets.news.window: \"06:00-06:00\" is empty"},
	} {
		from, to, _ := strings.Cut(tt.edit, "|")
		if !strings.Contains(good, from) {
			t.Fatalf("edit %q does not apply", from)
		}
		_, err := loadBrand(t, strings.Replace(good, from, to, 1))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s:\ngot  %v\nwant %q", tt.edit, err, tt.want)
		}
	}
}
