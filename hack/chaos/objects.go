package main

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lmssim/eleapsim"
)

// The names of the objects every vendor's namespace holds besides the
// campaign's Learners, LearnerGroups and Enrollments.
const (
	connName   = "lms"
	secretName = "lms-credentials"
)

// connRef references the namespace's connection.
var connRef = v1alpha1.ConnectionReference{Name: connName}

// learnerObject is the Learner l declares in ns.
func learnerObject(ns string, l *learnerState) *v1alpha1.Learner {
	active := l.active
	return &v1alpha1.Learner{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: l.name},
		Spec: v1alpha1.LearnerSpec{ConnectionRef: connRef, Email: l.email, FirstName: l.firstName, LastName: l.lastName,
			Active: &active, DeletionPolicy: v1alpha1.LearnerDeletionPolicy(l.policy)},
	}
}

// groupObject is the LearnerGroup g declares in ns.
func groupObject(ns string, g *groupState) *v1alpha1.LearnerGroup {
	obj := &v1alpha1.LearnerGroup{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: g.name},
		Spec: v1alpha1.LearnerGroupSpec{ConnectionRef: connRef, DisplayName: g.displayName,
			Members: v1alpha1.GroupMembers{LearnerRefs: refs(g.members)}, DeletionPolicy: v1alpha1.GroupDeletionPolicy(g.policy)},
	}
	if g.enableyType != "" {
		obj.Spec.Enabley = &v1alpha1.EnableyGroupSettings{Type: g.enableyType}
	}
	return obj
}

// enrollmentObject is the Enrollment e declares in ns.
func enrollmentObject(ns string, e *enrollmentState) *v1alpha1.Enrollment {
	obj := &v1alpha1.Enrollment{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: e.name},
		Spec: v1alpha1.EnrollmentSpec{ConnectionRef: connRef,
			Subjects:       v1alpha1.Subjects{LearnerRefs: refs(e.learners), GroupRefs: refs(e.groups)},
			DeletionPolicy: v1alpha1.EnrollmentDeletionPolicy(e.policy)},
	}
	ref := &v1alpha1.TargetReference{ID: e.target.id}
	if e.byName {
		ref = &v1alpha1.TargetReference{Name: e.target.name}
	}
	switch e.target.kind {
	case eleapsim.TargetCourse:
		obj.Spec.Course = ref
	case eleapsim.TargetLearningPath:
		obj.Spec.LearningPath = ref
	default:
		obj.Spec.Channel = ref
	}
	return obj
}

// refs returns references to the named objects; nil for none.
func refs(names []string) []v1alpha1.LocalObjectReference {
	var out []v1alpha1.LocalObjectReference
	for _, n := range names {
		out = append(out, v1alpha1.LocalObjectReference{Name: n})
	}
	return out
}

// secretObject is the credentials Secret of ns.
func secretObject(ns string, data map[string]string) *corev1.Secret {
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: secretName}, StringData: data}
}

// connectionObject is the LMSConnection of ns: settings, the simulator's
// endpoint, a budget the campaign does not run out of and a short
// syncInterval.
func connectionObject(ns string, settings v1alpha1.ConnectionSettings, endpoint string, sync metav1.Duration) *v1alpha1.LMSConnection {
	perHour, burst := int32(36000), int32(20)
	settings.Endpoint, settings.AllowInsecureHTTP = endpoint, true
	settings.RateLimit = &v1alpha1.RateLimit{RequestsPerHour: &perHour, Burst: &burst}
	settings.SyncInterval = &sync
	return &v1alpha1.LMSConnection{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: connName},
		Spec:       v1alpha1.LMSConnectionSpec{ConnectionSettings: settings, CredentialsSecretRef: v1alpha1.LocalSecretReference{Name: secretName}},
	}
}

// kindOf names the kind of a campaign object.
func kindOf(obj client.Object) string {
	switch obj.(type) {
	case *v1alpha1.Learner:
		return "Learner"
	case *v1alpha1.LearnerGroup:
		return "LearnerGroup"
	case *v1alpha1.Enrollment:
		return "Enrollment"
	case *v1alpha1.LMSConnection:
		return "LMSConnection"
	}
	return "object"
}
