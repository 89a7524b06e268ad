package kubectllms

import (
	"strconv"
	"strings"
)

// maxName is the longest name made: a DNS-1123 label, so that a name is
// also valid where a label value or a label is needed.
const maxName = 63

// dnsName makes s a DNS-1123 label: lower-case, runs of other characters
// than [a-z0-9] turned into one '-', no '-' at either end, at most maxName
// characters; fallback when nothing is left.
func dnsName(s, fallback string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
	}
	out := b.String()
	if len(out) > maxName {
		out = strings.TrimRight(out[:maxName], "-")
	}
	if out == "" {
		return fallback
	}
	return out
}

// A namer hands out names unique within one kind and namespace.
type namer map[string]bool

// unique returns name, or name-2, name-3, ... (shortened to fit) when taken.
func (n namer) unique(name string) string {
	out := name
	for i := 2; n[out]; i++ {
		suffix := "-" + strconv.Itoa(i)
		out = strings.TrimRight(name[:min(len(name), maxName-len(suffix))], "-") + suffix
	}
	n[out] = true
	return out
}
