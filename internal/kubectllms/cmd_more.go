package kubectllms

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// importExample is import's --help example.
const importExample = `  # Everything the LMS of connection eleap in namespace lms-demo holds, as manifests
  kubectl lms import --connection eleap -n lms-demo > lms-demo.yaml

  # Only the users, of a ClusterLMSConnection, into namespace hr
  kubectl lms import --connection acme --cluster -n hr --kinds learners`

// newImportCmd is `kubectl lms import`.
func newImportCmd(g *globals) *cobra.Command {
	opts := ImportOptions{}
	var kinds string
	cmd := &cobra.Command{Use: "import --connection NAME [-n NS] [--kinds learners,groups,enrollments]",
		Short: "Write manifests (ObserveOnly, Orphan) of what the LMS holds, reading it only",
		Long: "import lists the LMS of a connection and writes Learners, LearnerGroups with their members and Enrollments\n" +
			"of the targets that have assignees, with managementPolicy ObserveOnly and deletionPolicy Orphan:\n" +
			"applied, they become Ready without a vendor write. Records that cannot be objects are named on stderr.",
		Example: importExample, Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			env, ns, err := g.env(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			opts.Namespace, opts.Kinds = ns, strings.Split(kinds, ",")
			im, err := RunImport(cmd.Context(), env, opts)
			if err != nil {
				return err
			}
			for _, s := range im.Skipped {
				_, _ = fmt.Fprintln(cmd.ErrOrStderr(), "skipped", s)
			}
			return WriteYAML(cmd.OutOrStdout(), im)
		}}
	cmd.Flags().StringVar(&opts.Connection, "connection", "", "name of the connection")
	cmd.Flags().BoolVar(&opts.Cluster, "cluster", false, "the connection is a ClusterLMSConnection")
	cmd.Flags().StringVar(&kinds, "kinds", "learners,groups,enrollments", "kinds to write")
	_ = cmd.MarkFlagRequired("connection")
	return cmd
}

// newStatusCmd is `kubectl lms status`.
func newStatusCmd(g *globals) *cobra.Command {
	var output string
	cmd := &cobra.Command{Use: "status [-n NS]",
		Short:   "Per connection: budget used in the last hour, pause, held deletions, dependents by Ready reason",
		Example: "  kubectl lms status -n lms-demo\n  kubectl lms status -n lms-demo -o json", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			env, ns, err := g.env(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			list, err := RunStatus(cmd.Context(), env.Reader, ns)
			if err != nil {
				return err
			}
			if output == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(list)
			}
			PrintStatus(cmd.OutOrStdout(), list)
			return nil
		}}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	return cmd
}
