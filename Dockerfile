# cita's server. Build: docker build -t cita .   Run with Redis: docker compose up -d (compose.yaml).
FROM node:22-slim

ENV NODE_ENV=production
WORKDIR /app

# Production dependencies only, at the versions the lockfile pins; no install scripts are needed.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# Node 22 runs the TypeScript sources as they are: there is no build step.
COPY config ./config
COPY machines ./machines
COPY adapters ./adapters
COPY src ./src

# The SQLite database (cita.db) lives in CITA_DATA_DIR: mount a volume there.
# Inside the container the server listens on every interface; compose.yaml publishes it on the
# host's 127.0.0.1 only, since the simulator lets anyone speak as any customer.
ENV CITA_DATA_DIR=/data \
    HOST=0.0.0.0 \
    PORT=3000
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 3000

HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

CMD ["node", "src/server/main.ts"]
