"""A Fluent forward protocol client on a unix socket, as an app's log driver is.

With the `chunk` option Fluent Bit answers `{"ack": chunk}` once it has taken a message in.
With `retry`, what is not acknowledged is sent again on a new connection until it is
(at-least-once, as Docker's fluentd log driver, which FireLens uses, reconnects and retries);
without, no ack is asked for, each batch is written once and forgotten, and a failed write
or connection drops it.

Two of the protocol's modes: PackedForward (`packed`: a batch is one message, taken in whole
or not at all) and Message (`message`: one record per message, as Docker's fluentd driver
sends them). Fluent Bit 4.2.8 acknowledges a Message-mode record even when its Mem_Buf_Limit
made it drop the record (plugins/in_forward/fw_prot.c ignores flb_input_log_append's result
there; 5.1.1 checks it), so only `packed` is lossless at that limit there; the outage run
measures both.
"""

from __future__ import annotations

import socket
import time
from typing import Any

import msgpack

ACK_LIMIT = 10.0  # seconds to wait for acknowledgements before resending
BATCH_LIMIT = 180.0  # seconds one batch may take, all retries included
_BACKOFF_FIRST, _BACKOFF_MAX = 0.02, 0.5
MODES = ("packed", "message")


class ForwardClient:
    def __init__(self, path: str | tuple[str, int], tag: str, retry: bool = True, mode: str = "packed") -> None:
        assert mode in MODES, mode
        self.path = path  # a unix socket's path, or a TCP (host, port)
        self.tag = tag
        self.retry = retry
        self.mode = mode
        self.connection: socket.socket | None = None
        self.batches = 0
        self.reconnects = 0  # connections lost or refused: how often Fluent Bit pushed back
        self.failed = 0  # records a client without retries gave up on

    def send(self, records: list[dict[str, Any]]) -> None:
        """Hand `records` over; with `retry`, return only once Fluent Bit acknowledged them."""
        self.batches += 1
        payload, chunks = self._encode(records, f"{self.batches:x}")
        deadline = time.monotonic() + BATCH_LIMIT
        backoff = _BACKOFF_FIRST
        while True:
            try:
                self._attempt(payload, chunks)
                return
            except OSError:
                self._drop()
                self.reconnects += 1
                if not self.retry:
                    self.failed += len(records)
                    return
                if time.monotonic() > deadline:
                    raise TimeoutError(f"batch {self.batches} not acknowledged in {BATCH_LIMIT} s") from None
                time.sleep(backoff)
                backoff = min(backoff * 2, _BACKOFF_MAX)

    def close(self) -> None:
        self._drop()

    def _encode(self, records: list[dict[str, Any]], batch: str) -> tuple[bytes, set[str]]:
        now = int(time.time())
        # Only a client that resends asks for acks: one that does not (as Docker's fluentd
        # driver by default) would leave them unread.
        if self.mode == "packed":
            # With the `size` option, as fluentd's out_forward sends it: Fluent Bit 1.9.10
            # refuses a PackedForward message without options (it reads the options past
            # the message's end, fw_prot.c) and closes the connection.
            stream = b"".join(msgpack.packb([now, record]) for record in records)
            option = {"size": len(records), **({"chunk": batch} if self.retry else {})}
            return msgpack.packb([self.tag, stream, option]), {batch}
        chunks = [f"{batch}.{index}" for index in range(len(records))]
        payload = b"".join(
            msgpack.packb([self.tag, now, record, *([{"chunk": chunk}] if self.retry else [])])
            for chunk, record in zip(chunks, records)
        )
        return payload, set(chunks)

    def _attempt(self, payload: bytes, chunks: set[str]) -> None:
        if self.connection is None:
            connection = socket.socket(socket.AF_UNIX if isinstance(self.path, str) else socket.AF_INET)
            connection.settimeout(ACK_LIMIT)
            connection.connect(self.path)
            self.connection = connection
        self.connection.sendall(payload)
        if self.retry:
            self._wait_acks(self.connection, set(chunks))

    def _wait_acks(self, connection: socket.socket, pending: set[str]) -> None:
        unpacker = msgpack.Unpacker(raw=False)
        while pending:
            data = connection.recv(65536)  # times out after ACK_LIMIT: socket.timeout is an OSError
            if not data:
                raise ConnectionResetError("closed before every ack came")
            unpacker.feed(data)
            for answer in unpacker:
                if isinstance(answer, dict):
                    pending.discard(answer.get("ack", ""))

    def _drop(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None
