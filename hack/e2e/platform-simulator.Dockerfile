# syntax=docker/dockerfile:1
# The platform simulator (src/sandbox/platform-simulator) as an image of its own, for
# hack/e2e-kind.sh only: the operator image never holds the sandbox. Build from the repository root:
#   docker build -f hack/e2e/platform-simulator.Dockerfile -t atom-platform-simulator:e2e .
# (platform-simulator.Dockerfile.dockerignore beside this file is its build context filter.)
ARG NODE_IMAGE=node:24-bookworm-slim@sha256:6f7b03f7c2c8e2e784dcf9295400527b9b1270fd37b7e9a7285cf83b6951452d

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && rm -f node_modules/.bin/node
COPY tsconfig.json ./
COPY src ./src
RUN npx esbuild src/sandbox/platform-simulator/cli.ts --bundle --platform=node --target=node24 --format=esm \
      --outfile=/out/platform-simulator.mjs \
      "--banner:js=import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"

FROM ${NODE_IMAGE}
WORKDIR /app
COPY --from=build /out/platform-simulator.mjs ./
USER 65532:65532
ENTRYPOINT ["node", "/app/platform-simulator.mjs"]
