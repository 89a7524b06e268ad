package lmssim

import (
	"time"

	"github.com/lmsoperator/lms-operator/internal/lmssim/eleapsim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/enableysim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/exceedsim"
)

// The demo credentials of DefaultSeed. They are documented in
// docs/simulator.md and are not secrets.
const (
	DemoELeaPToken     = "demo-eleap-token"
	DemoEnableyClient  = "demo-enabley-client"
	DemoEnableySecret  = "demo-enabley-secret"
	DemoExceedAPIKey   = "demo-exceed-key"
	DemoEnableySubAcct = "main"
)

// DefaultSeed returns the demo data: in each vendor a few users that exist
// before the operator starts (to show adoption), and the training the
// operator cannot create: eLeaP courses and learning paths, Enabley channels
// and a group hierarchy. Credentials are the Demo* constants.
func DefaultSeed() Seed {
	return Seed{ELeaP: defaultELeaPSeed(), Enabley: defaultEnableySeed(), Exceed: defaultExceedSeed()}
}

func defaultELeaPSeed() eleapsim.Seed {
	score := 92.0
	completed := time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)
	return eleapsim.Seed{
		APITokens: []string{DemoELeaPToken},
		Users: []eleapsim.SeedUser{
			{User: eleapsim.User{ID: "1001", FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com", AccessLevel: 0,
				CustomFields: map[string]string{"Department": "Engineering", "Location": "London"}}},
			{User: eleapsim.User{ID: "1002", FirstName: "Grace", LastName: "Hopper", Email: "grace@example.com", AccessLevel: 1}},
		},
		UserGroups: []eleapsim.UserGroup{
			{ID: "301", Name: "Engineering", Description: "All engineers", Active: true},
		},
		Courses: []eleapsim.Course{
			{ID: "101", Name: "Security Awareness 2026", Active: true},
			{ID: "102", Name: "Code of Conduct", Active: true},
			{ID: "103", Name: "Kubernetes Basics", Active: true},
			{ID: "104", Name: "Incident Response", Active: true},
		},
		LearningPaths: []eleapsim.LearningPath{
			{ID: "201", Name: "New Hire Onboarding", Active: true, Courses: []string{"101", "102"}},
			{ID: "202", Name: "Platform Engineer Track", Active: true, Courses: []string{"103", "104"}},
		},
		CustomFields: []string{"Department", "Location"},
		Memberships:  []eleapsim.Membership{{GroupID: "301", Email: "ada@example.com"}},
		Assignments: []eleapsim.Assignment{
			{Target: eleapsim.TargetCourse, TargetID: "102", Email: "ada@example.com"},
		},
		Completions: []eleapsim.Completion{
			{Email: "ada@example.com", CourseID: "102", Percent: 100, Score: &score, CompletedAt: &completed},
		},
	}
}

func defaultEnableySeed() enableysim.Seed {
	return enableysim.Seed{
		Clients:        []enableysim.ClientCredential{{ClientKey: DemoEnableyClient, Secret: DemoEnableySecret}},
		SubAccounts:    []string{DemoEnableySubAcct},
		GroupHierarchy: []string{"Company", "Department", "Team"},
		Users: []enableysim.User{
			{Identifier: "linus@example.com", Email: "linus@example.com", FirstName: "Linus", LastName: "Torvalds",
				Username: "linus@example.com", PossibleRoles: []string{"LEARNER"}, IsActive: true,
				SubAccountNames: []string{DemoEnableySubAcct}},
		},
		Groups: []enableysim.Group{
			{Identifier: "acme", Name: "Acme Corp", Type: "Company", SubAccountName: DemoEnableySubAcct},
			{Identifier: "acme-eng", Name: "Engineering", Type: "Department", ParentIdentifier: "acme", SubAccountName: DemoEnableySubAcct},
			{Identifier: "acme-eng-platform", Name: "Platform", Type: "Team", ParentIdentifier: "acme-eng",
				SubAccountName: DemoEnableySubAcct, Members: []string{"linus@example.com"}},
		},
		Channels: []enableysim.Channel{
			{Identifier: "security-awareness", Name: "Security Awareness 2026", Type: "COURSE", SubAccountName: DemoEnableySubAcct},
			{Identifier: "onboarding", Name: "New Hire Onboarding", Type: "COURSE", SubAccountName: DemoEnableySubAcct},
			{Identifier: "kubernetes-basics", Name: "Kubernetes Basics", Type: "COURSE", SubAccountName: DemoEnableySubAcct},
		},
	}
}

func defaultExceedSeed() exceedsim.Seed {
	return exceedsim.Seed{
		APIKeys: []string{DemoExceedAPIKey},
		Users: []exceedsim.User{
			{ID: 1, Code: "margaret@example.com", Login: "margaret", Email: "margaret@example.com", FirstName: "Margaret",
				LastName: "Hamilton", Authority: "student", IsActive: true},
			{ID: 2, Code: "alan@example.com", Login: "alan", Email: "alan@example.com", FirstName: "Alan",
				LastName: "Turing", Authority: "student", IsActive: false},
		},
	}
}
