package lmssim

import (
	"encoding/json"
	"testing"
)

func TestOddFirstRecordChangesOneScalarFieldOfTheFirstRecord(t *testing.T) {
	cases := map[string]struct {
		body, want string
	}{
		"a bare list":          {`[{"id":1,"name":"a"},{"id":2,"name":"b"}]`, `[{"id":1,"name":{"odd":true}},{"id":2,"name":"b"}]`},
		"a list in an object":  {`{"items":[{"identifier":"u1","isActive":true}],"paginationKey":null}`, `{"items":[{"identifier":"u1","isActive":{"odd":true}}],"paginationKey":null}`},
		"objects are skipped":  {`{"users":[{"custom_fields":{},"email":"x"}]}`, `{"users":[{"custom_fields":{},"email":{"odd":true}}]}`},
		"no list is unchanged": {`{"response":{"status":"fail","code":4041}}`, `{"response":{"status":"fail","code":4041}}`},
		"an empty list":        {`[]`, `[]`},
		"ids only":             {`[{"id":1}]`, `[{"id":1}]`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := oddFirstRecord([]byte(tc.body))
			var g, w any
			if json.Unmarshal(got, &g) != nil || json.Unmarshal([]byte(tc.want), &w) != nil {
				t.Fatalf("oddFirstRecord = %s, not JSON", got)
			}
			gb, _ := json.Marshal(g)
			wb, _ := json.Marshal(w)
			if string(gb) != string(wb) {
				t.Errorf("oddFirstRecord(%s) = %s, want %s", tc.body, gb, wb)
			}
		})
	}
}

func TestTheOddRecordFaultIsInjectableByName(t *testing.T) {
	var f Fault
	if err := json.Unmarshal([]byte(`{"kind":"odd-record","endpoint":"users/"}`), &f); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if err := f.Validate(); err != nil || f.Kind != FaultOddRecord {
		t.Errorf("fault %+v: %v, want a valid odd-record fault", f, err)
	}
}
