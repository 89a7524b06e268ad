package exceedsim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A filter is one user[attr]=value list filter.
type filter struct {
	name string
	kind kind
	// value is the wanted string form, for strings, ints and booleans.
	value string
	// from and to bound dates and datetimes (zero: open).
	from, to time.Time
}

// parseFilters returns the list filters of p, or the reasons they are
// invalid. Unknown attributes and password are ignored.
func parseFilters(p params) ([]filter, []string) {
	var filters []filter
	var reasons []string
	for name, v := range p.user {
		k, ok := kindOf(name)
		if !ok || unfilterable[name] {
			continue
		}
		f, err := newFilter(name, k, v)
		if err != nil {
			reasons = append(reasons, fmt.Sprintf("user[%s] is invalid: %v", name, err))
			continue
		}
		filters = append(filters, f)
	}
	return filters, reasons
}

// newFilter builds the filter of one parameter.
func newFilter(name string, k kind, v string) (filter, error) {
	f := filter{name: name, kind: k, value: v}
	switch k {
	case kindInt:
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			return f, fmt.Errorf("%q is not an integer", v)
		}
	case kindBool:
		f.value = strconv.FormatBool(parseBool(v))
	case kindDate, kindDateTime:
		var err error
		f.from, f.to, err = parseRange(v)
		return f, err
	}
	return f, nil
}

// parseRange reads "from,to" (either may be empty) or a single date or
// datetime. A date as upper bound, or alone, covers its whole day.
func parseRange(v string) (from, to time.Time, err error) {
	lo, hi, isRange := strings.Cut(v, ",")
	if !isRange {
		hi = lo
	}
	if from, err = parseBound(lo, false); err != nil {
		return from, to, err
	}
	to, err = parseBound(hi, true)
	return from, to, err
}

// parseBound reads one bound of a range; "" is open (zero).
func parseBound(s string, upper bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.Parse(dateLayout, s); err == nil {
		if upper {
			return d.Add(24*time.Hour - time.Second), nil
		}
		return d, nil
	}
	t, err := time.Parse(dateTimeLayout, s)
	if err != nil {
		return t, fmt.Errorf("%q is not YYYY-MM-DD or YYYY-MM-DD HH:MM:SS", s)
	}
	return t, nil
}

// matches reports whether u passes f.
func (f filter) matches(u *User) bool {
	got := u.get(f.name)
	switch f.kind {
	case kindDate, kindDateTime:
		return inRange(got, f.from, f.to)
	case kindInt, kindBool:
		if f.kind == kindBool && got == "" {
			got = "false"
		}
		return got == f.value
	}
	return strings.EqualFold(got, f.value)
}

// inRange reports whether the date or datetime v lies in [from, to].
func inRange(v string, from, to time.Time) bool {
	t, err := parseTime(v)
	if err != nil {
		return false
	}
	t = t.Truncate(time.Second)
	return (from.IsZero() || !t.Before(from)) && (to.IsZero() || !t.After(to))
}

// matchAll reports whether u passes every filter.
func matchAll(u *User, filters []filter) bool {
	for _, f := range filters {
		if !f.matches(u) {
			return false
		}
	}
	return true
}

// pageNumber reads the page parameter: missing, invalid or below 1 is page 1.
func pageNumber(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// pageOf returns the items of page n (from 1) of size per page.
func pageOf[T any](items []T, n, size int) []T {
	if n < 1 || n-1 > len(items)/size {
		return []T{}
	}
	start := (n - 1) * size
	if start >= len(items) {
		return []T{}
	}
	return items[start:min(start+size, len(items))]
}

// project keeps the attributes named in fields (comma-separated); an empty
// fields keeps them all. Unknown names are ignored.
func project(attrs map[string]any, fields string) map[string]any {
	if strings.TrimSpace(fields) == "" {
		return attrs
	}
	out := map[string]any{}
	for _, name := range strings.Split(fields, ",") {
		name = strings.TrimSpace(name)
		if v, ok := attrs[name]; ok {
			out[name] = v
		}
	}
	return out
}
