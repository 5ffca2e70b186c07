# The agent-volume image: the frozen launcher at /var/alertlogic/lib/fluent-bit/fluent-launch,
# for a Fluent Bit container to run from a shared volume (ECS volumesFrom) or to copy from:
#   COPY --from=<this image> /var/alertlogic/lib/fluent-bit/ /var/alertlogic/lib/fluent-bit/
# The base images are build arguments, so a build without a registry can use local ones.
# Built for one platform (podman build --platform linux/arm64, or linux/amd64) or for both into
# a manifest list (podman build --platform linux/amd64,linux/arm64 --manifest NAME): the builder
# stage runs in the target platform's image (under emulation where that is not this machine's),
# so build/build.sh freezes a launcher for that architecture, with that architecture's glibc.
ARG BUILDER_IMAGE=docker.io/library/debian:bookworm-slim
ARG FINAL_IMAGE=scratch

FROM ${BUILDER_IMAGE} AS builder
# A Python with a shared libpython (PyInstaller loads it), binutils for ldd/objdump/readelf.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      python3 python3-venv libpython3.11 binutils ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md constraints.txt ./
COPY fluent_launch/ fluent_launch/
COPY build/build.sh build/modules.py build/portable.py build/fluent-launch.spec build/
ARG INSTALL_DIR=/var/alertlogic/lib/fluent-bit
RUN INSTALL_DIR=${INSTALL_DIR} bash build/build.sh

# Nothing but the bundle: it carries its own loader and libc, so it runs even here.
FROM ${FINAL_IMAGE}
# First, so that every layer of this stage carries it: scripts/clean-slate.sh finds the build
# cache by it.
LABEL fluent-launch=image
ARG INSTALL_DIR=/var/alertlogic/lib/fluent-bit
COPY --from=builder /src/dist/fluent-launch/ ${INSTALL_DIR}/
VOLUME ["/var/alertlogic/lib/fluent-bit"]
# As an `essential: false` sidecar it only has to start (which fills the volume) and exit 0.
ENTRYPOINT ["/var/alertlogic/lib/fluent-bit/fluent-launch"]
CMD ["--version"]
