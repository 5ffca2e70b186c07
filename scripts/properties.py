"""Write fluent_launch/properties.py: the property names each Fluent Bit binary's plugins take.

    python scripts/properties.py FLUENT_BIT... > fluent_launch/properties.py

Each FLUENT_BIT is a Fluent Bit executable; nothing else of Fluent Bit is read. Its
`--help-json` (`-J`) lists every plugin it was built with, each with its own properties and
its kind's `global_options`. The table is the union over the binaries given: a key any of
them takes is known. Keys are lower-cased, as Fluent Bit matches them without regard to case;
a key ending in `*` is a prefix (`parser_*`: the type Fluent Bit calls "prefixed string").
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

# Section kinds the launcher edits, and their lists in --help-json.
KINDS = {"input": "inputs", "filter": "filters", "output": "outputs"}
# Groups of a plugin's properties in --help-json that every plugin of its kind takes (the TLS
# keys are taken by flb_output_set_property() whatever the plugin).
SHARED = ("global_options", "network_tls")
# Left to Fluent Bit, which takes them for some plugins only (networking) or ignores them.
LEFT_ALONE = ("net.", "_debug.")

# What --help-json leaves out: the keys that flb_input/filter/output_set_property() take
# before a plugin's own properties are looked at (1.9.10's lists none of them, later ones
# some as `global_options`), and the config loader's own (`name`, and `active`, `condition`,
# `routes` of newer versions); names only, read from those functions in the sources of
# 1.9.10, 4.2.8 and 5.1.1. Keys under `net.` (networking) and `_debug.` are left to Fluent
# Bit (LEFT_ALONE).
_TLS = (
    *("tls", "tls.verify", "tls.verify_hostname", "tls.debug", "tls.ca_file", "tls.ca_path", "tls.crt_file"),
    *("tls.key_file", "tls.key_passwd", "tls.vhost", "tls.min_version", "tls.max_version", "tls.ciphers"),
)
_PLUGIN = ("name", "alias", "log_level", "active", "condition", "routes")
CORE = {
    "input": (
        *_PLUGIN,
        *("tag", "mem_buf_limit", "routable", "storage.type", "storage.pause_on_chunks_overlimit", "threaded"),
        *("host", "listen", "port", "ipv6", *_TLS, "tls.verify_client_cert"),
    ),
    "filter": (*_PLUGIN, "match", "match_regex"),
    "output": (
        *(*_PLUGIN, "match", "match_regex", "retry_limit", "host", "port", "ipv6", "workers"),
        *("storage.total_limit_size", *_TLS, "tls.proxy.ca_file", "tls.proxy.ca_path"),
        *("tls.proxy.verify", "tls.proxy.verify_hostname"),
    ),
}
# [SERVICE] keys: --help-json has none, so these are the names in each version's table of
# [SERVICE] keys (service_configs[] in src/flb_config.c of 1.9.10, 4.2.8 and 5.1.1; the
# documentation's "Service" section lists the same).
SERVICE = (
    *("flush", "grace", "daemon", "log_file", "log_level", "parsers_file", "plugins_file", "streams_file"),
    *("coro_stack_size", "http_server", "http_listen", "http_port", "health_check", "hc_errors_count"),
    *("hc_retry_failure_count", "hc_period", "scheduler.cap", "scheduler.base", "dns.mode", "dns.resolver"),
    *("dns.prefer_ipv4", "dns.prefer_ipv6", "storage.path", "storage.sync", "storage.checksum"),
    *("storage.metrics", "storage.max_chunks_up", "storage.backlog.mem_limit", "storage.inherit"),
    *("storage.keep.rejected", "storage.rejected.path", "storage.rejected.limit", "storage.trim_files"),
    *("storage.type", "json.convert_nan_to_null", "json.escape_unicode", "enable_chunk_trace"),
    *("hot_reload", "hot_reload.ensure_thread_safety", "hot_reload.timeout", "multiline_buffer_limit"),
    *("sp.convert_from_str_to_num", "windows.maxstdio", "security.fips_mode", "flush.adaptive"),
    *("flush.adaptive.down_steps", "flush.adaptive.high_pressure", "flush.adaptive.low_pressure"),
    *("flush.adaptive.max_interval", "flush.adaptive.medium_pressure", "flush.adaptive.min_interval"),
    "flush.adaptive.up_steps",
)


def help_json(binary: str) -> dict[str, Any]:
    done = subprocess.run([binary, "--help-json"], capture_output=True, check=True, timeout=60)
    text = done.stdout.decode()
    # Some versions print their banner first.
    parsed: dict[str, Any] = json.loads(text[text.index("{") :])
    return parsed


def key_names(options: list[dict[str, Any]]) -> set[str]:
    names = {
        str(option["name"]).lower() + ("*" if option.get("type") == "prefixed string" else "") for option in options
    }
    return {name for name in names if not name.startswith(LEFT_ALONE)}


def quoted(text: str) -> str:
    return json.dumps(text)  # as ruff formats a string literal: double quotes


def main(binaries: list[str]) -> str:
    versions = []
    core = {kind: set(keys) for kind, keys in CORE.items()}
    plugins: dict[str, dict[str, set[str]]] = {kind: {} for kind in KINDS}
    for binary in binaries:
        found = help_json(binary)
        versions.append(found["fluent-bit"]["version"])
        for kind, listed in KINDS.items():
            for plugin in found[listed]:
                properties = plugin["properties"]
                own = plugins[kind].setdefault(plugin["name"].lower(), set())
                for group, options in properties.items():
                    (core[kind] if group in SHARED else own).update(key_names(options))
    table = [f"service * {' '.join(sorted(SERVICE))}"]
    for kind, named in plugins.items():
        table.append(f"{kind} * {' '.join(sorted(core[kind]))}")
        table.extend(
            f"{kind} {name} {' '.join(sorted(keys - core[kind]))}".rstrip() for name, keys in sorted(named.items())
        )
    lines = [
        '"""Property names Fluent Bit takes, per section kind and plugin. Generated: do not edit.',
        "",
        f"Made by `python scripts/properties.py {' '.join(binaries)}`",
        "from the `--help-json` of those binaries (see scripts/properties.py for what it adds).",
        '"""',
        "",
        f"VERSIONS = {quoted(', '.join(versions))}",
        f"LEFT_ALONE = {LEFT_ALONE!r}".replace("'", '"'),
        "# One line per plugin: KIND PLUGIN KEY..., where the plugin `*` holds the keys every",
        "# plugin of the kind takes. One string, as it is cheapest to load; read by fluent_launch/known.py.",
        'TABLE = """',
        *table,
        '"""',
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.stdout.write(main(sys.argv[1:]))
