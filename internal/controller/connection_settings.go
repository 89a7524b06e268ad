package controller

import (
	"fmt"
	"strings"
	"time"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/budget"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
)

// Defaults of a connection's settings.
const (
	// DefaultELeaPRequestsPerHour is eLeaP's documented limit.
	DefaultELeaPRequestsPerHour = 2500
	// DefaultRequestsPerHour applies to vendors that document no limit.
	DefaultRequestsPerHour = 3600
	// DefaultBurst is the default bucket capacity.
	DefaultBurst = 10
	// DefaultSyncInterval is how often remote state is re-read.
	DefaultSyncInterval = 10 * time.Minute
	// minSyncInterval keeps a typo from polling in a loop.
	minSyncInterval = time.Second
)

// settingsOf resolves a connection's spec into pool settings, with defaults.
func settingsOf(s *v1alpha1.ConnectionSettings) pool.Settings {
	out := pool.Settings{
		Provider:       lms.Provider(s.Provider),
		BaseURL:        baseURL(s),
		SubAccountName: subAccount(s),
		Limits:         limitsOf(s),
		SyncInterval:   syncInterval(s),
	}
	out.PagesPerSync = pagesPerSync(s, out.Limits, out.SyncInterval)
	return out
}

// pagesPerSync is the connection's bound on the pages of a paged read per
// sync interval; unset, a quarter of what the budget allows an interval
// (pool.DefaultPagesPerSync).
func pagesPerSync(s *v1alpha1.ConnectionSettings, l budget.Limits, interval time.Duration) int {
	if s.RateLimit == nil || s.RateLimit.PagesPerSync == nil {
		return pool.DefaultPagesPerSync(l, interval)
	}
	return int(*s.RateLimit.PagesPerSync)
}

func baseURL(s *v1alpha1.ConnectionSettings) string {
	if s.Endpoint != "" {
		return strings.TrimRight(s.Endpoint, "/")
	}
	switch s.Provider {
	case v1alpha1.ProviderELeaP:
		return fmt.Sprintf("https://%s.2leap.com/api", s.ELeaP.Subdomain)
	case v1alpha1.ProviderEnabley:
		return "https://api.prod.timetoknow.com"
	case v1alpha1.ProviderExceed:
		return fmt.Sprintf("https://%s.exceedlms.com/api/v2", s.Exceed.Subdomain)
	}
	return ""
}

func subAccount(s *v1alpha1.ConnectionSettings) string {
	if s.Enabley == nil {
		return ""
	}
	return s.Enabley.SubAccountName
}

func limitsOf(s *v1alpha1.ConnectionSettings) budget.Limits {
	l := budget.Limits{RequestsPerHour: DefaultRequestsPerHour, Burst: DefaultBurst}
	if s.Provider == v1alpha1.ProviderELeaP {
		l.RequestsPerHour = DefaultELeaPRequestsPerHour
	}
	if s.RateLimit != nil && s.RateLimit.RequestsPerHour != nil {
		l.RequestsPerHour = int(*s.RateLimit.RequestsPerHour)
	}
	if s.RateLimit != nil && s.RateLimit.Burst != nil {
		l.Burst = int(*s.RateLimit.Burst)
	}
	return l
}

func syncInterval(s *v1alpha1.ConnectionSettings) time.Duration {
	if s.SyncInterval == nil || s.SyncInterval.Duration == 0 {
		return DefaultSyncInterval
	}
	return max(s.SyncInterval.Duration, minSyncInterval)
}

// capabilitiesStatus renders a vendor's capabilities for status.
func capabilitiesStatus(c lms.Capabilities) *v1alpha1.ConnectionCapabilities {
	out := &v1alpha1.ConnectionCapabilities{Kinds: []string{"Learner"},
		GroupEnrollment: c.GroupEnrollment, CustomFields: c.CustomFields}
	if c.Groups {
		out.Kinds = append(out.Kinds, "LearnerGroup")
	}
	if len(c.Targets) > 0 {
		out.Kinds = append(out.Kinds, "Enrollment")
	}
	for _, t := range c.Targets {
		out.EnrollmentTargets = append(out.EnrollmentTargets, targetField(t))
	}
	for _, r := range c.Roles {
		out.Roles = append(out.Roles, string(r))
	}
	return out
}

// targetField names a target kind as the Enrollment spec field does.
func targetField(t lms.TargetKind) string {
	switch t {
	case lms.TargetCourse:
		return "course"
	case lms.TargetLearningPath:
		return "learningPath"
	}
	return "channel"
}
