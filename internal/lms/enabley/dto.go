package enabley

import (
	"encoding/json"
	"errors"
	"fmt"
)

// tokenResponse is the document's TokenResponse.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	// ExpiresIn is the token's lifetime in milliseconds.
	ExpiresIn int64  `json:"expires_in"`
	TokenType string `json:"token_type"`
}

// errorResponse is the document's ErrorResponse.
type errorResponse struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// page is the document's PaginationResponse«T»; PaginationKey is null on
// the last page.
type page[T any] struct {
	Items         []T     `json:"items"`
	PageSize      int     `json:"pageSize"`
	CurrentPage   int     `json:"currentPage"`
	TotalPages    int64   `json:"totalPages"`
	PaginationKey *string `json:"paginationKey"`
}

// userInfo is the document's UserInfo.
type userInfo struct {
	Identifier          string         `json:"identifier"`
	Email               string         `json:"email"`
	FirstName           string         `json:"firstName"`
	LastName            string         `json:"lastName"`
	Username            string         `json:"username"`
	PossibleRoles       []string       `json:"possibleRoles"`
	IsActive            *bool          `json:"isActive"`
	UserSubAccountNames []string       `json:"userSubAccountNames"`
	CustomAttributes    map[string]any `json:"customAttributes"`
	Created             string         `json:"created"`
	Modified            string         `json:"modified"`
}

// userData is the document's UserData, the body of PUT /api/v2/users.
// Nil fields are left out, so that an update leaves them alone.
type userData struct {
	Identifier       string             `json:"identifier"`
	SubAccountName   string             `json:"subAccountName,omitempty"`
	FirstName        string             `json:"firstName"`
	LastName         string             `json:"lastName"`
	Email            string             `json:"email"`
	Username         *string            `json:"username,omitempty"`
	PossibleRoles    []string           `json:"possibleRoles,omitempty"`
	IsActive         bool               `json:"isActive"`
	CustomAttributes *map[string]string `json:"customAttributes,omitempty"`
}

// groupInfo is the document's GroupInfo.
type groupInfo struct {
	Identifier       string `json:"identifier"`
	Name             string `json:"name"`
	ParentIdentifier string `json:"parentIdentifier"`
	SubAccountName   string `json:"subAccountName"`
	Type             string `json:"type"`
	Created          string `json:"created"`
	Modified         string `json:"modified"`
}

// groupData is the document's GroupData, the body of PUT /api/v1/groups.
type groupData struct {
	Identifier       string `json:"identifier"`
	Name             string `json:"name"`
	ParentIdentifier string `json:"parentIdentifier,omitempty"`
	SubAccountName   string `json:"subAccountName,omitempty"`
	Type             string `json:"type"`
}

// channelInfo is the part of the document's ChannelInfo the operator reads.
type channelInfo struct {
	Identifier     string `json:"identifier"`
	Name           string `json:"name"`
	Type           string `json:"type"`
	SubAccountName string `json:"subAccountName"`
}

// performanceItem is the document's "External user channel performance".
// Numbers are read as float64 to tolerate a fractional score.
type performanceItem struct {
	ChannelName       string   `json:"channelName"`
	CompletionDate    *string  `json:"completionDate"`
	ExternalChannelID string   `json:"externalChannelId"`
	ExternalUserID    string   `json:"externalUserId"`
	Progress          float64  `json:"progress"`
	Score             *float64 `json:"score"`
}

// errEmptyAnswer is a success answer with no body where one is needed.
var errEmptyAnswer = errors.New("empty answer")

// decodeJSON reads b as a T.
func decodeJSON[T any](b []byte) (T, error) {
	var v T
	if len(b) == 0 {
		return v, errEmptyAnswer
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("decode %T: %w", v, err)
	}
	return v, nil
}

// decodeToken reads a TokenResponse; a token without access_token is malformed.
func decodeToken(b []byte) (tokenResponse, error) {
	t, err := decodeJSON[tokenResponse](b)
	if err == nil && t.AccessToken == "" {
		err = errors.New("token answer has no access_token")
	}
	return t, err
}

// decodeError reads an ErrorResponse; ok is false when b is not one.
func decodeError(b []byte) (errorResponse, bool) {
	e, err := decodeJSON[errorResponse](b)
	return e, err == nil && e.Error != ""
}

// decodeUserPage reads GET /api/v3/users, its items left raw.
func decodeUserPage(b []byte) (page[json.RawMessage], error) {
	return decodeJSON[page[json.RawMessage]](b)
}

// decodeUsers reads GET /api/v2/users, its items left raw.
func decodeUsers(b []byte) ([]json.RawMessage, error) { return decodeJSON[[]json.RawMessage](b) }

// decodeUser reads GET /api/v2/users/{id} and PUT /api/v2/users.
func decodeUser(b []byte) (userInfo, error) { return decodeJSON[userInfo](b) }

// decodeGroups reads GET /api/v1/groups/list and GET /api/v1/users/{id}/groups.
func decodeGroups(b []byte) ([]groupInfo, error) { return decodeJSON[[]groupInfo](b) }

// decodeGroup reads GET /api/v1/groups/{id}.
func decodeGroup(b []byte) (groupInfo, error) { return decodeJSON[groupInfo](b) }

// decodeHierarchy reads GET /api/v1/groups/hierarchy.
func decodeHierarchy(b []byte) ([]string, error) { return decodeJSON[[]string](b) }

// decodeChannelPage reads GET /api/v3/channels.
func decodeChannelPage(b []byte) (page[channelInfo], error) { return decodeJSON[page[channelInfo]](b) }

// decodeChannels reads GET /api/v1/channels.
func decodeChannels(b []byte) ([]channelInfo, error) { return decodeJSON[[]channelInfo](b) }

// decodePerformancePage reads GET /api/v2/performance.
func decodePerformancePage(b []byte) (page[performanceItem], error) {
	return decodeJSON[page[performanceItem]](b)
}
