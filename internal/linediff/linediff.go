// Package linediff compares two texts line by line and lays the result
// out side by side, as the editor UI's history shows it.
package linediff

import "strings"

// Kind says how a row of the side-by-side view differs.
type Kind string

const (
	Same    Kind = "same"
	Deleted Kind = "del"
	Added   Kind = "add"
	Changed Kind = "change"
)

// Row is one line of the side-by-side view. A line number of 0 means
// that side has no line in this row.
type Row struct {
	Kind         Kind
	OldNo, NewNo int
	Old, New     string
}

// MaxCells bounds the comparison table (lines × lines); bigger texts are
// compared as wholes.
const MaxCells = 4 << 20

// SideBySide compares a and b. When they are too large to compare line
// by line, it returns every line as changed and false.
func SideBySide(a, b string) ([]Row, bool) {
	x, y := lines(a), lines(b)
	// Common head and tail first: most edits are small.
	pre := 0
	for pre < len(x) && pre < len(y) && x[pre] == y[pre] {
		pre++
	}
	suf := 0
	for suf < len(x)-pre && suf < len(y)-pre && x[len(x)-1-suf] == y[len(y)-1-suf] {
		suf++
	}
	mx, my := x[pre:len(x)-suf], y[pre:len(y)-suf]
	var rows []Row
	for i := 0; i < pre; i++ {
		rows = append(rows, Row{Kind: Same, OldNo: i + 1, NewNo: i + 1, Old: x[i], New: y[i]})
	}
	ok := len(mx)*len(my) <= MaxCells
	var ops []op
	if ok {
		ops = lcs(mx, my)
	} else {
		for range mx {
			ops = append(ops, del)
		}
		for range my {
			ops = append(ops, ins)
		}
	}
	rows = append(rows, layout(ops, mx, my, pre)...)
	for i := 0; i < suf; i++ {
		oi, ni := len(x)-suf+i, len(y)-suf+i
		rows = append(rows, Row{Kind: Same, OldNo: oi + 1, NewNo: ni + 1, Old: x[oi], New: y[ni]})
	}
	return rows, ok
}

func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

type op byte

const (
	keep op = iota
	del
	ins
)

// lcs returns the edit script of a longest common subsequence.
func lcs(x, y []string) []op {
	n, m := len(x), len(y)
	// t[i][j]: LCS length of x[i:], y[j:].
	t := make([][]int32, n+1)
	for i := range t {
		t[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if x[i] == y[j] {
				t[i][j] = t[i+1][j+1] + 1
			} else {
				t[i][j] = max(t[i+1][j], t[i][j+1])
			}
		}
	}
	var ops []op
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case x[i] == y[j]:
			ops = append(ops, keep)
			i++
			j++
		case t[i+1][j] >= t[i][j+1]:
			ops = append(ops, del)
			i++
		default:
			ops = append(ops, ins)
			j++
		}
	}
	for ; i < n; i++ {
		ops = append(ops, del)
	}
	for ; j < m; j++ {
		ops = append(ops, ins)
	}
	return ops
}

// layout pairs each run of deletions with the insertions that follow it
// as changed rows, so a reworded line sits beside its new wording.
func layout(ops []op, x, y []string, base int) []Row {
	var rows []Row
	i, j := 0, 0
	for k := 0; k < len(ops); {
		if ops[k] == keep {
			rows = append(rows, Row{Kind: Same, OldNo: base + i + 1, NewNo: base + j + 1, Old: x[i], New: y[j]})
			i, j, k = i+1, j+1, k+1
			continue
		}
		var dels, inss []int
		for ; k < len(ops) && ops[k] != keep; k++ {
			if ops[k] == del {
				dels = append(dels, i)
				i++
			} else {
				inss = append(inss, j)
				j++
			}
		}
		for n := 0; n < max(len(dels), len(inss)); n++ {
			r := Row{Kind: Changed}
			if n < len(dels) {
				r.OldNo, r.Old = base+dels[n]+1, x[dels[n]]
			} else {
				r.Kind = Added
			}
			if n < len(inss) {
				r.NewNo, r.New = base+inss[n]+1, y[inss[n]]
			} else {
				r.Kind = Deleted
			}
			rows = append(rows, r)
		}
	}
	return rows
}
