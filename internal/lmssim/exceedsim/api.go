package exceedsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Messages of the simulator's error bodies.
const (
	msgInvalidKey    = "Invalid API key"
	msgNotFound      = "User not found"
	msgNoRoute       = "Not found"
	msgCodeWithID    = "Code cannot be given with an id: it names the user to update"
	msgCodeMissing   = "Code can't be blank"
	msgBadDeletedAt  = "deleted_at is invalid: want YYYY-MM-DD"
	contentTypeJSON  = "application/json; charset=utf-8"
	usersPath        = "/api/v2/users"
	userPath         = usersPath + "/{id}"
	deletionsPath    = usersPath + "/deletions"
	maxErrorsInReply = 50
)

// A handler serves an authenticated API request with its parameters.
type handler func(w http.ResponseWriter, r *http.Request, p params)

// apiRoutes builds the mux of the API's paths.
func (s *Sim) apiRoutes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+usersPath, s.authed(s.list))
	mux.HandleFunc("POST "+usersPath, s.authed(s.handleCreate))
	mux.HandleFunc("PUT "+usersPath, s.authed(s.updateByCode))
	mux.HandleFunc("PATCH "+usersPath, s.authed(s.updateByCode))
	mux.HandleFunc("GET "+deletionsPath, s.authed(s.listDeletions))
	mux.HandleFunc("GET "+userPath, s.authed(s.read))
	mux.HandleFunc("PUT "+userPath, s.authed(s.updateByID))
	mux.HandleFunc("PATCH "+userPath, s.authed(s.updateByID))
	mux.HandleFunc("DELETE "+userPath, s.authed(s.delete))
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		s.answerErrors(w, http.StatusNotFound, msgNoRoute)
	})
	return mux
}

// authed reads the request's parameters and checks its api_key before h:
// 400 for an unreadable body, 401 for a missing or refused key.
func (s *Sim) authed(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := parseParams(r)
		if err != nil {
			s.answerErrors(w, http.StatusBadRequest, err.Error())
			return
		}
		if !s.accepts(p.top["api_key"]) {
			s.answerErrors(w, http.StatusUnauthorized, msgInvalidKey)
			return
		}
		h(w, r, p)
	}
}

// accepts reports whether key is a valid api_key.
func (s *Sim) accepts(key string) bool {
	if key == "" {
		return false
	}
	if len(s.keys) == 0 {
		return true
	}
	return s.keys[key]
}

// list serves GET /api/v2/users: filtered, paged, projected.
func (s *Sim) list(w http.ResponseWriter, _ *http.Request, p params) {
	filters, reasons := parseFilters(p)
	if len(reasons) > 0 {
		s.answerErrors(w, http.StatusUnprocessableEntity, reasons...)
		return
	}
	s.mu.Lock()
	var matched []map[string]any
	for _, u := range s.sorted() {
		if matchAll(u, filters) {
			matched = append(matched, project(u.wire(), p.top["fields"]))
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, pageOf(matched, pageNumber(p.top["page"]), s.pageSize))
}

// handleCreate serves POST /api/v2/users.
func (s *Sim) handleCreate(w http.ResponseWriter, _ *http.Request, p params) {
	s.mu.Lock()
	u, reasons := s.create(p)
	var created User
	if u != nil {
		created = u.clone()
	}
	s.mu.Unlock()
	if len(reasons) > 0 {
		s.answerErrors(w, http.StatusUnprocessableEntity, reasons...)
		return
	}
	w.Header().Set("Location", usersPath+"/"+strconv.FormatInt(created.ID, 10))
	s.answerUser(w, http.StatusCreated, &created)
}

// read serves GET /api/v2/users/{id}; user[code] overrides the id.
func (s *Sim) read(w http.ResponseWriter, r *http.Request, p params) {
	s.mu.Lock()
	u := s.lookup(r.PathValue("id"), p)
	var found User
	if u != nil {
		found = u.clone()
	}
	s.mu.Unlock()
	if u == nil {
		s.answerErrors(w, http.StatusNotFound, msgNotFound)
		return
	}
	s.answerUser(w, http.StatusOK, &found)
}

// lookup finds the user named by user[code] if given, else by id.
// The caller holds s.mu.
func (s *Sim) lookup(id string, p params) *User {
	if p.has("code") {
		return s.findBy("code", p.user["code"])
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return nil
	}
	return s.users[n]
}

// updateByID serves PUT /api/v2/users/{id}.
func (s *Sim) updateByID(w http.ResponseWriter, r *http.Request, p params) {
	if p.has("code") {
		s.answerErrors(w, http.StatusUnprocessableEntity, msgCodeWithID)
		return
	}
	s.updateFound(w, r.PathValue("id"), p)
}

// updateByCode serves PUT /api/v2/users, which names the user by user[code].
func (s *Sim) updateByCode(w http.ResponseWriter, _ *http.Request, p params) {
	if p.user["code"] == "" {
		s.answerErrors(w, http.StatusUnprocessableEntity, msgCodeMissing)
		return
	}
	s.updateFound(w, "", p)
}

// updateFound applies p to the user lookup finds: 200 with an empty body,
// 404 or 422.
func (s *Sim) updateFound(w http.ResponseWriter, id string, p params) {
	s.mu.Lock()
	u := s.lookup(id, p)
	var reasons []string
	if u != nil {
		reasons = s.update(u, p)
	}
	s.mu.Unlock()
	switch {
	case u == nil:
		s.answerErrors(w, http.StatusNotFound, msgNotFound)
	case len(reasons) > 0:
		s.answerErrors(w, http.StatusUnprocessableEntity, reasons...)
	default:
		w.WriteHeader(http.StatusOK)
	}
}

// delete serves DELETE /api/v2/users/{id}: 200 with an empty body, or 404.
func (s *Sim) delete(w http.ResponseWriter, r *http.Request, _ params) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	s.mu.Lock()
	ok := err == nil && s.remove(id)
	s.mu.Unlock()
	if !ok {
		s.answerErrors(w, http.StatusNotFound, msgNotFound)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// A deletionJSON is a deletion as the API writes it.
type deletionJSON struct {
	ID        int64   `json:"id"`
	AccountID int64   `json:"account_id"`
	Code      *string `json:"code"`
	DeletedAt string  `json:"deleted_at"`
}

// listDeletions serves GET /api/v2/users/deletions.
func (s *Sim) listDeletions(w http.ResponseWriter, _ *http.Request, p params) {
	var since time.Time
	if v := p.top["deleted_at"]; v != "" {
		t, err := time.Parse(dateLayout, v)
		if err != nil {
			s.answerErrors(w, http.StatusUnprocessableEntity, msgBadDeletedAt)
			return
		}
		since = t
	}
	var out []deletionJSON
	for _, d := range s.Deletions() {
		if !d.DeletedAt.Before(since) {
			out = append(out, toDeletionJSON(d))
		}
	}
	writeJSON(w, http.StatusOK, pageOf(out, pageNumber(p.top["page"]), s.pageSize))
}

// toDeletionJSON returns d as the API writes it.
func toDeletionJSON(d Deletion) deletionJSON {
	out := deletionJSON{ID: d.ID, AccountID: d.AccountID, DeletedAt: d.DeletedAt.Format(deletedAtLayout)}
	if d.Code != "" {
		out.Code = &d.Code
	}
	return out
}

// errorsBody is the body of every error answer: the document's list of reasons.
type errorsBody struct {
	Errors []string `json:"errors"`
}

// writeErrors answers status with the reasons.
func writeErrors(w http.ResponseWriter, status int, reasons ...string) {
	if len(reasons) > maxErrorsInReply {
		reasons = reasons[:maxErrorsInReply]
	}
	writeJSON(w, status, errorsBody{Errors: reasons})
}

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, fmt.Sprintf("encode response: %v", err), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentTypeJSON)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
