package enabley

import (
	"errors"
)

// maxPages bounds a paginated read, against a vendor that never ends it.
const maxPages = 100000

// collectPages reads every page of an endpoint, following paginationKey
// until it is null.
func collectPages[T any](op string, next func(key string) (page[T], error)) ([]T, error) {
	first, err := next("")
	if err != nil {
		return nil, err
	}
	return continuePages(op, first, next)
}

// continuePages reads the pages after first. A key that repeats, or more
// than maxPages pages, is a malformed answer.
func continuePages[T any](op string, first page[T], next func(key string) (page[T], error)) ([]T, error) {
	out := append([]T(nil), first.Items...)
	seen := map[string]bool{}
	for p := first; p.PaginationKey != nil && *p.PaginationKey != ""; {
		key := *p.PaginationKey
		if seen[key] || len(seen) >= maxPages {
			return nil, malformed(op, errors.New("pagination does not end: paginationKey repeated"))
		}
		seen[key] = true
		var err error
		if p, err = next(key); err != nil {
			return nil, err
		}
		out = append(out, p.Items...)
	}
	return out, nil
}
