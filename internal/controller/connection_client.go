package controller

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
)

// buildClient builds the client of a connection being deleted in the pool,
// from its Secret read with reader, without a vendor call: after a restart
// its dependents' deletion policies need the client the pool lost. why is
// set when no client can be built (the Secret or one of its keys is gone).
func buildClient(ctx context.Context, reader client.Reader, p *pool.Pool, obj connectionObject) (conn *pool.Connection, why string, err error) {
	var s corev1.Secret
	if err := reader.Get(ctx, obj.secretKey(), &s); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, fmt.Sprintf("Secret %s not found", obj.secretKey()), nil
		}
		return nil, "", fmt.Errorf("read Secret %s: %w", obj.secretKey(), err)
	}
	conn, _, err = p.Ensure(obj.poolKey(), settingsOf(obj.settings()), s.Data, s.ResourceVersion)
	if err != nil {
		return nil, fmt.Sprintf("Secret %s: %s", obj.secretKey(), lms.Message(err)), nil
	}
	return conn, "", nil
}
