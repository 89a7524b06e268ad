package controller

import (
	"context"
	"errors"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
)

// versionReader answers Get with an object at resourceVersion rv, or err.
type versionReader struct {
	client.Reader
	rv  string
	err error
}

func (r versionReader) Get(_ context.Context, _ client.ObjectKey, obj client.Object, _ ...client.GetOption) error {
	obj.SetResourceVersion(r.rv)
	return r.err
}

func TestWrittenVersionsStale(t *testing.T) {
	group := func(rv string) *v1alpha1.LearnerGroup {
		return &v1alpha1.LearnerGroup{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "g", ResourceVersion: rv}}
	}
	type args struct {
		written string // "" : nothing written
		cached  string
		server  versionReader
	}
	type want struct{ Stale, Remembered bool }
	cases := map[string]row[args, want]{
		"NothingWritten": {reason: "an object this process never wrote is taken as the cache holds it",
			args: args{cached: "5", server: versionReader{rv: "9"}}, want: want{}},
		"CacheHoldsTheWrite": {reason: "the cache has seen the last write: current, and nothing more to remember",
			args: args{written: "7", cached: "7", server: versionReader{rv: "9"}}, want: want{}},
		"CacheBehind": {reason: "the cache holds an older copy than the API server after this process wrote: put off",
			args: args{written: "7", cached: "6", server: versionReader{rv: "7"}}, want: want{Stale: true, Remembered: true}},
		"AnotherWriterLater": {reason: "another writer came after this process and the cache holds its copy: current",
			args: args{written: "7", cached: "8", server: versionReader{rv: "8"}}, want: want{}},
		"ServerUnreachable": {reason: "when the API server cannot be asked, the reconcile goes on as before",
			args: args{written: "7", cached: "6", server: versionReader{err: errors.New("boom")}}, want: want{Remembered: true}},
	}
	checkTable(t, "writtenVersions.stale", cases, func(a args) want {
		w := newWrittenVersions()
		if a.written != "" {
			w.record(group(a.written))
		}
		got := want{Stale: w.stale(context.Background(), a.server, group(a.cached))}
		_, got.Remembered = w.rv[types.NamespacedName{Namespace: "team-a", Name: "g"}]
		return got
	})
}
