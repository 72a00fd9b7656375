{{/*
Names are fixed, not derived from the release: the webhook configurations are cluster-scoped and one
install per cluster guards the CRD, and fixed names keep manifests/ (rendered from this chart) and
a Helm install interchangeable.
*/}}
{{- define "wfe.name" -}}wfe-admission{{- end -}}
{{- define "wfe.webhookConfigName" -}}wfe-admission.kubernaut.ai{{- end -}}

{{/* Selector labels: never change after install (Deployment selectors are immutable). */}}
{{- define "wfe.selectorLabels" -}}
app.kubernetes.io/name: wfe-admission
{{- end -}}

{{- define "wfe.labels" -}}
app.kubernetes.io/name: wfe-admission
app.kubernetes.io/part-of: kubernaut
{{- if not .Values.plainManifests }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end }}
{{- end -}}

{{- define "wfe.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end -}}

{{/* The caBundle line of a clientConfig: absent when cert-manager or the hook Job owns it. */}}
{{- define "wfe.caBundle" -}}
{{- if eq .Values.tls.mode "manual" -}}
{{- $ca := .Values.tls.caBundle | trim -}}
{{- if and (eq $ca "") (not .Values.plainManifests) -}}
{{- fail "tls.caBundle: Required value: tls.mode manual needs the CA that signed the serving certificate in tls.secretName (PEM or base64 of the PEM)" -}}
{{- end }}
caBundle: {{ if hasPrefix "-----BEGIN" $ca }}{{ $ca | b64enc | quote }}{{ else }}{{ $ca | quote }}{{ end }}
{{- end -}}
{{- end -}}

{{/* Settings shared by every webhook entry. */}}
{{- define "wfe.webhookCommon" -}}
failurePolicy: {{ .Values.webhooks.failurePolicy }}
matchPolicy: Equivalent
timeoutSeconds: {{ .Values.webhooks.timeoutSeconds }}
{{- with .Values.webhooks.namespaceSelector }}
namespaceSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.webhooks.objectSelector }}
objectSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
