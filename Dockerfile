# syntax=docker/dockerfile:1
# atom-operator image:
#   docker build --build-arg VERSION=0.1.0 --build-arg COMMIT=$(git rev-parse --short=12 HEAD) -t atom-operator:0.1.0 .
# Multi-stage: the build stage bundles src/main.ts with esbuild (npm run build); the runtime
# stage holds Node and that one bundle (dist/main.js, its source map and a package.json saying
# "ES module"): no node_modules, no npm, no sandbox or test code (.dockerignore keeps them out of
# the build context altogether). It runs as uid 65532 and writes nothing outside /tmp, so it
# works with readOnlyRootFilesystem. The V8 heap limit comes from the chart (NODE_OPTIONS).
#
# The base image is pinned by digest: a rebuild gets the same Node and Debian. The digest below
# is node:24-bookworm-slim as published for Node 24.18.0 (the multi-arch index). To bump it:
#   docker buildx imagetools inspect node:24-bookworm-slim    # the "Digest:" line of the index
# replace the digest here and in hack/e2e/platform-simulator.Dockerfile, then run `make test`
# (test/chart/dockerfile.test.ts) and `make e2e`.
ARG NODE_IMAGE=node:24-bookworm-slim@sha256:6f7b03f7c2c8e2e784dcf9295400527b9b1270fd37b7e9a7285cf83b6951452d

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: the `node` devDependency would fetch a second Node binary for npm scripts;
# this image already has Node 24, so its placeholder link is removed. esbuild finds its binary
# in its platform package without its install script.
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && rm -f node_modules/.bin/node
COPY tsconfig.json ./
COPY hack/build.ts hack/source-map.ts ./hack/
COPY src ./src
# Written into the bundle (atom_operator_build_info, --version); empty VERSION = package.json's.
ARG VERSION=
ARG COMMIT=unknown
RUN VERSION="${VERSION}" COMMIT="${COMMIT}" npm run build

FROM ${NODE_IMAGE} AS runtime
ARG VERSION=
ARG COMMIT=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="atom-operator" \
      org.opencontainers.image.description="Kubernetes operator that runs Atoms: outbound-only integration agents with registration certificates, egress-only NetworkPolicies and safe rollouts." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${COMMIT}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="Apache-2.0"
# The operator never runs npm; removing it (and corepack) leaves less to patch and to abuse.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
           /opt/yarn* /usr/local/bin/yarn /usr/local/bin/yarnpkg
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and not writable by the operator's user: the code cannot be changed at run time.
COPY --from=build /src/dist/main.js /src/dist/main.js.map /src/dist/package.json ./dist/
USER 65532:65532
EXPOSE 8080 8081
# Node is PID 1 and the operator handles SIGTERM itself (graceful stop, Lease release).
# Stack traces show src/ file names and lines (the source map covers our code only).
ENTRYPOINT ["node", "--enable-source-maps", "dist/main.js"]
