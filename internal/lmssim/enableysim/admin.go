package enableysim

import (
	"errors"
	"net/http"
	"strings"
)

// adminRoutes registers the admin endpoints (see Admin).
func (s *Sim) adminRoutes() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("GET /state", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, s.State())
	})
	m.HandleFunc("POST /users", adminBody(func(_ *http.Request, u User) error { return s.AddUser(u) }))
	m.HandleFunc("PATCH /users/{id}", adminBody(func(r *http.Request, p UserPatch) error {
		return s.PatchUser(r.PathValue("id"), p)
	}))
	m.HandleFunc("DELETE /users/{id}", func(w http.ResponseWriter, r *http.Request) {
		adminReply(w, s.DeleteUser(r.PathValue("id")))
	})
	m.HandleFunc("POST /completions", adminBody(func(_ *http.Request, c Completion) error { return s.Complete(c) }))
	m.HandleFunc("POST /expire-tokens", func(w http.ResponseWriter, _ *http.Request) {
		s.ExpireTokens()
		w.WriteHeader(http.StatusNoContent)
	})
	m.HandleFunc("POST /faults", adminBody(func(_ *http.Request, f Fault) error {
		s.InjectFault(f)
		return nil
	}))
	return m
}

// adminBody decodes the JSON body into a T and calls fn with it.
func adminBody[T any](fn func(*http.Request, T) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var v T
		if err := decodeBody(r, &v); err != nil {
			adminReply(w, err)
			return
		}
		adminReply(w, fn(r, v))
	}
}

// adminReply answers 204, or the error as {"error": ...} with 404 for a
// missing object, 409 for a duplicate and 400 otherwise.
func adminReply(w http.ResponseWriter, err error) {
	if err == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	status := http.StatusBadRequest
	var ae *apiError
	if errors.As(err, &ae) {
		switch ae.Code {
		case errItemNotExists:
			status = http.StatusNotFound
		case errItemExists:
			status = http.StatusConflict
		}
	}
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

// State returns a copy of the whole state.
func (s *Sim) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.snapshot()
}

// Users returns copies of every user, in creation order.
func (s *Sim) Users() []User { return s.State().Users }

// User returns a copy of the user with identifier id.
func (s *Sim) User(id string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.st.users[id]
	if !ok {
		return User{}, false
	}
	return cloneUser(*u), true
}

// Groups returns copies of every group with its members, in creation order.
func (s *Sim) Groups() []Group { return s.State().Groups }

// Group returns a copy of the group with identifier id, with its members.
func (s *Sim) Group(id string) (Group, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.st.groups[id]
	if !ok {
		return Group{}, false
	}
	return s.st.groupCopy(g), true
}

// Channel returns a copy of the channel with identifier id, with its assignments.
func (s *Sim) Channel(id string) (Channel, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.st.channels[id]
	if !ok {
		return Channel{}, false
	}
	return cloneChannel(*c), true
}

// Progress returns the recorded progress of user in channel.
func (s *Sim) Progress(user, channel string) (Completion, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.st.progress[progressKey{user, channel}]
	if !ok {
		return Completion{}, false
	}
	return *p, true
}

// AddUser adds u as if created in the Enabley UI. Timestamps default to now.
func (s *Sim) AddUser(u User) error {
	if strings.TrimSpace(u.Identifier) == "" {
		return fail(errInvalidRequest, "identifier is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.st.users[u.Identifier]; ok {
		return fail(errItemExists, "User with identifier %q already exists", u.Identifier)
	}
	u = cloneUser(u)
	now := s.now()
	stamp(&u.Created, now)
	stamp(&u.Modified, now)
	s.st.putUser(&u)
	return nil
}

// PatchUser changes the user's fields set in p, as if edited in the Enabley
// UI behind the operator's back.
func (s *Sim) PatchUser(id string, p UserPatch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.st.user(id)
	if err != nil {
		return err
	}
	p.apply(u)
	u.Modified = s.now()
	return nil
}

// DeleteUser removes the user as if deleted in the Enabley UI.
func (s *Sim) DeleteUser(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.st.user(id); err != nil {
		return err
	}
	s.st.removeUser(id)
	return nil
}

// Complete records c.User's progress in c.Channel (the user must be a
// learner of the channel, directly or through a group). Percent 100 marks
// the channel completed at c.CompletedAt, or now.
func (s *Sim) Complete(c Completion) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.complete(c, s.now())
}
