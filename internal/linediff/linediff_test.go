package linediff

import (
	"strings"
	"testing"
)

func TestSideBySide(t *testing.T) {
	a := "title: Old\n\nWarm the wax.\nRub it in.\nLet it cure.\n"
	b := "title: New\n\nWarm the wax.\nLet it cure.\nHang it up.\n"
	rows, ok := SideBySide(a, b)
	if !ok {
		t.Fatal("small texts not compared line by line")
	}
	var got []string
	for _, r := range rows {
		got = append(got, string(r.Kind)+" "+r.Old+" | "+r.New)
	}
	want := []string{
		"change title: Old | title: New",
		"same  | ",
		"same Warm the wax. | Warm the wax.",
		"del Rub it in. | ",
		"same Let it cure. | Let it cure.",
		"add  | Hang it up.",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if rows[4].OldNo != 5 || rows[4].NewNo != 4 || rows[5].NewNo != 5 || rows[5].OldNo != 0 {
		t.Errorf("line numbers: %+v", rows[4:])
	}
	if rows, _ := SideBySide(a, a); len(rows) != 5 || rows[3].Kind != Same {
		t.Errorf("identical: %+v", rows)
	}
	if rows, _ := SideBySide("", "x\n"); len(rows) != 1 || rows[0].Kind != Added {
		t.Errorf("from nothing: %+v", rows)
	}
}

func FuzzSideBySide(f *testing.F) {
	f.Add("a\nb\nc\n", "a\nc\nd\n")
	f.Fuzz(func(t *testing.T, a, b string) {
		rows, _ := SideBySide(a, b)
		var olds, news []string
		for _, r := range rows {
			if r.OldNo > 0 {
				olds = append(olds, r.Old)
			}
			if r.NewNo > 0 {
				news = append(news, r.New)
			}
		}
		if strings.Join(olds, "\n") != strings.Join(lines(a), "\n") || strings.Join(news, "\n") != strings.Join(lines(b), "\n") {
			t.Fatalf("the sides do not rebuild the texts")
		}
	})
}
