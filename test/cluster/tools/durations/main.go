// Writes test/fixtures/go-durations.json: what Go's time.ParseDuration and Duration.String() make
// of hand-picked and seeded-random inputs, so Go, not our reading of it, judges src/api/duration.ts.
//
//	cd test/cluster/tools && go run ./durations > ../../fixtures/go-durations.json
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"os"
	"runtime"
	"time"
)

type parseCase struct {
	In     string  `json:"in"`
	Ns     *string `json:"ns,omitempty"`
	String *string `json:"string,omitempty"`
	Error  bool    `json:"error,omitempty"`
}

type formatCase struct {
	Ns     string `json:"ns"`
	String string `json:"string"`
}

func main() {
	inputs := []string{
		"0", "+0", "-0", "", "-", "+", "0s", "1ns", "0.5ns", "0.9ns", "1.9ns", "1.5h", "1h30m", "90s", "15m", "30m", "30m0s",
		"1h", "1h-5m", "+5m", "-5m", "-1.5h", "5", "5 m", " 5m", "5m ", "1us", "1µs", "1μs", "1.5us", "1ms", "1.0000000001s",
		"1.0000000009s", ".5s", "5.s", ".s", ".", "1e3s", "1m1h", "1h1h", "1s500ms", "2562047h47m16.854775807s",
		"2562047h47m16.854775808s", "-2562047h47m16.854775808s", "-2562047h47m16.854775809s", "9223372036854775807ns",
		"9223372036854775808ns", "-9223372036854775808ns", "-9223372036854775809ns", "2562048h", "2562047h", "9223372036854775807", "0.0000000001s",
		"3000000h", "1.123456789123456789s", "100000000000000000000ns", "0.000000000000000000001h", "1H", "1S", "1d", "1y",
		"00001s", "0x10s", "1_000s", "1,5s", "1h 30m", "1m0.5s", "0.1m", "0.01h", "2.5ms", "1.001us", "0001.0010s",
		"9223372036.854775807s", "9223372036.854775808s", "153722867m", "153722868m", "5124095576030431ns", "1.5e3s", "∞", "NaN", "Inf",
		"10000000000000000000000000000000000000000s", "0.00000000000000000000000000000000000000001s", "1m30s", "1h0m0s", "72h3m0.5s",
		"--5m", "+-5m", "-+5m", "1.h", "1..5h", "ns", "h", "0h", "0.000ns", "-0.5ns", "-0.9ns",
	}
	// Seeded random inputs over the grammar, so the table covers more than hand-picked cases.
	r := rand.New(rand.NewSource(12))
	units := []string{"ns", "us", "µs", "μs", "ms", "s", "m", "h"}
	digits := func(max int) string {
		n := 1 + r.Intn(max)
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + r.Intn(10))
		}
		return string(b)
	}
	for i := 0; i < 300; i++ {
		s := ""
		switch r.Intn(4) {
		case 0:
			s = "-"
		case 1:
			s = "+"
		}
		parts := 1 + r.Intn(3)
		for p := 0; p < parts; p++ {
			max := []int{2, 4, 12, 21}[r.Intn(4)]
			s += digits(max)
			if r.Intn(3) == 0 {
				s += "." + digits([]int{3, 9, 25}[r.Intn(3)])
			}
			s += units[r.Intn(len(units))]
		}
		inputs = append(inputs, s)
	}
	var parse []parseCase
	for _, in := range inputs {
		d, err := time.ParseDuration(in)
		c := parseCase{In: in}
		if err != nil {
			c.Error = true
		} else {
			ns := fmt.Sprint(int64(d))
			s := d.String()
			c.Ns, c.String = &ns, &s
		}
		parse = append(parse, c)
	}
	nsValues := []int64{0, 1, -1, 999, 1000, 1001, 999999, 1000000, 1500000, 999999999, 1000000000, 1500000000, 59999999999, 60000000000,
		90000000000, 3600000000000, 5400000000000, 1800000000000, 86400000000000, 100 * 3600000000000, math.MaxInt64, math.MinInt64,
		math.MinInt64 + 1, -90000000000, 1000000001, 60000000001, 3600000000001, 123456789, 12345678912345,
	}
	var format []formatCase
	for _, ns := range nsValues {
		format = append(format, formatCase{Ns: fmt.Sprint(ns), String: time.Duration(ns).String()})
	}
	out := map[string]interface{}{
		"generatedBy": "go run (time.ParseDuration and time.Duration.String) with " + runtime.Version(),
		"parse":       parse,
		"format":      format,
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		panic(err)
	}
}
