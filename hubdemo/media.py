"""Media values: data URLs and base64 in, bytes with a sniffed MIME type out.

Media that is only forwarded upstream is checked by its format header and passed on as
received: it is never decoded as an image or a sound and re-encoded.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from .errors import InputError, PayloadTooLarge, UnsupportedMedia

MEDIA_KINDS = ("image", "audio", "video")  # the input kinds that are one media file
DATA_URL = re.compile(r"^data:([\w.+-]+/[\w.+-]+)?((?:;[\w-]+=[^;,]*)*)(;base64)?,", re.ASCII)

# (prefix at offset 0, MIME). Checked in order; the WAVE/WEBP/AVI cases share RIFF.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"fLaC", "audio/flac"),
    (b"OggS", "audio/ogg"),
    (b"ID3", "audio/mpeg"),
    (b"\x1aE\xdf\xa3", "audio/webm"),
)


@dataclass(frozen=True)
class Media:
    """A media input: its bytes, its sniffed MIME type and, when it came so, its base64 text."""

    data: bytes
    mime: str
    b64: str | None = None

    def base64(self) -> str:
        return self.b64 if self.b64 is not None else base64.b64encode(self.data).decode("ascii")

    def data_url(self) -> str:
        return f"data:{self.mime};base64,{self.base64()}"


def sniff(data: bytes) -> str | None:
    """The MIME type named by the first bytes of ``data``, or None when unknown."""
    if data[:4] == b"RIFF" and len(data) >= 12:
        return {b"WAVE": "audio/wav", b"WEBP": "image/webp", b"AVI ": "video/x-msvideo"}.get(
            data[8:12]
        )
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand[:3] in (b"M4A", b"M4B"):
            return "audio/mp4"
        return "video/quicktime" if brand == b"qt  " else "video/mp4"
    if len(data) >= 2 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0 and data[1] & 0x06:
        return "audio/mpeg"  # MPEG audio frame sync (MP3 without an ID3 tag)
    for prefix, mime in _SIGNATURES:
        if data.startswith(prefix):
            return mime
    return None


# Base64 is decoded this many characters at a time (a multiple of 4): one call on a 19 MB
# string holds the interpreter for ~100 ms, the event loop included (see jsonio).
_B64_SLICE = 1 << 18


def decode_base64(text: str, field: str) -> bytes:
    """Strict base64 (the alphabet only, padding only at the end), decoded a slice at a time
    by pybase64 (SIMD: 9-29x binascii's strict mode on a 416 KB image, bench_codecs.py)."""
    import pybase64

    try:
        if len(text) <= _B64_SLICE:
            return pybase64.b64decode(text, validate=True)
        return b"".join(
            pybase64.b64decode(text[start : start + _B64_SLICE], validate=True)
            for start in range(0, len(text), _B64_SLICE)
        )
    except (binascii.Error, ValueError):
        raise InputError(
            f"{field}: not valid base64; send the file as a data URL (data:<mime>;base64,...) "
            "or as plain base64"
        ) from None


def data_url_bytes(url: str, field: str) -> tuple[bytes, str]:
    """A base64 data URL's bytes and the MIME type it declares ("" when none).

    Raises:
        InputError: it is not a base64 data URL, or its base64 is not valid.
    """
    match = DATA_URL.match(url)
    if not match or not match.group(3):
        raise InputError(f"{field}: only base64 data URLs are accepted (data:<mime>;base64,...)")
    return decode_base64(url[match.end() :], field), match.group(1) or ""


def parse_media(value: object, family: str, field: str) -> Media:
    """Turn a data URL or a base64 string into Media of ``family`` ("image", "audio", "video").

    Raises:
        InputError: the value is not a string, not base64, or empty.
        UnsupportedMedia: the bytes are not a known file of that family.
    """
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{field}: expected {a(family)} as a data URL or base64 string")
    value = value.strip()
    b64 = value
    if value.startswith("data:"):
        match = DATA_URL.match(value)
        if not match or not match.group(3):
            raise InputError(
                f"{field}: only base64 data URLs are accepted (data:<mime>;base64,...)"
            )
        b64 = value[match.end() :]
    return media_from_bytes(decode_base64(b64, field), family, field, b64)


def parse_file(value: object, field: str) -> str:
    """A file of any kind (a File input) as a data URL: its MIME type as given (else sniffed,
    else application/octet-stream) and its name when the data URL carries one (``;name=``, as
    the page sends it), the base64 checked.

    Raises:
        InputError: the value is not a base64 data URL or string, or the file is empty.
    """
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{field}: expected a file as a data URL or base64 string")
    value = value.strip()
    mime, name, b64 = None, None, value
    if value.startswith("data:"):
        match = DATA_URL.match(value)
        if not match or not match.group(3):
            raise InputError(
                f"{field}: only base64 data URLs are accepted (data:<mime>;base64,...)"
            )
        mime, name, b64 = match.group(1), file_name(value), value[match.end() :]
    data = decode_base64(b64, field)
    if not data:
        raise InputError(f"{field}: the file is empty; choose another")
    return file_url(data, mime or file_type(data), name, b64)


def file_type(data: bytes, name: str | None = None) -> str:
    """A file's MIME type: by its first bytes, else by its name's extension (a text file has
    no magic bytes), else application/octet-stream."""
    import mimetypes

    return sniff(data) or (name and mimetypes.guess_type(name)[0]) or "application/octet-stream"


def file_url(data: bytes, mime: str, name: str | None = None, b64: str | None = None) -> str:
    """A data URL for a file, its name (when known) as the RFC 2397 parameter ``name``."""
    named = f";name={quote(name, safe='')}" if name else ""
    text = b64 if b64 is not None else base64.b64encode(data).decode("ascii")
    return f"data:{mime}{named};base64,{text}"


def file_name(url: str) -> str | None:
    """The ``name`` a data URL carries, unquoted; None when it has none."""
    match = DATA_URL.match(url)
    for pair in (match.group(2) if match else "").split(";"):
        key, _, value = pair.partition("=")
        if key == "name" and value:
            return unquote(value)
    return None


def unnamed(url: str) -> str:
    """The data URL without its parameters: ``data:<mime>;base64,...`` (what an image shows)."""
    match = DATA_URL.match(url)
    if not match or not match.group(2):
        return url
    return f"data:{match.group(1) or ''}{match.group(3) or ''},{url[match.end() :]}"


# Containers that hold sound or pictures: sniffed as one, accepted as the other when asked for.
_EITHER_FAMILY = {
    "audio/webm": "video/webm",
    "audio/ogg": "video/ogg",
    "video/mp4": "audio/mp4",
    "audio/mp4": "video/mp4",
}
ACCEPTED = {
    "image": "PNG, JPEG, GIF, WEBP, BMP or TIFF",
    "audio": "WAV, FLAC, MP3, OGG, WEBM or M4A",
    "video": "MP4, WEBM, MOV, OGG or AVI",
}


def a(family: str) -> str:
    """ "an image", "an audio", "a video": the media family with its article, for messages."""
    return f"a {family}" if family == "video" else f"an {family}"


def sniff_as(data: bytes, family: str) -> str | None:
    """Like sniff, but a container that holds either (WEBM, OGG, MP4) is named for ``family``."""
    mime = sniff(data)
    if mime and not mime.startswith(family + "/"):
        return _EITHER_FAMILY.get(mime, mime)
    return mime


def media_from_bytes(data: bytes, family: str, field: str, b64: str | None = None) -> Media:
    """Check that ``data`` is a non-empty file of ``family`` by its format header."""
    if not data:
        raise InputError(f"{field}: the {family} is empty; choose a file")
    mime = sniff_as(data, family)
    if mime is None or not mime.startswith(family + "/"):
        found = f"a {mime} file" if mime else "not a file type hubdemo recognises"
        raise UnsupportedMedia(f"{field}: this is {found}; send {a(family)} ({ACCEPTED[family]})")
    if family == "image":
        check_image(data, mime, field)
    elif mime == "audio/wav":
        check_wav(data, field)
    return Media(data=data, mime=mime, b64=b64)


MAX_PIXELS = 50_000_000  # beyond this an image is refused before anything decodes it


def check_image(data: bytes, mime: str, field: str) -> None:
    """Cheap checks of an image that is forwarded undecoded: its header names a sane size
    (no decompression bomb), and the file is complete (PNG chunk CRCs, JPEG end marker)."""
    import io
    import warnings

    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise Image.DecompressionBombError("too many pixels")
            if mime in ("image/png", "image/gif"):
                image.verify()  # reads every chunk: a cut-off file fails here
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PayloadTooLarge(
            f"{field}: the image is too large once decoded (more than {MAX_PIXELS // 10**6} "
            "million pixels); resize it"
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InputError(
            f"{field}: the {mime} image is damaged or cut off ({exc}); send the whole file"
        ) from None
    if mime == "image/jpeg" and not data.rstrip(b"\0").endswith(b"\xff\xd9"):
        raise InputError(f"{field}: the JPEG image is cut off (no end marker); send the whole file")


def check_wav(data: bytes, field: str) -> None:
    """A WAV file must have a readable header and as many sample bytes as it declares."""
    import io
    import struct
    import wave

    try:
        with wave.open(io.BytesIO(data)) as sound:
            declared = sound.getnframes() * sound.getnchannels() * sound.getsampwidth()
            present = len(sound.readframes(sound.getnframes()))
    except (wave.Error, EOFError, ValueError, KeyError, RuntimeError, struct.error) as exc:
        if "unknown format" in str(exc):
            return  # float or extensible WAV: the stdlib cannot read it, the model may
        reason = str(exc) or type(exc).__name__
        raise InputError(
            f"{field}: cannot read this WAV file ({reason}); send WAV, FLAC or MP3"
        ) from None
    if present < declared:
        raise InputError(f"{field}: the WAV file is cut off ({present} of {declared} bytes)")
