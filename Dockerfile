# syntax=docker/dockerfile:1
# atom-operator image: `docker build -t atom-operator:0.1.0 .`
# Multi-stage: the build stage compiles TypeScript; the runtime stage holds only Node,
# the production dependencies and dist/, runs as uid 65532, and writes nothing outside
# /tmp, so it works with readOnlyRootFilesystem (the chart mounts an emptyDir on /tmp).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: the `node` devDependency would fetch a second Node binary for
# npm scripts; this image already has Node 24, so its placeholder link is removed.
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && rm -f node_modules/.bin/node
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="atom-operator" \
      org.opencontainers.image.description="Kubernetes operator that runs Atoms: outbound-only integration agents with registration certificates, egress-only NetworkPolicies and safe rollouts." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="Apache-2.0"
# The operator never runs npm; removing it (and corepack) leaves less to patch and to abuse.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
           /opt/yarn* /usr/local/bin/yarn /usr/local/bin/yarnpkg
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and not writable by the operator's user: the code cannot be changed at run time.
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
USER 65532:65532
EXPOSE 8080 8081
# Node is PID 1 and the operator handles SIGTERM itself (graceful stop, Lease release).
# The same image runs the platform simulator: node dist/sandbox/platform-simulator/cli.js
ENTRYPOINT ["node", "dist/main.js"]
