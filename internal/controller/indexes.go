package controller

import (
	"context"
	"fmt"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
)

// Field indexes of the manager's cache.
const (
	// indexConnection indexes Learners, LearnerGroups and Enrollments by the
	// pool.Key string of their connection ("LMSConnection/ns/name").
	indexConnection = "spec.connectionRef.key"
	// indexSecret indexes connections by "namespace/name" of their Secret.
	indexSecret = "spec.credentialsSecretRef.key"
)

// connectionKey returns the pool key of a resource's connection reference.
func connectionKey(namespace string, ref v1alpha1.ConnectionReference) pool.Key {
	kind := ref.KindOrDefault()
	if kind == v1alpha1.ClusterLMSConnectionKind {
		namespace = ""
	}
	return pool.Key{Kind: kind, Namespace: namespace, Name: ref.Name}
}

// indexValue is the value indexConnection stores for a key.
func indexValue(k pool.Key) string { return k.Kind + "/" + k.Namespace + "/" + k.Name }

// An index is one field index: the kind it indexes, the field's name and
// the values an object is found under.
type index struct {
	obj    client.Object
	field  string
	values client.IndexerFunc
}

// indexes are the field indexes the controllers use.
func indexes() []index {
	byConnection := func(o client.Object) []string {
		m := o.(managed)
		return []string{indexValue(connectionKey(m.GetNamespace(), m.GetConnectionRef()))}
	}
	bySecret := func(wrap func(client.Object) connectionObject) client.IndexerFunc {
		return func(o client.Object) []string { return []string{wrap(o).secretKey().String()} }
	}
	return []index{
		{&v1alpha1.Learner{}, indexConnection, byConnection},
		{&v1alpha1.LearnerGroup{}, indexConnection, byConnection},
		{&v1alpha1.Enrollment{}, indexConnection, byConnection},
		{&v1alpha1.Learner{}, indexClaim, claimIndexer(learnerIndexKeys)},
		{&v1alpha1.LearnerGroup{}, indexClaim, claimIndexer(groupIndexKeys)},
		{&v1alpha1.LMSConnection{}, indexSecret, bySecret(func(o client.Object) connectionObject {
			return lmsConnection{o.(*v1alpha1.LMSConnection)}
		})},
		{&v1alpha1.ClusterLMSConnection{}, indexSecret, bySecret(func(o client.Object) connectionObject {
			return clusterConnection{o.(*v1alpha1.ClusterLMSConnection)}
		})},
	}
}

// SetupIndexes registers the field indexes the controllers use.
func SetupIndexes(ctx context.Context, idx client.FieldIndexer) error {
	for _, i := range indexes() {
		if err := idx.IndexField(ctx, i.obj, i.field, i.values); err != nil {
			return fmt.Errorf("index %T by %s: %w", i.obj, i.field, err)
		}
	}
	return nil
}
