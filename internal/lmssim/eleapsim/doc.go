// Package eleapsim is an in-memory simulator of the eLeaP API (document v2,
// /work/shared/vendor-apis/eleap-api-v2.txt; envelopes as in v1). A Sim
// implements lmssim.Vendor: it serves the document's paths under /api/
// ("/api/users/", "/api/users/add", "/api/usergroups/assign_user", ...), by
// GET or POST, with arguments in the query or in a form-encoded (or
// multipart) body, and an admin API for tests and demos.
//
// # Failures and HTTP status
//
// Every call needs api_token: a missing or empty one answers code 401
// ("Request missing api token"), an unknown one 4011 ("Invalid API Key"), a
// token listed in Seed.ForbiddenTokens (valid, but for another subdomain) 403.
// An unknown path answers 404 ("Invalid API call"), a missing or invalid
// argument 4040 with a message naming it, an unknown id or email 4041.
//
// The document lists these codes but never says which HTTP status carries
// them, and eLeaP is known to send failures as HTTP 200 with "status":"fail"
// in the body. The simulator therefore answers every failure with HTTP 200 by
// default, so that a client that only reads the HTTP status is caught out.
// With Seed.HTTPErrorStatus it answers with a matching status instead: 401
// and 4011 -> 401, 403 -> 403, 404 and 4041 -> 404, 4040 -> 400. The body is
// the same in both modes.
//
// # Behaviour chosen where the document is silent
//
//   - Emails are stored as sent and matched exactly (case-sensitively): the
//     document does not promise case-insensitive matching.
//   - Adding a user whose email exists answers 4040 "A user with the email
//     address '...' already exists". Assigning an assigned user (or group)
//     answers 4040 "... is already assigned to ..."; unassigning a user who is
//     not assigned answers 4041.
//   - 4041 means "there is no data to return": a list that would be empty
//     (users, groups, assigned users, recent completions, custom fields)
//     answers 4041 rather than an empty array.
//   - users/add answers the bare success envelope (as the v1 document shows;
//     Seed.AddUserAnswer can make it answer the new id, or the new user);
//     usergroups/add answers the new group's id in a top-level "id".
//   - User answers carry the document's fields only (access_level,
//     first_name, middle_name, last_name, email, description, created, and
//     the id the Find method's text says the list holds), as its examples
//     show: no active flag, no custom fields. Seed.UserActive and
//     Seed.UserCustomFields add them, for the other reading.
//   - users/get and the find methods answer a one-element array under a
//     singular key ("user", "usergroup", "course", "learning_path"), as the
//     document's "Single user" example. courses/ answers a bare object when
//     the company has exactly one course, as the document's "Courses list"
//     example shows; an array otherwise.
//   - Ids are strings of digits; user and group "active" is 1 or 0; course
//     and learning path "active" is "yes" or "no"; a user's custom_fields is
//     an object, or [] when empty (as PHP encodes an empty array).
//   - users/edit without id finds the user by email; with id it finds the
//     user by id and sets the email. Arguments that are absent (middle_name,
//     description, access_level, custom_fields) leave the value unchanged;
//     custom_fields are merged.
//   - users/recent_completions answers {"completions":[{id_user, email,
//     first_name, last_name, id_course, course_name, completed, score}]} for
//     courses completed in the 24 hours before Sim.Now. users/activity
//     answers {"activity":[{id_user, id_course, course_name, status
//     ("not started", "in progress", "completed"), progress, score,
//     completed}]}, or 4041 when the user is neither assigned to the course
//     (directly, through a group or through a learning path) nor has
//     progress in it. users/custom_fields answers {"custom_fields":[names]}.
//   - courses/assigned_users and learning_paths/assigned_users list direct
//     assignments only, not users assigned through a group.
//   - Activation and assignment emails are not sent but recorded (State
//     EmailsSent), unless silent=1.
//
// Not modelled: users/reset_password, users/export_activity,
// users/regenerate_activity, users/export_certificate, learning_paths
// add/edit/remove/assign_course/unassign_course and lessons/* answer 404
// with a message saying so. The hourly request limit (429) belongs to the
// composing lmssim server; Sim.FailNext can force a 429 (or any failure) for
// tests.
//
// # Admin API
//
// Admin serves, relative to "/_sim/eleap":
//
//	GET    /state            the whole State as JSON
//	POST   /users            create a user directly (body: UserPatch, email required)
//	PATCH  /users/{email}    change a user behind the operator's back (body: UserPatch)
//	DELETE /users/{email}    remove a user behind the operator's back
//	POST   /completions      {"email","courseId","percent","score"}: progress, or completion now when percent is 100 or absent
//	POST   /failures         queue a Failure for the next matching API call
//
// Tests in the same process can use the Go methods instead: State, Users,
// UserByEmail, CreateUser, PatchUser, DeleteUser, Complete and FailNext.
package eleapsim
