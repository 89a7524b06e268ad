package lms

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// record is a list record as a vendor document describes one.
type record struct {
	ID       string   `json:"identifier"`
	IsActive *bool    `json:"isActive"`
	Roles    []string `json:"possibleRoles"`
	Count    int      `json:"count"`
}

func TestDecodeRecordsSkipsWhatCannotBeReadWithItsReason(t *testing.T) {
	cases := map[string]struct {
		raw, id, reason string
	}{
		"a string where a boolean":  {`{"identifier":"u1","isActive":"s3cret"}`, "u1", `field "isActive": a string where a boolean was expected`},
		"an object where a number":  {`{"identifier":7,"count":{"pw":"s3cret"}}`, "7", `field "count": an object where a number was expected`},
		"a number inside an array":  {`{"possibleRoles":["LEARNER",5]}`, "", `field "possibleRoles": a number where a string was expected`},
		"not an object":             {`["s3cret"]`, "", `the record is an array where an object was expected`},
		"refused by the vendor":     {`{"identifier":"u2"}`, "u2", `the user has no email`},
		"a field error to complete": {`{"identifier":"u3","isActive":"s3cret"}`, "u3", `field "isActive": a string where a boolean was expected`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			decode := func(raw json.RawMessage) (record, error) {
				r, err := DecodeRecord[record](raw)
				switch {
				case err != nil || r.ID == "ok":
					return r, err
				case name == "refused by the vendor":
					return r, &RecordError{Reason: "the user has no email"}
				case name == "a field error to complete":
					return r, errors.Join(errors.New("s3cret"), &RecordError{Field: "isActive", Want: "a boolean"})
				}
				return r, nil
			}
			good := json.RawMessage(`{"identifier":"ok","isActive":true}`)
			got, skipped := DecodeRecords([]json.RawMessage{json.RawMessage(tc.raw), good}, "identifier", decode)
			if len(got) != 1 || got[0].ID != "ok" {
				t.Errorf("decoded %+v, want the good record alone", got)
			}
			if len(skipped) != 1 || skipped[0] != (SkippedRecord{ID: tc.id, Reason: tc.reason}) {
				t.Fatalf("skipped %+v, want [{%s %s}]", skipped, tc.id, tc.reason)
			}
			if strings.Contains(skipped[0].Reason, "s3cret") {
				t.Errorf("the reason %q quotes a value of the record", skipped[0].Reason)
			}
		})
	}
}

func TestRecordIDReadsOnlyAStringOrANumber(t *testing.T) {
	cases := map[string]string{
		`{"id":" 42 "}`:  "42",
		`{"id":42}`:      "42",
		`{"id":{"x":1}}`: "",
		`{"other":"1"}`:  "",
		`{"id":"` + strings.Repeat("x", maxRecordID+1) + `"}`: "",
	}
	for raw, want := range cases {
		if got := RecordID(json.RawMessage(raw), "id"); got != want {
			t.Errorf("RecordID(%.30s) = %q, want %q", raw, got, want)
		}
	}
}
