"""Send a log record every second to Fluent Bit's forward input, as ECS's awsfirelens driver does.

Standard library only: the forward protocol's message mode is a MessagePack array
[tag, time, record], and the few MessagePack types it needs are encoded here.
"""

from __future__ import annotations

import os
import socket
import struct
import time

ADDRESS = (os.environ.get("FORWARD_HOST", "127.0.0.1"), int(os.environ.get("FORWARD_PORT", "24224")))
TAG = "app-firelens-0123456789abcdef"


def pack(value: object) -> bytes:
    if isinstance(value, int):
        return bytes([value]) if 0 <= value < 128 else b"\xce" + struct.pack(">I", value)
    if isinstance(value, str):
        raw = value.encode()
        return (bytes([0xA0 | len(raw)]) if len(raw) < 32 else b"\xda" + struct.pack(">H", len(raw))) + raw
    if isinstance(value, list):
        return bytes([0x90 | len(value)]) + b"".join(pack(item) for item in value)
    if isinstance(value, dict):
        return bytes([0x80 | len(value)]) + b"".join(pack(key) + pack(item) for key, item in value.items())
    raise TypeError(value)


def main() -> None:
    sequence = 0
    while True:
        sequence += 1
        record = {"log": f"hello from app {sequence}", "container_name": "app", "container_id": "c0ffee"}
        try:
            with socket.create_connection(ADDRESS, timeout=5) as connection:
                connection.sendall(pack([TAG, int(time.time()), record]))
        except OSError as error:
            print(f"forward: {error}", flush=True)
        time.sleep(1)


if __name__ == "__main__":
    main()
