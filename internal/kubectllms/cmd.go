package kubectllms

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
)

// Exit statuses, as terraform plan -detailed-exitcode.
const (
	ExitOK      = 0
	ExitError   = 1
	ExitChanges = 2
)

// errChanges is returned by plan when there are changes (exit status 2).
var errChanges = errors.New("changes")

// globals are the flags every command has.
type globals struct {
	kubeconfig, context, namespace string
	output                         string
	fromEnv, offline               bool
}

// Main runs the plugin with args and returns its exit status.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	switch {
	case errors.Is(err, errChanges):
		return ExitChanges
	case err != nil:
		_, _ = fmt.Fprintln(stderr, "Error:", err)
		return ExitError
	}
	return ExitOK
}

// newRoot builds the command tree.
func newRoot(stdout, stderr io.Writer) *cobra.Command {
	g := &globals{}
	root := &cobra.Command{Use: "kubectl-lms", Short: "Plan, import and inspect lms-operator objects against the LMS, read-only",
		SilenceUsage: true, SilenceErrors: true,
		Annotations: map[string]string{cobra.CommandDisplayNameAnnotation: "kubectl lms"}}
	root.SetOut(stdout)
	root.SetErr(stderr)
	f := root.PersistentFlags()
	f.StringVar(&g.kubeconfig, "kubeconfig", "", "path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
	f.StringVar(&g.context, "context", "", "the kubeconfig context to use")
	f.StringVarP(&g.namespace, "namespace", "n", "", "namespace (default: the context's)")
	f.BoolVar(&g.fromEnv, "credentials-from-env", false, "read vendor credentials from "+EnvPrefix+"APITOKEN, ..._CLIENTKEY, ..._SECRET, ..._APIKEY instead of the connection's Secret")
	f.BoolVar(&g.offline, "offline", false, "read no cluster (CI): the connections must be in the manifests; implies --credentials-from-env")
	root.AddCommand(newPlanCmd(g), newImportCmd(g), newStatusCmd(g))
	return root
}

// env builds the Env of a command: a cluster reader unless offline.
func (g *globals) env(stderr io.Writer) (Env, string, error) {
	env := Env{Progress: stderr, Dialer: Dialer{FromEnv: g.fromEnv || g.offline}}
	if g.offline {
		ns := g.namespace
		if ns == "" {
			ns = "default"
		}
		return env, ns, nil
	}
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = g.kubeconfig
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: g.context})
	cfg, err := cc.ClientConfig()
	if err != nil {
		return env, "", fmt.Errorf("kubeconfig: %w", err)
	}
	ns, _, err := cc.Namespace()
	if err != nil {
		return env, "", err
	}
	if g.namespace != "" {
		ns = g.namespace
	}
	c, err := client.New(cfg, client.Options{Scheme: Scheme()})
	if err != nil {
		return env, "", err
	}
	env.Reader, env.Dialer.Reader = c, c
	return env, ns, nil
}

// Scheme has the Kubernetes types and the operator's.
func Scheme() *runtime.Scheme {
	s := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(s)
	_ = v1alpha1.AddToScheme(s)
	return s
}

// planExample is plan's --help example.
const planExample = `  # What would applying the manifests of a directory do?
  kubectl lms plan -f manifests/

  # Also the deactivations and deletions of Learners removed from them
  kubectl lms plan -f manifests/ --prune

  # In CI, without a cluster, as JSON; exit status 2 means changes
  KUBECTL_LMS_APITOKEN=... kubectl lms plan -f manifests/ --offline -o json`

// newPlanCmd is `kubectl lms plan`.
func newPlanCmd(g *globals) *cobra.Command {
	opts := PlanOptions{}
	cmd := &cobra.Command{Use: "plan -f DIR|FILE [--prune]", Short: "Print what the operator would do to the LMS for the manifests, without writing",
		Long: "plan reads the manifests, the connections they name and their credentials, lists the LMS (read calls only)\n" +
			"and prints what the operator would do, with the controllers' own diff. Exit status: 0 no change, 2 changes, 1 error.",
		Example: planExample, Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			env, ns, err := g.env(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			opts.Namespace = ns
			p, err := RunPlan(cmd.Context(), env, opts)
			if err != nil {
				return err
			}
			if err := PrintPlan(cmd.OutOrStdout(), p, g.output); err != nil {
				return err
			}
			if p.Changes > 0 {
				return errChanges
			}
			return nil
		}}
	cmd.Flags().StringVarP(&opts.Path, "filename", "f", "", "manifest file or directory")
	cmd.Flags().BoolVar(&opts.Prune, "prune", false, "plan the deletion policies of the cluster's Learners that the manifests lack")
	cmd.Flags().StringVarP(&g.output, "output", "o", "text", "output format: text or json")
	_ = cmd.MarkFlagRequired("filename")
	return cmd
}
