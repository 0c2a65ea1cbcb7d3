{{/* The chart name, or nameOverride: the app.kubernetes.io/name label and the tail of object names. */}}
{{- define "cloudpulse.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Object names: fullnameOverride, else <release>-<name> (just <release> when it already contains the name). */}}
{{- define "cloudpulse.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "cloudpulse.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "cloudpulse.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cloudpulse.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "cloudpulse.labels" -}}
{{ include "cloudpulse.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "cloudpulse.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "cloudpulse.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
The exporter's configuration: .Values.config with the *_file settings of the Secrets below filled
in, so values never hold a credential and never need to know where the chart mounts it.
*/}}
{{- define "cloudpulse.config" -}}
{{- $config := deepCopy .Values.config -}}
{{- $source := .Values.source -}}
{{- if $source.existingSecret -}}
{{- $prom := dig "source" "prometheus" dict $config -}}
{{- if not $prom.url -}}
{{- fail "source.existingSecret is set but config.source.prometheus.url is not: the credentials would be unused" -}}
{{- end -}}
{{- if $source.basicAuth.passwordKey -}}
{{- $_ := set $prom "basic_auth" (dict "username" (required "source.basicAuth.username is required with source.basicAuth.passwordKey" $source.basicAuth.username) "password_file" (printf "/etc/cloudpulse/source/%s" $source.basicAuth.passwordKey)) -}}
{{- end -}}
{{- if $source.bearerTokenKey -}}
{{- $_ := set $prom "bearer_token_file" (printf "/etc/cloudpulse/source/%s" $source.bearerTokenKey) -}}
{{- end -}}
{{- if $source.caKey -}}
{{- $_ := set $prom "tls" (merge (dict "ca_file" (printf "/etc/cloudpulse/source/%s" $source.caKey)) (default dict $prom.tls)) -}}
{{- end -}}
{{- end -}}
{{- if .Values.web.bearerToken.existingSecret -}}
{{- $_ := set $config "web" (merge (dict "bearer_token_file" (printf "/etc/cloudpulse/bearer/%s" .Values.web.bearerToken.key)) (default dict $config.web)) -}}
{{- end -}}
{{- with include "cloudpulse.clusterConfig" . -}}
{{- $_ := set $config "cluster" (fromYaml .) -}}
{{- end -}}
{{- toYaml $config -}}
{{- end -}}

{{/* The web config is mounted when TLS or basic auth is asked for. */}}
{{- define "cloudpulse.webConfigFile" -}}
{{- if .Values.web.config.existingSecret -}}
/etc/cloudpulse/web/{{ .Values.web.config.key }}
{{- else if .Values.web.tls.enabled -}}
{{- fail "web.tls.enabled needs web.config.existingSecret: a Secret holding the exporter-toolkit web config with tls_server_config" -}}
{{- end -}}
{{- end -}}

{{- define "cloudpulse.scheme" -}}
{{- if .Values.web.tls.enabled }}https{{ else }}http{{ end -}}
{{- end -}}
