package validation

// Valid objects that the cases of the validation tables change. Each is a
// minimal object of its kind; metadata.generateName gives each case a name
// of its own.
const (
	validELeaPConnection = `
apiVersion: training.lmsoperator.dev/v1alpha1
kind: LMSConnection
metadata: {generateName: case-}
spec:
  provider: eleap
  eleap: {subdomain: acme}
  credentialsSecretRef: {name: eleap-credentials}
`
	validExceedConnection = `
apiVersion: training.lmsoperator.dev/v1alpha1
kind: LMSConnection
metadata: {generateName: case-}
spec:
  provider: exceed
  exceed: {subdomain: acme}
  credentialsSecretRef: {name: exceed-credentials}
`
	validClusterConnection = `
apiVersion: training.lmsoperator.dev/v1alpha1
kind: ClusterLMSConnection
metadata: {generateName: case-}
spec:
  provider: eleap
  eleap: {subdomain: acme}
  credentialsSecretRef: {name: eleap-credentials, namespace: lms-operator-system}
`
	validLearner = `
apiVersion: training.lmsoperator.dev/v1alpha1
kind: Learner
metadata: {generateName: case-}
spec:
  connectionRef: {name: eleap}
  email: ada@example.com
  firstName: Ada
  lastName: Lovelace
`
	validLearnerGroup = `
apiVersion: training.lmsoperator.dev/v1alpha1
kind: LearnerGroup
metadata: {generateName: case-}
spec:
  connectionRef: {name: eleap}
  displayName: Platform Team
  members:
    learnerRefs: [{name: ada}]
`
	validEnrollment = `
apiVersion: training.lmsoperator.dev/v1alpha1
kind: Enrollment
metadata: {generateName: case-}
spec:
  connectionRef: {name: eleap}
  course: {id: "101"}
  subjects:
    learnerRefs: [{name: ada}]
`
)
