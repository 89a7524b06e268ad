// Package exceedsim is an in-memory simulator of the Exceed LMS (Intellum)
// users API, faithful to the vendor's document (exceed-users-api.txt). It
// implements lmssim.Vendor; paths are relative to the vendor's base URL, so
// the API lives under "/api/v2/".
//
// Endpoints:
//
//	GET    /api/v2/users             list, Seed.PageSize (1,000) a page, in id
//	                                 order; ?page=N (default 1), ?fields=a,b
//	                                 limits the attributes, user[attr]=value
//	                                 filters (dates as "from,to" ranges)
//	POST   /api/v2/users             create: 201 and the user, or 422
//	GET    /api/v2/users/{id}        read; with user[code] the id is ignored
//	PUT    /api/v2/users/{id}        update (PATCH too): 200, empty body
//	PUT    /api/v2/users             update the user named by user[code]
//	DELETE /api/v2/users/{id}        delete: 200, empty body
//	GET    /api/v2/users/deletions   deleted users, paged, ?deleted_at=YYYY-MM-DD
//
// Every call needs api_key, read from the query string, a JSON body (even on
// GET, as the document's examples send it) or a form-encoded body. Request
// data is read from the same three places: {"user": {"first_name": ...}} in
// JSON, or user[first_name]=... as parameters; the body wins over the query.
// A missing or refused api_key answers 401; an unknown id or code answers
// 404; a body that is not JSON or form data answers 400.
//
// Create requires user[first_name], user[last_name], user[login] and
// user[password]. Failed validation answers 422 with the list of reasons as
// {"errors": ["First name can't be blank", ...]}, the JSON form of the
// document's "list of error reasons". Create and update check, in Rails'
// words: blank required fields ("can't be blank"), the document's length
// limits in characters ("is too long (maximum is 100 characters)", 255 for
// attributes the document does not list, full_name = first_name + " " +
// last_name at most 200) and uniqueness of login, email and code ("has
// already been taken").
//
// Where the document is silent the simulator assumes: responses are JSON
// (the document's create and read examples are XML; the JSON form is the
// bare attribute object, like the list example's entries), unless
// Seed.XMLAnswers makes create, read and errors answer XML as the examples
// do (nil="true" for unset attributes, type= for typed ones); empty optional
// attributes are null, as nil="true" in the XML; create answers 201; the
// 401, 404 and 400 bodies use the same {"errors": [...]} shape; login, email
// and code compare case-insensitively (uniqueness and filters), as on a
// MySQL-backed Rails application; code may not be changed by update, and an
// update that names both an id and user[code] answers 422; attributes that
// the document does not list as writable (authority, is_instructor, locale,
// ...) are ignored on create and update; a page number that is missing, not
// a number or below 1 means page 1; deleted_at returns deletions on or after
// the start of that day (UTC); an invalid filter value answers 422.
//
// Not modelled: XML lists and the ".xml"/".json" path suffixes, the
// account's API rate limit (the lmssim server in front adds the hourly
// limit), the "unpaginated requests" limitation of deletions, position and
// manager references (their ids are stored as given), passwords' strength
// rules, and groups and enrollments (not in the document).
//
// Admin serves, relative to "/_sim/exceed":
//
//	GET    /state        the whole state as JSON (users with every attribute)
//	POST   /users        add a user behind the operator's back (flat attributes)
//	PATCH  /users/{id}   change attributes behind the operator's back, without validation
//	DELETE /users/{id}   delete a user behind the operator's back
//	POST   /completions  501: Exceed enrollments are not simulated
//
// Tests in the same process can use the Go methods instead: State, Users,
// User, UserByCode, UserByEmail, Deletions, AddUser, PatchUser and
// DeleteUser; SetClock puts the simulator on a fake clock.
package exceedsim
