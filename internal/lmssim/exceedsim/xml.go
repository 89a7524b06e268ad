package exceedsim

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strings"
)

// contentTypeXML is the Content-Type of the XML answers.
const contentTypeXML = "application/xml; charset=utf-8"

// xmlHeader opens every XML answer, as in the document's examples.
const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// xmlTypes are the type= attributes of the typed attribute kinds.
var xmlTypes = map[kind]string{kindInt: "integer", kindBool: "boolean", kindDate: "date", kindDateTime: "datetime"}

// answerUser answers status with u as JSON, or as the document's XML with
// Seed.XMLAnswers.
func (s *Sim) answerUser(w http.ResponseWriter, status int, u *User) {
	if !s.xml {
		writeJSON(w, status, u.wire())
		return
	}
	writeXML(w, status, xmlUser(u))
}

// answerErrors answers status with the reasons, as JSON ({"errors": [...]})
// or, with Seed.XMLAnswers, as Rails writes them in XML
// (<errors><error>...</error></errors>).
func (s *Sim) answerErrors(w http.ResponseWriter, status int, reasons ...string) {
	if !s.xml {
		writeErrors(w, status, reasons...)
		return
	}
	if len(reasons) > maxErrorsInReply {
		reasons = reasons[:maxErrorsInReply]
	}
	var b bytes.Buffer
	b.WriteString(xmlHeader + "<errors>\n")
	for _, r := range reasons {
		b.WriteString("<error>" + escapeXML(r) + "</error>\n")
	}
	b.WriteString("</errors>\n")
	writeXML(w, status, b.Bytes())
}

// xmlUser writes u as the document's XML: a <user> element holding one
// element per attribute, named with hyphens (first-name), typed
// (type="integer", "boolean", "date", "datetime") and nil="true" when unset.
func xmlUser(u *User) []byte {
	var b bytes.Buffer
	b.WriteString(xmlHeader + "<user>\n")
	for _, name := range attributeNames() {
		tag := strings.ReplaceAll(name, "_", "-")
		k, _ := kindOf(name)
		attrs := ""
		if t, ok := xmlTypes[k]; ok {
			attrs = ` type="` + t + `"`
		}
		v := u.get(name)
		if v == "" && k != kindBool {
			attrs += ` nil="true"`
		}
		b.WriteString("<" + tag + attrs + ">" + escapeXML(v) + "</" + tag + ">\n")
	}
	b.WriteString("</user>\n")
	return b.Bytes()
}

// escapeXML escapes s as XML character data.
func escapeXML(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder never fails
	return b.String()
}

// writeXML answers status with the XML document b.
func writeXML(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", contentTypeXML)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
