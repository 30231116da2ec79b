"""What an uploaded file really is, and the copy of it that is safe to store and serve.

Nothing a client says about a file is trusted: not its name, not its Content-Type. The type
is sniffed from the bytes (``filetype``) against an allow-list of four image formats and
PDF. Images are then decoded in full and re-encoded in their own format, and the re-encoded
file is what gets stored: decoding proves the file is an image all the way through (a
truncated or corrupt one fails here, not in a reader's browser), and re-encoding writes only
pixels, so EXIF (GPS position, camera serial, maker notes), comments, ICC payloads and any
bytes appended after the image (a ZIP that makes a GIF a polyglot, which every sniffer
still calls a GIF) do not survive. PDFs are not rewritten (we have no PDF sanitiser); they
must at least be PDFs from their first byte, which is where a browser's sniffer looks.

Decompression bombs: a PNG of 20,000 x 20,000 zero pixels is 48 KB and 1.6 GB decoded.
Pillow raises only above twice its ``MAX_IMAGE_PIXELS`` and merely warns between one and two
times, and warning filters are process-wide and not thread-safe to change around one call
(this runs in worker threads). So the size is checked here, from the header, before any
pixel is decoded, against our own limit, which is capped at Pillow's warning threshold:
what Pillow would decode with only a warning, we refuse. A GIF can grow its canvas frame by
frame (a frame may lie outside the logical screen, and Pillow enlarges the image while
seeking), so GIFs are walked block by block first (:func:`_scan_gif`), which reads every
frame's position without decoding any of them.

Animations (GIF, WebP, APNG) keep their frames: people post animated GIFs and a frozen first
frame would be a surprise. The price is bounded: at most ``max_frames`` frames, and all
frames together at most ``max_pixels`` pixels, so an animation costs no more to decode and
hold (Pillow's GIF writer keeps every frame in memory) than the largest still image we take.

Everything here is synchronous and CPU-bound: the caller runs :func:`check_upload` in a
worker thread.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import filetype  # type: ignore[import-untyped]
from PIL import Image, ImageCms, ImageFile, ImageOps, ImageSequence

from collab.errors import PayloadTooLarge, UnsupportedMediaType
from collab.i18n import msg

__all__ = [
    "ALLOWED_MEDIA_TYPES",
    "DEFAULT_MAX_PIXELS",
    "DEFAULT_MAX_FRAMES",
    "THUMBNAIL_SIZE",
    "Checked",
    "check_upload",
    "safe_download_name",
]

#: The kinds of file we accept, as sniffed from their content.
ALLOWED_MEDIA_TYPES: Final[frozenset[str]] = frozenset(
    {"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"}
)
#: The largest image we decode, in pixels (width x height; all frames of an animation
#: together). 40 million is a 7,700 x 5,200 photo, beyond any phone camera, and 160 MB as
#: RGBA while it is re-encoded.
DEFAULT_MAX_PIXELS: Final = 40_000_000
#: The most frames an animation may have: each costs a seek and a frame object in Python,
#: whatever its size.
DEFAULT_MAX_FRAMES: Final = 1000
#: The thumbnail's longest side, in pixels (never enlarged: a smaller image keeps its size).
THUMBNAIL_SIZE: Final = 320

#: Sniffed media type -> (Pillow's format name, the extension we name files with).
_FORMATS: Final[dict[str, tuple[str, str]]] = {
    "image/jpeg": ("JPEG", ".jpg"),
    "image/png": ("PNG", ".png"),
    "image/gif": ("GIF", ".gif"),
    "image/webp": ("WEBP", ".webp"),
    "application/pdf": ("PDF", ".pdf"),
}
#: Types the sniffer names that are one of ours: an animated PNG is a PNG (served as one,
#: browsers animate it; a browser without APNG shows its first frame).
_SNIFFED_ALIASES: Final[dict[str, str]] = {"image/apng": "image/png"}
#: What the sniffer reads (filetype's own window).
_HEAD_BYTES: Final = 8192
#: The longest download name we hand out, in UTF-8 bytes (filesystems stop at 255).
_MAX_NAME_BYTES: Final = 150
#: Modes each format can be saved in without a conversion we have to choose.
_PNG_MODES: Final = frozenset({"1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA"})


@dataclass(frozen=True, slots=True)
class Checked:
    """An upload that passed: what it is, and the file to store (see :func:`check_upload`)."""

    #: The sniffed type, which is what the file is served as.
    media_type: str
    #: ".jpg", ".png", ".gif", ".webp" or ".pdf", for download names.
    extension: str
    #: Images only: the stored image's size (after EXIF orientation was applied).
    width: int | None
    height: int | None
    #: The file to store: a re-encoded image written into ``workdir`` (the caller's to move or
    #: delete), or the upload itself for a PDF.
    path: Path
    #: Images only: a WebP of the (first frame of the) image, longest side THUMBNAIL_SIZE.
    thumbnail: bytes | None


def _not_accepted() -> UnsupportedMediaType:
    return UnsupportedMediaType(
        msg("file type not accepted: send a JPEG, PNG, GIF or WebP image, or a PDF")
    )


def _undecodable(kind: str) -> UnsupportedMediaType:
    return UnsupportedMediaType(
        msg("the {kind} image could not be read: the file is damaged or incomplete", kind=kind)
    )


def _too_many_pixels(width: int, height: int, limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        msg(
            "the image is {width} x {height} pixels; the limit is {limit} pixels in all",
            width=width,
            height=height,
            limit=limit,
        )
    )


def declared_pixels(path: Path) -> int:
    """How many pixels the upload at ``path`` says it has (all frames), read from its header
    without decoding; 0 for a PDF or anything unreadable (check_upload judges those).

    Decoding an image takes memory in proportion to its pixels, not its bytes: the caller
    reserves this much of a node-wide pixel budget before :func:`check_upload` decodes it.
    """
    with path.open("rb") as source:
        head = source.read(_HEAD_BYTES)
    kind = filetype.guess(head) if head else None
    media_type = None if kind is None else _SNIFFED_ALIASES.get(kind.mime, str(kind.mime))
    if media_type not in ALLOWED_MEDIA_TYPES or media_type == "application/pdf":
        return 0
    pillow_format = _FORMATS[media_type][0]
    try:
        if pillow_format == "GIF":
            frames, width, height = _scan_gif(path)
            return frames * width * height
        with Image.open(path, formats=[pillow_format]) as image:
            frames = 1 if pillow_format == "JPEG" else getattr(image, "n_frames", 1)
            return int(frames * image.width * image.height)
    except Exception:  # unreadable: check_upload refuses it, with its reason
        return 0


def check_upload(
    path: Path,
    *,
    workdir: Path,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_frames: int = DEFAULT_MAX_FRAMES,
) -> Checked:
    """Sniff, check and (for images) re-encode the upload at ``path``.

    Raises :class:`UnsupportedMediaType` for a file that is not one of
    :data:`ALLOWED_MEDIA_TYPES` by content, or that does not decode as what it claims to be,
    and :class:`PayloadTooLarge` for an image over ``max_pixels`` (capped at Pillow's
    ``MAX_IMAGE_PIXELS``; see the module's doc) or an animation over ``max_frames``. A
    re-encoded image is a new file in ``workdir``; ``path`` is never changed.
    """
    with path.open("rb") as source:
        head = source.read(_HEAD_BYTES)
    if not head:
        raise UnsupportedMediaType(msg("the file is empty"))
    kind = filetype.guess(head)
    media_type = None if kind is None else _SNIFFED_ALIASES.get(kind.mime, str(kind.mime))
    if media_type not in ALLOWED_MEDIA_TYPES:
        raise _not_accepted()
    pillow_format, extension = _FORMATS[media_type]
    if media_type == "application/pdf":
        # filetype forgives a byte-order mark; a browser sniffing for a PDF does not
        if not head.startswith(b"%PDF-"):
            raise _not_accepted()
        return Checked(media_type, extension, None, None, path, None)
    if Image.MAX_IMAGE_PIXELS is not None:
        max_pixels = min(max_pixels, Image.MAX_IMAGE_PIXELS)
    if pillow_format == "GIF":
        frames, width, height = _scan_gif(path)
        _check_size(width, height, frames, max_pixels, max_frames)
    lossless_webp = head[12:16] == b"VP8L"
    # A library may have turned this on for the whole process (WeasyPrint does at import):
    # a truncated image is damaged, never accepted.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with Image.open(path, formats=[pillow_format]) as image:
            # a JPEG with more than one picture (MPO: phones' depth maps, gain maps,
            # previews) is not an animation: its first picture is the photo
            frames = 1 if pillow_format == "JPEG" else getattr(image, "n_frames", 1)
            _check_size(image.width, image.height, frames, max_pixels, max_frames)
            decoded = _decode(image, frames, max_pixels)
    except (PayloadTooLarge, UnsupportedMediaType):
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own check, made on open before ours: it raises above twice its limit
        # and warns above it (an exception where warnings are errors, as in the tests)
        raise PayloadTooLarge(
            msg("the image is larger than the limit of {limit} pixels", limit=max_pixels)
        ) from None
    except Exception:
        # Pillow's decoders raise a zoo of types on hostile input (OSError, SyntaxError,
        # ValueError, EOFError, struct.error, IndexError...): all mean "not this format"
        raise _undecodable(pillow_format) from None
    stored = _write(decoded, pillow_format, extension, workdir, lossless_webp)
    first = decoded.frames[0]
    return Checked(media_type, extension, first.width, first.height, stored, _thumbnail(first))


def _check_size(width: int, height: int, frames: int, max_pixels: int, max_frames: int) -> None:
    """Refuse, before decoding, an image or animation beyond the limits."""
    if width <= 0 or height <= 0 or frames <= 0:
        raise UnsupportedMediaType(msg("the image has no pixels"))
    if width * height > max_pixels:
        raise _too_many_pixels(width, height, max_pixels)
    if frames > max_frames:
        raise PayloadTooLarge(
            msg(
                "the animation has {frames} frames; the limit is {limit}",
                frames=frames,
                limit=max_frames,
            )
        )
    if frames * width * height > max_pixels:
        raise PayloadTooLarge(
            msg(
                "the animation has {pixels} pixels over all its frames; the limit is {limit}",
                pixels=frames * width * height,
                limit=max_pixels,
            )
        )


@dataclass(frozen=True, slots=True)
class _Decoded:
    """The frames to store, decoded, with nothing of the source's metadata but timing."""

    frames: list[Image.Image]
    #: Each frame's display time in milliseconds (animations only).
    durations: list[float]
    #: How many times an animation plays (0: forever; None: once, no loop written).
    loop: int | None


def _decode(image: ImageFile.ImageFile, frames: int, max_pixels: int) -> _Decoded:
    """Every frame decoded in full.

    ``.load()`` is what decodes (``open`` reads the header only), so a truncated file fails
    here. A still image is turned upright by its EXIF orientation, which is then dropped with
    the rest of the EXIF, and converted to sRGB by its ICC profile (:func:`_to_srgb`);
    animations are left as they are (orientation tags and profiles on them are rare, and
    ``exif_transpose`` handles one frame only).
    """
    if frames == 1:
        image.load()
        upright = ImageOps.exif_transpose(image)
        return _Decoded([_to_srgb(upright, image.info.get("icc_profile"))], [], None)
    decoded: list[Image.Image] = []
    durations: list[float] = []
    for frame in ImageSequence.Iterator(image):
        # a GIF may enlarge its canvas while seeking: _scan_gif bounded it, this re-checks
        if frame.width * frame.height * (len(decoded) + 1) > max_pixels:
            raise _too_many_pixels(frame.width, frame.height, max_pixels)
        frame.load()
        decoded.append(frame.copy())
        duration = frame.info.get("duration")
        durations.append(float(duration) if isinstance(duration, int | float) else 0.0)
    loop = image.info.get("loop")
    return _Decoded(decoded, durations, loop if isinstance(loop, int) else None)


def _to_srgb(image: Image.Image, icc: object) -> Image.Image:
    """``image`` in sRGB when it carries an ICC profile we can apply; else as it is.

    Profiles are dropped with the rest of the metadata (a profile is an arbitrary blob that
    can carry another file), so a wide-gamut photo (a phone's Display P3) is converted to the
    sRGB a browser assumes for an untagged image rather than shown washed out.
    """
    if not isinstance(icc, bytes) or not icc or image.mode not in {"RGB", "RGBA", "CMYK"}:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(
            image,
            source,
            ImageCms.createProfile("sRGB"),  # per call: profiles are not shared across threads
            outputMode="RGBA" if image.mode == "RGBA" else "RGB",
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image  # a broken profile: keep the pixels, lose the profile
    return image if converted is None else converted


def _write(
    decoded: _Decoded, pillow_format: str, extension: str, workdir: Path, lossless: bool
) -> Path:
    """Encode the frames in ``pillow_format`` into a new file in ``workdir``.

    Only pixels and timing reach the encoder: each frame's ``info`` (where Pillow keeps EXIF,
    ICC profiles, comments and text chunks, and from which some of its writers copy them) is
    emptied first, but for a palette's transparent index.
    """
    images = []
    for frame in decoded.frames:
        if pillow_format == "JPEG" and frame.mode not in {"L", "RGB"}:
            image = frame.convert("RGB")  # CMYK without a usable profile, or a rare mode
        elif pillow_format == "PNG" and frame.mode not in _PNG_MODES:
            image = frame.convert("RGBA")
        else:
            image = frame.copy()
        transparency = frame.info.get("transparency")
        image.info = {} if transparency is None else {"transparency": transparency}
        images.append(image)
    options: dict[str, Any] = {}
    if pillow_format == "JPEG":
        options = {"quality": 90}
    elif pillow_format == "WEBP":
        options = {"lossless": True} if lossless else {"quality": 90}
    if len(images) > 1:
        options |= {"save_all": True, "append_images": images[1:]}
        options["duration"] = decoded.durations
        if decoded.loop is not None:
            options["loop"] = decoded.loop
    descriptor, name = tempfile.mkstemp(suffix=extension, dir=workdir)
    target = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as out:
            images[0].save(out, format=pillow_format, **options)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target


def _thumbnail(image: Image.Image) -> bytes:
    """A WebP of ``image`` (an animation's first frame), longest side at most THUMBNAIL_SIZE.

    WebP because it keeps transparency (JPEG does not) and is a fraction of a PNG's size for
    photos; every browser we support decodes it.
    """
    small = image.convert("RGBA" if image.has_transparency_data else "RGB")
    small.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    small.save(out, format="WEBP", quality=80)
    return out.getvalue()


def _scan_gif(path: Path) -> tuple[int, int, int]:
    """A GIF's frame count and the canvas its frames need (width, height), undecoded.

    Walks the blocks as Pillow does (unknown bytes between blocks are skipped, as Pillow
    skips them), so the count is the one Pillow will find. Frames may lie partly outside the
    logical screen, and Pillow then enlarges the image: the canvas returned covers them.
    """
    data = path.read_bytes()
    size = len(data)

    def u16(at: int) -> int:
        if at + 2 > size:
            raise _undecodable("GIF")
        return data[at] | data[at + 1] << 8

    def skip_sub_blocks(at: int) -> int:
        while at < size and data[at]:
            at += data[at] + 1
        return at + 1

    def colour_table(flags: int) -> int:
        return 3 << ((flags & 7) + 1) if flags & 0x80 else 0

    if size < 13:
        raise _undecodable("GIF")
    width, height = u16(6), u16(8)
    at = 13 + colour_table(data[10])
    frames = 0
    while at < size:
        tag = data[at]
        if tag == 0x3B:  # trailer
            break
        if tag == 0x21:  # extension: label, then sub-blocks
            at = skip_sub_blocks(at + 2)
        elif tag == 0x2C:  # image descriptor
            if at + 10 > size:
                break
            frames += 1
            width = max(width, u16(at + 1) + u16(at + 5))
            height = max(height, u16(at + 3) + u16(at + 7))
            at = skip_sub_blocks(at + 10 + colour_table(data[at + 9]) + 1)
        else:
            at += 1
    return frames, width, height


#: Characters dropped from download names: path separators, quotes, and what Windows refuses.
_UNSAFE_CHARS: Final = re.compile(r'["\\/:*?<>|]')
#: An extension worth replacing: a dot and up to 10 letters or digits at the end.
_EXTENSION: Final = re.compile(r"\.[^\W_]{1,10}$")


def safe_download_name(name: str, extension: str) -> str:
    """``name`` made fit for a Content-Disposition header and any reader's filesystem.

    The last path component only; control, format (bidi overrides that make "gpj.exe" read
    as "exe.jpg") and separator characters, quotes and Windows' reserved characters removed;
    NFC (a macOS name and a Windows name for the same text compare equal); at most
    :data:`_MAX_NAME_BYTES` UTF-8 bytes. Its extension is replaced by ``extension``, the
    sniffed one, so the name never promises another type ("page.html" holding a PNG downloads
    as "page.png"); a name with nothing left is "file" + ``extension``.
    """
    name = unicodedata.normalize("NFC", name)
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(
        " " if unicodedata.category(char) in {"Zl", "Zp", "Zs"} else char
        for char in name
        if unicodedata.category(char) not in {"Cc", "Cf", "Cs", "Co", "Cn"}
    )
    name = _UNSAFE_CHARS.sub("", name)
    name = " ".join(name.split()).strip(". ")
    stem = _EXTENSION.sub("", name).rstrip(". ") or "file"
    budget = _MAX_NAME_BYTES - len(extension.encode())
    stem = _cut(stem, budget).rstrip(". ") or "file"
    return stem + extension


def _cut(text: str, budget: int) -> str:
    """The longest prefix of ``text`` of at most ``budget`` UTF-8 bytes, splitting nothing.

    A character is never cut in half, nor cut off from the combining marks that follow it
    (an "e" without its accent is another letter).
    """
    cut = text.encode()[:budget].decode(errors="ignore")
    while cut and len(cut) < len(text) and unicodedata.combining(text[len(cut)]):
        cut = cut[:-1]
    return cut
