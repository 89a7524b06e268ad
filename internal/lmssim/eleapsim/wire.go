package eleapsim

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// timeLayout is eLeaP's timestamp format ("2011-01-31 09:41:30").
const timeLayout = "2006-01-02 15:04:05"

// wireUser is a user as the API answers it; Active and CustomFields are
// left out when nil (unless Seed.UserActive, Seed.UserCustomFields).
type wireUser struct {
	ID           string `json:"id"`
	AccessLevel  int    `json:"access_level"`
	FirstName    string `json:"first_name"`
	MiddleName   string `json:"middle_name"`
	LastName     string `json:"last_name"`
	Email        string `json:"email"`
	Description  string `json:"description"`
	Active       *int   `json:"active,omitempty"`
	CustomFields any    `json:"custom_fields,omitempty"`
	Created      string `json:"created"`
}

// wireUser converts u as the seed says user answers look: empty custom
// fields become [] as PHP encodes them.
func (s *Sim) wireUser(u *User) wireUser {
	w := wireUser{
		ID: u.ID, AccessLevel: u.AccessLevel, FirstName: u.FirstName, MiddleName: u.MiddleName,
		LastName: u.LastName, Email: u.Email, Description: u.Description, Created: formatTime(u.Created),
	}
	if !s.omitActive {
		active := boolInt(u.Active)
		w.Active = &active
	}
	if !s.omitCustomFields {
		w.CustomFields = []string{}
		if len(u.CustomFields) > 0 {
			w.CustomFields = u.CustomFields
		}
	}
	return w
}

// wireGroup is a user group as the API answers it.
type wireGroup struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Active      int    `json:"active"`
	Created     string `json:"created"`
}

// toWireGroup converts g.
func toWireGroup(g *UserGroup) wireGroup {
	return wireGroup{ID: g.ID, Name: g.Name, Description: g.Description, Active: boolInt(g.Active), Created: formatTime(g.Created)}
}

// wireCourse is a course as the document's "Course Object" lists it.
type wireCourse struct {
	ID                   string `json:"id"`
	Name                 string `json:"name"`
	Description          string `json:"description"`
	Active               string `json:"active"`
	Created              string `json:"created"`
	Deadline             string `json:"deadline"`
	DeadlineDate         string `json:"deadline_date"`
	DeadlineRelative     string `json:"deadline_relative"`
	DeadlineRelativeUnit string `json:"deadline_relative_unit"`
}

// wirePath is a learning path as the API answers it.
type wirePath struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Active      string `json:"active"`
	Created     string `json:"created"`
}

// wire converts the item to its API form.
func (it *item) wire() any {
	if c := it.course; c != nil {
		return wireCourse{
			ID: c.ID, Name: c.Name, Description: c.Description, Active: yesNo(c.Active),
			Created: formatTime(c.Created), Deadline: c.Deadline, DeadlineDate: c.DeadlineDate,
			DeadlineRelative: cmp.Or(c.DeadlineRelative, "0"), DeadlineRelativeUnit: c.DeadlineRelativeUnit,
		}
	}
	p := it.path
	return wirePath{ID: p.ID, Name: p.Name, Description: p.Description, Active: yesNo(p.Active), Created: formatTime(p.Created)}
}

// wireCompletion is one entry of users/recent_completions.
type wireCompletion struct {
	IDUser     string `json:"id_user"`
	Email      string `json:"email"`
	FirstName  string `json:"first_name"`
	LastName   string `json:"last_name"`
	IDCourse   string `json:"id_course"`
	CourseName string `json:"course_name"`
	Completed  string `json:"completed"`
	Score      string `json:"score"`
}

// wireActivity is the answer of users/activity.
type wireActivity struct {
	IDUser     string `json:"id_user"`
	IDCourse   string `json:"id_course"`
	CourseName string `json:"course_name"`
	Status     string `json:"status"`
	Progress   int    `json:"progress"`
	Score      string `json:"score"`
	Completed  string `json:"completed"`
}

// The users/activity statuses.
const (
	statusNotStarted = "not started"
	statusInProgress = "in progress"
	statusCompleted  = "completed"
)

// toWireActivity converts a user's progress (nil: not started) in a course.
func toWireActivity(userID string, course *item, p *Completion) wireActivity {
	a := wireActivity{IDUser: userID, IDCourse: course.id(), CourseName: course.name(), Status: statusNotStarted}
	if p == nil {
		return a
	}
	a.Progress, a.Score = p.Percent, formatScore(p.Score)
	switch {
	case p.CompletedAt != nil:
		a.Status, a.Progress, a.Completed = statusCompleted, 100, formatTime(*p.CompletedAt)
	case p.Percent > 0:
		a.Status = statusInProgress
	}
	return a
}

// parseCustomFields reads a custom_fields argument: a JSON object whose
// names must be among known and whose values are strings or numbers.
func parseCustomFields(raw string, known []string) (map[string]string, *apiError) {
	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, failf(codeCustom, msgBadArg, "custom_fields", "must be a JSON object")
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		if !slices.Contains(known, k) {
			return nil, failf(codeCustom, msgUnknownField, k)
		}
		switch v := v.(type) {
		case string:
			out[k] = v
		case float64:
			out[k] = strconv.FormatFloat(v, 'f', -1, 64)
		default:
			return nil, failf(codeCustom, msgBadArg, "custom_fields", fmt.Sprintf("value of '%s' must be a string", k))
		}
	}
	return out, nil
}

// formatTime formats t as eLeaP does; the zero time is "".
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

// formatScore formats a score; nil is "".
func formatScore(s *float64) string {
	if s == nil {
		return ""
	}
	return strconv.FormatFloat(*s, 'f', -1, 64)
}

// boolInt is 1 for true, 0 for false.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// yesNo is "yes" for true, "no" for false.
func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
