package csvfeed

import (
	"errors"
	"testing"
	"time"
)

// FuzzParse feeds arbitrary bytes through both passes of the parser and
// checks that it never panics, that every rejection is a *FileError, that
// both passes agree, and that good rows have a key and no empty values.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"id,name,hired,state,zone\n1,Ann,2026-01-05,active,Europe/Oslo\n2,\"B\no\",x,?,\n",
		"\xef\xbb\xbfid,name\r\n1,Søren\r\n\r\n",
		"id,name\n1,\"unterminated\n",
		"id,id\n",
		"PK\x03\x04",
		"id\n1\n1\n",
		",,,\n,,,\n",
		"id;name\n1;a\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := newParser(Config{Key: "id", Dates: map[string]string{"hired": "yyyy-MM-dd"}, TimeZoneColumn: "zone",
			Leavers: &Leavers{Column: "state", LastDayColumn: "hired"}})
		if err != nil {
			t.Fatal(err)
		}
		text, err := p.decode("f.csv", data)
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("decode error is not a *FileError: %T %v", err, err)
			}
			return
		}
		var first []int
		err = p.scan("f.csv", text, func(r row, ok bool) error {
			if r.line < 2 {
				t.Fatalf("data row on line %d", r.line)
			}
			if ok {
				first = append(first, r.line)
				if r.key == "" {
					t.Fatal("good row without a key")
				}
				rec := p.record(r, time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC))
				for k, v := range rec.Attributes {
					if v.AsString() == "" {
						t.Fatalf("attribute %q is empty", k)
					}
				}
			}
			return nil
		})
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("scan error is not a *FileError: %T %v", err, err)
			}
			return
		}
		for _, pr := range p.problems {
			if pr.Line < 2 || pr.Message == "" {
				t.Fatalf("problem without a place or a message: %+v", pr)
			}
		}
		var second []int
		if err := p.scan("f.csv", text, func(r row, ok bool) error {
			if ok {
				second = append(second, r.line)
			}
			return nil
		}); err != nil {
			t.Fatalf("second pass failed where the first passed: %v", err)
		}
		if len(first) != len(second) {
			t.Fatalf("passes disagree: %v vs %v", first, second)
		}
	})
}
