"""Decoding uploaded plan files: what is accepted, and what each rejection tells the learner."""

from __future__ import annotations

import codecs

import pytest

from tracker.plan_markdown import MAX_PLAN_BYTES, PlanImportError, decode_plan_bytes


def test_utf8_text_decodes_unchanged() -> None:
    assert decode_plan_bytes("# 计划\n- [ ] 2021/03/09 读书\n".encode()) == "# 计划\n- [ ] 2021/03/09 读书\n"


def test_a_utf8_byte_order_mark_is_stripped() -> None:
    assert decode_plan_bytes(codecs.BOM_UTF8 + b"# Plan\n") == "# Plan\n"


def test_crlf_and_lone_cr_line_endings_become_lf() -> None:
    assert decode_plan_bytes(b"# Plan\r\n- [ ] a\r\n\rb") == "# Plan\n- [ ] a\n\nb"


def test_tabs_and_form_feeds_are_text_not_binary() -> None:
    assert decode_plan_bytes(b"a\tb\x0cc\n") == "a\tb\x0cc\n"


def test_an_empty_file_decodes_to_empty_text() -> None:
    assert decode_plan_bytes(b"") == ""


def test_a_file_of_exactly_the_limit_is_accepted() -> None:
    assert len(decode_plan_bytes(b"a" * MAX_PLAN_BYTES)) == 2 * 1024 * 1024


def test_a_file_one_byte_over_two_megabytes_is_too_large_and_says_both_sizes() -> None:
    with pytest.raises(PlanImportError) as caught:
        decode_plan_bytes(b"a" * (2 * 1024 * 1024 + 1))
    message = caught.value.message
    assert "2097153 bytes" in message
    assert "2097152 bytes" in message
    assert "Split the plan" in message
    assert caught.value.line is None


def test_the_size_limit_can_be_lowered() -> None:
    with pytest.raises(PlanImportError, match="over the limit of 10 bytes"):
        decode_plan_bytes(b"a" * 11, max_bytes=10)


def test_nul_bytes_mean_a_binary_file_and_the_message_says_where() -> None:
    with pytest.raises(PlanImportError, match=r"binary.*NUL bytes \(first on line 2, byte offset 4\)") as caught:
        decode_plan_bytes(b"abc\n\x00def")
    assert caught.value.line == 2
    assert "Export the plan as a markdown" in caught.value.message


def test_a_file_of_mostly_control_characters_is_binary() -> None:
    with pytest.raises(PlanImportError, match=r"not a text plan: 8 of its 10 bytes are control"):
        decode_plan_bytes(b"\x01\x02\x03\x04\x05\x06\x07\x08ab")


def test_utf16_bytes_are_reported_as_not_utf8_rather_than_binary() -> None:
    with pytest.raises(PlanImportError, match=r"not UTF-8.*UTF-16") as caught:
        decode_plan_bytes(b"\xff\xfe#\x00 \x00P\x00")
    assert caught.value.line == 1
    assert "Save the plan as UTF-8" in caught.value.message


def test_a_bad_byte_is_reported_with_its_line_and_byte_offset() -> None:
    data = "# 计划\n- [ ] ok\n".encode() + b"- [ ] caf\xe9\n"
    offset = data.index(b"\xe9")
    with pytest.raises(PlanImportError) as caught:
        decode_plan_bytes(data)
    assert caught.value.line == 3
    assert f"byte 0xe9 on line 3 (byte offset {offset})" in caught.value.message
    assert "not UTF-8" in caught.value.message


def test_the_byte_offset_counts_the_byte_order_mark() -> None:
    with pytest.raises(PlanImportError, match=r"byte 0xff on line 1 \(byte offset 4\)"):
        decode_plan_bytes(codecs.BOM_UTF8 + b"a\xff")


def test_latin1_text_is_not_utf8() -> None:
    with pytest.raises(PlanImportError, match="not UTF-8"):
        decode_plan_bytes("Résumé".encode("latin-1"))
