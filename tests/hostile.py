"""Generate (never commit) a folder of hostile inputs, and what a run over it must produce.

``make_hostile_folder(root)`` writes the files and returns a ``Hostile`` with
the outputs that must be written (``good``: output path -> a phrase its text
must contain) and the inputs that must be recorded as errors (``bad``: a
substring of the error's ``source`` -> words one of which its reason must
contain). Big files are made cheaply: the 100 MB file is sparse (one seek),
the 50 MB line is one write of a repeated chunk.
"""
from __future__ import annotations

import io
import json
import os
import random
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

ARTICLE = ("The harbour board approved the new sea wall on Monday after three winters of flooding on Mill Road. "
           "Engineers said the work would start in spring and take two years to finish.")
SECOND = ("Residents who had campaigned for the wall said they were relieved, but asked the board to publish "
          "the full cost before the first contract is signed.")
BOILER = "CLICK HERE FOR MORE FROM THE HARBOUR GAZETTE"


def article(word: str) -> str:
    """A short article whose text contains ``word`` (so each output can be checked)."""
    return f"{ARTICLE} The {word} section was discussed.\n\n{BOILER}\n\n{SECOND}\n"


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
            + chunk(b"IEND", b""))


def zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("story.txt", article("zipped"))
    return buf.getvalue()


@dataclass
class Hostile:
    root: Path
    good: dict[str, str] = field(default_factory=dict)  # output rel path -> phrase its text contains
    empty: set[str] = field(default_factory=set)  # outputs that must exist, their text may be empty
    bad: dict[str, tuple[str, ...]] = field(default_factory=dict)  # source substring -> reason words
    unreadable: str | None = None  # a file only a process without CAP_DAC_OVERRIDE cannot read


def make_hostile_folder(root: Path, *, big: bool = True) -> Hostile:
    root.mkdir(parents=True, exist_ok=True)
    h = Hostile(root)

    def text(name: str, data: bytes, out: str | None = None, phrase: str | None = None) -> None:
        (root / name).write_bytes(data)
        if phrase is not None:
            h.good[out or name.rsplit(".", 1)[0] + ".json"] = phrase

    # empty and binary
    text("empty.txt", b"")
    h.empty.add("empty.json")
    text("image.png", png_bytes())
    h.bad["image.png"] = ("PNG", "binary")
    text("archive.zip", zip_bytes())
    h.bad["archive.zip"] = ("zip", "binary")
    rng = random.Random(6)
    text("random.bin", bytes(rng.getrandbits(8) for _ in range(4096)))
    h.bad["random.bin"] = ("binary", "undecodable")

    # encodings and line endings
    text("nul.txt", article("nullbyte").replace("Monday", "Mon\x00day").encode(), phrase="nullbyte")
    text("bad-utf8.txt", article("brokenbytes").encode() + b"\xff\xfe\xc3(" + b" caf\xc3\xa9.\n", phrase="brokenbytes")
    text("utf16-bom.txt", article("sixteenbom").encode("utf-16"), phrase="sixteenbom")
    text("utf16-nobom.txt", article("sixteenbare").encode("utf-16-le"), phrase="sixteenbare")
    text("cp1252.txt", article("caf\u00e9 cr\u00e8me \u2019quoted\u2019").encode("cp1252"),
         phrase="caf\u00e9 cr\u00e8me")
    gbk = "海港委员会周一批准了新的海堤工程。工程师说，工程将于春季开工，历时两年完成。居民们表示松了一口气。"
    text("gbk.txt", (gbk * 3 + "\n").encode("gbk"), phrase="海港委员会")
    text("crlf.txt", article("crlfword").replace("\n", "\r\n").encode(), phrase="crlfword")
    text("lone-cr.txt", article("lonecr").replace("\n", "\r").encode(), phrase="lonecr")

    # too large: a sparse 100 MB file, and a 50 MB single line written in one go
    if big:
        with open(root / "huge.txt", "wb") as f:
            f.seek(100 * 1024 * 1024 - 1)
            f.write(b"\n")
        chunk = b"word " * 200
        (root / "one-line.txt").write_bytes(chunk * (50 * 1024 * 1024 // len(chunk)))
        h.bad["huge.txt"] = ("too large",)
        h.bad["one-line.txt"] = ("too large",)

    # pathological HTML
    depth = 100_000
    text("deep.html", (f"<html><body>{'<div>' * depth}<p>{article('deepnest')}</p>{'</div>' * depth}"
                       "</body></html>").encode())
    h.empty.add("deep.json")  # parsers stop at a depth limit: a document (maybe empty) or an error, never a crash
    attr = "x" * (2 * 1024 * 1024)
    text("attr.html", (f'<html><body><article><p data-junk="{attr}">{article("hugeattr")}</p>'
                       f'<p title="{attr}">{SECOND}</p></article></body></html>').encode(), phrase="hugeattr")

    # a feed: good records amid malformed lines and hostile ids
    lines = [
        json.dumps({"id": "ok-1", "text": article("feedone")}),
        "{not json at all",
        json.dumps({"id": "../../etc/passwd", "text": article("traversal")}),
        "",
        json.dumps([1, 2, 3]),
        json.dumps({"id": "a/b/c", "text": article("slashes")}),
        json.dumps({"id": "ctl\x00\x1b[31m\nname", "text": article("controls")}),
        '{"id": "trunc", "text": "cut off',
        json.dumps({"id": "no-body"}),
        json.dumps({"id": 7, "html": f"<html><body><article><p>{article('feedhtml')}</p></article></body></html>"}),
    ]
    (root / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    h.good["feed/ok-1.json"] = "feedone"
    h.good["feed/7.json"] = "feedhtml"
    h.good["@traversal"] = "traversal"  # the file name is sanitised: found by content
    h.good["@slashes"] = "slashes"
    h.good["@controls"] = "controls"
    h.bad["feed.jsonl"] = ("line 2", "line 5", "line 8", "line 9")

    # awkward file names
    text("with space.txt", article("spacename").encode(), phrase="spacename")
    text("new\nline.txt", article("newlinename").encode(), out="new\nline.json", phrase="newlinename")
    os.makedirs(root / "sub dir", exist_ok=True)
    text("sub dir/nested.txt", article("nestedname").encode(), phrase="nestedname")
    raw_name = os.path.join(os.fsencode(root), b"latin1-caf\xe9.txt")
    with open(raw_name, "wb") as f:
        f.write(article("bytesname").encode())
    h.good["@bytesname"] = "bytesname"  # a non-UTF-8 name: written under some name, or a recorded error

    # unreadable (only without CAP_DAC_OVERRIDE: root reads anything)
    text("unreadable.txt", article("unreadable").encode())
    os.chmod(root / "unreadable.txt", 0)
    h.unreadable = "unreadable.txt"

    # symlinks: a loop, one out of the root, a folder out of the root
    os.symlink("loop-b", root / "loop-a.txt")
    os.symlink("loop-a.txt", root / "loop-b")
    outside = root.parent / "outside-secret.txt"
    outside.write_text(article("outsidesecret"))
    os.symlink(outside, root / "escape.txt")
    os.symlink(root.parent, root / "escape-dir")

    # and a plain good document, so the run is not all bad
    text("plain.txt", article("plainword").encode(), phrase="plainword")
    return h
