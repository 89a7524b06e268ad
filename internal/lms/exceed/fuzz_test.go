package exceed

import (
	"strings"
	"testing"

	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/lmstest"
)

// The document's examples, in JSON where the document shows XML.
const (
	docListExample = `[
{
"first_name": "David",
"id": 23
},
{
"first_name": "Alice",
"id": 100
}
]`
	docCreateExample = `{"account_id": 2, "address_one": null, "address_two": null, "authority": "student", "city": null,
"code": null, "country": null, "custom_a": null, "custom_j": null, "email": null, "first_name": "tim",
"full_name": "tim tim", "hide_welcome_page": false, "hired_on": null, "id": 5, "integration_id": null,
"is_account_owner": false, "is_active": true, "is_instructor": false, "is_pass_reset_required": false,
"last_name": "tim", "login": "tim", "manager_id": null, "password": "tim", "phone_fax": null,
"picture_id": null, "position_id": null, "registration_id": null, "state": null, "tzid": null,
"updated_by": null, "updated_on": "2009-09-22T14:32:43Z", "zip": null}`
	docReadExample = `{"user": {"account_id": 2, "authority": "superadmin", "code": "", "custom_a": "", "email": "sample.user@example.com",
"first_name": "Sample", "full_name": "sample user", "id": 15834252, "is_active": false, "last_name": "User",
"login": "suser", "password": "demo", "tzid": "Eastern Time (US & Canada)", "updated_on": "2009-02-16T20:40:06Z"}}`
	// docDeletionsExample is the document's deletions example, single quotes
	// and all: not JSON.
	docDeletionsExample = `[
{
"id": 1000000001,
"account_id": 100001,
"code": 'john_joker',
"deleted_at": "2019-05-07T10:54:45.669-04:00"
}
]`
)

// The document's create and read examples as it shows them, in XML
// (abridged to the attributes the client reads, plus the document's quirks:
// a bare "&" and the nil='\"true\"' attribute).
const (
	docCreateXML = `<?xml version="1.0" encoding="UTF-8"?>
<user>
<account-id type="integer">2</account-id>
<authority>student</authority>
<code nil="true"></code>
<custom-a nil="true"></custom-a>
<email nil="true"></email>
<first-name>tim</first-name>
<full-name>tim tim</full-name>
<id type="integer">5</id>
<is-active type="boolean">true</is-active>
<last-name>tim</last-name>
<login>tim</login>
<password>tim</password>
<picture-id type="integer" nil='\"true\"'></picture-id>
<updated-on type="datetime">2009-09-22T14:32:43Z</updated-on>
</user>`
	docReadXML = `<?xml version="1.0" encoding="UTF-8"?>
<user>
<code></code>
<custom-a></custom-a>
<custom-b>Sales</custom-b>
<email>sample.user@example.com</email>
<first-name>Sample</first-name>
<id type="integer">15834252</id>
<is-active type="boolean">false</is-active>
<last-name>User</last-name>
<login>suser</login>
<tzid>Eastern Time (US & Canada)</tzid>
</user>`
)

// checkDTO fails when a decoded user breaks the decoder's promises.
func checkDTO(t *testing.T, d userDTO) {
	t.Helper()
	if d.ID <= 0 {
		t.Errorf("decoded a user with id %d", d.ID)
	}
	for name := range d.Custom {
		if !isCustomField(name) || d.Custom[name] == "" {
			t.Errorf("decoded custom field %q = %q", name, d.Custom[name])
		}
	}
	if u := toUser(d); u.Email != lms.NormalizeEmail(u.Email) || u.Role != "" || !u.Unobserved.Has(lms.FieldRole) {
		t.Errorf("toUser gave email %q, role %q", u.Email, u.Role)
	}
}

func FuzzDecodeUsers(f *testing.F) {
	for _, s := range []string{docListExample, "[" + docCreateExample + "]", "[" + docReadExample + "]",
		docDeletionsExample, `[]`, `null`, `[{"id": "7", "is_active": "0", "custom_u": 5}]`, `[{"id": -1}]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		users, err := decodeUsers(body)
		if err != nil {
			return
		}
		for _, d := range users {
			checkDTO(t, d)
		}
	})
}

func FuzzDecodeUser(f *testing.F) {
	for _, s := range []string{docCreateExample, docReadExample, docCreateXML, docReadXML, `{"id": 1e3}`, `{"user": null}`, `{}`, `[]`, `<user><id>x</id></user>`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if d, err := decodeUser(body, isXML("", body)); err == nil {
			checkDTO(t, d)
		}
	})
}

func TestDecodeTheDocumentsXMLExamples(t *testing.T) {
	cases := map[string]struct {
		reason string
		body   string
		want   userDTO
	}{
		"Create": {"the create example: typed id and boolean, nil code and email",
			docCreateXML, userDTO{ID: 5, FirstName: "tim", LastName: "tim", Login: "tim", IsActive: true, Unobserved: lms.FieldRole}},
		"Read": {"the read example, bare & and all: an inactive user with a custom field",
			docReadXML, userDTO{ID: 15834252, Email: "sample.user@example.com", FirstName: "Sample", LastName: "User", Login: "suser",
				Custom: map[string]string{"custom_b": "Sales"}, Unobserved: lms.FieldRole}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if !isXML("", []byte(tc.body)) {
				t.Fatalf("%s: isXML does not see the XML", name)
			}
			got, err := decodeUser([]byte(tc.body), true)
			if err != nil {
				t.Fatalf("%s\ndecodeUser: %v", tc.reason, err)
			}
			lmstest.Check(t, tc.reason, "decodeUser", tc.want, got)
		})
	}
}

func TestIsXML(t *testing.T) {
	cases := map[string]struct {
		reason      string
		contentType string
		body        string
		want        bool
	}{
		"ContentType": {"the Content-Type says XML", "application/xml; charset=utf-8", "", true},
		"TextXML":     {"text/xml is XML", "text/xml", "{}", true},
		"FirstByte":   {"a body starting with < is XML whatever the Content-Type", "application/json", "  \n<user/>", true},
		"BOM":         {"a byte order mark before < is XML", "", "\xef\xbb\xbf<user/>", true},
		"JSON":        {"a JSON body with a JSON Content-Type is not XML", "application/json", `{"id": 1}`, false},
		"Empty":       {"an empty body is not XML", "", "", false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := isXML(tc.contentType, []byte(tc.body)); got != tc.want {
				t.Errorf("%s\nisXML(%q, %q) = %v, want %v", tc.reason, tc.contentType, tc.body, got, tc.want)
			}
		})
	}
}

func TestDecodeTheDocumentsExamples(t *testing.T) {
	list, err := decodeUsers([]byte(docListExample))
	if err != nil || len(list) != 2 || list[0].ID != 23 || list[1].FirstName != "Alice" ||
		list[1].Unobserved != lms.FieldRole|lms.FieldActive|lms.FieldCustomFields {
		t.Errorf("list example = %+v, %v", list, err)
	}
	created, err := decodeUser([]byte(docCreateExample), false)
	if err != nil || created.ID != 5 || created.Login != "tim" || created.Code != "" || created.Custom != nil {
		t.Errorf("create example = %+v, %v", created, err)
	}
	read, err := decodeUser([]byte(docReadExample), false)
	if err != nil || read.ID != 15834252 || read.IsActive || read.Email != "sample.user@example.com" {
		t.Errorf("read example = %+v, %v", read, err)
	}
	if _, err := decodeUsers([]byte(docDeletionsExample)); err == nil {
		t.Error("the single-quoted deletions example decoded as JSON")
	}
}

func FuzzDecodeReasons(f *testing.F) {
	for _, s := range []string{
		`{"errors": ["First name can't be blank", "Login has already been taken"]}`,
		`["Login has already been taken"]`,
		`[["login", "has already been taken"], ["email", "is invalid"]]`,
		`{"login": ["has already been taken"], "base": ["Account is locked"]}`,
		`{"errors": {"email": ["is too long (maximum is 100 characters)"]}}`,
		`{"error": "Invalid API key"}`,
		`<?xml version="1.0" encoding="UTF-8"?><errors><error>Login has already been taken</error></errors>`,
		`[[[[[["deep"]]]]]]`, `""`, `null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		reasons := decodeReasons(body, isXML("", body))
		if len(reasons) > maxReasons {
			t.Errorf("%d reasons, more than %d", len(reasons), maxReasons)
		}
		for _, r := range reasons {
			if r == "" || len(r) > maxReasonLen+len("…") {
				t.Errorf("reason of %d bytes: %q", len(r), r)
			}
		}
		if k := classify422(reasons); k != lms.KindAlreadyExists && k != lms.KindInvalidRequest {
			t.Errorf("classify422 = %q", k)
		}
	})
}

func TestDecodeReasonsShapes(t *testing.T) {
	cases := map[string]struct {
		body string
		want []string
		kind lms.ErrorKind
	}{
		"errors list": {`{"errors": ["Login has already been taken", "Code has already been taken"]}`,
			[]string{"Login has already been taken", "Code has already been taken"}, lms.KindAlreadyExists},
		"mixed": {`{"errors": ["Login has already been taken", "Zip is too long (maximum is 10 characters)"]}`,
			[]string{"Login has already been taken", "Zip is too long (maximum is 10 characters)"}, lms.KindInvalidRequest},
		"pairs":     {`[["email", "has already been taken"]]`, []string{"Email has already been taken"}, lms.KindAlreadyExists},
		"by field":  {`{"errors": {"code": ["has already been taken"]}}`, []string{"Code has already been taken"}, lms.KindAlreadyExists},
		"base":      {`{"base": ["Seats exhausted"]}`, []string{"Seats exhausted"}, lms.KindInvalidRequest},
		"not taken": {`["Name has already been taken"]`, []string{"Name has already been taken"}, lms.KindInvalidRequest},
		"XML": {`<?xml version="1.0" encoding="UTF-8"?><errors><error>Login has already been taken</error><error>Code has already been taken</error></errors>`,
			[]string{"Login has already been taken", "Code has already been taken"}, lms.KindAlreadyExists},
		"XML, other reason": {`<errors><error>First name can't be blank</error></errors>`, []string{"First name can't be blank"}, lms.KindInvalidRequest},
	}
	for name, tc := range cases {
		got := decodeReasons([]byte(tc.body), isXML("", []byte(tc.body)))
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%s: reasons = %q, want %q", name, got, tc.want)
		}
		if k := classify422(got); k != tc.kind {
			t.Errorf("%s: classify422 = %q, want %q", name, k, tc.kind)
		}
	}
}
