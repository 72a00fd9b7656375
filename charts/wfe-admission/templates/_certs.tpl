{{/* The pod spec of every certs run (hook Jobs and the rotation CronJob). */}}
{{- define "wfe.certsPod" -}}
{{- $r := .root -}}
serviceAccountName: {{ .serviceAccount }}
restartPolicy: Never
enableServiceLinks: false
{{- with $r.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $r.Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $r.Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  runAsNonRoot: true
  runAsUser: 65532
  runAsGroup: 65532
  seccompProfile:
    type: RuntimeDefault
containers:
  - name: certs
    image: {{ include "wfe.image" $r }}
    imagePullPolicy: {{ $r.Values.image.pullPolicy }}
    # The image's ENTRYPOINT runs serve; the same CLI's certs command does the work here.
    command: ["/nodejs/bin/node", "/app/dist/cli/main.js"]
    args:
      - certs
      - --in-cluster
      - --service
      - wfe-admission
      - --namespace
      - {{ $r.Release.Namespace }}
      - --secret
      - {{ $r.Values.tls.secretName }}
      - --ca-secret
      - {{ $r.Values.tls.hook.caSecretName }}
      - --webhook-configuration
      - {{ include "wfe.webhookConfigName" $r }}
      - --days
      - {{ $r.Values.tls.hook.days | quote }}
      - --renew-before-days
      - {{ $r.Values.tls.hook.renewBeforeDays | quote }}
      {{- if .allowMissing }}
      # pre-install: the configurations are created after this Job; the post-install Job fills them.
      - --allow-missing-webhooks
      {{- end }}
    resources:
      {{- toYaml $r.Values.tls.hook.resources | nindent 6 }}
    securityContext:
      readOnlyRootFilesystem: true
      allowPrivilegeEscalation: false
      capabilities:
        drop: ["ALL"]
{{- end -}}

{{/*
RBAC for a certs run: its two Secrets (create cannot be narrowed by name) and the caBundle of the
two webhook configurations named wfe-admission.kubernaut.ai. .hook: Helm hook phases, or "".
*/}}
{{- define "wfe.certsRbac" -}}
{{- $r := .root -}}
{{- $meta := dict "name" .name "hook" .hook "root" $r -}}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  {{- include "wfe.certsMeta" $meta | nindent 2 }}
  namespace: {{ $r.Release.Namespace }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  {{- include "wfe.certsMeta" $meta | nindent 2 }}
  namespace: {{ $r.Release.Namespace }}
rules:
  - apiGroups: [""]
    resources: ["secrets"]
    resourceNames: [{{ $r.Values.tls.secretName | quote }}, {{ $r.Values.tls.hook.caSecretName | quote }}]
    verbs: ["get", "update"]
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["create"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  {{- include "wfe.certsMeta" $meta | nindent 2 }}
  namespace: {{ $r.Release.Namespace }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: {{ .name }}
subjects:
  - kind: ServiceAccount
    name: {{ .name }}
    namespace: {{ $r.Release.Namespace }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  {{- include "wfe.certsMeta" $meta | nindent 2 }}
rules:
  - apiGroups: ["admissionregistration.k8s.io"]
    resources: ["validatingwebhookconfigurations", "mutatingwebhookconfigurations"]
    resourceNames: [{{ include "wfe.webhookConfigName" $r | quote }}]
    verbs: ["get", "update"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  {{- include "wfe.certsMeta" $meta | nindent 2 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: {{ .name }}
subjects:
  - kind: ServiceAccount
    name: {{ .name }}
    namespace: {{ $r.Release.Namespace }}
{{- end -}}

{{- define "wfe.certsMeta" -}}
name: {{ .name }}
labels:
  {{- include "wfe.labels" .root | nindent 2 }}
{{- if .hook }}
annotations:
  helm.sh/hook: {{ .hook }}
  helm.sh/hook-weight: "-10"
  helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
{{- end }}
{{- end -}}
