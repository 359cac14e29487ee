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

{{/* commonLabels may replace the descriptive labels (part-of, say) but never a selector label. */}}
{{- define "atom-operator.labels" -}}
{{- $standard := dict "helm.sh/chart" (include "atom-operator.chart" .) "app.kubernetes.io/version" .Chart.AppVersion "app.kubernetes.io/managed-by" .Release.Service "app.kubernetes.io/part-of" "atom-operator" }}
{{- $selector := include "atom-operator.selectorLabels" . | fromYaml }}
{{- toYaml (merge $selector (.Values.commonLabels | default dict) $standard) }}
{{- end }}

{{/* The operator pod's labels: selector labels first (never replaced), then podLabels, then commonLabels. */}}
{{- define "atom-operator.podLabels" -}}
{{- $selector := include "atom-operator.selectorLabels" . | fromYaml }}
{{- toYaml (merge $selector (.Values.podLabels | default dict) (.Values.commonLabels | default dict)) }}
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
flags and ATOM_OPERATOR_* variables (src/config/schema.ts: the variable is ATOM_OPERATOR_
plus the setting's path in UPPER_SNAKE case) and refuses to start on an unknown name.
test/chart/config.test.ts feeds this rendered env to the operator's own config parser.
*/}}
{{- define "atom-operator.releaseKeysDir" -}}/etc/atom-operator/release-keys{{- end }}
{{- define "atom-operator.agentProfileDir" -}}/etc/atom-operator/agent-profile{{- end }}

{{- define "atom-operator.leaseName" -}}
{{- printf "%s-leader" (include "atom-operator.fullname" . | trunc 56 | trimSuffix "-") }}
{{- end }}

{{- define "atom-operator.env" -}}
{{- $o := .Values.operator -}}
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
- name: ATOM_OPERATOR_WORKERS
  value: {{ $o.workers | quote }}
- name: ATOM_OPERATOR_KUBE_API_QPS
  value: {{ $o.kubeApi.qps | quote }}
- name: ATOM_OPERATOR_KUBE_API_BURST
  value: {{ $o.kubeApi.burst | quote }}
- name: ATOM_OPERATOR_LEADER_ELECTION_ENABLED
  value: {{ .Values.leaderElection.enabled | quote }}
- name: ATOM_OPERATOR_LEADER_ELECTION_NAMESPACE
  value: {{ .Release.Namespace | quote }}
- name: ATOM_OPERATOR_LEADER_ELECTION_LEASE_NAME
  value: {{ include "atom-operator.leaseName" . | quote }}
- name: ATOM_OPERATOR_METRICS_ADDRESS
  value: ":8080"
- name: ATOM_OPERATOR_HEALTH_ADDRESS
  value: ":8081"
- name: ATOM_OPERATOR_LOG_LEVEL
  value: {{ $o.logLevel | quote }}
- name: ATOM_OPERATOR_RESYNC_PERIOD
  value: {{ $o.resyncPeriod | quote }}
- name: ATOM_OPERATOR_SHUTDOWN_TIMEOUT
  value: {{ printf "%ds" (sub (int .Values.terminationGracePeriodSeconds) 5) | quote }}
{{- with $o.platformUrl }}
- name: ATOM_OPERATOR_PLATFORM_URL
  value: {{ . | quote }}
{{- end }}
- name: ATOM_OPERATOR_PLATFORM_POLL_INTERVAL
  value: {{ $o.pollInterval | quote }}
- name: ATOM_OPERATOR_PLATFORM_STATUS_POLL_INTERVAL
  value: {{ $o.statusPollInterval | quote }}
{{- with $o.httpsProxy }}
- name: ATOM_OPERATOR_PLATFORM_HTTPS_PROXY
  value: {{ . | quote }}
{{- end }}
{{- with $o.noProxy }}
- name: ATOM_OPERATOR_PLATFORM_NO_PROXY
  value: {{ . | quote }}
{{- end }}
{{- if $o.releasePublicKeys.secretName }}
- name: ATOM_OPERATOR_PLATFORM_RELEASE_PUBLIC_KEYS_FILE
  value: {{ printf "%s/%s" (include "atom-operator.releaseKeysDir" .) $o.releasePublicKeys.key | quote }}
{{- end }}
- name: ATOM_OPERATOR_ATOMS_CERTIFICATE_WARNING
  value: {{ $o.certificateWarning | quote }}
- name: ATOM_OPERATOR_ATOMS_DNS_NAMESPACE
  value: {{ $o.dns.namespace | quote }}
- name: ATOM_OPERATOR_ATOMS_DNS_POD_LABELS
  value: {{ join "," $o.dns.podLabels | quote }}
{{- if $o.agentProfile }}
- name: ATOM_OPERATOR_ATOMS_AGENT_PROFILE_FILE
  value: {{ printf "%s/profile.yaml" (include "atom-operator.agentProfileDir" .) | quote }}
{{- end }}
- name: ATOM_OPERATOR_FLEET_MAX_CONCURRENT
  value: {{ $o.fleet.maxConcurrent | quote }}
- name: ATOM_OPERATOR_FLEET_SOAK_SECONDS
  value: {{ $o.fleet.soakSeconds | quote }}
- name: ATOM_OPERATOR_FLEET_HALT_THRESHOLD
  value: {{ $o.fleet.haltThreshold | quote }}
- name: ATOM_OPERATOR_FLEET_SCOPE
  value: {{ $o.fleet.scope | quote }}
- name: ATOM_OPERATOR_FLEET_ALLOW_CRITICAL_OVERRIDE
  value: {{ $o.fleet.allowCriticalOverride | quote }}
{{- with include "atom-operator.maxOldSpaceSizeMiB" . }}
- name: NODE_OPTIONS
  value: {{ printf "--max-old-space-size=%s" . | quote }}
{{- end }}
{{- with $o.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
A Kubernetes memory quantity in MiB (fractions kept), or "" when there is none. Milli-bytes
and exponents are refused: nobody means them for memory, and guessing would size the heap wrong.
*/}}
{{- define "atom-operator.quantityMiB" -}}
{{- $q := ternary (printf "%.0f" (float64 .)) (toString .) (or (kindIs "float64" .) (kindIs "int64" .) (kindIs "int" .)) -}}
{{- $factors := dict "" 0.00000095367431640625 "k" 0.00095367431640625 "Ki" 0.0009765625 "M" 0.95367431640625 "Mi" 1.0 "G" 953.67431640625 "Gi" 1024.0 "T" 976562.5 "Ti" 1048576.0 -}}
{{- $parts := regexFindAll "^[0-9]+(\\.[0-9]+)?|[A-Za-z]+$" $q -1 -}}
{{- if not (regexMatch "^[0-9]+(\\.[0-9]+)?(k|Ki|M|Mi|G|Gi|T|Ti)?$" $q) }}
{{- fail (printf "resources.limits.memory %q: use a plain number of bytes or a k, M, G, T, Ki, Mi, Gi or Ti suffix, so the heap limit can be derived from it" $q) }}
{{- end -}}
{{- $unit := trimPrefix (first $parts) $q -}}
{{- mulf (float64 (first $parts)) (get $factors $unit) -}}
{{- end }}

{{/*
V8's old-space limit in whole MiB: the explicit value, else heap.percentOfMemoryLimit of the
container's memory limit, else "" (no memory limit: V8 keeps its own default).
*/}}
{{- define "atom-operator.maxOldSpaceSizeMiB" -}}
{{- $h := .Values.heap -}}
{{- $limit := dig "limits" "memory" "" (.Values.resources | default dict) -}}
{{- if gt (int $h.maxOldSpaceSizeMiB) 0 }}
{{- int $h.maxOldSpaceSizeMiB }}
{{- else if and $limit (gt (int $h.percentOfMemoryLimit) 0) }}
{{- $mib := include "atom-operator.quantityMiB" $limit | float64 }}
{{- floor (divf (mulf $mib (int $h.percentOfMemoryLimit)) 100) | int }}
{{- end }}
{{- end }}

{{/* "true" when the chart renders a ServiceMonitor: asked for, or "auto" and the cluster serves the API. */}}
{{- define "atom-operator.serviceMonitor.enabled" -}}
{{- $e := .Values.serviceMonitor.enabled -}}
{{- if or (eq (toString $e) "true") (and (eq (toString $e) "auto") (not .Values.podMonitor.enabled) (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1/ServiceMonitor")) }}true{{ end }}
{{- end }}

{{- define "atom-operator.prometheusRule.enabled" -}}
{{- $e := .Values.prometheusRule.enabled -}}
{{- if or (eq (toString $e) "true") (and (eq (toString $e) "auto") (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1/PrometheusRule")) }}true{{ end }}
{{- end }}

{{/* The scrape job the ServiceMonitor gives (the Service's name); the PodMonitor sets the same, so alerts and the dashboard need one selector. */}}
{{- define "atom-operator.metricsJob" -}}
{{- printf "%s-metrics" (include "atom-operator.fullname" .) }}
{{- end }}

{{/* "k=v" strings as a label map, for selectors. */}}
{{- define "atom-operator.labelMap" -}}
{{- $labels := dict }}
{{- range . }}
{{- $kv := splitn "=" 2 . }}
{{- $_ := set $labels $kv._0 $kv._1 }}
{{- end }}
{{- toYaml $labels }}
{{- end }}

{{/* Fails the render early, with a sentence that says how to fix it, instead of a cluster that misbehaves. */}}
{{- define "atom-operator.validate" -}}
{{- if and (gt (int .Values.replicaCount) 1) (not .Values.leaderElection.enabled) }}
{{- fail "replicaCount > 1 needs leaderElection.enabled=true: without it every replica would reconcile the same Atoms at once" }}
{{- end }}
{{- $pdb := .Values.pdb }}
{{- if and (ne (toString $pdb.minAvailable) "") (ne (toString $pdb.maxUnavailable) "") }}
{{- fail "set pdb.minAvailable or pdb.maxUnavailable, not both: a PodDisruptionBudget takes one of them" }}
{{- end }}
{{- if and $pdb.enabled (gt (int .Values.replicaCount) 1) (not (kindIs "string" $pdb.minAvailable)) (ge (int $pdb.minAvailable) (int .Values.replicaCount)) }}
{{- fail "pdb.minAvailable must be lower than replicaCount: otherwise no node with an operator pod could ever be drained" }}
{{- end }}
{{- if and $pdb.enabled (gt (int .Values.replicaCount) 1) (not (kindIs "string" $pdb.maxUnavailable)) (eq (int $pdb.maxUnavailable) 0) }}
{{- fail "pdb.maxUnavailable must be at least 1: with 0 no node with an operator pod could ever be drained" }}
{{- end }}
{{- range .Values.operator.extraEnv }}
{{- if and (eq .name "NODE_OPTIONS") (include "atom-operator.maxOldSpaceSizeMiB" $) }}
{{- fail "operator.extraEnv sets NODE_OPTIONS, which the chart sets for the heap limit: size the heap with heap.maxOldSpaceSizeMiB, or set heap.percentOfMemoryLimit=0 to pass your own NODE_OPTIONS" }}
{{- end }}
{{- end }}
{{- if and .Values.podMonitor.enabled (eq (toString .Values.serviceMonitor.enabled) "true") }}
{{- fail "podMonitor.enabled and serviceMonitor.enabled=true would scrape every replica twice: choose one" }}
{{- end }}
{{- end }}
