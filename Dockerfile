# npsflow api / worker / migrate image: compiled JavaScript on production dependencies, run as
# the unprivileged `node` user. The same image runs each role with a different command.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
ENV NPSFLOW_SKIP_TEMPORAL_PROVISION=1
COPY package.json package-lock.json ./
# patch-package applies these in postinstall (a postgres.js fix: see patches/README.md).
COPY patches ./patches
# The postinstall step (skipped above) still loads its script.
COPY scripts ./scripts
COPY temporal ./temporal
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY . .
# dist/server.js, dist/worker.js, dist/migrate.js, and the workflow bundle production workers load.
RUN npm run build && npm run build:workflows

FROM deps AS production-deps
RUN npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js
COPY --from=production-deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/dist ./dist
# Read at run time: the migrations and the admin UI's static files.
COPY db/migrations ./db/migrations
COPY api/admin-ui ./api/admin-ui
USER node
EXPOSE 3000
# The API's liveness; the worker's compose service checks its metrics port instead.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/server.js"]
