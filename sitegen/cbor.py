"""The part of CBOR (RFC 8949) that Pagefind's index files use: unsigned integers,
text strings and arrays, in their shortest encoding."""

from __future__ import annotations

Value = int | str | list["Value"]

UNSIGNED, TEXT, ARRAY = 0, 3, 4


class CborError(ValueError):
    """Bytes that are not this part of CBOR."""


def decode(data: bytes, start: int = 0) -> tuple[Value, int]:
    """The value at `start`, and where the next one begins."""
    major, length, at = _head(data, start)
    if major == UNSIGNED:
        return length, at
    if major == TEXT:
        if at + length > len(data):
            raise CborError("a text string runs past the end")
        return data[at:at + length].decode("utf-8"), at + length
    if major == ARRAY:
        items: list[Value] = []
        for _ in range(length):
            item, at = decode(data, at)
            items.append(item)
        return items, at
    raise CborError(f"major type {major} is not read here")


def _head(data: bytes, at: int) -> tuple[int, int, int]:
    """A data item's major type, its argument, and where its content begins."""
    if at >= len(data):
        raise CborError("the data ends early")
    major, info = data[at] >> 5, data[at] & 31
    if info < 24:
        return major, info, at + 1
    if info > 27:
        raise CborError(f"additional information {info} is not read here")
    size = 1 << (info - 24)
    if at + 1 + size > len(data):
        raise CborError("an argument runs past the end")
    return major, int.from_bytes(data[at + 1:at + 1 + size], "big"), at + 1 + size


def encode(value: Value) -> bytes:
    """`value` in the shortest encoding (what Pagefind itself writes)."""
    if isinstance(value, int):
        if value < 0:
            raise CborError(f"{value} is negative")
        return _encode_head(UNSIGNED, value)
    if isinstance(value, str):
        text = value.encode("utf-8")
        return _encode_head(TEXT, len(text)) + text
    return _encode_head(ARRAY, len(value)) + b"".join(encode(v) for v in value)


def _encode_head(major: int, argument: int) -> bytes:
    if argument < 24:
        return bytes([major << 5 | argument])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if argument < 1 << (8 * size):
            return bytes([major << 5 | info]) + argument.to_bytes(size, "big")
    raise CborError(f"{argument} is too large")
