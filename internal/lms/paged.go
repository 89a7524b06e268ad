package lms

import (
	"context"
	"errors"
	"fmt"
)

// A PagedLister lists users one page at a time, so that a list that fails
// half way (a 500 on page 3) resumes at the page that failed instead of
// reading every page again, and so that a record that cannot be read is
// reported and left out instead of failing its page. A UserClient
// implements it where it can: the connection's inventory then reads users
// through it, and through UserClient.List otherwise. A vendor that lists
// every user in one call (eLeaP) may implement it with a single page, for
// the skipped records alone.
type PagedLister interface {
	// ListPage returns the page at cursor: "" for the first page, else the
	// Next of the page before. Cursors are the vendor's own (a page number,
	// a pagination key) and opaque to the caller, which keeps them only
	// while it reads one list. An error fails this page only: the caller
	// may ask for the same cursor again.
	ListPage(ctx context.Context, cursor string) (UserPage, error)
}

// A UserPage is one page of a user list.
type UserPage struct {
	// Users are the page's users that could be read.
	Users []User
	// Next is the cursor of the next page; empty when this page is the last.
	Next string
	// Skipped are the page's records that could not be read (a field of an
	// unexpected type, a user without the identifier the operator needs).
	Skipped []SkippedRecord
}

// A SkippedRecord is a record of a list answer that could not be read and
// was left out.
type SkippedRecord struct {
	// ID is the record's identifier, when it could be read.
	ID string
	// Reason says what was wrong, such as `field "isActive": a string where
	// a boolean was expected`. It never carries a credential, and at most
	// the record's identifier of its values.
	Reason string
}

// ListPages reads every page of p from the first and returns their users,
// leaving the skipped records out: a UserClient's List built on its
// ListPage. Users are kept once by ID (pages shift when users are deleted
// meanwhile); a cursor that repeats, a page that holds only users seen
// already, or more than maxPages pages is a Transient error.
func ListPages(ctx context.Context, p PagedLister, op string, maxPages int) ([]User, error) {
	var out []User
	seen, cursors := map[string]bool{}, map[string]bool{}
	for cursor := ""; len(cursors) < maxPages; {
		cursors[cursor] = true
		page, err := p.ListPage(ctx, cursor)
		if err != nil {
			return nil, err
		}
		fresh := 0
		for _, u := range page.Users {
			if u.ID == "" || !seen[u.ID] {
				seen[u.ID], fresh = u.ID != "", fresh+1
				out = append(out, u)
			}
		}
		if page.Next == "" {
			return out, nil
		}
		if cursors[page.Next] || (fresh == 0 && len(page.Users) > 0) {
			return nil, NewError(KindTransient, op, "", fmt.Sprintf("page %d repeats earlier pages: the pagination does not end", len(cursors)))
		}
		cursor = page.Next
	}
	return nil, NewError(KindTransient, op, "", fmt.Sprintf("more than %d pages", maxPages))
}

// A PageFunc is a function that lists one page: a PagedLister.
type PageFunc func(ctx context.Context, cursor string) (UserPage, error)

// ListPage implements PagedLister.
func (f PageFunc) ListPage(ctx context.Context, cursor string) (UserPage, error) {
	return f(ctx, cursor)
}

// ErrReadContinues answers a read spread over sync intervals (a page limit
// in ctx, WithPageLimit) that sent its pages for this turn and has pages
// left: there is no new answer yet, and the caller keeps its last one.
var ErrReadContinues = errors.New("the read goes on at the next sync interval")

// IsReadContinues reports whether err is (or wraps) ErrReadContinues.
func IsReadContinues(err error) bool { return errors.Is(err, ErrReadContinues) }
