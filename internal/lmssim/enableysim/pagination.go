package enableysim

import (
	"crypto/rand"
	"net/http"
	"time"
)

// A pageResponse is the document's PaginationResponse«T».
type pageResponse[T any] struct {
	Items       []T `json:"items"`
	PageSize    int `json:"pageSize"`
	CurrentPage int `json:"currentPage"`
	TotalPages  int `json:"totalPages"`
	// PaginationKey is null on the last page.
	PaginationKey *string `json:"paginationKey"`
}

// paginate cuts items into the page r asks for with its paginationKey,
// issuing a key for the next page when there is one. A key that is unknown,
// expired or issued for another query answers 404 not_found.
func paginate[T any](st *state, r *http.Request, endpoint string, items []T, now time.Time) (pageResponse[T], error) {
	scope := pageScope(r, endpoint)
	offset := 0
	if key := r.URL.Query().Get("paginationKey"); key != "" {
		c, ok := st.cursors[key]
		if !ok || c.scope != scope || !now.Before(c.expires) {
			return pageResponse[T]{}, fail(errNotFound, "Invalid paginationKey")
		}
		offset = c.offset
	}
	offset = min(offset, len(items))
	end := min(offset+st.pageSize, len(items))
	page := pageResponse[T]{
		Items:       append(make([]T, 0, end-offset), items[offset:end]...),
		PageSize:    st.pageSize,
		CurrentPage: offset/st.pageSize + 1,
		TotalPages:  (len(items) + st.pageSize - 1) / st.pageSize,
	}
	if end < len(items) {
		key := st.newCursor(scope, end, now)
		page.PaginationKey = &key
	}
	return page, nil
}

// pageScope identifies the query a key belongs to: the endpoint and every
// query parameter but the key.
func pageScope(r *http.Request, endpoint string) string {
	q := r.URL.Query()
	q.Del("paginationKey")
	return endpoint + "?" + q.Encode()
}

// newCursor issues a paginationKey for offset in scope, dropping expired keys.
func (st *state) newCursor(scope string, offset int, now time.Time) string {
	for k, c := range st.cursors {
		if !now.Before(c.expires) {
			delete(st.cursors, k)
		}
	}
	key := rand.Text()
	st.cursors[key] = cursor{scope: scope, offset: offset, expires: now.Add(st.cursorTTL)}
	return key
}
