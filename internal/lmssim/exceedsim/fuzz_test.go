package exceedsim

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzCreateBody sends arbitrary bodies to POST /api/v2/users: the
// simulator must answer one of its documented statuses, never panic.
func FuzzCreateBody(f *testing.F) {
	for _, s := range []string{
		`{"user": {"first_name": "tim", "last_name": "tim", "login": "tim", "password": "tim"}}`,
		`{"api_key": "123456", "fields":"id,first_name","user": {"created_on": "2010-01-01,2015-01-01"}}`,
		`{"user": {"hired_on": "not a date", "manager_id": "x", "is_active": "maybe"}}`,
		`{"user": [1, 2]}`, `{"user": {"first_name": {"a": 1}}}`, `[]`, `null`, `{`,
	} {
		f.Add(s, "application/json")
	}
	f.Add("user%5Bfirst_name%5D=tim&user%5Blogin%5D=tim", "application/x-www-form-urlencoded")
	f.Fuzz(func(t *testing.T, body, contentType string) {
		s := New(Seed{APIKeys: []string{"123456"}})
		r := httptest.NewRequest(http.MethodPost, "/api/v2/users?api_key=123456", strings.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		switch w.Code {
		case http.StatusCreated, http.StatusBadRequest, http.StatusUnauthorized, http.StatusUnprocessableEntity:
		default:
			t.Errorf("status %d for body %q", w.Code, body)
		}
	})
}
