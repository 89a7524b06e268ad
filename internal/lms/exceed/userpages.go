package exceed

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

var _ lms.PagedLister = (*userClient)(nil)

// ListPage returns one page of users: cursor is the document's page number
// ("" is page 1). A page shorter than the page size (1,000, as documented)
// is the last, as is an empty one. Each record is decoded on its own: one
// that cannot be read (an attribute of the wrong type, no positive id) is
// skipped and reported.
func (c *userClient) ListPage(ctx context.Context, cursor string) (lms.UserPage, error) {
	page := 1
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil || n < 1 {
			return lms.UserPage{}, lms.NewError(lms.KindInvalidRequest, opName(opListUsers), "", "not a page number: "+strconv.Quote(cursor))
		}
		page = n
	}
	raw, err := c.api.listUserRecords(ctx, page, userFields, nil)
	if err != nil {
		return lms.UserPage{}, wrap(errList, wrap("page "+strconv.Itoa(page), err))
	}
	users, skipped := lms.DecodeRecords(raw, "id", decodeUserRecord)
	out := lms.UserPage{Users: users, Skipped: skipped}
	if len(raw) >= c.pageSize {
		out.Next = strconv.Itoa(page + 1)
	}
	return out, nil
}

// decodeUserRecord reads one user of a list answer.
func decodeUserRecord(raw json.RawMessage) (lms.User, error) {
	d, err := decodeUser(raw, false)
	if err != nil {
		return lms.User{}, err
	}
	return toUser(d), nil
}
