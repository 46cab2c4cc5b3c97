package app

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/crosscast/crosscast/store"
)

// Bounds of a subscriber import, so one request cannot hold the store
// or the server's memory for long.
const (
	MaxImportBytes = 32 << 20
	MaxImportRows  = 200_000
	maxLangLen     = 35
	maxTopicsLen   = 1000
	maxBasisLen    = 500
)

// ImportHeader is the header line an import's CSV starts with.
var ImportHeader = []string{"address", "language", "topics", "consent"}

// ImportLine is one parsed row of an import CSV.
type ImportLine struct {
	Line                 int
	Address, Lang, Basis string
	Topics               []string
}

// ParseImport reads an import CSV: the header `address,language,topics,
// consent`, then one subscriber a row, topics separated by "|", consent
// the basis the importer holds ("" for none). Rows it refuses are
// reported by line, as is an address an earlier row has; a broken quote ends the reading, since the lines
// after it cannot be told apart.
func ParseImport(r io.Reader) ([]ImportLine, []store.RowError) {
	cr := csv.NewReader(&capped{r: r, left: MaxImportBytes})
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	var rows []ImportLine
	var bad []store.RowError
	header := true
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line, msg := len(rows)+len(bad)+1, err.Error()
			if pe, ok := errors.AsType[*csv.ParseError](err); ok {
				line, msg = pe.StartLine, "not CSV: "+pe.Err.Error()
			}
			bad = append(bad, store.RowError{Line: line, Message: msg + "; the rest of the file was not read"})
			break
		}
		line, _ := cr.FieldPos(0)
		if header {
			header = false
			got := make([]string, len(rec))
			for i, f := range rec {
				got[i] = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(f, "\ufeff")))
			}
			if !slices.Equal(got, ImportHeader) {
				return nil, []store.RowError{{Line: line, Message: "the first line must be the header " + strings.Join(ImportHeader, ",")}}
			}
			continue
		}
		if len(rows)+len(bad) >= MaxImportRows {
			bad = append(bad, store.RowError{Line: line, Message: fmt.Sprintf("an import takes at most %d rows; split the file", MaxImportRows)})
			break
		}
		if len(rec) != len(ImportHeader) {
			bad = append(bad, store.RowError{Line: line, Message: fmt.Sprintf("%d fields, want 4: %s", len(rec), strings.Join(ImportHeader, ","))})
			continue
		}
		// A file exported from here has its formula-like cells guarded
		// with a ' (GuardCell), which is not part of the value.
		addr, lang, topics, basis := UnguardCell(strings.TrimSpace(rec[0])), UnguardCell(strings.TrimSpace(rec[1])), UnguardCell(strings.TrimSpace(rec[2])), UnguardCell(strings.TrimSpace(rec[3]))
		switch {
		case len(lang) > maxLangLen:
			bad = append(bad, store.RowError{Line: line, Message: fmt.Sprintf("language is longer than %d characters", maxLangLen)})
			continue
		case len(topics) > maxTopicsLen:
			bad = append(bad, store.RowError{Line: line, Message: fmt.Sprintf("topics are longer than %d characters", maxTopicsLen)})
			continue
		case len(basis) > maxBasisLen:
			bad = append(bad, store.RowError{Line: line, Message: fmt.Sprintf("consent is longer than %d characters", maxBasisLen)})
			continue
		}
		norm, err := store.NormalizeAddress(addr)
		if err != nil {
			bad = append(bad, store.RowError{Line: line, Message: strings.TrimPrefix(err.Error(), store.ErrInvalid.Error()+": ")})
			continue
		}
		if first, ok := seen[norm]; ok {
			bad = append(bad, store.RowError{Line: line, Message: fmt.Sprintf("%s is on line %d already", norm, first)})
			continue
		}
		seen[norm] = line
		l := ImportLine{Line: line, Address: norm, Lang: lang, Basis: basis, Topics: []string{}}
		for t := range strings.SplitSeq(topics, "|") {
			if t = strings.TrimSpace(t); t != "" {
				l.Topics = append(l.Topics, t)
			}
		}
		rows = append(rows, l)
	}
	if header {
		return nil, []store.RowError{{Line: 1, Message: "the file is empty; the first line must be the header " + strings.Join(ImportHeader, ",")}}
	}
	return rows, bad
}

// Import is a subscriber import as an admin sends it.
type Import struct {
	Brand string
	CSV   io.Reader
	Actor string
	// DryRun checks and counts and changes nothing.
	DryRun bool
}

// ImportSubscribers reads an import CSV and joins its rows to the
// brand's list, all or none: any bad row (by the CSV, the brand's
// languages and topics, or the store) imports nothing and is reported
// by line. Rows with a consent basis are active with it recorded; rows
// without are pending and sent a confirmation email. Suppressed
// addresses stay suppressed and are not mailed.
func (s *Service) ImportSubscribers(ctx context.Context, in Import) (*store.ImportResult, error) {
	b, _, err := s.brands.Current(ctx, in.Brand)
	if err != nil {
		return nil, err
	}
	lines, bad := ParseImport(in.CSV)
	rowsRead := len(lines) + len(bad)
	rows := make([]store.ImportRow, 0, len(lines))
	for _, l := range lines {
		lang, topics, err := choices(b, l.Lang, l.Topics)
		if err != nil {
			bad = append(bad, store.RowError{Line: l.Line, Message: strings.TrimSuffix(err.Error(), ": "+store.ErrInvalid.Error())})
			continue
		}
		wording := "imported by " + in.Actor + " without a stated basis"
		if l.Basis != "" {
			wording = l.Basis + " (stated by " + in.Actor + " in an import)"
		}
		rows = append(rows, store.ImportRow{Line: l.Line, Join: store.Join{BrandID: b.ID, Address: l.Address, Lang: lang, Topics: topics,
			Confirmed: l.Basis != "", QuietSuppressed: true, Confirm: confirmTask,
			Consent: store.Consent{Source: store.ConsentImport, Wording: wording}}})
	}
	if len(bad) > 0 {
		slices.SortFunc(bad, func(a, b store.RowError) int { return a.Line - b.Line })
		return &store.ImportResult{Rows: rowsRead, Errors: bad}, nil
	}
	res, err := s.db.ImportSubscribers(ctx, rows, in.DryRun)
	if err != nil {
		return nil, err
	}
	s.dispatch(ctx, res.Tasks)
	s.log.Info("subscribers imported", "brand", b.ID, "actor", in.Actor, "rows", res.Rows, "dry_run", in.DryRun, "errors", len(res.Errors))
	return res, nil
}

// errTooBig is an import over MaxImportBytes.
var errTooBig = fmt.Errorf("an import is at most %d MiB; split the file", MaxImportBytes>>20)

// capped reads at most left bytes of r, then fails with errTooBig rather
// than ending as if the file did, so a cut file is never taken whole.
type capped struct {
	r    io.Reader
	left int64
}

func (c *capped) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, errTooBig
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}
