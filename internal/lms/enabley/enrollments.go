package enabley

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// enrollmentsAPI is what the enrollment adapter needs of the wire client.
type enrollmentsAPI interface {
	listChannelsV3(ctx context.Context, key string) (page[channelInfo], error)
	listChannelsV1(ctx context.Context) ([]channelInfo, error)
	assignChannelUser(ctx context.Context, channel, user, role string) error
	unassignChannelUser(ctx context.Context, channel, user string) error
	assignChannelGroup(ctx context.Context, channel, group string) error
	unassignChannelGroup(ctx context.Context, channel, group string) error
	performance(ctx context.Context, channel, user, key string) (page[performanceItem], error)
}

// channelRoles maps enrollment roles onto the roles= values of
// POST /api/v2/channels/{channel}/users/{user}.
var channelRoles = map[lms.Role]string{lms.RoleLearner: "LEARNER", lms.RoleInstructor: "INSTRUCTOR"}

// enrollmentClient adapts Enabley channels to lms.EnrollmentClient. Only
// channel targets exist. Enabley sends no assignment email through the API,
// so Assignment.Notify has no effect.
type enrollmentClient struct {
	api enrollmentsAPI
	// v1 is set once GET /api/v3/channels answered 404 on a first page.
	v1 atomic.Bool
	// reads are the channels' performance reads, by channel id, kept
	// between calls for a read spread over sync intervals.
	mu    sync.Mutex
	reads map[string]*perfRead
}

var _ lms.EnrollmentClient = (*enrollmentClient)(nil)

// checkTarget refuses targets other than channels.
func checkTarget(t lms.Target) error {
	if t.Kind != lms.TargetChannel {
		return lms.NewError(lms.KindUnsupported, "enabley enrollments", "",
			fmt.Sprintf("Enabley has no %s targets, only Channel", t.Kind))
	}
	return nil
}

// Targets lists the account's channels (GET /api/v3/channels, page by page;
// GET /api/v1/channels where v3 is missing).
func (c *enrollmentClient) Targets(ctx context.Context, kind lms.TargetKind) ([]lms.Target, error) {
	if err := checkTarget(lms.Target{Kind: kind}); err != nil {
		return nil, err
	}
	infos, err := c.channels(ctx)
	if err != nil {
		return nil, fmt.Errorf("list Enabley channels: %w", err)
	}
	out := make([]lms.Target, 0, len(infos))
	for _, in := range infos {
		out = append(out, lms.Target{Kind: lms.TargetChannel, ID: in.Identifier, Name: in.Name})
	}
	return out, nil
}

// channels lists every channel, with v3 pages or, where v3 is missing, v1.
func (c *enrollmentClient) channels(ctx context.Context) ([]channelInfo, error) {
	if !c.v1.Load() {
		first, err := c.api.listChannelsV3(ctx, "")
		if !isRouteMissing(err) {
			if err != nil {
				return nil, err
			}
			return continuePages(opListChannelsV3, first, func(key string) (page[channelInfo], error) {
				return c.api.listChannelsV3(ctx, key)
			})
		}
		c.v1.Store(true)
	}
	return c.api.listChannelsV1(ctx)
}

// AssignedUsers returns the channel's learners as GET /api/v2/performance
// lists them (read once per ctx memo, with TargetProgress): Enabley has no
// call that lists direct assignments, so learners
// assigned through a group are included and instructors are not.
func (c *enrollmentClient) AssignedUsers(ctx context.Context, t lms.Target) ([]string, error) {
	items, err := c.channelPerformance(ctx, t)
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(items))
	out := make([]string, 0, len(items))
	for _, it := range items {
		if id := it.ExternalUserID; id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

// AssignUser assigns the user to the channel with roles= the assignment's
// role (Learner or Instructor). Assigning again replaces the role.
func (c *enrollmentClient) AssignUser(ctx context.Context, t lms.Target, u lms.User, a lms.Assignment) error {
	if err := checkTarget(t); err != nil {
		return err
	}
	role, ok := channelRoles[normRole(a.Role)]
	if !ok {
		return lms.NewError(lms.KindUnsupported, opName(opAssignChannelUser), "",
			fmt.Sprintf("Enabley channels have no %s role (supported: Learner, Instructor)", a.Role))
	}
	if err := c.api.assignChannelUser(ctx, t.ID, userID(u), role); err != nil {
		return fmt.Errorf("assign Enabley user %q to channel %q: %w", userID(u), t.ID, err)
	}
	return nil
}

// UnassignUser removes the user from the channel; a user not assigned is
// not an error.
func (c *enrollmentClient) UnassignUser(ctx context.Context, t lms.Target, u lms.User) error {
	if err := checkTarget(t); err != nil {
		return err
	}
	if err := ignoreMissing(c.api.unassignChannelUser(ctx, t.ID, userID(u))); err != nil {
		return fmt.Errorf("unassign Enabley user %q from channel %q: %w", userID(u), t.ID, err)
	}
	return nil
}

// AssignedGroups is Unsupported: Enabley documents no call that lists the
// groups assigned to a channel.
func (c *enrollmentClient) AssignedGroups(_ context.Context, t lms.Target) ([]string, error) {
	if err := checkTarget(t); err != nil {
		return nil, err
	}
	return nil, lms.NewError(lms.KindUnsupported, "enabley channels/groups", "",
		"Enabley has no API to list the groups assigned to a channel")
}

// AssignGroup assigns the group's members to the channel as learners
// (userRole=LEARNER, the only documented value; recursive=false).
func (c *enrollmentClient) AssignGroup(ctx context.Context, t lms.Target, groupID string, a lms.Assignment) error {
	if err := checkTarget(t); err != nil {
		return err
	}
	if normRole(a.Role) != lms.RoleLearner {
		return lms.NewError(lms.KindUnsupported, opName(opAssignChannelGroup), "",
			fmt.Sprintf("Enabley assigns groups to channels only as learners, not %s", a.Role))
	}
	if err := c.api.assignChannelGroup(ctx, t.ID, groupID); err != nil {
		return fmt.Errorf("assign Enabley group %q to channel %q: %w", groupID, t.ID, err)
	}
	return nil
}

// UnassignGroup removes the group from the channel; a group not assigned is
// not an error.
func (c *enrollmentClient) UnassignGroup(ctx context.Context, t lms.Target, groupID string) error {
	if err := checkTarget(t); err != nil {
		return err
	}
	if err := ignoreMissing(c.api.unassignChannelGroup(ctx, t.ID, groupID)); err != nil {
		return fmt.Errorf("unassign Enabley group %q from channel %q: %w", groupID, t.ID, err)
	}
	return nil
}

// TargetProgress reads every learner's progress in the channel from
// GET /api/v2/performance, page by page (read once per ctx memo, with
// AssignedUsers); a learner missing from it has not started.
func (c *enrollmentClient) TargetProgress(ctx context.Context, t lms.Target) ([]lms.Progress, error) {
	items, err := c.channelPerformance(ctx, t)
	if err != nil {
		return nil, err
	}
	out := make([]lms.Progress, 0, len(items))
	for _, it := range items {
		if it.ExternalUserID != "" {
			out = append(out, toProgress(it))
		}
	}
	return out, nil
}

// channelPerformance reads the channel's performance, once per ctx memo:
// every page, or, with a page limit in ctx (lms.WithPageLimit) once the
// channel was read whole, at most that many pages per call, going on where
// the last call stopped, and lms.ErrReadContinues until the read completes.
func (c *enrollmentClient) channelPerformance(ctx context.Context, t lms.Target) ([]performanceItem, error) {
	if err := checkTarget(t); err != nil {
		return nil, err
	}
	limit := lms.PageLimit(ctx)
	key := "enabley performance " + t.ID
	if limit == 0 {
		key += " whole"
	}
	got, err := lms.Memoize(ctx, key, func() (perfAnswer, error) { return c.readPerformance(ctx, t.ID, limit) })
	if err == nil && !got.complete {
		err = lms.ErrReadContinues
	}
	if err != nil {
		return nil, fmt.Errorf("read the performance of Enabley channel %q: %w", t.ID, err)
	}
	return got.items, nil
}

// RecentCompletions is unsupported: Enabley reads a channel's progress whole.
func (c *enrollmentClient) RecentCompletions(context.Context) ([]lms.Completion, error) {
	return nil, errWholeTarget
}

// TargetCourses is unsupported: a channel's progress is read whole.
func (c *enrollmentClient) TargetCourses(context.Context, lms.Target) ([]string, error) {
	return nil, errWholeTarget
}

// CourseProgress is unsupported: a channel's progress is read whole.
func (c *enrollmentClient) CourseProgress(context.Context, string, lms.User) (lms.Progress, error) {
	return lms.Progress{}, errWholeTarget
}

// errWholeTarget answers the progress reads Enabley has no need of.
var errWholeTarget = lms.NewError(lms.KindUnsupported, "enabley progress", "",
	"Enabley reads a channel's progress for all its learners at once (TargetProgress)")

// toProgress converts a performance item. A completion date, or 100
// percent, means completed.
func toProgress(it performanceItem) lms.Progress {
	p := lms.Progress{UserID: it.ExternalUserID, Percent: percent(it.Progress)}
	hasDate := it.CompletionDate != nil && *it.CompletionDate != ""
	if hasDate {
		if t, err := time.Parse(time.RFC3339, *it.CompletionDate); err == nil {
			t = t.UTC()
			p.CompletedAt = &t
		}
	}
	p.Completed = hasDate || p.Percent >= 100
	if it.Score != nil {
		s := *it.Score
		p.Score = &s
	}
	return p
}

// percent rounds v into 0..100.
func percent(v float64) int {
	switch {
	case v <= 0:
		return 0
	case v >= 100:
		return 100
	}
	return int(v + 0.5)
}
