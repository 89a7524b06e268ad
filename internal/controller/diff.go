package controller

// A fieldDiff collects the names of the spec fields in which the LMS object
// differs from the spec, in the order they are checked.
type fieldDiff []string

// check adds field when differs.
func (d *fieldDiff) check(field string, differs bool) {
	if differs {
		*d = append(*d, field)
	}
}
