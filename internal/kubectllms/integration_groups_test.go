package kubectllms

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lmsoperator/lms-operator/internal/lmssim"
)

// groupManifests add to eleapManifests Katherine with label team=%[2]s, a
// group of the Learners labelled team=platform, and an Enrollment of the
// course Code of Conduct for the Learner %[3]s.
const groupManifests = `---
apiVersion: training.lmsoperator.dev/v1alpha1
kind: Learner
metadata: {name: katherine-johnson, namespace: %[1]s, labels: {team: %[2]s}}
spec: {connectionRef: {name: eleap}, email: katherine@example.com, firstName: Katherine, lastName: Johnson}
---
apiVersion: training.lmsoperator.dev/v1alpha1
kind: LearnerGroup
metadata: {name: platform, namespace: %[1]s}
spec:
  connectionRef: {name: eleap}
  displayName: Platform
  members: {selector: {matchLabels: {team: platform}}}
---
apiVersion: training.lmsoperator.dev/v1alpha1
kind: Enrollment
metadata: {name: conduct, namespace: %[1]s}
spec:
  connectionRef: {name: eleap}
  course: {name: Code of Conduct}
  subjects: {learnerRefs: [{name: %[3]s}]}
`

// TestPlanGroupMembersAndAssignments applies Katherine in a selector group
// and assigned to a course, then plans her label removed and the course
// given to Ada (who has it in the demo data): one member removed, one
// unassignment, exit status 2, no vendor write.
func TestPlanGroupMembersAndAssignments(t *testing.T) {
	needCluster(t)
	s := newSim(t)
	ns := "plan-groups"
	createNamespaceAndSecret(t, ns)
	base := fmt.Sprintf(eleapManifests, ns, s.BaseURL(lmssim.ELeaP), "Lovelace")
	applied := writeFile(t, "applied.yaml", base+fmt.Sprintf(groupManifests, ns, "platform", "katherine-johnson"))
	waitReady(t, applyManifests(t, ns, applied))
	before := s.Writes(lmssim.ELeaP)
	changed := writeFile(t, "changed.yaml", base+fmt.Sprintf(groupManifests, ns, "research", "ada-lovelace"))

	out, errOut, code := run(t, "plan", "-f", changed)
	if code != ExitChanges {
		t.Errorf("plan exit status %d, want %d; stderr:\n%s", code, ExitChanges, errOut)
	}
	changes := changeLines(out)
	want := []string{
		`~ update LearnerGroup plan-groups/platform ("Platform", -member katherine@example.com)`,
		`~ update Enrollment plan-groups/conduct (-unassign katherine@example.com)`,
	}
	if diff := cmp.Diff(want, changes); diff != "" {
		t.Errorf("plan's changes: -want, +got:\n%s\nwhole output:\n%s", diff, out)
	}
	if diff := cmp.Diff(before, s.Writes(lmssim.ELeaP)); diff != "" {
		t.Errorf("vendor writes during plan: -before, +after:\n%s", diff)
	}
	if out, _, code := run(t, "plan", "-f", applied); code != ExitOK {
		t.Errorf("plan of the applied manifests: exit %d, want 0:\n%s", code, out)
	}
}
