"""Debian's rsyslog on a loopback TCP port, writing each message it receives to a file.

It stands in for the Alert Logic agent, which listens on 127.0.0.1:1514. One JSON object per
line (the fields a message is checked by), so a message can hold any text.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
from pathlib import Path
from typing import Any

from tests.e2e.processes import terminate, wait_until_listening

RSYSLOGD = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"

# maxMessageSize must come before the input module is loaded; 1m holds the guide's
# Syslog_Maxsize 786432 whole. Control characters are kept as sent, not escaped as #011.
_CONFIG = """\
global(workDirectory="{work}" maxMessageSize="1m" parser.escapeControlCharactersOnReceive="off")
module(load="imtcp")
template(name="e2e" type="list") {{
  constant(value="{{\\"host\\":\\"") property(name="hostname" format="json")
  constant(value="\\",\\"app\\":\\"") property(name="app-name" format="json")
  constant(value="\\",\\"procid\\":\\"") property(name="procid" format="json")
  constant(value="\\",\\"msg\\":\\"") property(name="msg" format="json")
  constant(value="\\"}}\\n")
}}
input(type="imtcp" address="127.0.0.1" port="{port}")
action(type="omfile" file="{out}" template="e2e")
"""

START_LIMIT = 10.0  # seconds for rsyslogd to listen
STOP_LIMIT = 10.0  # seconds for it to exit on SIGTERM


class Rsyslog:
    def __init__(self, work: Path, port: int) -> None:
        self.work = work
        self.port = port
        self.out = work / "received.jsonl"
        self.config = work / "rsyslog.conf"
        self.config.write_text(_CONFIG.format(work=work, port=port, out=self.out))
        self.process: subprocess.Popen[bytes] | None = None
        self._read = 0  # how much of the output `new_messages` has returned

    def start(self) -> None:
        with (self.work / "rsyslogd.log").open("ab") as log:
            self.process = subprocess.Popen(
                [RSYSLOGD, "-n", "-f", str(self.config), "-i", str(self.work / "rsyslogd.pid")],
                stdout=log,
                stderr=subprocess.STDOUT,
            )

        def connect() -> None:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()

        wait_until_listening(self.process, connect, START_LIMIT, f"rsyslogd on 127.0.0.1:{self.port}")

    def stop(self) -> None:
        if self.process is not None:
            terminate(self.process, STOP_LIMIT)
            self.process = None

    def messages(self) -> list[dict[str, Any]]:
        """Every message received so far, in order (a partly written last line waits)."""
        return self._parse(0)[0]

    def new_messages(self) -> list[dict[str, Any]]:
        """The messages received since the last call."""
        messages, self._read = self._parse(self._read)
        return messages

    def _parse(self, offset: int) -> tuple[list[dict[str, Any]], int]:
        if not self.out.exists():
            return [], offset
        with self.out.open("rb") as out:
            out.seek(offset)
            data = out.read()
        whole = data[: data.rfind(b"\n") + 1]
        return [json.loads(line) for line in whole.splitlines()], offset + len(whole)
