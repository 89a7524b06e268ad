package lms

import "strings"

// TakenMessage is the Message of a KindAlreadyExists error for a write the
// vendor refused because fields are taken by another user. It names the
// fields first ("login and email already taken by another user: "), so that
// a controller that finds no user to adopt can report which clashes, then
// gives the vendor's words, made safe (SafeMessage).
func TakenMessage(fields []string, vendorWords string) string {
	return SafeMessage(joinFields(fields) + " already taken by another user: " + vendorWords)
}

// TakenFields returns the fields of known that text names (ignoring case),
// in the order of known; fallback alone when it names none.
func TakenFields(text, fallback string, known ...string) []string {
	var out []string
	lower := strings.ToLower(text)
	for _, f := range known {
		if strings.Contains(lower, strings.ToLower(f)) {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return []string{fallback}
	}
	return out
}

// joinFields writes fields as "a", "a and b" or "a, b and c".
func joinFields(fields []string) string {
	switch len(fields) {
	case 0:
		return "a field"
	case 1:
		return fields[0]
	}
	return strings.Join(fields[:len(fields)-1], ", ") + " and " + fields[len(fields)-1]
}
