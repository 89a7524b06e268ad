// Command kubectl-lms is the kubectl lms plugin: kubectl runs it for
// `kubectl lms ...` when it is on the PATH. Its logic is internal/kubectllms.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/lmsoperator/lms-operator/internal/kubectllms"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := kubectllms.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
