package eleapsim

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// A handler serves one API endpoint with the Sim's mutex held. It returns the
// answer's fields besides "response", or the failure to answer.
type handler func(f form) (map[string]any, *apiError)

// A Sim is a simulated eLeaP company account. It is safe for concurrent use.
type Sim struct {
	// Now returns the current time, for created timestamps, completions and
	// users/recent_completions. New sets time.Now; tests may replace it
	// before serving.
	Now func() time.Time

	mu              sync.Mutex
	tokens          map[string]bool
	forbidden       map[string]bool
	customFields    []string
	httpErrorStatus bool
	// omitActive, omitCustomFields and addAnswer follow the seed's
	// UserActive, UserCustomFields and AddUserAnswer.
	omitActive       bool
	omitCustomFields bool
	addAnswer        string
	st               *store
	failures         []Failure
	routes           map[string]handler
}

// New returns a simulator holding seed's data. Entries of seed that name what
// does not exist are skipped (see Seed.Validate).
func New(seed Seed) *Sim {
	s := &Sim{
		Now:              time.Now,
		tokens:           setOf(seed.APITokens),
		forbidden:        setOf(seed.ForbiddenTokens),
		customFields:     slices.Clone(seed.CustomFields),
		httpErrorStatus:  seed.HTTPErrorStatus,
		omitActive:       !seed.UserActive,
		omitCustomFields: !seed.UserCustomFields,
		addAnswer:        seed.AddUserAnswer,
		st:               newStore(),
	}
	s.st.load(seed)
	s.routes = s.routeTable()
	return s
}

// Name returns "eleap".
func (s *Sim) Name() string { return "eleap" }

// routeTable maps each modelled endpoint to its handler.
func (s *Sim) routeTable() map[string]handler {
	return map[string]handler{
		"users/":                              s.listUsers,
		"users/get":                           s.getUser,
		"users/find":                          s.findUser,
		"users/add":                           s.addUser,
		"users/edit":                          s.editUser,
		"users/remove":                        s.removeUser,
		"users/activate":                      s.setActive(true),
		"users/deactivate":                    s.setActive(false),
		"users/recent_completions":            s.recentCompletions,
		"users/activity":                      s.activity,
		"users/custom_fields":                 s.listCustomFields,
		"usergroups/":                         s.listGroups,
		"usergroups/find":                     s.findGroup,
		"usergroups/assigned_users":           s.groupUsers,
		"usergroups/add":                      s.addGroup,
		"usergroups/edit":                     s.editGroup,
		"usergroups/remove":                   s.removeGroup,
		"usergroups/assign_user":              s.assignGroupUser,
		"usergroups/unassign_user":            s.unassignGroupUser,
		"courses/":                            s.listTraining(s.st.courses),
		"courses/find":                        s.findTraining(s.st.courses),
		"courses/assigned_users":              s.trainingUsers(s.st.courses),
		"courses/assigned_user_groups":        s.trainingGroups(s.st.courses),
		"courses/assign_user":                 s.assignUser(s.st.courses),
		"courses/unassign_user":               s.unassignUser(s.st.courses),
		"courses/assign_user_group":           s.assignGroup(s.st.courses),
		"courses/unassign_user_group":         s.unassignGroup(s.st.courses),
		"learning_paths/":                     s.listTraining(s.st.paths),
		"learning_paths/find":                 s.findTraining(s.st.paths),
		"learning_paths/assigned_users":       s.trainingUsers(s.st.paths),
		"learning_paths/assigned_user_groups": s.trainingGroups(s.st.paths),
		"learning_paths/assigned_courses":     s.pathCourses,
		"learning_paths/assign_user":          s.assignUser(s.st.paths),
		"learning_paths/unassign_user":        s.unassignUser(s.st.paths),
		"learning_paths/assign_user_group":    s.assignGroup(s.st.paths),
		"learning_paths/unassign_user_group":  s.unassignGroup(s.st.paths),
	}
}

// unmodelled reports whether ep is documented but not modelled.
func unmodelled(ep string) bool {
	switch ep {
	case "users/reset_password", "users/export_activity", "users/regenerate_activity",
		"users/export_certificate", "learning_paths/add", "learning_paths/edit",
		"learning_paths/remove", "learning_paths/assign_course", "learning_paths/unassign_course",
		"lessons/attach_file", "lessons/delete_file", "lessons/download_file":
		return true
	}
	return false
}

// ServeHTTP serves the eLeaP API under /api/.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ep := endpointOf(r.URL.Path)
	if f, ok := s.takeFailure(ep); ok {
		s.writeFailure(w, f)
		return
	}
	h, ok := s.routes[ep]
	if !ok || (r.Method != http.MethodGet && r.Method != http.MethodPost) {
		s.writeFail(w, invalidCall(ep))
		return
	}
	if err := parseArgs(r); err != nil {
		s.writeFail(w, fail(codeCustom, msgBadBody))
		return
	}
	payload, e := s.serve(h, r.Form)
	if e != nil {
		s.writeFail(w, e)
		return
	}
	writeSuccess(w, payload)
}

// maxMultipart bounds the memory of a multipart body's parsing.
const maxMultipart = 1 << 20

// parseArgs reads the query and a form-encoded or multipart body into r.Form.
func parseArgs(r *http.Request) error {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return r.ParseMultipartForm(maxMultipart)
	}
	return r.ParseForm()
}

// serve authorizes the call and runs h with the mutex held.
func (s *Sim) serve(h handler, values map[string][]string) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := form{values}
	if e := s.authorize(f.get("api_token")); e != nil {
		return nil, e
	}
	return h(f)
}

// authorize checks the api_token.
func (s *Sim) authorize(token string) *apiError {
	switch {
	case token == "":
		return fail(codeMissingToken, msgMissingToken)
	case s.forbidden[token]:
		return fail(codeForbidden, msgForbidden)
	case !s.tokens[token]:
		return fail(codeInvalidToken, msgInvalidToken)
	}
	return nil
}

// invalidCall is the 404 failure for a path that is not an endpoint.
func invalidCall(ep string) *apiError {
	if unmodelled(ep) {
		return fail(codeInvalidCall, msgInvalidCall+": "+ep+" is documented but not modelled by the eLeaP simulator")
	}
	return fail(codeInvalidCall, msgInvalidCall)
}

// Endpoint names the endpoint r calls, such as "users/add" or "usergroups/"
// (lists keep their trailing slash), or "invalid" when r calls no endpoint.
func (s *Sim) Endpoint(r *http.Request) string {
	ep := endpointOf(r.URL.Path)
	if _, ok := s.routes[ep]; ok || unmodelled(ep) {
		return ep
	}
	return "invalid"
}

// IsWrite reports whether r calls an endpoint that changes state: add, edit,
// remove, activate, deactivate, assign_*, unassign_* and the like.
func (s *Sim) IsWrite(r *http.Request) bool {
	ep := endpointOf(r.URL.Path)
	_, verb, _ := strings.Cut(ep, "/")
	switch verb {
	case "add", "edit", "remove", "activate", "deactivate", "reset_password",
		"regenerate_activity", "attach_file", "delete_file":
		return true
	}
	return strings.HasPrefix(verb, "assign_") || strings.HasPrefix(verb, "unassign_")
}

// endpointOf turns "/api/users/add" into "users/add" and "/api/users" or
// "/api/users/" into "users/"; it returns "" for other paths.
func endpointOf(path string) string {
	rest, ok := strings.CutPrefix(path, "/api/")
	if !ok {
		return ""
	}
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	switch {
	case len(parts) == 1 && parts[0] != "":
		return parts[0] + "/"
	case len(parts) == 2:
		return parts[0] + "/" + parts[1]
	}
	return ""
}

// setOf returns the set of non-empty strings in xs.
func setOf(xs []string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		if x != "" {
			m[x] = true
		}
	}
	return m
}
