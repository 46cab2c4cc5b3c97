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

// CraftPNG writes a valid w×h PNG of all-zero pixels, streaming the
// rows through zlib, so a file whose pixels would fill gigabytes costs
// the test only its compressed size. colorType is 0 for 8-bit grey, 6
// for 8-bit RGBA.
func CraftPNG(t testing.TB, w, h uint32, colorType byte) []byte {
	t.Helper()
	bpp := int64(1)
	if colorType == 6 {
		bpp = 4
	}
	// Each row is a filter byte (0, none) and its pixels, all zero.
	return PNG(w, h, 8, colorType, int64(h)*(1+int64(w)*bpp))
}

// PNG writes a PNG whose header says w×h pixels of the bit depth and
// colour type given, then the extra chunks (type, data), then image
// data of rawBytes zero bytes compressed as it goes: a 40,000,000×1
// picture costs a few kilobytes, not 40 MB. With rawBytes < 0 the image
// data and the end chunk are left out.
func PNG(w, h uint32, depth, colorType byte, rawBytes int64, extra ...[2]string) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = depth, colorType
	Chunk(&b, "IHDR", ihdr)
	for _, e := range extra {
		Chunk(&b, e[0], []byte(e[1]))
	}
	if rawBytes >= 0 {
		var z bytes.Buffer
		zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
		zero := make([]byte, 1<<20)
		for left := rawBytes; left > 0; left -= int64(len(zero)) {
			zw.Write(zero[:min(left, int64(len(zero)))])
		}
		zw.Close()
		Chunk(&b, "IDAT", z.Bytes())
		Chunk(&b, "IEND", nil)
	}
	return b.Bytes()
}

// Chunk appends one PNG chunk, with its length and CRC.
func Chunk(b *bytes.Buffer, typ string, data []byte) {
	binary.Write(b, binary.BigEndian, uint32(len(data)))
	b.WriteString(typ)
	b.Write(data)
	binary.Write(b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
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
