package app_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/store"
)

func TestParseImport(t *testing.T) {
	in := "\ufeffAddress,Language,Topics,Consent\n" +
		"Ann@Example.net,nl,guides|product,signed up at the fair 2025\n" +
		"bob@example.net,,,\n" +
		"not an address,en,,\n" +
		"ann@example.net,en,,\n" +
		"carl@example.net,en\n" +
		"\"dora@example.net\",en,\"guides | \",\"bought, and ticked the box\"\n"
	rows, bad := app.ParseImport(strings.NewReader(in))
	var got []string
	for _, r := range rows {
		got = append(got, fmt.Sprintf("%d %s %s %v %q", r.Line, r.Address, r.Lang, r.Topics, r.Basis))
	}
	want := []string{`2 ann@example.net nl [guides product] "signed up at the fair 2025"`, `3 bob@example.net  [] ""`,
		`7 dora@example.net en [guides] "bought, and ticked the box"`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var lines []int
	for _, e := range bad {
		lines = append(lines, e.Line)
	}
	if fmt.Sprint(lines) != "[4 5 6]" {
		t.Errorf("bad lines %v, want [4 5 6]: %+v", lines, bad)
	}
	for _, in := range []string{"", "email,lang\nann@example.net,en\n", "address,language,topics,consent\n\"ann@example.net,en,,\n"} {
		if _, bad := app.ParseImport(strings.NewReader(in)); len(bad) != 1 {
			t.Errorf("%q: %+v, want one error", in, bad)
		}
	}
}

func FuzzParseImport(f *testing.F) {
	f.Add("address,language,topics,consent\nann@example.net,en,guides|product,basis\n")
	f.Add("address,language,topics,consent\n\"a\"\"b\",,,\n")
	f.Add("address,language\n")
	f.Fuzz(func(t *testing.T, s string) {
		rows, bad := app.ParseImport(strings.NewReader(s))
		seen := map[string]bool{}
		for _, r := range rows {
			// Every row taken is one clean address, once, with its line.
			if a, err := store.NormalizeAddress(r.Address); err != nil || a != r.Address || seen[a] || r.Line < 2 {
				t.Fatalf("row %+v: %v", r, err)
			}
			seen[r.Address] = true
		}
		for _, e := range bad {
			if e.Line < 1 || e.Message == "" {
				t.Fatalf("error %+v", e)
			}
		}
	})
}

// An import through the service checks languages and topics against the
// brand, imports nothing when a row is bad, and sends confirmation
// email only to the rows without a basis.
func TestImportSubscribersService(t *testing.T) {
	for _, s := range pipetest.Setups {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			e, _ := audienceEnv(t, s, "")
			ctx := context.Background()
			csv := "address,language,topics,consent\nann@example.net,nl,guides,met at the fair\nbob@example.net,en,,\ncarl@example.net,xx,,\ndora@example.net,en,cooking,\n"
			res, err := e.Service.ImportSubscribers(ctx, app.Import{Brand: "kestrel", CSV: strings.NewReader(csv), Actor: "ed"})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Errors) != 2 || res.Errors[0].Line != 4 || res.Errors[1].Line != 5 || res.Rows != 4 {
				t.Fatalf("%+v", res)
			}
			if _, err := e.DB.Subscriber(ctx, "kestrel", "ann@example.net"); err == nil {
				t.Fatal("a refused import left a subscriber")
			}
			csv = "address,language,topics,consent\nann@example.net,nl,guides,met at the fair\nbob@example.net,en,,\n"
			res, err = e.Service.ImportSubscribers(ctx, app.Import{Brand: "kestrel", CSV: strings.NewReader(csv), Actor: "ed"})
			if err != nil || len(res.Errors) != 0 || res.Active != 1 || res.Pending != 1 || len(res.Tasks) != 1 {
				t.Fatalf("%+v, %v", res, err)
			}
			cs, err := e.DB.Consents(ctx, "kestrel", "ann@example.net")
			if err != nil || len(cs) != 1 || cs[0].Wording != "met at the fair (stated by ed in an import)" {
				t.Fatalf("%+v, %v", cs, err)
			}
		})
	}
}

// The export defuses cells a spreadsheet would run as formulas (OWASP
// CSV injection) with a leading ', and importing the exported addresses
// gives back the same addresses, those that start with - + or = too.
func TestExportGuardsFormulas(t *testing.T) {
	e := pipetest.New(t, pipetest.Setups[0])
	ctx := context.Background()
	addrs := []string{"-news@example.net", "+plus@example.net", "=sum@example.net", "plain@example.net"}
	for _, a := range addrs {
		if _, err := e.DB.JoinSubscriber(ctx, store.Join{BrandID: "kestrel", Address: a, Lang: "en", Confirmed: true,
			Consent: store.Consent{Source: store.ConsentAPI, Wording: "test"}}); err != nil {
			t.Fatalf("%s: %v", a, err)
		}
	}
	var out strings.Builder
	if err := e.Service.ExportSubscribers(ctx, "kestrel", "", &out); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(out.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	in := "address,language,topics,consent\n"
	for _, r := range recs[1:] {
		if c := r[0][0]; c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r' {
			t.Errorf("exported cell %q would run as a formula", r[0])
		}
		in += r[0] + "," + r[1] + ",,re-imported\n"
	}
	if !strings.Contains(out.String(), "'-news@example.net,") || !strings.Contains(out.String(), "\nplain@example.net,") {
		t.Errorf("export:\n%s", out.String())
	}
	rows, bad := app.ParseImport(strings.NewReader(in))
	if len(bad) != 0 {
		t.Fatalf("re-import refused %+v", bad)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.Address)
	}
	slices.Sort(got)
	want := slices.Sorted(slices.Values(addrs))
	if !slices.Equal(got, want) {
		t.Errorf("re-imported %v, want %v", got, want)
	}
	for cell, want := range map[string]string{"=1+1": "'=1+1", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx", "\rx": "'\rx", "-2": "'-2", "ok": "ok", "": ""} {
		if got := app.GuardCell(cell); got != want || app.UnguardCell(got) != cell {
			t.Errorf("GuardCell(%q) = %q, want %q (and back)", cell, got, want)
		}
	}
}
