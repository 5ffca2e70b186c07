#!/usr/bin/env bash
# Removes every podman object the project's tests and demo make (and nothing else), so that
# the next test run behaves like the first one on a new machine: containers, pods, networks
# and volumes named fluent-launch*, images named localhost/fluent-launch*, and every image with
# a label `fluent-launch` (the tests' local base image, the Dockerfile's final stage, and all
# that inherits it: build caches).
set -euo pipefail
command -v podman >/dev/null || exit 0
ours() { grep -E "^(localhost/)?fluent-launch" || true; }
mapfile -t containers < <(podman ps -a --format '{{.Names}}' | ours)
mapfile -t labelled < <(podman ps -a --filter label=fluent-launch --format '{{.ID}}')
[ $((${#containers[@]} + ${#labelled[@]})) = 0 ] || podman rm --force --time 0 "${containers[@]}" "${labelled[@]}" >/dev/null
mapfile -t pods < <(podman pod ls --format '{{.Name}}' | ours)
[ ${#pods[@]} = 0 ] || podman pod rm --force "${pods[@]}" >/dev/null
mapfile -t networks < <(podman network ls --format '{{.Name}}' | ours)
[ ${#networks[@]} = 0 ] || podman network rm --force "${networks[@]}" >/dev/null
mapfile -t volumes < <(podman volume ls --format '{{.Name}}' | ours)
[ ${#volumes[@]} = 0 ] || podman volume rm --force "${volumes[@]}" >/dev/null
mapfile -t images < <(podman images --format '{{.Repository}}:{{.Tag}}' | ours)
[ ${#images[@]} = 0 ] || podman rmi --force "${images[@]}" >/dev/null
mapfile -t cached < <(podman images --all --filter label=fluent-launch --format '{{.ID}}' | sort -u)
[ ${#cached[@]} = 0 ] || podman rmi --force "${cached[@]}" >/dev/null
echo "clean slate: removed ${#containers[@]}+${#labelled[@]} containers, ${#pods[@]} pods, ${#networks[@]} networks, ${#volumes[@]} volumes, ${#images[@]}+${#cached[@]} images"
