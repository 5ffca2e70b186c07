"""What the editor changes, and the bytes it leaves alone."""

from __future__ import annotations

import pytest

from fluent_launch import edits
from fluent_launch.classic import edit
from fluent_launch.classic import parse as classic
from fluent_launch.classic.document import LONGEST_LINE
from fluent_launch.errors import ConfigError
from fluent_launch.sections import SERVICE
from tests import view
from tests.helpers import apply, overrides

FIRELENS = b"""\
[INPUT]
    Name forward
    Mem_Buf_Limit 25MB
    unix_path /var/run/fluent.sock

[INPUT]
    Name forward
    Port 24224

[FILTER]
    Name record_modifier
    Record ecs_cluster ${CLUSTER}

@INCLUDE /extra.conf

[OUTPUT]
    Name null
"""


def test_overwrite_keeps_place_and_spelling_and_append_follows_the_last_entry() -> None:
    out = apply(FIRELENS, ("input", "mem_buf_limit", "50M"))
    assert out == FIRELENS.replace(b"Mem_Buf_Limit 25MB", b"Mem_Buf_Limit 50M").replace(
        b"    Port 24224\n", b"    Port 24224\n    mem_buf_limit 50M\n"
    )


def test_alignment_before_the_value_is_kept() -> None:
    data = b"[OUTPUT]\n    Name        cloudwatch\n    Retry_Limit 2   \n"
    assert apply(data, ("output", "Retry_Limit", "False")) == data.replace(b"2   ", b"False")


def test_same_value_leaves_the_line_byte_identical() -> None:
    data = b"[INPUT]\n    Mem_Buf_Limit   50M  \n"
    assert apply(data, ("input", "Mem_Buf_Limit", "50M")) == data


def test_repeats_after_the_first_are_removed() -> None:
    data = b"[OUTPUT]\n    Name null\n    Retry_Limit 1\n    Match *\n    retry_limit 2\n"
    assert (
        apply(data, ("output", "Retry_Limit", "False"))
        == b"[OUTPUT]\n    Name null\n    Retry_Limit False\n    Match *\n"
    )


def test_groups_are_not_the_sections_own_keys() -> None:
    data = b"[INPUT]\n    Name tail\n    [GROUP 1]\n        mem_buf_limit 1M\n"
    assert apply(data, ("input", "Mem_Buf_Limit", "50M")) == (
        b"[INPUT]\n    Name tail\n    Mem_Buf_Limit 50M\n    [GROUP 1]\n        mem_buf_limit 1M\n"
    )


def test_a_section_without_entries_gets_the_key_after_its_header() -> None:
    data = b"[OUTPUT]\n    Name null\n[INPUT]\n# nothing yet\n"
    assert apply(data, ("input", "Tag", "t")) == b"[OUTPUT]\n    Name null\n[INPUT]\n    Tag t\n# nothing yet\n"


def test_new_lines_use_the_files_indent_and_line_ending() -> None:
    data = b"[INPUT]\r\n\tName dummy\r\n"
    assert apply(data, ("input", "Tag", "t"), ("service", "Flush", "1")) == (
        b"[INPUT]\r\n\tName dummy\r\n\tTag t\r\n\r\n[SERVICE]\r\n\tFlush 1\r\n"
    )


def test_a_missing_final_newline_stays_missing() -> None:
    assert apply(b"[INPUT]\n    Name dummy", ("input", "Tag", "t")) == b"[INPUT]\n    Name dummy\n    Tag t"
    assert apply(b"[INPUT]\n    Name dummy", ("input", "Name", "cpu")) == b"[INPUT]\n    Name cpu"


def test_service_is_created_last_so_it_wins_over_included_ones() -> None:
    out = apply(FIRELENS, ("service", "Scheduler.Cap", "60"), ("service", "Flush", "1"))
    assert out == FIRELENS + b"\n[SERVICE]\n    Scheduler.Cap 60\n    Flush 1\n"
    assert apply(b"", ("service", "Flush", "1")) == b"[SERVICE]\n    Flush 1\n"


def test_existing_services_are_one_merged_section() -> None:
    data = b"[SERVICE]\n    Flush 5\n[INPUT]\n    Name cpu\n[SERVICE]\n    Log_Level info\n    flush 2\n"
    out = apply(data, ("service", "flush", "1"), ("service", "Grace", "3"))
    assert out == b"[SERVICE]\n    Flush 1\n[INPUT]\n    Name cpu\n[SERVICE]\n    Log_Level info\n    Grace 3\n"


def test_edits_of_services_and_other_kinds_between_them_keep_file_order() -> None:
    data = b"[SERVICE]\n    Flush 5\n[INPUT]\n    Name cpu\n[SERVICE]\n    flush 2\n"
    data += b"[OUTPUT]\n    Name null\n[SERVICE]\n"
    out = apply(
        data, ("service", "Flush", "1"), ("input", "Tag", "t"), ("output", "Match", "*"), ("service", "Grace", "3")
    )
    assert out == (
        b"[SERVICE]\n    Flush 1\n[INPUT]\n    Name cpu\n    Tag t\n[SERVICE]\n"
        b"[OUTPUT]\n    Name null\n    Match *\n[SERVICE]\n    Grace 3\n"
    )


def test_a_key_new_to_the_services_goes_before_the_section_right_after_them() -> None:
    # Inserted at the very offset where the next section starts: found by hypothesis.
    out = apply(b"[SERVICE]\n[INPUT]", ("service", "Flush", "1"), ("input", "Tag", "t"))
    assert out == b"[SERVICE]\n    Flush 1\n[INPUT]\n    Tag t"


def test_other_kinds_and_bytes_outside_edits_survive() -> None:
    data = (
        b"@SET secret=${TOKEN}\n# comment \xff\xfe\n[PARSER]\n    Name p\n    Format json\n"
        b'[INPUT]\n    Name dummy\n    Dummy {"k": "\xe9"}\n[MULTILINE_PARSER]\n    Name m\n'
    )
    out = apply(data, ("input", "Tag", "t"), ("filter", "Match", "*"), ("output", "Retry_Limit", "1"))
    assert out == data.replace(b'\xe9"}\n', b'\xe9"}\n    Tag t\n')


def test_the_last_of_a_repeated_override_wins() -> None:
    assert apply(b"[INPUT]\n    Name cpu\n", ("input", "tag", "a"), ("input", "Tag", "b")) == (
        b"[INPUT]\n    Name cpu\n    Tag b\n"
    )


def test_unindented_files_keep_fluent_bits_reading() -> None:
    # Fluent Bit fixed the indent at 'N' here, so new lines must start with it too.
    data = b"[INPUT]\nName dummy\n"
    out = apply(data, ("input", "Tag", "t"))
    assert out == b"[INPUT]\nName dummy\nNTag t\n"
    assert [entry.key for entry in classic.parse(out, "t").sections[0].entries] == [b"ame", b"tag"]


def test_nul_joined_entry_is_rewritten_whole() -> None:
    data = b"[INPUT]\n    Name du\0x\nmmy\n    Tag x\n"
    assert apply(data, ("input", "Name", "cpu")) == b"[INPUT]\n    Name cpu\n    Tag x\n"


def test_an_edit_that_would_change_how_fluent_bit_reads_the_lines_after_it_is_refused() -> None:
    # Found by fuzz/fuzz_classic.py. Fluent Bit reads `Name lu` joined with `Match *` (the NUL
    # cuts the first line short), and the long `code` line up to its NUL; without the NUL the
    # edit removes, the buffer is smaller, and it would read `Match *`, a longer `code` and a
    # `name stdout` that makes the filter a stdout.
    data = b"[FILTER]\n    Name    lu\0a\n    Match   *\n    code    " + b"x" * 4000 + b"\0" + b"y" * 500
    data += b"\n    name stdout\n"
    assert [entry.key for entry in classic.parse(data, "t").sections[0].entries] == [b"name", b"code"]
    with pytest.raises(ConfigError) as refused:
        apply(data, ("filter", "Name", "grep"))
    assert refused.value.line == 2 and "would make Fluent Bit read the lines after the edit" in refused.value.message
    # An edit that leaves the lines with NUL bytes as they are is made.
    out = apply(data, ("filter", "Alias", "a"))
    assert out == data + b"    Alias a\n"


def test_key_added_after_an_unterminated_last_line_with_a_nul_is_not_joined_to_it() -> None:
    # Found by fuzz/fuzz_classic.py: terminating that line made Fluent Bit append the new one to it.
    data = b"[INPUT]\n    Name dummy\0junk"
    out = apply(data, ("input", "Tag", "t"), ("service", "Flush", "1"))
    # (The [SERVICE] goes at the same place and takes the same care: one blank line too many.)
    assert out == b"[INPUT]\n    Name dummy\0junk\n\n    Tag t\n\n\n[SERVICE]\n    Flush 1"
    sections = classic.parse(out, "t").sections
    assert [(entry.key, entry.value) for entry in sections[0].entries] == [(b"name", b"dummy"), (b"tag", b"t")]
    assert [(entry.key, entry.value) for entry in sections[1].entries] == [(b"flush", b"1")]


def test_a_file_whose_indent_is_an_at_sign_cannot_take_a_new_key() -> None:
    # Found by fuzz/fuzz_classic.py: a new line in that indent would be read as a command.
    with pytest.raises(ConfigError) as refused:
        apply(b"[INPUT]\n@\n", ("input", "Tag", "t"))
    assert (refused.value.line, refused.value.message.split(":")[0]) == (2, "cannot add Tag")


def test_result_reports_sections_per_kind() -> None:
    result = edit.apply(
        classic.parse(FIRELENS, "t"),
        overrides(("input", "a", "1"), ("filter", "b", "2"), ("service", "c", "3"), ("output", "d", "4")),
    )
    assert result.kinds == {
        "input": edits.KindResult(2, False),
        "filter": edits.KindResult(1, False),
        "service": edits.KindResult(1, True),
        "output": edits.KindResult(1, False),
    }


# --- Fluent Bit 1.9's line limit ---------------------------------------------------------------

LIMITED = b"[OUTPUT]\n    Name null\n    Tag short\n"


@pytest.mark.parametrize("key", ["Tag", "Extra"], ids=["replaced", "added"])
def test_a_line_of_exactly_the_longest_fluent_bit_19_reads_is_written(key: str) -> None:
    value = "v" * (LONGEST_LINE - len(f"    {key} "))
    line = f"    {key} {value}\n".encode()
    assert len(line) == LONGEST_LINE + 1
    assert line in apply(LIMITED, ("output", key, value))


@pytest.mark.parametrize(("key", "line"), [("Tag", 3), ("Extra", 4)], ids=["replaced", "added"])
def test_an_edit_that_passes_fluent_bit_19s_line_limit_is_refused(key: str, line: int) -> None:
    value = "v" * (LONGEST_LINE + 1 - len(f"    {key} "))
    with pytest.raises(ConfigError) as refused:
        apply(LIMITED, ("output", key, value))
    assert refused.value.line == line
    assert f"a line of {LONGEST_LINE + 1} bytes" in refused.value.message


def test_a_carriage_return_counts_toward_the_line_limit() -> None:
    value = "v" * (LONGEST_LINE - len("    Tag "))
    with pytest.raises(ConfigError):
        apply(LIMITED.replace(b"\n", b"\r\n"), ("output", "Tag", value))


def test_a_line_already_past_the_limit_may_stay_past_it() -> None:
    # Fluent Bit 1.9 never read this config, so only later versions, without the limit, run it.
    data = LIMITED.replace(b"short", b"s" * 5000)
    assert b"    Tag " + b"t" * 6000 + b"\n" in apply(data, ("output", "Tag", "t" * 6000))


def test_an_unterminated_last_line_ending_in_cr_keeps_its_cr_when_lines_follow() -> None:
    # Fluent Bit reads `@ n\r` at the end of a file as it is, but drops the CR once an LF
    # follows: `@ n` is then an entry without a value, and the file would be refused.
    data = b"@ n\r"
    out = edit.apply(classic.parse(data, "in.conf"), {SERVICE: {b"flush": edits.Override(b"Flush", b"1")}}).data
    assert out == b"@ n\r\r\n\n[SERVICE]\n    Flush 1"
    assert view.metas(classic.parse(out, "out.conf")) == view.metas(classic.parse(data, "in.conf"))
