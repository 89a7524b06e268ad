package eleap

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// reasonNoIdentity is the reason a user with neither an id nor an email is
// skipped: the operator can neither find nor manage it.
const reasonNoIdentity = "the user has neither an id nor an email"

var _ lms.PagedLister = (*userClient)(nil)

// ListPage returns every user as a single page: eLeaP's users/ does not
// page, and any cursor but "" is refused. Each record is decoded on its own:
// one that cannot be read, or has neither an id nor an email, is skipped
// and reported. 4041 ("no records") is an empty list.
func (c *userClient) ListPage(ctx context.Context, cursor string) (lms.UserPage, error) {
	if cursor != "" {
		return lms.UserPage{}, lms.NewError(lms.KindInvalidRequest, opName("users/"), "", "eLeaP's user list has one page")
	}
	records, err := c.api.listUserRecords(ctx)
	if err := ignoreNoData(err); err != nil {
		return lms.UserPage{}, fmt.Errorf("list eLeaP users: %w", err)
	}
	users, skipped := lms.DecodeRecords(records, "id", decodeUserRecord)
	return lms.UserPage{Users: users, Skipped: skipped}, nil
}

// decodeUserRecord reads one user of a users/ answer.
func decodeUserRecord(raw json.RawMessage) (lms.User, error) {
	d, err := lms.DecodeRecord[userDTO](raw)
	if err != nil {
		return lms.User{}, err
	}
	if d.ID == "" && d.Email == "" {
		return lms.User{}, &lms.RecordError{Reason: reasonNoIdentity}
	}
	return toUser(d), nil
}
