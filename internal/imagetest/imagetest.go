// Package imagetest makes image files for tests: hostile ones that would
// be costly to encode the ordinary way.
package imagetest

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"runtime"
	"syscall"
	"testing"
	"time"

	"golang.org/x/image/font/gofont/goregular"
)

// CraftPNG writes a valid w×h PNG of all-zero pixels chunk by chunk,
// streaming the rows through zlib, so a file whose pixels would fill
// gigabytes costs the test only its compressed size. colorType is 0 for
// 8-bit grey, 6 for 8-bit RGBA.
func CraftPNG(t testing.TB, w, h uint32, colorType byte) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		crc := crc32.NewIEEE()
		crc.Write([]byte(typ))
		crc.Write(data)
		binary.Write(&b, binary.BigEndian, crc.Sum32())
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, colorType
	chunk("IHDR", ihdr)
	bpp := uint64(1)
	if colorType == 6 {
		bpp = 4
	}
	var z bytes.Buffer
	zw, err := zlib.NewWriterLevel(&z, zlib.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	zeros := make([]byte, 1<<16)
	for range h {
		// Each row is a filter byte (0, none) and its pixels, all zero.
		for left := 1 + uint64(w)*bpp; left > 0; {
			n := min(left, uint64(len(zeros)))
			zw.Write(zeros[:n])
			left -= n
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	return b.Bytes()
}

// Allocated runs f and returns how many bytes it allocated in all
// (cumulative, so freed garbage counts too).
func Allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// HostileFont is Go Regular with its head table saying 1 unit per em:
// valid to the font parser, but every outline becomes thousands of ems.
func HostileFont(t testing.TB) []byte {
	t.Helper()
	f := append([]byte(nil), goregular.TTF...)
	n := int(binary.BigEndian.Uint16(f[4:]))
	for i := range n {
		rec := f[12+16*i:]
		if string(rec[:4]) == "head" {
			off := binary.BigEndian.Uint32(rec[8:])
			binary.BigEndian.PutUint16(f[off+18:], 1)
			return f
		}
	}
	t.Fatal("no head table")
	return nil
}

// CPUTime runs f and returns the CPU time the process spent meanwhile
// (user and system, every goroutine): unlike wall time, it does not grow
// when other work shares the machine.
func CPUTime(f func()) time.Duration {
	var before, after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	f()
	syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	return time.Duration(after.Utime.Nano()+after.Stime.Nano()) - time.Duration(before.Utime.Nano()+before.Stime.Nano())
}
