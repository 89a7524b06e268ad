package exceedsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// msgNoCompletions answers POST /completions: the document has no enrollments.
const msgNoCompletions = "Exceed enrollments are not simulated: the users API document has none"

// adminRoutes builds the mux of the admin paths (after /_sim/exceed).
func (s *Sim) adminRoutes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /state", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, s.State())
	})
	mux.HandleFunc("POST /users", s.adminAdd)
	mux.HandleFunc("PATCH /users/{id}", s.adminPatch)
	mux.HandleFunc("DELETE /users/{id}", s.adminDelete)
	mux.HandleFunc("POST /completions", func(w http.ResponseWriter, _ *http.Request) {
		writeErrors(w, http.StatusNotImplemented, msgNoCompletions)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeErrors(w, http.StatusNotFound, msgNoRoute)
	})
	return mux
}

// adminAdd serves POST /users: a flat attribute object, validated as the
// API does (no password needed). 201 with the user, 400 or 422.
func (s *Sim) adminAdd(w http.ResponseWriter, r *http.Request) {
	var u User
	if err := decodeBody(r, &u); err != nil {
		writeErrors(w, http.StatusBadRequest, err.Error())
		return
	}
	added, err := s.AddUser(u)
	var verr *ValidationError
	switch {
	case errors.As(err, &verr):
		writeErrors(w, http.StatusUnprocessableEntity, verr.Reasons...)
	case err != nil:
		writeErrors(w, http.StatusBadRequest, err.Error())
	default:
		writeJSON(w, http.StatusCreated, added)
	}
}

// adminPatch serves PATCH /users/{id}: a JSON object of the attributes
// changed, applied without validation. 200 with the user, 400 or 404.
func (s *Sim) adminPatch(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeErrors(w, http.StatusNotFound, msgNotFound)
		return
	}
	var attrs map[string]any
	if err := decodeBody(r, &attrs); err != nil {
		writeErrors(w, http.StatusBadRequest, err.Error())
		return
	}
	u, err := s.PatchUser(id, attrs)
	switch {
	case errors.Is(err, ErrNotFound):
		writeErrors(w, http.StatusNotFound, msgNotFound)
	case err != nil:
		writeErrors(w, http.StatusBadRequest, err.Error())
	default:
		writeJSON(w, http.StatusOK, u)
	}
}

// adminDelete serves DELETE /users/{id}: 204, or 404.
func (s *Sim) adminDelete(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || !s.DeleteUser(id) {
		writeErrors(w, http.StatusNotFound, msgNotFound)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// decodeBody reads r's JSON body into v.
func decodeBody(r *http.Request, v any) error {
	b, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode body: %w", err)
	}
	return nil
}
