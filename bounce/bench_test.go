package bounce

import (
	"bytes"
	"context"
	"testing"
)

func BenchmarkParseDSN(b *testing.B) {
	raw, err := readSample("dsn-soft-expired.eml")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := ParseMessage(context.Background(), raw, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenToken(b *testing.B) {
	tok, _ := Sign(testKey, Ref{Brand: "kestrel", Delivery: "0123456789abcdef", Recipient: "reader@example.org"})
	for b.Loop() {
		if _, err := Open(tok, testKeys); err != nil {
			b.Fatal(err)
		}
	}
}

// A report near the size limit: the returned original is most of it.
func BenchmarkParseLargeDSN(b *testing.B) {
	raw, err := readSample("dsn-soft-expired.eml")
	if err != nil {
		b.Fatal(err)
	}
	big := bytes.Replace(raw, []byte("The trails are open."), bytes.Repeat([]byte("The trails are open and the huts are staffed.\r\n"), 80000), 1)
	b.SetBytes(int64(len(big)))
	for b.Loop() {
		if evs, err := ParseMessage(context.Background(), big, Limits{}); err != nil || len(evs) != 1 {
			b.Fatal(len(big), err)
		}
	}
}
