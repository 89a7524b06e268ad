package controller

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
)

// adoptionRefused is the outcome of an object whose LMS object (noun, found
// by what) exists already on a connection that does not let its namespace
// take it over.
func adoptionRefused(key pool.Key, ns, noun, what string) outcome {
	field := "spec.adoption.policy is Never"
	if key.Kind == v1alpha1.ClusterLMSConnectionKind {
		field = "spec.adoption does not let namespace " + ns + " adopt"
	}
	return stalled(v1alpha1.ReasonAdoptionRefused, fmt.Sprintf("the LMS %s %s exists already and %s %s does not let it be taken over "+
		"(%s); nothing is sent to the LMS. Change its %s, or ask the connection's owner to allow adoption", noun, what, key.Kind, key, field, keyFields(noun)))
}

// keyFields names the spec field that finds an LMS object of noun.
func keyFields(noun string) string {
	if noun == "group" {
		return "displayName"
	}
	return "email or externalID"
}

// recordCreateRequested writes in obj's status, before a create is sent, the
// time it is sent (set stores it), so that the object created is known as
// the operator's own after a crash that lost its answer, where the connection
// refuses adoption. The patch carries only that field and the resourceVersion
// read; obj takes the new resourceVersion, so that the reconcile's last
// status patch follows it.
func recordCreateRequested[T managed](ctx context.Context, c client.Client, obj T, now time.Time, set func(T, *metav1.Time)) *outcome {
	t := metav1.NewTime(now)
	cp := obj.DeepCopyObject().(T)
	base := obj.DeepCopyObject().(T)
	set(cp, &t)
	if err := c.Status().Patch(ctx, cp, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{})); err != nil {
		return ptrTo(failedWith(v1alpha1.ReasonProgressing, fmt.Errorf("record the create in status: %w", err)))
	}
	set(obj, &t)
	obj.SetResourceVersion(cp.GetResourceVersion())
	return nil
}
