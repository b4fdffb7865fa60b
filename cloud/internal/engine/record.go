package engine

import (
	"encoding/json"
	"fmt"

	"github.com/hrsync/hrsync/cloud/internal/expr"
	"github.com/hrsync/hrsync/cloud/internal/store"
)

// EncodeSource serialises flattened source attributes for staging. Strings
// stay strings, multi-valued attributes become arrays; nulls are omitted.
func EncodeSource(attrs map[string]expr.Value) ([]byte, error) {
	m := make(map[string]any, len(attrs))
	for k, v := range attrs {
		switch v.Kind() {
		case expr.KindNull:
		case expr.KindMulti:
			m[k] = v.Values()
		default:
			m[k] = v.AsString()
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode source record: %w", err)
	}
	return b, nil
}

// DecodeSource is the inverse of EncodeSource.
func DecodeSource(b []byte) (map[string]expr.Value, error) {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode source record: %w", err)
	}
	out := make(map[string]expr.Value, len(m))
	for k, v := range m {
		switch t := v.(type) {
		case string:
			out[k] = expr.String(t)
		case []any:
			ss := make([]string, 0, len(t))
			for _, e := range t {
				s, ok := e.(string)
				if !ok {
					return nil, fmt.Errorf("decode source record: attribute %q holds a %T", k, e)
				}
				ss = append(ss, s)
			}
			out[k] = expr.Multi(ss)
		default:
			return nil, fmt.Errorf("decode source record: attribute %q holds a %T", k, v)
		}
	}
	return out, nil
}

// BatchUploadID names batch n of a pull cycle's records.
func BatchUploadID(cycleID string, n int) string { return fmt.Sprintf("%s.%d", cycleID, n) }

// cycleOf is the cycle a record is logged under: its pull cycle, or its
// upload for an API-driven upload.
func cycleOf(rec store.StagedRecord) string {
	if rec.CycleID != "" {
		return rec.CycleID
	}
	return rec.UploadID
}
