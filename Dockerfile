# reconciler in a container, with two entry points (build stages):
#   docker build -t aep-reconciler .                       the CLI (the default, last stage):
#       docker run --rm -v "$PWD:/work" -e AEP_PLATFORM_URL=... aep-reconciler plan
#   docker build --target emulator -t aep-emulator .       `emulator serve` on port 8080, for a
#       CI service container: services: {aep: {image: aep-emulator, ports: ["8080:8080"]}}
# The version comes from git (.git in the build context) or SETUPTOOLS_SCM_PRETEND_VERSION.
FROM python:3.11-slim AS build
WORKDIR /src
COPY . .
ARG SETUPTOOLS_SCM_PRETEND_VERSION
RUN python -m pip install --no-cache-dir build \
    && python -m build --wheel --outdir /dist

FROM python:3.11-slim AS base
RUN useradd --create-home --uid 10001 reconciler
COPY --from=build /dist/ /tmp/dist/
RUN python -m pip install --no-cache-dir /tmp/dist/*.whl && rm -rf /tmp/dist
USER reconciler

# The embedded platform, reachable from other containers: it accepts well-known
# credentials (org embedded@AdobeOrg, client reconciler-embedded; set the secret with
# RECONCILER_EMULATOR_CLIENT_SECRET), so only ever on a CI or test network.
FROM base AS emulator
WORKDIR /home/reconciler
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s --retries=10 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/_emulator/health')"]
ENTRYPOINT ["reconciler", "emulator", "serve", "--host", "0.0.0.0", "--allow-remote", "--port", "8080", "--db", "/home/reconciler/platform.db"]

FROM base AS cli
WORKDIR /work
ENTRYPOINT ["reconciler"]
CMD ["--help"]
