# syntax=docker/dockerfile:1
#
# lifeline image: one image, two roles (see docker-compose.yml):
#   node bin/lifeline.js api    --config /etc/lifeline/lifeline.config.yaml   (default CMD)
#   node bin/lifeline.js worker --config /etc/lifeline/lifeline.config.yaml
#
# The worker bundles its workflow code when it starts, from dist/workflows, with
# the Temporal SDK's bundler (webpack and @swc/core are production dependencies
# of @temporalio/worker). dist/workflows must therefore ship in the image.
#
# npm: this uses the npm that comes with the Node 20 image (10.x). Do not upgrade
# it here: package-lock.json lists only the Linux builds of native optional
# packages, which npm 10 accepts and npm 11's `npm ci` rejects as "not in sync".

FROM node:20-bookworm-slim AS base
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
WORKDIR /app

# --- build: full dependency tree, TypeScript -> dist/ -------------------------
FROM base AS build
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci
COPY . .
RUN npm run build
# Put the runtime tree together in /out, in the repository's layout (bin/ loads
# ../dist/...; templates/ and config/ sit beside them). Directories that are
# absent from the checkout are created empty so the COPY in the runtime stage
# never breaks; a build without the entry point or the workflows fails here.
RUN set -eu; \
    test -f bin/lifeline.js || { echo "bin/lifeline.js is missing" >&2; exit 1; }; \
    test -d dist/workflows || { echo "dist/workflows is missing: the worker bundles it at start" >&2; exit 1; }; \
    test -f dist/workflow-bundle.js || { echo "dist/workflow-bundle.js is missing: workers load the prebuilt workflow bundle" >&2; exit 1; }; \
    mkdir -p /out/templates /out/config; \
    cp package.json /out/; \
    cp -R bin dist /out/; \
    if [ -d templates ]; then cp -R templates/. /out/templates/; fi; \
    if [ -d config ]; then \
      find config -type f \( -name '*.yaml' -o -name '*.yml' \) -exec cp --parents {} /out/ \; ; \
    fi

# --- prod-deps: production node_modules only ---------------------------------
FROM base AS prod-deps
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

# --- runtime -----------------------------------------------------------------
FROM base AS runtime
ENV NODE_ENV=production
# The data directory belongs to `node`. A named volume mounted here starts as a
# copy of this directory, so it gets the same owner.
RUN mkdir -p /var/lib/lifeline /etc/lifeline \
 && chown node:node /var/lib/lifeline
# Code and dependencies stay owned by root: the app cannot rewrite itself.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /out/ ./
USER node
EXPOSE 8080
CMD ["node", "bin/lifeline.js", "api"]
