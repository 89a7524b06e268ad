package lms

import "context"

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
