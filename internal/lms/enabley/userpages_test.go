package enabley

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"testing"

	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lmssim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/enableysim"
)

// listEndpoint is the simulator's name of the v3 user list.
const listEndpoint = "GET /api/v3/users"

// oddReason is the reason of a record the simulator's odd-record fault
// changed: one field holds an object.
var oddReason = regexp.MustCompile(`^field "[A-Za-z_]+": an object where a (string|number|boolean) was expected$`)

// pagedEnv serves seed through the simulator's server, which injects
// faults, and returns it with a paged user client of it.
func pagedEnv(t *testing.T, seed enableysim.Seed) (*lmssim.Server, lms.PagedLister) {
	t.Helper()
	srv := lmssim.New(lmssim.Options{}, enableysim.New(seed))
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); hs.Close() })
	c, err := New(lms.Config{BaseURL: lmssim.VendorBaseURL(hs.URL, lmssim.Enabley),
		Credentials: map[string][]byte{CredentialClientKey: []byte(testKey), CredentialSecret: []byte(testSecret)},
		HTTPClient:  &http.Client{}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	p, ok := c.Users().(lms.PagedLister)
	if !ok {
		t.Fatal("the Enabley user client is not an lms.PagedLister")
	}
	return srv, p
}

// readAll follows the pages from cursor to the end, and returns the ids
// read and the number of pages.
func readAll(t *testing.T, p lms.PagedLister, cursor string) ([]string, int) {
	t.Helper()
	var ids []string
	pages := 0
	for {
		page, err := p.ListPage(context.Background(), cursor)
		if err != nil {
			t.Fatalf("ListPage(%q): %v", cursor, err)
		}
		pages++
		for _, u := range page.Users {
			ids = append(ids, u.ID)
		}
		if page.Next == "" {
			return ids, pages
		}
		cursor = page.Next
	}
}

func TestListPageFollowsThePaginationKeyToTheEnd(t *testing.T) {
	_, p := pagedEnv(t, testSeed()) // five users, two a page
	ids, pages := readAll(t, p, "")
	slices.Sort(ids)
	if want := []string{"u1", "u2", "u3", "u4", "u5"}; !slices.Equal(ids, want) || pages != 3 {
		t.Errorf("read %v in %d pages, want %v in 3", ids, pages, want)
	}
}

func TestAFailedPageIsAskedAgainWithItsOwnCursor(t *testing.T) {
	srv, p := pagedEnv(t, testSeed())
	ctx := context.Background()
	first, err := p.ListPage(ctx, "")
	if err != nil {
		t.Fatalf("page 1: %v", err)
	}
	second, err := p.ListPage(ctx, first.Next)
	if err != nil || second.Next == "" {
		t.Fatalf("page 2: next %q, %v", second.Next, err)
	}
	srv.Inject(lmssim.Enabley, lmssim.Fault{Kind: lmssim.Fault500, Endpoint: listEndpoint})
	if _, err := p.ListPage(ctx, second.Next); lms.KindOf(err) != lms.KindTransient {
		t.Fatalf("page 3 with a 500: %v, want a Transient error", err)
	}
	ids, pages := readAll(t, p, second.Next)
	if len(ids) != 1 || pages != 1 {
		t.Errorf("page 3 asked again read %v in %d pages, want its one user", ids, pages)
	}
}

func TestAnOddRecordIsSkippedWithItsReason(t *testing.T) {
	srv, p := pagedEnv(t, testSeed())
	srv.Inject(lmssim.Enabley, lmssim.Fault{Kind: lmssim.FaultOddRecord, Endpoint: listEndpoint})
	page, err := p.ListPage(context.Background(), "")
	if err != nil {
		t.Fatalf("ListPage: %v", err)
	}
	if len(page.Users) != 1 || len(page.Skipped) != 1 || page.Next == "" {
		t.Fatalf("page = %d users, skipped %+v, next %q; want 1 user, 1 skipped and a next page", len(page.Users), page.Skipped, page.Next)
	}
	s := page.Skipped[0]
	if s.ID == "" || s.ID == page.Users[0].ID || !oddReason.MatchString(s.Reason) {
		t.Errorf("skipped %+v: want the other record's id and a reason like %s", s, oddReason)
	}
}

func TestAnEmptyAccountListsOneEmptyPage(t *testing.T) {
	seed := testSeed()
	seed.Users = nil
	_, p := pagedEnv(t, seed)
	page, err := p.ListPage(context.Background(), "")
	if err != nil || len(page.Users) != 0 || len(page.Skipped) != 0 || page.Next != "" {
		t.Errorf("ListPage = %+v, %v; want one empty last page", page, err)
	}
}
