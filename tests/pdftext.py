"""The text of a PDF printed by Chromium, page by page, without a PDF
library: the streams are inflated with zlib, each font's ToUnicode map is
read, and the text-showing operators of each page's content are decoded
through the map of the font in use.

This reads what Chromium (Skia) writes: uncompressed cross-reference, no
object streams, Type0 fonts with a ToUnicode map, text in hexadecimal
strings. Anything else is an error, never a guess.
"""

from __future__ import annotations

import re
import zlib

__all__ = ["pdf_pages_text"]

_OBJ = re.compile(rb"(\d+) 0 obj\s*(.*?)\s*endobj", re.S)
_STREAM = re.compile(rb"^(.*?)stream\r?\n(.*)\r?\nendstream\s*$", re.S)
_REF = rb"(\d+) 0 R"


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Object number -> (its dictionary text, its inflated stream or None)."""
    out: dict[int, tuple[bytes, bytes | None]] = {}
    for m in _OBJ.finditer(data):
        body = m[2]
        s = _STREAM.match(body)
        if s is None:
            out[int(m[1])] = (body, None)
            continue
        head, raw = s[1], s[2]
        if b"/ObjStm" in head:
            raise ValueError("object streams are not read")
        stream = zlib.decompress(raw) if b"/FlateDecode" in head else raw
        out[int(m[1])] = (head, stream)
    return out


def _cmap(text: bytes) -> tuple[dict[bytes, str], int]:
    """A ToUnicode map: code (bytes) -> text, and the code length."""
    codes: dict[bytes, str] = {}
    width = 0

    def uni(h: bytes) -> str:
        return bytes.fromhex(h.decode()).decode("utf-16-be")

    for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            codes[bytes.fromhex(src.decode())] = uni(dst)
            width = len(src) // 2
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, dst in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]*>|\[[^\]]*\])", block
        ):
            width = len(lo) // 2
            a, b = int(lo, 16), int(hi, 16)
            if dst.startswith(b"["):
                targets = [uni(x) for x in re.findall(rb"<([0-9A-Fa-f]*)>", dst)]
            else:
                first = bytes.fromhex(dst[1:-1].decode())
                base = int.from_bytes(first, "big")
                targets = [
                    (base + k).to_bytes(len(first), "big").decode("utf-16-be")
                    for k in range(b - a + 1)
                ]
            for k, t in zip(range(a, b + 1), targets, strict=False):
                codes[k.to_bytes(width, "big")] = t
    if not width:
        raise ValueError("a ToUnicode map without codes")
    return codes, width


def _resolve(objects: dict[int, tuple[bytes, bytes | None]], text: bytes) -> bytes:
    """*text*, or the object it refers to when it is a reference."""
    m = re.fullmatch(rb"\s*" + _REF + rb"\s*", text)
    return objects[int(m[1])][0] if m else text


_TOKENS = re.compile(
    rb"/([^\s/<>\[\]()]+)\s+[-\d.]+\s+Tf|<([0-9A-Fa-f\s]*)>|(T[Jj]|ET|T\*|Td|TD|')"
)


def pdf_pages_text(data: bytes) -> list[str]:
    """The text of each page, in order; text-showing operators are joined
    with a space."""
    if not data.startswith(b"%PDF-"):
        raise ValueError("not a PDF")
    objects = _objects(data)
    maps: dict[int, tuple[dict[bytes, str], int]] = {}
    for number, (head, _) in objects.items():
        if re.search(rb"/Type\s*/Font\b", head):
            m = re.search(rb"/ToUnicode\s+" + _REF, head)
            if m is not None:
                stream = objects[int(m[1])][1]
                if stream is None:
                    raise ValueError(f"font {number}: ToUnicode is not a stream")
                maps[number] = _cmap(stream)
    pages = [n for n, (head, _) in objects.items() if re.search(rb"/Type\s*/Page\b", head)]
    pages.sort()
    out = []
    for n in pages:
        head = objects[n][0]
        res = re.search(rb"/Resources\s*(" + _REF + rb"|<<.*>>)", head, re.S)
        if res is None:
            raise ValueError(f"page {n} has no resources")
        resources = _resolve(objects, res[1])
        fonts_m = re.search(rb"/Font\s*(" + _REF + rb"|<<(.*?)>>)", resources, re.S)
        fonts: dict[bytes, int] = {}
        if fonts_m is not None:
            table = _resolve(objects, fonts_m[1])
            fonts = {k: int(v) for k, v in re.findall(rb"/([^\s/<>]+)\s+" + _REF, table)}
        contents = re.search(rb"/Contents\s*(\[[^\]]*\]|" + _REF + rb")", head)
        if contents is None:
            out.append("")
            continue
        refs = [int(x) for x in re.findall(_REF, contents[1])]
        parts: list[str] = []
        for ref in refs:
            stream = objects[ref][1] or b""
            font: tuple[dict[bytes, str], int] | None = None
            run: list[str] = []
            for m in _TOKENS.finditer(stream):
                if m[1] is not None:
                    number = fonts.get(m[1])
                    font = maps.get(number) if number is not None else None
                elif m[2] is not None:
                    if font is None:
                        raise ValueError(f"page {n}: text in a font without a ToUnicode map")
                    codes, width = font
                    raw = bytes.fromhex(re.sub(rb"\s", b"", m[2]).decode())
                    run.append(
                        "".join(
                            codes.get(raw[i : i + width], "\ufffd")
                            for i in range(0, len(raw), width)
                        )
                    )
                elif run:
                    parts.append("".join(run))
                    run = []
            if run:
                parts.append("".join(run))
        out.append(" ".join(parts))
    return out
