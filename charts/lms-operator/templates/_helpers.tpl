{{/*
lms-operator.name is the chart name, or nameOverride.
*/}}
{{- define "lms-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
lms-operator.fullname prefixes every object name: fullnameOverride, else the
release name (with the chart name appended unless it contains it).
*/}}
{{- define "lms-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
lms-operator.chart is name-version, for the helm.sh/chart label.
*/}}
{{- define "lms-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
lms-operator.labels are on every object.
*/}}
{{- define "lms-operator.labels" -}}
helm.sh/chart: {{ include "lms-operator.chart" . }}
{{ include "lms-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: lms-operator
{{- end }}

{{/*
lms-operator.selectorLabels select the manager pods.
*/}}
{{- define "lms-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "lms-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
control-plane: controller-manager
{{- end }}

{{/*
lms-operator.serviceAccountName is the ServiceAccount the manager runs as.
*/}}
{{- define "lms-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "lms-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
lms-operator.image is repository:tag, or repository@digest when a digest is set.
*/}}
{{- define "lms-operator.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
lms-operator.managerRules are the rules of config/rbac/role.yaml, the
ClusterRole controller-gen generates from the +kubebuilder:rbac markers. `make
manifests` copies it to files/manager-role.yaml, so that the chart and
config/ grant the same rights.
*/}}
{{- define "lms-operator.managerRules" -}}
{{- $role := .Files.Get "files/manager-role.yaml" | fromYaml }}
{{- if not $role.rules }}
{{- fail "files/manager-role.yaml has no rules: run make manifests" }}
{{- end }}
{{- toYaml $role.rules }}
{{- end }}
