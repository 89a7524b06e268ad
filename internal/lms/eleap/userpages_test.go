package eleap

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lmssim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/eleapsim"
)

// oddReason is the reason of a record the simulator's odd-record fault
// changed: one field holds an object.
var oddReason = regexp.MustCompile(`^field "[a-z_]+": an object where a (string|number|boolean) was expected$`)

// pagedEnv serves seed through the simulator's server, which injects
// faults, and returns it with the paged user client of it.
func pagedEnv(t *testing.T, seed eleapsim.Seed) (*lmssim.Server, lms.PagedLister) {
	t.Helper()
	srv := lmssim.New(lmssim.Options{}, eleapsim.New(seed))
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); hs.Close() })
	c, err := New(lms.Config{BaseURL: lmssim.VendorBaseURL(hs.URL, lmssim.ELeaP),
		Credentials: map[string][]byte{CredentialsKey: []byte(testToken)}, HTTPClient: &http.Client{}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	p, ok := c.Users().(lms.PagedLister)
	if !ok {
		t.Fatal("the eLeaP user client is not an lms.PagedLister")
	}
	return srv, p
}

func TestListPageIsOnePageOfEveryUser(t *testing.T) {
	_, p := pagedEnv(t, testSeed())
	page, err := p.ListPage(context.Background(), "")
	if err != nil || len(page.Users) != 2 || page.Next != "" || len(page.Skipped) != 0 {
		t.Fatalf("ListPage = %+v, %v; want the 2 users in one last page", page, err)
	}
	if _, err := p.ListPage(context.Background(), "2"); lms.KindOf(err) != lms.KindInvalidRequest {
		t.Errorf("ListPage(\"2\") = %v, want an InvalidRequest error: eLeaP's list has one page", err)
	}
}

func TestAFailedListIsAskedAgainAndRead(t *testing.T) {
	srv, p := pagedEnv(t, testSeed())
	srv.Inject(lmssim.ELeaP, lmssim.Fault{Kind: lmssim.Fault500, Endpoint: "users/"})
	if _, err := p.ListPage(context.Background(), ""); lms.KindOf(err) != lms.KindTransient {
		t.Fatalf("ListPage with a 500 = %v, want a Transient error", err)
	}
	if page, err := p.ListPage(context.Background(), ""); err != nil || len(page.Users) != 2 {
		t.Errorf("ListPage asked again = %d users, %v; want 2", len(page.Users), err)
	}
}

func TestAnOddUserRecordIsSkippedWithItsReason(t *testing.T) {
	srv, p := pagedEnv(t, testSeed())
	srv.Inject(lmssim.ELeaP, lmssim.Fault{Kind: lmssim.FaultOddRecord, Endpoint: "users/"})
	page, err := p.ListPage(context.Background(), "")
	if err != nil {
		t.Fatalf("ListPage: %v", err)
	}
	if len(page.Users) != 1 || len(page.Skipped) != 1 {
		t.Fatalf("page = %d users, skipped %+v; want 1 user and 1 skipped", len(page.Users), page.Skipped)
	}
	if s := page.Skipped[0]; s.ID == "" || s.ID == page.Users[0].ID || !oddReason.MatchString(s.Reason) {
		t.Errorf("skipped %+v: want the other user's id and a reason like %s", s, oddReason)
	}
}

func TestNoRecordsIsAnEmptyList(t *testing.T) {
	seed := testSeed()
	seed.Users, seed.Memberships = nil, nil
	_, p := pagedEnv(t, seed) // users/ answers 4041
	page, err := p.ListPage(context.Background(), "")
	if err != nil || len(page.Users) != 0 || page.Next != "" {
		t.Errorf("ListPage = %+v, %v; want one empty last page", page, err)
	}
}
