# The fleet's image: `fleet` as its entry point, for the servers (`server`) and the workers the kubernetes
# orchestrator starts (`worker ...`). Build: docker build -t provider-fleet:0.1.0 .

# Build: the TypeScript and the web UI, with every dependency.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY migrations ./migrations
COPY ui ./ui
COPY bin ./bin
COPY test ./test
COPY bench ./bench
RUN npm run build && npm prune --omit=dev

# Run: the built dist and the production dependencies only, as an unprivileged user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
# A fixed malloc mmap threshold keeps a large refresh's freed blocks out of its resident set (see
# src/server/orchestrators/worker-allocator.ts); the fleet's ConfigMap may set another.
ENV MALLOC_MMAP_THRESHOLD_=131072
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/bin ./bin
COPY templates ./templates
# The image's own user (node, 1000), by number so that a pod's runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 8700
ENTRYPOINT ["node", "/app/bin/fleet"]
CMD ["server"]
