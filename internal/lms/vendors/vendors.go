// Package vendors assembles the registry of every vendor the operator
// supports: the manager, the integration tests and the benchmark all use it,
// so that a new vendor is registered in one place.
package vendors

import (
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/eleap"
	"github.com/lmsoperator/lms-operator/internal/lms/enabley"
	"github.com/lmsoperator/lms-operator/internal/lms/exceed"
)

// Registry maps each spec.provider to its vendor client factory.
func Registry() lms.Registry {
	return lms.Registry{
		lms.ProviderELeaP:   eleap.New,
		lms.ProviderEnabley: enabley.New,
		lms.ProviderExceed:  exceed.New,
	}
}
