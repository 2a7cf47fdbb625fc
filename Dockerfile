# orglife API and worker image (one image, the command picks the role).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY migrations ./migrations
USER node
EXPOSE 3000
# `npm run api` or `npm run worker`; both need DATABASE_URL and TEMPORAL_ADDRESS.
CMD ["npm", "run", "api"]
