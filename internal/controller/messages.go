package controller

import (
	"fmt"
	"strings"
)

// shownNames is how many names a condition or event message lists.
const shownNames = 5

// truncated lists names for a message, cut after shown of them:
// "a, b, c and 7 more".
func truncated(names []string, shown int) string {
	if len(names) <= shown {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:shown], ", "), len(names)-shown)
}

// countNouns writes counts as "3 learners and 1 group".
func countNouns(counts map[string]int) string {
	var parts []string
	for _, noun := range []string{"learner", "group"} {
		switch n := counts[noun]; n {
		case 0:
		case 1:
			parts = append(parts, "1 "+noun)
		default:
			parts = append(parts, fmt.Sprintf("%d %ss", n, noun))
		}
	}
	return strings.Join(parts, " and ")
}
