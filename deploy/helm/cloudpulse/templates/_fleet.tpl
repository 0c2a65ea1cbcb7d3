{{/*
How the exporter runs, checked once: `mode` and the `cluster` values, as a YAML map the templates
read with fromYaml (statefulset, members, replication, podIndexLabel, headless, peerUrl,
maxUnavailable). Values that cannot work stop the render with the key and what was expected.
*/}}
{{- define "cloudpulse.fleet" -}}
{{- $mode := .Values.mode | default "deployment" -}}
{{- if not (has $mode (list "deployment" "statefulset")) -}}
{{- fail (printf "mode must be deployment or statefulset, got %q" $mode) -}}
{{- end -}}
{{- $cluster := .Values.cluster -}}
{{- $members := int $cluster.members -}}
{{- $replication := int $cluster.replication -}}
{{- if or (lt $members 1) (ne (toString $members) (toString $cluster.members)) -}}
{{- fail (printf "cluster.members must be a whole number of at least 1, got %v" $cluster.members) -}}
{{- end -}}
{{- if or (lt $replication 1) (gt $replication $members) (ne (toString $replication) (toString $cluster.replication)) -}}
{{- fail (printf "cluster.replication must be a whole number from 1 to cluster.members (%d), got %v" $members $cluster.replication) -}}
{{- end -}}
{{- if hasKey .Values.config "cluster" -}}
{{- fail "config.cluster is rendered from the chart's cluster values (cluster.members, cluster.replication, cluster.shardBy, cluster.peerUrl): set those instead" -}}
{{- end -}}
{{- $fullname := include "cloudpulse.fullname" . -}}
{{- $statefulset := eq $mode "statefulset" -}}
{{- if $statefulset -}}
{{- if .Values.persistence.existingClaim -}}
{{- fail "persistence.existingClaim is for mode: deployment; in mode: statefulset each member gets its own claim (persistence.size, persistence.storageClassName)" -}}
{{- end -}}
{{- /* the StatefulSet controller labels pods with <name>-<10-character hash>, at most 63 characters */ -}}
{{- if gt (len $fullname) 52 -}}
{{- fail (printf "mode: statefulset needs a name of at most 52 characters (pods are labelled <name>-<revision hash>); %q has %d: set fullnameOverride" $fullname (len $fullname)) -}}
{{- end -}}
{{- else if gt $members 1 -}}
{{- fail (printf "cluster.members is %d: more than one member needs mode: statefulset (a pod per member, its index from the pod ordinal)" $members) -}}
{{- end -}}
{{- $headless := printf "%s-headless" $fullname -}}
{{- $peerUrl := $cluster.peerUrl | default (printf "%s://%s-{member}.%s.%s.svc:%v" (include "cloudpulse.scheme" .) $fullname $headless .Release.Namespace .Values.service.port) -}}
{{- if not (contains "{member}" $peerUrl) -}}
{{- fail (printf "cluster.peerUrl must contain {member}, where the member index goes; got %q" $peerUrl) -}}
{{- end -}}
{{- /* R members hold each series: R - 1 of them may be down at once and every series still has one */ -}}
{{- $maxUnavailable := $cluster.podDisruptionBudget.maxUnavailable | default (max 1 (sub $replication 1)) -}}
statefulset: {{ $statefulset }}
members: {{ $members }}
replication: {{ $replication }}
podIndexLabel: {{ and $statefulset $cluster.memberFromPodIndexLabel }}
headless: {{ $headless }}
peerUrl: {{ $peerUrl | quote }}
maxUnavailable: {{ $maxUnavailable }}
{{- end -}}

{{/* The config's `cluster:` section in mode: statefulset (docs/configuration.md). */}}
{{- define "cloudpulse.clusterConfig" -}}
{{- $fleet := include "cloudpulse.fleet" . | fromYaml -}}
{{- if $fleet.statefulset -}}
{{- $section := dict "members" (int $fleet.members) "replication" (int $fleet.replication) "peer_url" $fleet.peerUrl -}}
{{- with .Values.cluster.shardBy -}}
{{- $_ := set $section "shard_by" . -}}
{{- end -}}
{{- with .Values.cluster.peer -}}
{{- $_ := set $section "peer" . -}}
{{- end -}}
{{- toYaml $section -}}
{{- end -}}
{{- end -}}
