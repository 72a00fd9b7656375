# syntax=docker/dockerfile:1
# wfe-admission image: `docker build -t wfe-admission:0.1.0 .`
# Node 22 LTS (Node 20 reached end of life in April 2026). Pin both bases by digest in CI
# (FROM image:tag@sha256:...) so a rebuild is reproducible.

# Build stage: dev dependencies and the TypeScript compiler, then drop the dev dependencies.
FROM node:22-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would run tsc before the sources are copied; no production dependency
# needs an install script.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

# Runtime stage: distroless Node 22 (same Debian 12 as the build stage), no shell, no package manager.
FROM gcr.io/distroless/nodejs22-debian12:nonroot AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    WFE_CERT_DIR=/tmp/k8s-webhook-server/serving-certs
# Root-owned and read-only to the server's user; the Deployment also mounts the root filesystem read-only.
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
USER 65532:65532
# 9443: HTTPS webhook endpoints; 8081: /healthz, /readyz, /metrics.
EXPOSE 9443 8081
ENTRYPOINT ["/nodejs/bin/node", "/app/dist/cli/main.js", "serve"]
