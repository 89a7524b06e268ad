package enabley

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// reasonNoIdentifier is the reason a user without an identifier is skipped:
// the operator cannot manage it.
const reasonNoIdentifier = "the user has no identifier"

// errKeyRepeated is a v3 page whose paginationKey is the one it was asked with.
var errKeyRepeated = errors.New("pagination does not end: paginationKey repeated")

var _ lms.PagedLister = (*userClient)(nil)

// ListPage returns one page of the default sub-account's users (of the
// account when none): cursor is the v3 paginationKey ("" for the first
// page), or, on an account without GET /api/v3/users, the v2 start offset.
// Each item is decoded on its own: one that cannot be read, or has no
// identifier, is skipped and reported.
func (c *userClient) ListPage(ctx context.Context, cursor string) (lms.UserPage, error) {
	page, err := c.pager(subAccount(c.sub)).ListPage(ctx, cursor)
	if err != nil {
		return lms.UserPage{}, fmt.Errorf("list Enabley users: %w", err)
	}
	return page, nil
}

// pager lists the users the filter selects page by page.
func (c *userClient) pager(filter url.Values) lms.PageFunc {
	return func(ctx context.Context, cursor string) (lms.UserPage, error) {
		items, next, err := c.rawPage(ctx, filter, cursor)
		if err != nil {
			return lms.UserPage{}, err
		}
		users, skipped := lms.DecodeRecords(items, "identifier", decodeUserRecord)
		return lms.UserPage{Users: users, Next: next, Skipped: skipped}, nil
	}
}

// rawPage reads the page at cursor with v3, falling back to v2 when the
// account has no v3 route (a 404 on the first page).
func (c *userClient) rawPage(ctx context.Context, filter url.Values, cursor string) ([]json.RawMessage, string, error) {
	if !c.v2.Load() {
		p, err := c.api.listUsersV3(ctx, filter, cursor)
		if cursor != "" || !isRouteMissing(err) {
			return c.v3Items(p, cursor, err)
		}
		c.v2.Store(true)
	}
	return c.v2Page(ctx, filter, cursor)
}

// v3Items returns the items of a v3 page and its paginationKey ("" on the last).
func (c *userClient) v3Items(p page[json.RawMessage], cursor string, err error) ([]json.RawMessage, string, error) {
	if err != nil {
		return nil, "", err
	}
	c.pageSize.Store(int64(p.PageSize))
	if p.PaginationKey == nil || *p.PaginationKey == "" {
		return p.Items, "", nil
	}
	if *p.PaginationKey == cursor {
		return nil, "", malformed(opListUsersV3, errKeyRepeated)
	}
	return p.Items, *p.PaginationKey, nil
}

// v2Page reads v2PageLimit users from the offset cursor ("" is 0); a
// short page is the last.
func (c *userClient) v2Page(ctx context.Context, filter url.Values, cursor string) ([]json.RawMessage, string, error) {
	start := 0
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil || n < 0 {
			return nil, "", lms.NewError(lms.KindInvalidRequest, opName(opListUsersV2), "", "not a v2 list offset: "+strconv.Quote(cursor))
		}
		start = n
	}
	items, err := c.api.listUsersV2(ctx, filter, start)
	if err != nil || len(items) < v2PageLimit {
		return items, "", err
	}
	return items, strconv.Itoa(start + len(items)), nil
}

// decodeUserRecord reads one UserInfo item; one without an identifier
// cannot be managed and is refused.
func decodeUserRecord(raw json.RawMessage) (lms.User, error) {
	in, err := lms.DecodeRecord[userInfo](raw)
	if err != nil {
		return lms.User{}, err
	}
	if in.Identifier == "" {
		return lms.User{}, &lms.RecordError{Reason: reasonNoIdentifier}
	}
	return toUser(in), nil
}

// isRouteMissing reports a 404 for the route itself (not an item_not_exists).
func isRouteMissing(err error) bool {
	var e *lms.Error
	return errors.As(err, &e) && e.Kind == lms.KindNotFound && (e.Code == codeNotFound || e.Code == "404")
}
