package exceed

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lmssim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/exceedsim"
)

// listEndpoint is the simulator's name of the user list.
const listEndpoint = "GET /api/v2/users"

// oddReason is the reason of a record the simulator's odd-record fault
// changed: one attribute holds an object.
var oddReason = regexp.MustCompile(`^field "[a-z_]+": an object where a string, a number or a boolean was expected$`)

// pagedEnv serves n users, two a page, through the simulator's server,
// which injects faults, and returns it with the paged user client of it.
func pagedEnv(t *testing.T, n int) (*lmssim.Server, lms.PagedLister) {
	t.Helper()
	seed := exceedsim.Seed{APIKeys: []string{testKey}, Users: seedUsers(n), PageSize: 2}
	srv := lmssim.New(lmssim.Options{}, exceedsim.New(seed))
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); hs.Close() })
	c, err := New(lms.Config{BaseURL: lmssim.VendorBaseURL(hs.URL, lmssim.Exceed), Credentials: key(), HTTPClient: &http.Client{}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	users := c.Users().(*userClient)
	users.pageSize = 2
	return srv, users
}

// readPages follows the pages from cursor to the end, and returns the ids
// read and the number of pages.
func readPages(t *testing.T, p lms.PagedLister, cursor string) ([]string, int) {
	t.Helper()
	var ids []string
	for pages := 1; ; pages++ {
		page, err := p.ListPage(context.Background(), cursor)
		if err != nil {
			t.Fatalf("ListPage(%q): %v", cursor, err)
		}
		for _, u := range page.Users {
			ids = append(ids, u.ID)
		}
		if page.Next == "" {
			return ids, pages
		}
		cursor = page.Next
	}
}

// idRange returns the ids from to to, as strings.
func idRange(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, strconv.Itoa(i))
	}
	return out
}

func TestListPageFollowsPageNumbersToTheEnd(t *testing.T) {
	cases := map[string]struct {
		users, pages int
	}{
		"a short last page":             {5, 3},
		"an empty page after full ones": {4, 3},
		"no users":                      {0, 1},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, p := pagedEnv(t, tc.users)
			ids, pages := readPages(t, p, "")
			if want := idRange(1, tc.users); !slices.Equal(ids, want) || pages != tc.pages {
				t.Errorf("read %v in %d pages, want %v in %d", ids, pages, want, tc.pages)
			}
		})
	}
}

func TestAFailedPageNumberIsAskedAgain(t *testing.T) {
	srv, p := pagedEnv(t, 6)
	if _, err := p.ListPage(context.Background(), "2"); err != nil {
		t.Fatalf("page 2: %v", err)
	}
	srv.Inject(lmssim.Exceed, lmssim.Fault{Kind: lmssim.Fault500, Endpoint: listEndpoint})
	if _, err := p.ListPage(context.Background(), "3"); lms.KindOf(err) != lms.KindTransient {
		t.Fatalf("page 3 with a 500: %v, want a Transient error", err)
	}
	if ids, _ := readPages(t, p, "3"); !slices.Equal(ids, idRange(5, 6)) {
		t.Errorf("page 3 asked again and on read %v, want users 5 and 6", ids)
	}
}

func TestAnOddUserAttributeSkipsItsRecord(t *testing.T) {
	srv, p := pagedEnv(t, 2)
	srv.Inject(lmssim.Exceed, lmssim.Fault{Kind: lmssim.FaultOddRecord, Endpoint: listEndpoint})
	page, err := p.ListPage(context.Background(), "")
	if err != nil {
		t.Fatalf("ListPage: %v", err)
	}
	if len(page.Users) != 1 || page.Users[0].ID != "2" || len(page.Skipped) != 1 {
		t.Fatalf("page = %+v; want user 2 and user 1 skipped", page)
	}
	if s := page.Skipped[0]; s.ID != "1" || !oddReason.MatchString(s.Reason) {
		t.Errorf("skipped %+v: want id 1 and a reason like %s", s, oddReason)
	}
}

func TestABadCursorIsRefused(t *testing.T) {
	_, p := pagedEnv(t, 1)
	if _, err := p.ListPage(context.Background(), "zero"); lms.KindOf(err) != lms.KindInvalidRequest {
		t.Errorf("ListPage(\"zero\") = %v, want an InvalidRequest error", err)
	}
}
