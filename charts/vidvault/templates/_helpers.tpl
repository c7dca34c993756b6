{{/* Names and labels shared by every template. */}}

{{- define "vidvault.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "vidvault.fullname" -}}
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

{{- define "vidvault.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "vidvault.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: vidvault
{{- end }}

{{/* Selector labels of one component: call with (list $ "backend"). */}}
{{- define "vidvault.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ include "vidvault.name" $root }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{- define "vidvault.componentName" -}}
{{- $root := index . 0 }}
{{- printf "%s-%s" (include "vidvault.fullname" $root | trunc 50 | trimSuffix "-") (index . 1) }}
{{- end }}

{{- define "vidvault.image" -}}
{{- printf "%s:%s" .image.repository (default .appVersion .image.tag) }}
{{- end }}

{{/* The Secret holding SECRET_KEY (the chart's own, or the user's). */}}
{{- define "vidvault.secretName" -}}
{{- default (include "vidvault.fullname" .) .Values.secret.existingSecret }}
{{- end }}

{{- define "vidvault.mongodbName" -}}
{{- include "vidvault.componentName" (list . "mongodb") }}
{{- end }}

{{/* In-chart MongoDB: the first member's stable DNS name through the headless Service. */}}
{{- define "vidvault.mongodbHost" -}}
{{- $name := include "vidvault.mongodbName" . }}
{{- printf "%s-0.%s-headless.%s.svc" $name $name .Release.Namespace }}
{{- end }}

{{- define "vidvault.mongodbUrl" -}}
{{- printf "mongodb://%s:27017/?replicaSet=%s" (include "vidvault.mongodbHost" .) .Values.mongodb.replicaSetName }}
{{- end }}

{{/* The Secret and key holding MONGODB_URL when the database is external. */}}
{{- define "vidvault.mongodbUrlSecretName" -}}
{{- default (include "vidvault.fullname" .) .Values.mongodb.external.existingSecret }}
{{- end }}

{{- define "vidvault.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .uid }}
fsGroup: {{ .uid }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "vidvault.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: {{ .readOnly }}
capabilities:
  drop: ["ALL"]
{{- end }}

{{/* Checks that stop a release that could not work, with a message that says why. */}}
{{- define "vidvault.validate" -}}
{{- if and (not .Values.mongodb.enabled) (not .Values.mongodb.external.url) (not .Values.mongodb.external.existingSecret) }}
{{- fail "mongodb.enabled=false needs mongodb.external.url or mongodb.external.existingSecret" }}
{{- end }}
{{- if and .Values.mongodb.enabled (or .Values.mongodb.external.url .Values.mongodb.external.existingSecret) }}
{{- fail "set either mongodb.enabled=true or mongodb.external.*, not both" }}
{{- end }}
{{- if and .Values.ingress.tls.enabled (not .Values.ingress.host) }}
{{- fail "ingress.tls.enabled needs ingress.host" }}
{{- end }}
{{- end }}

{{/* The signing key and the database, the same for the API and the workers. */}}
{{- define "vidvault.secretAndDatabaseEnv" -}}
- name: SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "vidvault.secretName" . }}
      key: {{ .Values.secret.secretKeyKey }}
- name: MONGODB_URL
  {{- if .Values.mongodb.enabled }}
  value: {{ include "vidvault.mongodbUrl" . | quote }}
  {{- else }}
  valueFrom:
    secretKeyRef:
      name: {{ include "vidvault.mongodbUrlSecretName" . }}
      key: {{ .Values.mongodb.external.urlKey }}
  {{- end }}
- name: MONGODB_DB
  value: {{ .Values.backend.mongodbDatabase | quote }}
{{- end }}
