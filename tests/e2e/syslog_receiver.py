"""Debian's rsyslog on a loopback TCP port, writing each message it receives to a file.

It stands in for the Alert Logic agent, which listens on 127.0.0.1:1514. One JSON object per
line (the fields a message is checked by), so a message can hold any text.
"""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

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
        log = (self.work / "rsyslogd.log").open("ab")
        self.process = subprocess.Popen(
            [RSYSLOGD, "-n", "-f", str(self.config), "-i", str(self.work / "rsyslogd.pid")],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + START_LIMIT
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"rsyslogd exited with {self.process.returncode}: see {self.work}/rsyslogd.log")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"rsyslogd did not listen on 127.0.0.1:{self.port} in {START_LIMIT} s") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(STOP_LIMIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
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
