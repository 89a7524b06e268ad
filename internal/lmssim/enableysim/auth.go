package enableysim

import (
	"crypto/rand"
	"net/http"
	"strings"
)

// tokenResponse is the document's TokenResponse.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	// ExpiresIn is the token's lifetime in milliseconds.
	ExpiresIn int64  `json:"expires_in"`
	TokenType string `json:"token_type"`
}

// handleToken serves POST /api/v1/token?clientKey=&secret=.
func (s *Sim) handleToken(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	key, secret := q.Get("clientKey"), q.Get("secret")
	if key == "" || secret == "" {
		writeError(w, fail(errInvalidRequest, "clientKey and secret are required"))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.st.client(key, secret)
	if !ok {
		writeError(w, fail(errInvalidClient, "Bad client credentials"))
		return
	}
	tok := rand.Text()
	s.st.tokens[tok] = token{expires: s.now().Add(s.st.tokenTTL), readOnly: c.ReadOnly}
	writeJSON(w, http.StatusOK, tokenResponse{
		AccessToken: tok,
		ExpiresIn:   s.st.tokenTTL.Milliseconds(),
		TokenType:   "bearer",
	})
}

// client finds the credential with key and secret.
func (st *state) client(key, secret string) (ClientCredential, bool) {
	for _, c := range st.clients {
		if c.ClientKey == key && c.Secret == secret {
			return c, true
		}
	}
	return ClientCredential{}, false
}

// authorize checks r's Bearer token; it answers invalid_client for a
// missing, unknown or expired token and access_denied for a write by a
// read-only client. Callers hold s.mu.
func (s *Sim) authorize(r *http.Request, write bool) error {
	raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || raw == "" {
		return fail(errInvalidClient, "Full authentication is required to access this resource")
	}
	t, ok := s.st.tokens[raw]
	if !ok {
		return fail(errInvalidClient, "Invalid access token")
	}
	if !s.now().Before(t.expires) {
		return fail(errInvalidClient, "Access token expired")
	}
	if write && t.readOnly {
		return fail(errAccessDenied, "Access is denied")
	}
	return nil
}

// ExpireTokens expires every access token issued so far, so that the next
// call with one answers 401 and the client must fetch a new token.
func (s *Sim) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for k, t := range s.st.tokens {
		t.expires = now
		s.st.tokens[k] = t
	}
}

// TokensIssued returns how many access tokens the simulator has issued.
func (s *Sim) TokensIssued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.st.tokens)
}
