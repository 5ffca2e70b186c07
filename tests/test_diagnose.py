"""The diagnostics' parts: the classic settings producer, the raw-bytes pre-check that spares a
large config the walk, and the reading of Fluent Bit's own arguments."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fluent_launch import diagnose, formats, sections
from fluent_launch.classic import parse as classic
from fluent_launch.classic.document import may_matter, settings
from fluent_launch.errors import ConfigError
from fluent_launch.sections import FILTER, INPUT, OUTPUT, SERVICE
from fluent_launch.yaml import document as yaml_document
from fluent_launch.yaml import parse as yaml_parse

ALL = (SERVICE, INPUT, FILTER, OUTPUT)


def scan(data: bytes) -> list[tuple[str, int, str, str, str, str]]:
    return list(settings(classic.parse(data, "f.conf"), ALL, diagnose.KEYS))


def test_settings_name_path_line_kind_plugin_and_key_as_spelled() -> None:
    data = (
        b"# top\r\n[SERVICE]\r\n    Flush 1\r\n\r\n[INPUT]\r\n    Name  tail\r\n    Tag x\r\n"
        b"    MEM_BUF_LIMIT   5M  \r\n    [GROUP 1]\r\n        Mem_Buf_Limit 1\r\n[PARSER]\r\n    Flush 2\r\n"
        b"[OUTPUT]\r\n    Match *\r\n    log_group_name g\r\n    Name cloudwatch\r\n"
    )
    assert scan(data) == [
        ("f.conf", 3, SERVICE, "", "Flush", "1"),
        ("f.conf", 6, INPUT, "tail", "Name", "tail"),
        ("f.conf", 8, INPUT, "tail", "MEM_BUF_LIMIT", "5M"),
        ("f.conf", 15, OUTPUT, "cloudwatch", "log_group_name", "g"),
        ("f.conf", 16, OUTPUT, "cloudwatch", "Name", "cloudwatch"),
    ]


def matters(data: bytes) -> bool:
    return may_matter(classic.parse(data, "f.conf"), diagnose.WORDS, diagnose.CORE, diagnose.odd)


def test_settings_of_a_large_config_with_nothing_to_report_are_not_walked() -> None:
    section = b"[INPUT]\n    Name dummy\n    Mem_Buf_Limit 25MB\n[OUTPUT]\n    Name null\n    Retry_Limit 2\n"
    sections = section * 500
    assert not matters(sections)
    assert matters(sections + b"    Retry_Limit none\n")
    assert matters(sections + b"    Name kinesis\n")
    assert matters(sections.replace(b"25MB", b"25 MB", 1))
    assert matters(sections + b"    mem_buf_limit 1 mem_buf_limit 2\n")  # judged by the full scan


KEYS = [b"Name", b"name", b"Mem_Buf_Limit", b"retry_limit", b"Log_Level", b"Flush", b"storage.type", b"Tag"]
KEYS += [b"log_group_name", b"Log_Stream_Name", b"Threaded", b"Scheduler.Cap", b"x_mem_buf_limit"]
VALUES = [b"5M", b"5 MB", b"Off # note", b"Flase", b"False", b"info", b"verbose", b"0", b"1", b"${X}", b"a:b"]
VALUES += [b"cloudwatch", b"kinesis_streams", b"firehose", b"memory", b"disk", b"on", b"mem_buf_limit 5 MB"]
HEADERS = [b"[INPUT]", b"[OUTPUT]", b"[FILTER]", b"[SERVICE]", b"[PARSER]"]


@st.composite
def configs(draw: st.DrawFn) -> bytes:
    lines = []
    for _ in range(draw(st.integers(1, 5))):
        lines.append(draw(st.sampled_from(HEADERS)))
        for _ in range(draw(st.integers(0, 5))):
            key, value = draw(st.sampled_from(KEYS)), draw(st.sampled_from(VALUES))
            lines.append(b"    " + key + draw(st.sampled_from([b" ", b"   ", b" \t"])) + value)
    return draw(st.sampled_from([b"\n", b"\r\n"])).join(lines) + b"\n"


@given(configs())
def test_the_pre_check_never_hides_a_warning(data: bytes) -> None:
    try:
        doc = classic.parse(data, "f.conf")
    except ConfigError:
        return
    found = list(diagnose.warnings(settings(doc, ALL, diagnose.KEYS), {}, []))
    if found:
        assert matters(data), found


def options(*args: str) -> list[tuple[str, str | None, int]]:
    return [tuple(option) for option in diagnose.options(list(args))]  # type: ignore[misc]


def test_fluent_bits_arguments_read_as_getopt_long_reads_them() -> None:
    assert options("-F", "record_modifier", "-m", "*", "-p", "Record=pid 1", "-vq", "-e/x.so", "-p-c") == [
        ("F", "record_modifier", 0),
        ("m", "*", 2),
        ("p", "Record=pid 1", 4),
        ("v", None, 6),
        ("q", None, 6),
        ("e", "/x.so", 7),
        ("p", "-c", 8),
    ]
    assert options("--prop=a=b", "--plugin", "/y.so", "--conf", "c", "--dry-run", "--c", "x", "--no-such") == [
        ("p", "a=b", 0),
        ("e", "/y.so", 1),
        ("c", "c", 3),  # an abbreviation naming one option only
        ("D", None, 5),
    ]  # `--c` is ambiguous (config, custom, coro_stack_size): getopt refuses it, as we skip it
    assert options("-o", "null", "--", "-c", "x") == [("o", "null", 0)]
    assert options("-v", "-c") == [("v", None, 0)]  # -c without its value


def test_which_arguments_are_fluent_bits_only() -> None:
    for arg in ("-F", "-p", "-pKey=v", "-e", "--prop=a=b", "--plugin", "-t", "-R", "--config=x"):
        assert diagnose.is_fluent_bits(arg), arg
    for arg in ("-i", "-o", "-m", "-c", "-f", "-s", "--input", "--dry-run", "tail", "-x", "--", "-q"):
        assert not diagnose.is_fluent_bits(arg), arg


def test_diff_masks_the_values_of_secret_looking_keys_only() -> None:
    from fluent_launch import diff

    before = b"[OUTPUT]\r\n\tName http\r\n\tTLS.Key_Passwd  old one\r\n\tapi_key\r\n"
    after = b"[OUTPUT]\r\n\tName es\r\n\tTLS.Key_Passwd  new\r\n\tapi_key\r\n"
    assert diff.unified(before, after, "a", "b", False).split(b"@@\n", 1)[1] == (
        b" [OUTPUT]\r\n-\tName http\r\n-\tTLS.Key_Passwd ***\r\n+\tName es\r\n+\tTLS.Key_Passwd ***\r\n \tapi_key\r\n"
    )
    assert b"+\tTLS.Key_Passwd  new\r\n" in diff.unified(before, after, "a", "b", True)


YAML_KEYS = [b"name", b"Mem_Buf_Limit", b"memBufLimit", b'"mem_buf_limit"', b"retryLimit", b"Retry_Limit", b"flush"]
YAML_KEYS += [b"logGroupName", b"log_stream_name", b"storage.type", b"storage.totalLimitSize", b"threaded", b"tag"]
YAML_VALUES = [b"5M", b"'5 MB'", b'"Off" # note', b"Flase", b"no_limits", b"'-1'", b"info", b"0", b"${X}", b"'a:b'"]
YAML_VALUES += [b"cloudwatch", b"kinesis_streams", b"memory", b'"disk"', b"on", b'"a\\"b"', b"[1, 2]", b"&a 5 MB"]
YAML_VALUES += [b"5\n        MB", b"'5\n        MB'", b"no_\n        limits"]  # spanning lines (#18)


@st.composite
def yaml_configs(draw: st.DrawFn) -> bytes:
    lines = [b"service:"]
    for _ in range(draw(st.integers(0, 3))):
        lines.append(b"  " + draw(st.sampled_from(YAML_KEYS)) + b": " + draw(st.sampled_from(YAML_VALUES)))
    lines.append(b"pipeline:")
    for kind in (b"inputs", b"outputs"):
        lines.append(b"  " + kind + b":")
        for _ in range(draw(st.integers(1, 3))):
            pairs = [(draw(st.sampled_from(YAML_KEYS)), draw(st.sampled_from(YAML_VALUES))) for _ in range(3)]
            if draw(st.booleans()):
                lines.append(
                    b"    - {" + b", ".join(key + b": " + value for key, value in pairs if b"#" not in value) + b"}"
                )
            else:
                lines.append(b"    - name: dummy")
                lines += [b"      " + key + b": " + value for key, value in pairs]
    return draw(st.sampled_from([b"\n", b"\r\n", b"\r"])).join(lines) + b"\n"


@given(yaml_configs())
def test_the_yaml_pre_check_never_hides_a_warning(data: bytes) -> None:
    try:
        doc = yaml_parse.parse(data, "f.yaml")
    except ConfigError:
        return
    walked = formats._yaml_settings(yaml_document.settings(doc), sections.key_id)
    found = list(diagnose.warnings(walked, {}, []))
    if found:
        assert yaml_document.may_matter(doc, diagnose.WORDS, diagnose.CORE, diagnose.odd), found


def test_a_yaml_config_with_nothing_to_report_is_not_walked() -> None:
    plugin = b"    - name: dummy\n      memBufLimit: '25MB'  # ok\n      \"Retry_Limit\": 2\n"
    data = b"pipeline:\n  inputs:\n" + plugin * 500

    def matters(text: bytes) -> bool:
        return yaml_document.may_matter(yaml_parse.parse(text, "f.yaml"), diagnose.WORDS, diagnose.CORE, diagnose.odd)

    assert not matters(data)
    assert matters(data.replace(b"'25MB'", b"'25 MB'", 1))
    assert matters(data.replace(b'Retry_Limit": 2', b'Retry_Limit": none', 1))
    assert matters(data + b"  outputs:\n    - name: firehose\n")
    assert matters(data + b"  outputs:\n    - {name: null, logGroupName: x}\n")
    assert matters(data.replace(b"'25MB'", b"\n        25 MB", 1))  # on the next line: the walk judges it
    assert matters(data.replace(b"'25MB'", b"25\n        MB", 1))  # spanning lines: '25 MB'
