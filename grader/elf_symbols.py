"""A small, pure-Python reader of a shared library's dynamic symbols (ELF64, little-endian, x86-64).

The trusted side reads a library the learner's source compiled to, so this never runs a tool on it (no `nm`,
whose ELF parser is C) and never trusts an offset: every read is bounds-checked and a malformed file raises
ElfError. The symbol table is the one the dynamic loader uses: `.dynsym` must sit where the dynamic section's
DT_SYMTAB points, and `.dynstr` where DT_STRTAB points, so an extra section cannot hide an import.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

SHT_DYNSYM, SHT_DYNAMIC = 11, 6
DT_NULL, DT_NEEDED, DT_STRTAB, DT_SYMTAB = 0, 1, 5, 6
STB_WEAK = 2
STT_FUNC = 2
EM_X86_64 = 62


class ElfError(ValueError):
    """Not a well-formed x86-64 shared library."""


@dataclass(frozen=True)
class Symbol:
    name: str
    defined: bool
    weak: bool
    function: bool


@dataclass(frozen=True)
class DynamicInfo:
    symbols: tuple[Symbol, ...]
    needed: tuple[str, ...]  # DT_NEEDED: the libraries it links against

    @property
    def undefined(self) -> list[str]:
        """Names the loader must find elsewhere (strong and weak), sorted, without duplicates."""
        return sorted({s.name for s in self.symbols if not s.defined and s.name})

    def defines_function(self, name: str) -> bool:
        return any(s.defined and s.function and s.name == name for s in self.symbols)


def _unpack(fmt: str, data: bytes, offset: int) -> tuple[int, ...]:
    size = struct.calcsize(fmt)
    if offset < 0 or offset + size > len(data):
        raise ElfError("a structure lies outside the file")
    return struct.unpack_from(fmt, data, offset)


def _string(table: bytes, offset: int) -> str:
    if not 0 <= offset < len(table):
        raise ElfError("a name lies outside its string table")
    end = table.find(b"\0", offset)
    if end < 0:
        raise ElfError("an unterminated name")
    return table[offset:end].decode("utf-8", "replace")


def read_dynamic(data: bytes) -> DynamicInfo:
    """The dynamic symbols and needed libraries of an ELF64 x86-64 shared object; raises ElfError."""
    if data[:4] != b"\x7fELF" or len(data) < 64 or data[4] != 2 or data[5] != 1:
        raise ElfError("not a 64-bit little-endian ELF file")
    (machine,) = _unpack("<H", data, 0x12)
    if machine != EM_X86_64:
        raise ElfError(f"built for machine {machine}, not x86-64")
    (shoff,) = _unpack("<Q", data, 0x28)
    shentsize, shnum = _unpack("<HH", data, 0x3A)
    if shentsize != 64 or not 0 < shnum < 4096:
        raise ElfError("an unexpected section header table")
    sections = []
    for index in range(shnum):
        # sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size, sh_link, sh_info, sh_addralign, sh_entsize
        sections.append(_unpack("<IIQQQQIIQQ", data, shoff + index * 64))

    def body(section: tuple[int, ...]) -> bytes:
        offset, size = section[4], section[5]
        if offset + size > len(data):
            raise ElfError("a section lies outside the file")
        return data[offset : offset + size]

    dynsyms = [s for s in sections if s[1] == SHT_DYNSYM]
    dynamics = [s for s in sections if s[1] == SHT_DYNAMIC]
    if len(dynsyms) != 1 or len(dynamics) != 1:
        raise ElfError("a shared library has exactly one dynamic symbol table and one dynamic section")
    dynsym, dynamic = dynsyms[0], dynamics[0]
    if not 0 <= dynsym[6] < shnum:
        raise ElfError("the dynamic symbol table links to no string table")
    dynstr_section = sections[dynsym[6]]
    entries: dict[int, list[int]] = {}
    raw = body(dynamic)
    for offset in range(0, len(raw) - 15, 16):
        tag, value = struct.unpack_from("<qQ", raw, offset)
        if tag == DT_NULL:
            break
        entries.setdefault(tag, []).append(value)
    if entries.get(DT_SYMTAB) != [dynsym[3]] or entries.get(DT_STRTAB) != [dynstr_section[3]]:
        raise ElfError("the dynamic section and the section headers disagree on the symbol table")
    strings = body(dynstr_section)
    table = body(dynsym)
    symbols = []
    for offset in range(24, len(table) - 23, 24):  # entry 0 is the null symbol
        name, info, _other, shndx, _value, _size = struct.unpack_from("<IBBHQQ", table, offset)
        symbols.append(Symbol(_string(strings, name), shndx != 0, info >> 4 == STB_WEAK, info & 0xF == STT_FUNC))
    needed = tuple(_string(strings, offset) for offset in entries.get(DT_NEEDED, []))
    return DynamicInfo(tuple(symbols), needed)
