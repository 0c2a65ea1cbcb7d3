# syntax=docker/dockerfile:1
# The CloudPulse exporter image. From the repository root:
#
#   docker build -t ghcr.io/cloudpulse/cloudpulse:0.1.0 .
#   docker build --build-arg WITH_TFJS=true -t ghcr.io/cloudpulse/cloudpulse:0.1.0-tfjs .
#
# WITH_TFJS=true adds TensorFlow.js (about 290 MB) for the `lstm` model and detector; without it
# a config that names them is refused at start with that hint. The image runs as UID/GID
# 65534 with a read-only root filesystem and needs no writable /tmp; only --storage.path, when
# set, must be a writable volume. test/packaging.test.ts checks the same conditions without a
# container engine (docs/deploy.md says how).

ARG NODE_IMAGE=node:20-bookworm-slim
ARG WITH_TFJS=false

# 1. Build: the exporter's and the root's dependencies, compile to dist/, then unpack exactly the
#    files `npm pack` publishes (package.json `files`: bin/, dist/, LICENSE).
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json ./
COPY exporter/package.json exporter/
COPY grafana-plugin/package.json grafana-plugin/
COPY test/package.json test/
RUN npm ci --workspace exporter --include-workspace-root --ignore-scripts --no-audit --no-fund
COPY exporter/ exporter/
RUN npm run build --workspace exporter \
 && npm pack --workspace exporter --ignore-scripts --pack-destination /tmp \
 && mkdir /pkg && tar -xzf /tmp/cloudpulse-exporter-*.tgz -C /pkg --strip-components=1

# 2. Production dependencies only, at the versions of the lockfile. No install scripts: none of
#    them needs one.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY exporter/package.json exporter/
COPY grafana-plugin/package.json grafana-plugin/
COPY test/package.json test/
RUN npm ci --workspace exporter --omit=dev --ignore-scripts --no-audit --no-fund

# 3. Optional TensorFlow.js in a tree of its own, placed under exporter/node_modules so it
#    cannot replace a version the exporter's own dependencies resolve to. (A plain `if` rather
#    than a stage chosen by name: older builders such as buildah 1.28 cannot select stages by ARG.)
FROM ${NODE_IMAGE} AS tfjs
ARG WITH_TFJS
WORKDIR /tfjs
RUN mkdir node_modules \
 && if [ "$WITH_TFJS" = true ]; then \
      npm install --omit=dev --ignore-scripts --no-package-lock --no-audit --no-fund \
        @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0; \
    fi

# 4. Runtime: Node, the compiled exporter and its production dependencies; files owned by root
#    and read-only to the process. No HEALTHCHECK: Kubernetes probes /-/healthy and /-/ready.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
# jemalloc instead of glibc's malloc: after label-set churn, glibc keeps the worker threads'
# fragmented arenas resident (about 1.5x the pre-churn RSS in test/churn-soak.test.ts), jemalloc
# returns them within seconds (docs/reliability.md)
RUN apt-get update \
 && apt-get install -y --no-install-recommends libjemalloc2 \
 && rm -rf /var/lib/apt/lists/* \
 && ln -s "$(find /usr/lib -name libjemalloc.so.2 | head -n1)" /usr/local/lib/libjemalloc.so.2
ENV LD_PRELOAD=/usr/local/lib/libjemalloc.so.2
WORKDIR /app
COPY --from=deps /app/node_modules node_modules
COPY --from=build /pkg exporter
COPY --from=tfjs /tfjs/node_modules exporter/node_modules
USER 65534:65534
EXPOSE 9847
ENTRYPOINT ["node", "/app/exporter/bin/cloudpulse.js"]
CMD ["run"]
