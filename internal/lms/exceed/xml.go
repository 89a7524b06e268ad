package exceed

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// errNotAUser is the decode error of an XML answer whose root is not <user>.
var errNotAUser = errors.New("the XML answer is not a <user>")

// isXML reports whether an answer is XML: its Content-Type says so, or its
// body (past white space and a byte order mark) starts with '<'.
func isXML(contentType string, body []byte) bool {
	if strings.Contains(strings.ToLower(contentType), "xml") {
		return true
	}
	b := bytes.TrimLeft(bytes.TrimPrefix(bytes.TrimLeft(body, " \t\r\n"), []byte("\xef\xbb\xbf")), " \t\r\n")
	return len(b) > 0 && b[0] == '<'
}

// xmlElement is one attribute of the document's XML user: <first-name>tim</first-name>,
// <id type="integer">5</id>, <code nil="true"></code>.
type xmlElement struct {
	XMLName xml.Name
	Type    string `xml:"type,attr"`
	Nil     string `xml:"nil,attr"`
	Text    string `xml:",chardata"`
}

// xmlDocument is an XML answer: its root and the root's elements.
type xmlDocument struct {
	XMLName  xml.Name
	Elements []xmlElement `xml:",any"`
}

// decodeXML reads an XML answer leniently: the document's read example holds
// a bare "&" ("Eastern Time (US & Canada)") and quotes one nil attribute as
// nil='\"true\"'.
func decodeXML(body []byte) (xmlDocument, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = false
	d.Entity = xml.HTMLEntity
	var doc xmlDocument
	if err := d.Decode(&doc); err != nil {
		return xmlDocument{}, fmt.Errorf("decode XML: %w", err)
	}
	return doc, nil
}

// xmlUserObject returns the attributes of the document's <user> XML as the
// JSON values decodeUser reads: hyphens become underscores, nil="true" is
// null, type="integer" and type="boolean" values are numbers and booleans.
func xmlUserObject(body []byte) (map[string]json.RawMessage, error) {
	doc, err := decodeXML(body)
	if err != nil {
		return nil, fmt.Errorf("decode user: %w", err)
	}
	if doc.XMLName.Local != "user" {
		return nil, fmt.Errorf("decode user: %w", errNotAUser)
	}
	obj := make(map[string]json.RawMessage, len(doc.Elements))
	for _, e := range doc.Elements {
		obj[strings.ReplaceAll(e.XMLName.Local, "-", "_")] = e.jsonValue()
	}
	return obj, nil
}

// jsonValue is the element's value as JSON.
func (e xmlElement) jsonValue() json.RawMessage {
	text := strings.TrimSpace(e.Text)
	switch {
	case strings.Contains(e.Nil, "true"):
		return json.RawMessage("null")
	case e.Type == "integer" && isInteger(text):
		return json.RawMessage(text)
	case e.Type == "boolean" && (text == "true" || text == "false"):
		return json.RawMessage(text)
	}
	b, _ := json.Marshal(e.Text) // a string always marshals
	return b
}

// isInteger reports whether s is a decimal integer.
func isInteger(s string) bool {
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

// xmlReasons reads the reasons of an XML error answer:
// <errors><error>Login has already been taken</error></errors>.
func xmlReasons(body []byte) []string {
	doc, err := decodeXML(body)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range doc.Elements {
		if e.XMLName.Local == "error" || e.XMLName.Local == "message" {
			addReason(&out, "", e.Text)
		}
	}
	return out
}
