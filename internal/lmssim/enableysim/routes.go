package enableysim

import (
	"net/http"
)

// apiHandler serves one endpoint; the caller holds s.mu and has authorized
// the request. A nil body answers with no content.
type apiHandler func(r *http.Request) (status int, body any, err error)

// routes registers every simulated endpoint under its document path.
// The patterns double as endpoint names (Endpoint).
func (s *Sim) routes() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("POST /api/v1/token", s.handleToken)
	s.userRoutes(m)
	s.groupRoutes(m)
	s.channelRoutes(m)
	m.Handle("GET /api/v1/performance", s.api(s.performanceV1))
	m.Handle("GET /api/v2/performance", s.api(s.performanceV2))
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, fail(errNotFound, "No endpoint %s %s", r.Method, r.URL.Path))
	})
	return m
}

func (s *Sim) userRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /api/v3/users", s.v3Users)
	m.Handle("GET /api/v2/users", s.api(s.listUsersV2))
	m.Handle("PUT /api/v2/users", s.api(s.putUser))
	m.Handle("GET /api/v2/users/{id}", s.api(s.getUser))
	m.Handle("PUT /api/v2/users/{id}", s.api(s.setUserStatus))
	m.Handle("DELETE /api/v2/users/{id}", s.api(s.deleteUser))
	m.Handle("PUT /api/v2/users/identityManagement", s.api(s.renameUser))
	m.Handle("DELETE /api/v2/users/{id}/subAccountName/{subAccountName}", s.api(s.removeUserSubAccount))
	m.Handle("POST /api/v2/users/entitlements", s.api(s.addEntitlement))
	m.Handle("DELETE /api/v2/users/entitlements", s.api(s.removeEntitlement))
	m.Handle("GET /api/v1/users/{id}/groups", s.api(s.userGroups))
}

func (s *Sim) groupRoutes(m *http.ServeMux) {
	m.Handle("PUT /api/v1/groups", s.api(s.putGroup))
	m.Handle("GET /api/v1/groups/hierarchy", s.api(s.hierarchy))
	m.Handle("GET /api/v1/groups/list", s.api(s.listGroups))
	m.Handle("GET /api/v1/groups/{id}", s.api(s.getGroup))
	m.Handle("DELETE /api/v1/groups/{id}", s.api(s.deleteGroup))
	m.Handle("POST /api/v1/groups/{group}/users/{user}", s.api(s.addGroupUser))
	m.Handle("DELETE /api/v1/groups/{group}/users/{user}", s.api(s.removeGroupUser))
}

func (s *Sim) channelRoutes(m *http.ServeMux) {
	m.Handle("GET /api/v1/channels", s.api(s.listChannelsV1))
	m.Handle("GET /api/v3/channels", s.api(s.listChannelsV3))
	m.Handle("GET /api/v1/channels/{id}", s.api(s.getChannel))
	m.Handle("POST /api/v2/channels/{channel}/users/{user}", s.api(s.assignChannelUser))
	m.Handle("DELETE /api/v1/channels/{channel}/users/{user}", s.api(s.unassignChannelUser))
	m.Handle("POST /api/v1/channels/{channel}/groups/{group}", s.api(s.assignChannelGroup))
	m.Handle("DELETE /api/v1/channels/{channel}/groups/{group}", s.api(s.unassignChannelGroup))
	m.Handle("GET /api/v2/channels/channels/{channel}/members/count", s.api(s.channelMembersCount))
	m.Handle("POST /api/v4/channels/forceComplete/channel/{channel}/user/{user}", s.api(s.forceComplete))
}

// api wraps h with the lock, the Bearer token check and the response encoding.
func (s *Sim) api(h apiHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if err := s.authorize(r, s.IsWrite(r)); err != nil {
			writeError(w, err)
			return
		}
		status, body, err := h(r)
		if err != nil {
			writeError(w, err)
			return
		}
		if status == 0 {
			status = http.StatusOK
		}
		if body == nil {
			w.WriteHeader(status)
			return
		}
		writeJSON(w, status, body)
	})
}

// v3Users serves GET /api/v3/users, or 404 for the whole route when the
// account has it disabled.
func (s *Sim) v3Users(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	disabled := s.st.v3Disabled
	s.mu.Unlock()
	if disabled {
		writeError(w, fail(errNotFound, "No endpoint GET /api/v3/users"))
		return
	}
	s.api(s.listUsersV3).ServeHTTP(w, r)
}
