package eleapsim

import "slices"

// A training is the catalog of one target kind: courses or learning paths.
type training struct {
	kind    string // TargetCourse or TargetLearningPath
	noun    string // "course" or "learning path", for messages
	listKey string // the list answer's key; the find answer's key drops the "s"
	items   map[string]*item
}

// An item is one course or learning path with its direct assignments.
type item struct {
	course *Course // exactly one of course and path is set
	path   *LearningPath
	users  map[string]bool
	groups map[string]bool
}

// newTraining returns an empty catalog.
func newTraining(kind, noun, listKey string) *training {
	return &training{kind: kind, noun: noun, listKey: listKey, items: map[string]*item{}}
}

// id returns the item's id.
func (it *item) id() string {
	if it.course != nil {
		return it.course.ID
	}
	return it.path.ID
}

// name returns the item's name.
func (it *item) name() string {
	if it.course != nil {
		return it.course.Name
	}
	return it.path.Name
}

// insert adds it to the catalog unless its id is taken.
func (t *training) insert(it *item) {
	if t.items[it.id()] != nil {
		return
	}
	if it.path != nil {
		it.path.Courses = slices.Clone(it.path.Courses)
	}
	it.users, it.groups = map[string]bool{}, map[string]bool{}
	t.items[it.id()] = it
}

// forget removes a user's or a group's assignments from every item.
func (t *training) forget(userID, groupID string) {
	for _, it := range t.items {
		delete(it.users, userID)
		delete(it.groups, groupID)
	}
}

// reaches reports whether the user is assigned to it directly or through one
// of groups.
func (it *item) reaches(userID string, groups []string) bool {
	if it.users[userID] {
		return true
	}
	for _, g := range groups {
		if it.groups[g] {
			return true
		}
	}
	return false
}
