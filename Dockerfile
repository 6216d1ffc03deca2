# syntax=docker/dockerfile:1
# One image recipe for all five apps: `docker build --build-arg APP=<gateway|channels|messages|notifications|activation-rules>`.
# The deps/build/prod-deps stages do not depend on APP, so building all five images compiles the code once.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci

FROM deps AS build
COPY .swcrc tsconfig.base.json ./
COPY tools/build ./tools/build
COPY libs ./libs
COPY apps ./apps
RUN npm run build

# Production dependencies only; cached independently of source changes.
FROM deps AS prod-deps
RUN npm prune --omit=dev && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
# tini as PID 1 forwards SIGTERM to node (graceful shutdown drains broker consumers) and reaps zombies.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
ARG APP
RUN test -n "$APP" || (echo "build with --build-arg APP=<app name>" >&2 && exit 1)
ENV APP=${APP} \
    NODE_ENV=production
WORKDIR /app
# Files stay root-owned and read-only for the runtime user.
COPY package.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist/node_modules ./dist/node_modules
COPY --from=build /app/dist/libs ./dist/libs
COPY --from=build /app/dist/apps/${APP} ./dist/apps/${APP}
# The official image's unprivileged "node" user (uid 1000); k8s sets runAsUser: 1000 to match.
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + process.env.HTTP_PORT + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--"]
# exec: node replaces the shell so signals reach it directly.
CMD exec node dist/apps/$APP/src/main.js
