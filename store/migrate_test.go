package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/crosscast/crosscast/internal/testenv"
	"github.com/crosscast/crosscast/store"
)

// The two migration trees are written by hand, one per back end; this
// keeps them in step. Both are applied to fresh databases and what they
// made is read back from each catalog: every table, its columns (name,
// type family, NOT NULL), its primary key and unique constraints, and
// every named index with its columns and uniqueness.
func TestMigrationsDefineTheSameSchema(t *testing.T) {
	ctx := context.Background()
	pgDSN := testenv.Postgres(t)
	liteDSN := testenv.SQLite(t)
	for _, dsn := range []string{pgDSN, liteDSN} {
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.Migrate(ctx)
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	pg, err := sql.Open("pgx", pgDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	lite, err := sql.Open("sqlite", "file:"+liteDSN+"?_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()

	want := postgresSchema(ctx, t, pg)
	got := sqliteSchema(ctx, t, lite)
	if len(want) == 0 || len(got) == 0 {
		t.Fatalf("read %d schema lines from PostgreSQL, %d from SQLite", len(want), len(got))
	}
	t.Logf("compared %d schema lines from PostgreSQL, %d from SQLite", len(want), len(got))
	// Differences the back ends need; none today. An entry names a line
	// of one side's schema (as schemaLine prints it) and says why.
	allowed := map[string]string{}
	missing, extra := diffLines(want, got)
	for _, l := range missing {
		if allowed[l] == "" {
			t.Errorf("PostgreSQL has, SQLite lacks: %s", l)
		}
	}
	for _, l := range extra {
		if allowed[l] == "" {
			t.Errorf("SQLite has, PostgreSQL lacks: %s", l)
		}
	}
}

// typeFamily names a column type loosely, so that SQLite's declared
// types and PostgreSQL's match where they hold the same values.
func typeFamily(t *testing.T, typ string) string {
	switch strings.ToLower(typ) {
	case "text":
		return "text"
	case "integer", "bigint", "smallint":
		return "integer"
	case "blob", "bytea":
		return "bytes"
	case "datetime", "timestamp with time zone":
		return "time"
	case "boolean":
		return "bool"
	case "real", "double precision":
		return "float"
	}
	t.Errorf("column type %q: no family; add it to typeFamily", typ)
	return typ
}

func postgresSchema(ctx context.Context, t *testing.T, db *sql.DB) []string {
	var out []string
	// A key column is NOT NULL on PostgreSQL whatever the column says.
	rows := queryAll(ctx, t, db, `SELECT table_name, column_name, data_type, is_nullable = 'NO'
		FROM information_schema.columns WHERE table_schema = current_schema()`)
	for _, r := range rows {
		out = append(out, columnLine(r[0], r[1], typeFamily(t, r[2]), r[3] == "true"))
	}
	// Indexes, each with its columns in order; a primary key or UNIQUE
	// constraint is listed by its columns, since each back end names
	// the index behind it its own way.
	rows = queryAll(ctx, t, db, `SELECT t.relname, i.relname, ix.indisprimary, ix.indisunique,
			EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid AND c.contype IN ('p', 'u')),
			(SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
				JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum)
		FROM pg_index ix
		JOIN pg_class i ON i.oid = ix.indexrelid
		JOIN pg_class t ON t.oid = ix.indrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		WHERE n.nspname = current_schema()`)
	for _, r := range rows {
		table, name, primary, unique, constraint, cols := r[0], r[1], r[2] == "true", r[3] == "true", r[4] == "true", r[5]
		switch {
		case primary:
			out = append(out, keyLine(table, "PRIMARY KEY", cols))
		case constraint:
			out = append(out, keyLine(table, "UNIQUE", cols))
		default:
			out = append(out, indexLine(table, name, unique, cols))
		}
	}
	return out
}

func sqliteSchema(ctx context.Context, t *testing.T, db *sql.DB) []string {
	var out []string
	tables := queryAll(ctx, t, db, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'`)
	for _, tr := range tables {
		table := tr[0]
		var pk []string
		for _, r := range queryAll(ctx, t, db, `SELECT name, type, "notnull", pk FROM pragma_table_info($1) ORDER BY pk, cid`, table) {
			// SQLite lets a primary key column other than an INTEGER
			// PRIMARY KEY hold NULL unless it says NOT NULL; the store
			// never stores one, and PostgreSQL forbids it.
			out = append(out, columnLine(table, r[0], typeFamily(t, r[1]), r[2] == "1" || r[3] != "0"))
			if r[3] != "0" {
				pk = append(pk, r[0])
			}
		}
		if len(pk) > 0 {
			out = append(out, keyLine(table, "PRIMARY KEY", strings.Join(pk, ",")))
		}
		for _, r := range queryAll(ctx, t, db, `SELECT name, "unique", origin FROM pragma_index_list($1)`, table) {
			name, unique, origin := r[0], r[1] == "1", r[2]
			if origin == "pk" {
				continue // listed from table_info, which also covers INTEGER PRIMARY KEY
			}
			var cols []string
			for _, c := range queryAll(ctx, t, db, `SELECT name FROM pragma_index_info($1) ORDER BY seqno`, name) {
				cols = append(cols, c[0])
			}
			if origin == "u" {
				out = append(out, keyLine(table, "UNIQUE", strings.Join(cols, ",")))
			} else {
				out = append(out, indexLine(table, name, unique, strings.Join(cols, ",")))
			}
		}
	}
	return out
}

func columnLine(table, col, family string, notNull bool) string {
	if notNull {
		family += " NOT NULL"
	}
	return fmt.Sprintf("table %s column %s %s", table, col, family)
}

func keyLine(table, kind, cols string) string {
	return fmt.Sprintf("table %s %s (%s)", table, kind, cols)
}

func indexLine(table, name string, unique bool, cols string) string {
	kind := "INDEX"
	if unique {
		kind = "UNIQUE INDEX"
	}
	return fmt.Sprintf("table %s %s %s (%s)", table, kind, name, cols)
}

// queryAll returns every row of a query as text.
func queryAll(ctx context.Context, t *testing.T, db *sql.DB, query string, args ...any) [][]string {
	t.Helper()
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = v.String
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return out
}

// diffLines returns the lines only in a and those only in b, sorted.
func diffLines(a, b []string) (onlyA, onlyB []string) {
	in := func(l []string) map[string]bool {
		m := map[string]bool{}
		for _, s := range l {
			m[s] = true
		}
		return m
	}
	ma, mb := in(a), in(b)
	for s := range ma {
		if !mb[s] {
			onlyA = append(onlyA, s)
		}
	}
	for s := range mb {
		if !ma[s] {
			onlyB = append(onlyB, s)
		}
	}
	slices.Sort(onlyA)
	slices.Sort(onlyB)
	return onlyA, onlyB
}
