{{/*
The pod template shared by the Deployment (mode: deployment) and the StatefulSet (mode:
statefulset): the same container, probes, Secrets and security settings in both modes. Only the
model store differs (an emptyDir or existing claim, or one claim per member), plus the member
index flag and the spread over nodes of a fleet.
*/}}
{{- define "cloudpulse.podTemplate" -}}
{{- $webConfig := include "cloudpulse.webConfigFile" . -}}
{{- $fleet := include "cloudpulse.fleet" . | fromYaml -}}
metadata:
  labels:
    {{- include "cloudpulse.selectorLabels" . | nindent 4 }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    checksum/config: {{ include "cloudpulse.config" . | sha256sum }}
    {{- with .Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "cloudpulse.serviceAccountName" . }}
  automountServiceAccountToken: {{ .Values.serviceAccount.automountServiceAccountToken }}
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  securityContext:
    {{- toYaml .Values.podSecurityContext | nindent 4 }}
  containers:
    - name: cloudpulse
      image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      args:
        - run
        - --config.file=/etc/cloudpulse/config/cloudpulse.yml
        - --web.listen-address=:{{ .Values.service.port }}
        - --web.telemetry-path={{ .Values.web.telemetryPath }}
        {{- with $webConfig }}
        - --web.config.file={{ . }}
        {{- end }}
        {{- if .Values.grpc.enabled }}
        - --grpc.listen-address=:{{ .Values.grpc.port }}
        {{- end }}
        - --storage.path=/var/lib/cloudpulse
        - --log.level={{ .Values.logLevel }}
        {{- if $fleet.podIndexLabel }}
        - --cluster.member=$(CLOUDPULSE_MEMBER)
        {{- end }}
        {{- with .Values.extraArgs }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- if or $fleet.podIndexLabel .Values.extraEnv }}
      env:
        {{- if $fleet.podIndexLabel }}
        # the StatefulSet controller labels each pod with its ordinal (Kubernetes 1.28+)
        - name: CLOUDPULSE_MEMBER
          valueFrom:
            fieldRef:
              fieldPath: metadata.labels['apps.kubernetes.io/pod-index']
        {{- end }}
        {{- with .Values.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- end }}
      ports:
        - name: metrics
          containerPort: {{ .Values.service.port }}
        {{- if .Values.grpc.enabled }}
        - name: grpc
          containerPort: {{ .Values.grpc.port }}
        {{- end }}
      {{- if .Values.web.tls.clientCertificateRequired }}
      # The kubelet cannot present a client certificate: check that the port listens.
      readinessProbe:
        tcpSocket:
          port: metrics
        periodSeconds: 10
      livenessProbe:
        tcpSocket:
          port: metrics
        periodSeconds: 20
      {{- else }}
      # The probes need no credentials (basic auth and bearer tokens spare /-/healthy and /-/ready).
      readinessProbe:
        httpGet:
          path: /-/ready
          port: metrics
          scheme: {{ include "cloudpulse.scheme" . | upper }}
        periodSeconds: 10
      livenessProbe:
        httpGet:
          path: /-/healthy
          port: metrics
          scheme: {{ include "cloudpulse.scheme" . | upper }}
        periodSeconds: 20
      {{- end }}
      resources:
        {{- toYaml .Values.resources | nindent 8 }}
      securityContext:
        {{- toYaml .Values.securityContext | nindent 8 }}
      volumeMounts:
        - name: config
          mountPath: /etc/cloudpulse/config
          readOnly: true
        - name: models
          mountPath: /var/lib/cloudpulse
        - name: tmp
          mountPath: /tmp
        {{- if .Values.source.existingSecret }}
        - name: source-credentials
          mountPath: /etc/cloudpulse/source
          readOnly: true
        {{- end }}
        {{- if $webConfig }}
        - name: web-config
          mountPath: /etc/cloudpulse/web
          readOnly: true
        {{- end }}
        {{- if .Values.web.bearerToken.existingSecret }}
        - name: bearer-token
          mountPath: /etc/cloudpulse/bearer
          readOnly: true
        {{- end }}
        {{- with .Values.extraVolumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
  volumes:
    - name: config
      configMap:
        name: {{ include "cloudpulse.fullname" . }}
    {{- /* a StatefulSet gives each member its own `models` claim from its volumeClaimTemplates */}}
    {{- if not $fleet.statefulset }}
    - name: models
      {{- if .Values.persistence.existingClaim }}
      persistentVolumeClaim:
        claimName: {{ .Values.persistence.existingClaim }}
      {{- else }}
      emptyDir: {}
      {{- end }}
    {{- end }}
    # the root filesystem is read-only; a small scratch /tmp for the runtime
    - name: tmp
      emptyDir:
        sizeLimit: 64Mi
    {{- with .Values.source.existingSecret }}
    - name: source-credentials
      secret:
        secretName: {{ . }}
        defaultMode: 0440
    {{- end }}
    {{- if $webConfig }}
    - name: web-config
      projected:
        defaultMode: 0440
        sources:
          - secret:
              name: {{ .Values.web.config.existingSecret }}
              items:
                - key: {{ .Values.web.config.key }}
                  path: {{ .Values.web.config.key }}
          {{- with .Values.web.tlsSecret }}
          - secret:
              name: {{ . }}
          {{- end }}
    {{- end }}
    {{- with .Values.web.bearerToken.existingSecret }}
    - name: bearer-token
      secret:
        secretName: {{ . }}
        defaultMode: 0440
        items:
          - key: {{ $.Values.web.bearerToken.key }}
            path: {{ $.Values.web.bearerToken.key }}
    {{- end }}
    {{- with .Values.extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if or $fleet.statefulset .Values.topologySpreadConstraints }}
  topologySpreadConstraints:
    {{- if $fleet.statefulset }}
    {{- with .Values.cluster.topologySpread }}
    # Members on different nodes, so the R members holding a series are on R nodes (docs/fleet.md).
    - maxSkew: 1
      topologyKey: {{ .topologyKey }}
      whenUnsatisfiable: {{ .whenUnsatisfiable }}
      {{- with .minDomains }}
      minDomains: {{ int . }}
      {{- end }}
      labelSelector:
        matchLabels:
          {{- include "cloudpulse.selectorLabels" $ | nindent 10 }}
    {{- end }}
    {{- end }}
    {{- with .Values.topologySpreadConstraints }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
{{- end -}}
