{{/* Names and labels, kept equal to src/delivery/kubernetes/resourceNames.ts and ownershipLabels.ts. */}}
{{/* The chart takes the endpoint as a ready DNS-1123 label; the TypeScript render also shortens long ones. */}}
{{- define "flowops-model.name" -}}
{{- if not (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" .Values.endpoint) -}}
{{- fail (printf "endpoint: expected a DNS-1123 label (lowercase letters, digits, '-'), got %q" .Values.endpoint) -}}
{{- end -}}
{{- if gt (len .Values.endpoint) 55 -}}
{{- fail (printf "endpoint: expected at most 55 characters so '<endpoint>-preview' fits in 63, got %d" (len .Values.endpoint)) -}}
{{- end -}}
{{- .Values.endpoint -}}
{{- end -}}

{{- define "flowops-model.labels" -}}
app.kubernetes.io/name: {{ include "flowops-model.name" . }}
flowops.dev/endpoint: {{ include "flowops-model.name" . }}
app.kubernetes.io/managed-by: flowops
app.kubernetes.io/part-of: flowops-model
{{- end -}}

{{- define "flowops-model.selector" -}}
app.kubernetes.io/name: {{ include "flowops-model.name" . }}
{{- end -}}

{{- define "flowops-model.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "flowops-model.container" -}}
- name: flowops-serve
  image: {{ include "flowops-model.image" . }}
  args: ["serve", {{ .Values.modelUri | quote }}, "--port", "8080"]
  ports:
    - name: http
      containerPort: 8080
      protocol: TCP
  readinessProbe:
    httpGet:
      path: /v2/health/ready
      port: 8080
    periodSeconds: 5
  livenessProbe:
    httpGet:
      path: /v2/health/live
      port: 8080
    periodSeconds: 10
    failureThreshold: 3
  {{- with .Values.resources }}
  resources:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}

{{- define "flowops-model.scrapeAnnotations" -}}
prometheus.io/scrape: "true"
prometheus.io/port: "8080"
prometheus.io/path: /metrics
{{- end -}}

{{/* The analysis references of one step or hook, with the template names prefixed and the query arguments. */}}
{{- define "flowops-model.analysisRef" -}}
{{- $root := index . 0 -}}
{{- $ref := index . 1 -}}
templates:
{{- range $ref.templates }}
  - templateName: {{ include "flowops-model.name" $root }}-{{ .templateName }}
{{- end }}
args:
  - name: model
    value: {{ $root.Values.endpoint | quote }}
  - name: version
    value: {{ $root.Values.modelVersion | quote }}
  - name: stable-version
    value: {{ $root.Values.stableModelVersion | default $root.Values.modelVersion | quote }}
{{- end -}}
