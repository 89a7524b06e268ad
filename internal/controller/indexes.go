package controller

import (
	"context"

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

// SetupIndexes registers the field indexes the controllers use.
func SetupIndexes(ctx context.Context, idx client.FieldIndexer) error {
	byConn := func(ns string, ref v1alpha1.ConnectionReference) []string {
		return []string{indexValue(connectionKey(ns, ref))}
	}
	if err := idx.IndexField(ctx, &v1alpha1.Learner{}, indexConnection, func(o client.Object) []string {
		l := o.(*v1alpha1.Learner)
		return byConn(l.Namespace, l.Spec.ConnectionRef)
	}); err != nil {
		return err
	}
	if err := idx.IndexField(ctx, &v1alpha1.LearnerGroup{}, indexConnection, func(o client.Object) []string {
		g := o.(*v1alpha1.LearnerGroup)
		return byConn(g.Namespace, g.Spec.ConnectionRef)
	}); err != nil {
		return err
	}
	if err := idx.IndexField(ctx, &v1alpha1.Enrollment{}, indexConnection, func(o client.Object) []string {
		e := o.(*v1alpha1.Enrollment)
		return byConn(e.Namespace, e.Spec.ConnectionRef)
	}); err != nil {
		return err
	}
	if err := idx.IndexField(ctx, &v1alpha1.LMSConnection{}, indexSecret, func(o client.Object) []string {
		c := o.(*v1alpha1.LMSConnection)
		return []string{c.Namespace + "/" + c.Spec.CredentialsSecretRef.Name}
	}); err != nil {
		return err
	}
	return idx.IndexField(ctx, &v1alpha1.ClusterLMSConnection{}, indexSecret, func(o client.Object) []string {
		c := o.(*v1alpha1.ClusterLMSConnection)
		return []string{c.Spec.CredentialsSecretRef.Namespace + "/" + c.Spec.CredentialsSecretRef.Name}
	})
}
