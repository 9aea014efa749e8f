"""Text files from clerks and departments: UTF-8 (with or without BOM) or GBK/GB18030, as Excel and WPS save
CSV on Chinese Windows. One place decides the encoding for every upload (registry, regions, exchange,
connectivity)."""

from __future__ import annotations

BOM = b"\xef\xbb\xbf"


class TextEncodingError(ValueError):
    """Not UTF-8 or GB18030 text; the message is bilingual."""


def detect_encoding(content: bytes) -> str:
    """``"utf-8"`` or ``"gb18030"`` (a superset of GBK); UTF-16 or binary content is refused."""
    if b"\x00" in content[:4096]:
        raise TextEncodingError(
            "文件编码不是 UTF-8 或 GB18030（含空字节，可能是 UTF-16 或二进制文件） / "
            "not UTF-8 or GB18030 text (NUL bytes: UTF-16 or a binary file?)"
        )
    try:
        content.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        content.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise TextEncodingError("文件编码无法识别（应为 UTF-8 或 GB18030） / encoding is neither UTF-8 nor GB18030") from exc
    return "gb18030"


def decode_text(content: bytes) -> tuple[str, str]:
    """The text of ``content`` without a BOM, and the encoding it was in."""
    if content.startswith(BOM):
        content = content[len(BOM):]
    encoding = detect_encoding(content)
    return content.decode(encoding), encoding


def utf8_bytes(content: bytes) -> bytes:
    """``content`` as UTF-8 bytes without BOM (unchanged when it already is UTF-8)."""
    if content.startswith(BOM):
        content = content[len(BOM):]
    if detect_encoding(content) == "utf-8":
        return content
    return content.decode("gb18030").encode("utf-8")
