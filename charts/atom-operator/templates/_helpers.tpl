{{/* Names are cut at 63 characters because some Kubernetes name fields are limited to that (DNS labels). */}}
{{- define "atom-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "atom-operator.fullname" -}}
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

{{- define "atom-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "atom-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "atom-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "atom-operator.labels" -}}
helm.sh/chart: {{ include "atom-operator.chart" . }}
{{ include "atom-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: atom-operator
{{- end }}

{{- define "atom-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "atom-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* A digest pins the exact image; the tag is then only informative, so it is left out. */}}
{{- define "atom-operator.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
The operator's configuration, in one place. The operator reads configuration only from
these variables (src/config); keep the names in step with it.
*/}}
{{- define "atom-operator.env" -}}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: ATOM_OPERATOR_WATCH_NAMESPACES
  value: {{ join "," .Values.watchNamespaces | quote }}
- name: ATOM_OPERATOR_LEADER_ELECTION
  value: {{ .Values.leaderElection.enabled | quote }}
- name: ATOM_OPERATOR_LEADER_ELECTION_NAMESPACE
  value: {{ .Release.Namespace | quote }}
- name: ATOM_OPERATOR_LEADER_ELECTION_ID
  value: {{ include "atom-operator.fullname" . | quote }}
- name: ATOM_OPERATOR_METRICS_ADDRESS
  value: ":8080"
- name: ATOM_OPERATOR_HEALTH_ADDRESS
  value: ":8081"
- name: ATOM_OPERATOR_LOG_LEVEL
  value: {{ .Values.operator.logLevel | quote }}
{{- with .Values.operator.platformUrl }}
- name: ATOM_OPERATOR_PLATFORM_URL
  value: {{ . | quote }}
{{- end }}
- name: ATOM_OPERATOR_POLL_INTERVAL_SECONDS
  value: {{ .Values.operator.pollIntervalSeconds | quote }}
- name: ATOM_OPERATOR_WORKERS
  value: {{ .Values.operator.workers | quote }}
{{- with .Values.operator.releasePublicKeysSecret }}
- name: ATOM_OPERATOR_RELEASE_PUBLIC_KEYS_SECRET
  value: {{ . | quote }}
{{- end }}
- name: ATOM_OPERATOR_ROLLOUT_MAX_CONCURRENT
  value: {{ .Values.operator.rollout.maxConcurrent | quote }}
- name: ATOM_OPERATOR_ROLLOUT_SOAK_SECONDS
  value: {{ .Values.operator.rollout.soakSeconds | quote }}
- name: ATOM_OPERATOR_ROLLOUT_HALT_THRESHOLD
  value: {{ .Values.operator.rollout.haltThreshold | quote }}
- name: ATOM_OPERATOR_ROLLOUT_SCOPE
  value: {{ .Values.operator.rollout.scope | quote }}
- name: ATOM_OPERATOR_ROLLOUT_ALLOW_CRITICAL_OVERRIDE
  value: {{ .Values.operator.rollout.allowCriticalOverride | quote }}
{{- with .Values.operator.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Fails the render early, with a sentence that says how to fix it, instead of a cluster that misbehaves. */}}
{{- define "atom-operator.validate" -}}
{{- if and (gt (int .Values.replicaCount) 1) (not .Values.leaderElection.enabled) }}
{{- fail "replicaCount > 1 needs leaderElection.enabled=true: without it every replica would reconcile the same Atoms at once" }}
{{- end }}
{{- end }}
