package kubectllms

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/controller"
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
	"github.com/lmsoperator/lms-operator/internal/lms/vendors"
)

// EnvPrefix prefixes the environment variables that carry credentials for
// CI (--credentials-from-env): KUBECTL_LMS_APITOKEN for the key apiToken.
const EnvPrefix = "KUBECTL_LMS_"

// credentialKeys are the Secret keys of every vendor (lms.Config.Credentials).
var credentialKeys = []string{"apiToken", "clientKey", "secret", "apiKey"}

// budgetWait is how long a read may wait for the connection's budget: the
// plugin spends the budget the operator would, at the same pace.
const budgetWait = 10 * time.Minute

// A Connection is a connection object as the plugin needs it: its key, its
// settings, where its credentials are and what its status says.
type Connection struct {
	Key      pool.Key
	Settings *v1alpha1.ConnectionSettings
	Secret   client.ObjectKey
	Status   v1alpha1.ConnectionStatus
}

// fromLMSConnection adapts an LMSConnection.
func fromLMSConnection(c *v1alpha1.LMSConnection) Connection {
	return Connection{Key: pool.Key{Kind: v1alpha1.LMSConnectionKind, Namespace: c.Namespace, Name: c.Name},
		Settings: &c.Spec.ConnectionSettings, Status: c.Status,
		Secret: client.ObjectKey{Namespace: c.Namespace, Name: c.Spec.CredentialsSecretRef.Name}}
}

// fromClusterConnection adapts a ClusterLMSConnection.
func fromClusterConnection(c *v1alpha1.ClusterLMSConnection) Connection {
	ref := c.Spec.CredentialsSecretRef
	return Connection{Key: pool.Key{Kind: v1alpha1.ClusterLMSConnectionKind, Name: c.Name},
		Settings: &c.Spec.ConnectionSettings, Status: c.Status,
		Secret: client.ObjectKey{Namespace: ref.Namespace, Name: ref.Name}}
}

// connectionKey is the pool key a resource's connectionRef names from namespace ns.
func connectionKey(ns string, ref v1alpha1.ConnectionReference) pool.Key {
	if ref.KindOrDefault() == v1alpha1.ClusterLMSConnectionKind {
		return pool.Key{Kind: v1alpha1.ClusterLMSConnectionKind, Name: ref.Name}
	}
	return pool.Key{Kind: v1alpha1.LMSConnectionKind, Namespace: ns, Name: ref.Name}
}

// getConnection reads the connection of key from the cluster.
func getConnection(ctx context.Context, c client.Reader, key pool.Key) (Connection, error) {
	if key.Kind == v1alpha1.ClusterLMSConnectionKind {
		var obj v1alpha1.ClusterLMSConnection
		if err := c.Get(ctx, client.ObjectKey{Name: key.Name}, &obj); err != nil {
			return Connection{}, fmt.Errorf("read ClusterLMSConnection %s: %w", key.Name, err)
		}
		return fromClusterConnection(&obj), nil
	}
	var obj v1alpha1.LMSConnection
	if err := c.Get(ctx, client.ObjectKey{Namespace: key.Namespace, Name: key.Name}, &obj); err != nil {
		return Connection{}, fmt.Errorf("read LMSConnection %s: %w", key, err)
	}
	return fromLMSConnection(&obj), nil
}

// A Dialer builds read-only vendor clients.
type Dialer struct {
	// Reader reads Secrets; nil with FromEnv.
	Reader client.Reader
	// FromEnv takes the credentials from KUBECTL_LMS_* instead of the Secret.
	FromEnv bool
	// Base sends the vendor requests the ReadOnly transport allows; tests set it.
	Base http.RoundTripper
}

// A Dialed connection is a read-only vendor client and its transport,
// which counts the calls sent.
type Dialed struct {
	*pool.Connection
	Transport *ReadOnly
}

// Dial returns the read-only client of conn, with its request budget.
func (d Dialer) Dial(ctx context.Context, conn Connection) (*Dialed, error) {
	creds, err := d.credentials(ctx, conn)
	if err != nil {
		return nil, err
	}
	settings := controller.SettingsOf(conn.Settings)
	ro, err := NewReadOnly(settings.Provider, settings.BaseURL, d.Base)
	if err != nil {
		return nil, err
	}
	p := &pool.Pool{Registry: vendors.Registry(), Clock: clock.RealClock{}, Base: ro, MaxWait: budgetWait}
	c, _, err := p.Ensure(conn.Key, settings, creds, "")
	if err != nil {
		return nil, fmt.Errorf("connection %s: %s", conn.Key, lms.Message(err))
	}
	return &Dialed{Connection: c, Transport: ro}, nil
}

// credentials returns the connection's credentials: its Secret's data, or
// the environment's.
func (d Dialer) credentials(ctx context.Context, conn Connection) (map[string][]byte, error) {
	if d.FromEnv {
		return envCredentials(os.LookupEnv), nil
	}
	if d.Reader == nil {
		return nil, fmt.Errorf("connection %s: no cluster to read Secret %s from (use --credentials-from-env)", conn.Key, conn.Secret)
	}
	var s corev1.Secret
	if err := d.Reader.Get(ctx, conn.Secret, &s); err != nil {
		return nil, fmt.Errorf("connection %s: read Secret %s: %w", conn.Key, conn.Secret, err)
	}
	return s.Data, nil
}

// envCredentials reads the credential keys from the environment.
func envCredentials(lookup func(string) (string, bool)) map[string][]byte {
	out := map[string][]byte{}
	for _, k := range credentialKeys {
		if v, ok := lookup(EnvPrefix + strings.ToUpper(k)); ok {
			out[k] = []byte(v)
		}
	}
	return out
}
