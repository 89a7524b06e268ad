package eleapsim

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
)

// The admin API's errors.
var (
	// ErrUnknownUser: no user has the email.
	ErrUnknownUser = errors.New("eLeaP simulator: no user with this email")
	// ErrUnknownCourse: no course has the id.
	ErrUnknownCourse = errors.New("eLeaP simulator: no course with this id")
	// ErrInvalidUser: the user would be invalid (no or bad email, duplicate email, bad access level).
	ErrInvalidUser = errors.New("eLeaP simulator: invalid user")
)

// Admin serves the admin API (see the package documentation); paths are
// relative to "/_sim/eleap".
func (s *Sim) Admin() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /state", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, s.State()) })
	mux.HandleFunc("POST /users", s.adminCreateUser)
	mux.HandleFunc("PATCH /users/{email}", s.adminPatchUser)
	mux.HandleFunc("DELETE /users/{email}", s.adminDeleteUser)
	mux.HandleFunc("POST /completions", s.adminComplete)
	mux.HandleFunc("POST /failures", s.adminFailure)
	return mux
}

// adminCreateUser serves POST /users.
func (s *Sim) adminCreateUser(w http.ResponseWriter, r *http.Request) {
	var p UserPatch
	if !decodeBody(w, r, &p) {
		return
	}
	u, err := s.CreateUser(p)
	writeAdmin(w, u, err)
}

// adminPatchUser serves PATCH /users/{email}.
func (s *Sim) adminPatchUser(w http.ResponseWriter, r *http.Request) {
	var p UserPatch
	if !decodeBody(w, r, &p) {
		return
	}
	u, err := s.PatchUser(r.PathValue("email"), p)
	writeAdmin(w, u, err)
}

// adminDeleteUser serves DELETE /users/{email}.
func (s *Sim) adminDeleteUser(w http.ResponseWriter, r *http.Request) {
	err := s.DeleteUser(r.PathValue("email"))
	writeAdmin(w, map[string]string{}, err)
}

// completionRequest is the body of POST /completions.
type completionRequest struct {
	Email    string   `json:"email"`
	CourseID string   `json:"courseId"`
	Percent  *int     `json:"percent"`
	Score    *float64 `json:"score"`
}

// adminComplete serves POST /completions; an absent percent means 100.
func (s *Sim) adminComplete(w http.ResponseWriter, r *http.Request) {
	var c completionRequest
	if !decodeBody(w, r, &c) {
		return
	}
	percent := 100
	if c.Percent != nil {
		percent = *c.Percent
	}
	writeAdmin(w, map[string]string{}, s.Complete(c.Email, c.CourseID, percent, c.Score))
}

// adminFailure serves POST /failures.
func (s *Sim) adminFailure(w http.ResponseWriter, r *http.Request) {
	var f Failure
	if !decodeBody(w, r, &f) {
		return
	}
	s.FailNext(f)
	writeAdmin(w, f, nil)
}

// decodeBody reads a JSON body into v, answering 400 when it cannot.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid JSON body: " + err.Error()})
		return false
	}
	return true
}

// writeAdmin answers v, or err with 404 (unknown user or course) or 400.
func writeAdmin(w http.ResponseWriter, v any, err error) {
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, v)
	case errors.Is(err, ErrUnknownUser), errors.Is(err, ErrUnknownCourse):
		writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
	default:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
	}
}

// State returns a copy of the whole state.
func (s *Sim) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := State{Users: s.users(), CustomFields: slices.Clone(s.customFields), EmailsSent: slices.Clone(s.st.emails)}
	for _, id := range sortedIDs(s.st.groups) {
		st.UserGroups = append(st.UserGroups, *s.st.groups[id])
		for _, uid := range sortedIDs(s.st.members[id]) {
			st.Memberships = append(st.Memberships, Membership{GroupID: id, UserID: uid, Email: s.st.users[uid].Email})
		}
	}
	for _, id := range sortedIDs(s.st.courses.items) {
		st.Courses = append(st.Courses, *s.st.courses.items[id].course)
	}
	for _, id := range sortedIDs(s.st.paths.items) {
		p := *s.st.paths.items[id].path
		p.Courses = slices.Clone(p.Courses)
		st.LearningPaths = append(st.LearningPaths, p)
	}
	st.Assignments = append(s.assignments(s.st.courses), s.assignments(s.st.paths)...)
	st.Completions = s.completions()
	return st
}

// assignments lists t's direct user and group assignments in id order.
func (s *Sim) assignments(t *training) []Assignment {
	var as []Assignment
	for _, id := range sortedIDs(t.items) {
		it := t.items[id]
		for _, uid := range sortedIDs(it.users) {
			as = append(as, Assignment{Target: t.kind, TargetID: id, UserID: uid, Email: s.st.users[uid].Email})
		}
		for _, gid := range sortedIDs(it.groups) {
			as = append(as, Assignment{Target: t.kind, TargetID: id, UserGroupID: gid})
		}
	}
	return as
}
