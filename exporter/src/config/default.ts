/**
 * The embedded default: no Prometheus, three simulated node-exporter instances, the same three
 * series the example config reads from a real Prometheus. Everything it serves is marked
 * `cloudpulse_source_simulated 1`.
 */
export const DEFAULT_CONFIG_YAML = `
source:
  simulation:
    instances: 3
    seed: 42
schedule:
  interval: 1m
series:
  - name: node_cpu_utilisation
    query: 1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m]))
    simulate: cpu
    thresholds: [0.9]
  - name: node_memory_utilisation
    query: 1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes
    simulate: memory
    thresholds: [0.9]
  - name: node_network_receive_bytes
    query: sum by (instance) (rate(node_network_receive_bytes_total{device!="lo"}[5m]))
    simulate: network
`;
