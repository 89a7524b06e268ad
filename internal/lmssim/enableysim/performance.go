package enableysim

import (
	"net/http"
	"slices"
	"time"
)

// performanceItem is the document's "External user channel performance".
type performanceItem struct {
	ChannelName string `json:"channelName"`
	// CompletionDate is null until the channel is completed.
	CompletionDate    *string `json:"completionDate"`
	ExternalChannelID string  `json:"externalChannelId"`
	ExternalUserID    string  `json:"externalUserId"`
	Progress          int     `json:"progress"`
	Score             int     `json:"score"`
}

// performanceV2 serves GET /api/v2/performance?channelIdentifier&userIdentifier,
// paginated: one item per learner of the channel(s).
func (s *Sim) performanceV2(r *http.Request) (int, any, error) {
	q := r.URL.Query()
	items, err := s.st.performance(q.Get("channelIdentifier"), q.Get("userIdentifier"))
	if err != nil {
		return 0, nil, err
	}
	page, err := paginate(&s.st, r, "GET /api/v2/performance", items, s.now())
	return 0, page, err
}

// performanceV1 serves GET /api/v1/performance?externalChannelId&externalUserId
// as one array.
func (s *Sim) performanceV1(r *http.Request) (int, any, error) {
	q := r.URL.Query()
	items, err := s.st.performance(q.Get("externalChannelId"), q.Get("externalUserId"))
	return 0, items, err
}

// performance lists the learners' progress in channel (or every channel of
// user); at least one of them is required.
func (st *state) performance(channel, user string) ([]performanceItem, error) {
	if channel == "" && user == "" {
		return nil, fail(errInvalidRequest, "A channel identifier, a user identifier or both are required")
	}
	channels, err := st.perfChannels(channel)
	if err != nil {
		return nil, err
	}
	if user != "" {
		if _, err := st.user(user); err != nil {
			return nil, err
		}
	}
	out := []performanceItem{}
	for _, c := range channels {
		for _, u := range st.learners(c) {
			if user == "" || u == user {
				out = append(out, st.performanceItem(c, u))
			}
		}
	}
	return out, nil
}

// perfChannels returns the channel id, or every channel when id is empty.
func (st *state) perfChannels(id string) ([]*Channel, error) {
	if id == "" {
		return st.orderedChannels(), nil
	}
	c, err := st.channel(id)
	if err != nil {
		return nil, err
	}
	return []*Channel{c}, nil
}

func (st *state) performanceItem(c *Channel, user string) performanceItem {
	it := performanceItem{ChannelName: c.Name, ExternalChannelID: c.Identifier, ExternalUserID: user}
	if p, ok := st.progress[progressKey{user, c.Identifier}]; ok {
		it.Progress, it.Score = p.Percent, p.Score
		if p.CompletedAt != nil {
			d := p.CompletedAt.UTC().Format(timeLayout)
			it.CompletionDate = &d
		}
	}
	return it
}

// complete records c, which must be for a learner of the channel; reaching
// 100 percent sets CompletedAt to now unless given.
func (st *state) complete(c Completion, now time.Time) error {
	ch, err := st.channel(c.Channel)
	if err != nil {
		return err
	}
	if _, err := st.user(c.User); err != nil {
		return err
	}
	if !slices.Contains(st.learners(ch), c.User) {
		return fail(errInvalidRequest, "User %q is not a learner of channel %q", c.User, c.Channel)
	}
	if c.Percent < 0 || c.Percent > 100 {
		return fail(errInvalidRequest, "percent must be between 0 and 100, not %d", c.Percent)
	}
	if c.Percent < 100 {
		c.CompletedAt = nil
	} else if c.CompletedAt == nil {
		c.CompletedAt = &now
	}
	st.progress[progressKey{c.User, c.Channel}] = &c
	return nil
}
