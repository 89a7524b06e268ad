package exceedsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// maxBody bounds the request bodies the simulator reads.
const maxBody = 1 << 20

// params are a request's parameters, merged from the query string and the
// body as Rails merges them: the body wins.
type params struct {
	// top holds api_key, page, fields and deleted_at.
	top map[string]string
	// user holds the user[attr] parameters by attribute name.
	user map[string]string
}

// has reports whether the user[name] parameter was given.
func (p params) has(name string) bool {
	_, ok := p.user[name]
	return ok
}

// parseParams reads r's parameters from its query string and from a JSON or
// form-encoded body.
func parseParams(r *http.Request) (params, error) {
	p := params{top: map[string]string{}, user: map[string]string{}}
	p.addValues(r.URL.Query())
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return p, fmt.Errorf("read body: %w", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return p, nil
	}
	if isForm(r) {
		values, err := url.ParseQuery(string(body))
		if err != nil {
			return p, fmt.Errorf("malformed form body: %w", err)
		}
		p.addValues(values)
		return p, nil
	}
	return p, p.addJSON(body)
}

// isForm reports whether r's body is form-encoded; any other body is read as JSON.
func isForm(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/x-www-form-urlencoded"
}

// addValues adds query or form parameters: top-level names and user[attr].
func (p params) addValues(values url.Values) {
	for key, vs := range values {
		if len(vs) == 0 {
			continue
		}
		v := vs[len(vs)-1]
		if name, ok := userParamName(key); ok {
			p.user[name] = v
		} else {
			p.top[key] = v
		}
	}
}

// userParamName returns attr for a parameter named user[attr].
func userParamName(key string) (string, bool) {
	key = strings.ReplaceAll(key, " ", "")
	if strings.HasPrefix(key, "user[") && strings.HasSuffix(key, "]") && len(key) > len("user[]") {
		return key[len("user[") : len(key)-1], true
	}
	return "", false
}

// addJSON adds the parameters of a JSON object body: top-level scalars and
// the "user" object's scalars. fields may also be an array of names.
func (p params) addJSON(body []byte) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return fmt.Errorf("malformed JSON body: %w", err)
	}
	for key, msg := range obj {
		if err := p.addJSONValue(key, msg); err != nil {
			return err
		}
	}
	return nil
}

// addJSONValue adds one member of a JSON object body.
func (p params) addJSONValue(key string, msg json.RawMessage) error {
	switch key {
	case "user":
		return p.addJSONUser(msg)
	case "fields":
		var names []string
		if json.Unmarshal(msg, &names) == nil {
			p.top[key] = strings.Join(names, ",")
			return nil
		}
	}
	s, err := scalarString(msg)
	if err != nil {
		return fmt.Errorf("malformed JSON body: %s: %w", key, err)
	}
	p.top[key] = s
	return nil
}

// addJSONUser adds the members of the "user" object of a JSON body.
func (p params) addJSONUser(msg json.RawMessage) error {
	var user map[string]json.RawMessage
	if err := json.Unmarshal(msg, &user); err != nil {
		return fmt.Errorf("malformed JSON body: user is not an object: %w", err)
	}
	for name, v := range user {
		s, err := scalarString(v)
		if err != nil {
			return fmt.Errorf("malformed JSON body: user.%s: %w", name, err)
		}
		p.user[name] = s
	}
	return nil
}
