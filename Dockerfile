# npsflow api / worker / migrate image. The same image runs each role with a different command.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
ENV NPSFLOW_SKIP_TEMPORAL_PROVISION=1
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY temporal ./temporal
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY . .
# Production workers load a pre-built workflow bundle instead of bundling at start-up.
RUN npm run build:workflows

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js
COPY --from=build /app /app
USER node
EXPOSE 3000
CMD ["npx", "tsx", "api/server.ts"]
