"""Upload content checks: sniffing, decoding, re-encoding, bombs, polyglots, download names.

Every hostile file is built here from Pillow and bytes; no binary fixture is checked in.
"""

from __future__ import annotations

import io
import struct
import time
import unicodedata
import warnings
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageCms, ImageFile

from collab.errors import PayloadTooLarge, UnsupportedMediaType
from collab.i18n import Text
from http_api.file_content import (
    ALLOWED_MEDIA_TYPES,
    DEFAULT_MAX_PIXELS,
    THUMBNAIL_SIZE,
    Checked,
    check_upload,
    declared_pixels,
    safe_download_name,
)

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def image_bytes(image: Image.Image, pillow_format: str, **options: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, format=pillow_format, **options)
    return out.getvalue()


def two_colour(width: int = 400, height: int = 200) -> Image.Image:
    """Left half red, right half blue: where the halves end up shows the orientation."""
    image = Image.new("RGB", (width, height), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, width // 2, height))
    return image


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def blank_png(width: int, height: int) -> bytes:
    """A 1-bit all-black PNG of any size, built without ever holding its pixels."""
    row = b"\x00" + bytes((width + 7) // 8)
    compressor = zlib.compressobj(9)
    rows_at_once = max(1, 1_000_000 // len(row))
    body = []
    for start in range(0, height, rows_at_once):
        body.append(compressor.compress(row * min(rows_at_once, height - start)))
    body.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", b"".join(body))
        + png_chunk(b"IEND", b"")
    )


@pytest.fixture
def upload(tmp_path: Path) -> Any:
    """Write bytes as an upload (under a name the client chose, which must not matter)."""

    def write(data: bytes, name: str = "upload.bin") -> Path:
        path = tmp_path / "in" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        return path

    return write


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


def reopen(checked: Checked) -> Image.Image:
    image = Image.open(io.BytesIO(checked.path.read_bytes()))
    image.load()
    return image


def thumbnail_size(checked: Checked) -> tuple[int, int]:
    assert checked.thumbnail is not None
    thumbnail = Image.open(io.BytesIO(checked.thumbnail))
    assert thumbnail.format == "WEBP"
    return thumbnail.size


class TestAccepted:
    @pytest.mark.parametrize(
        ("pillow_format", "media_type", "extension"),
        [
            ("JPEG", "image/jpeg", ".jpg"),
            ("PNG", "image/png", ".png"),
            ("GIF", "image/gif", ".gif"),
            ("WEBP", "image/webp", ".webp"),
        ],
    )
    def test_images_are_re_encoded_in_their_own_format(
        self, upload: Any, workdir: Path, pillow_format: str, media_type: str, extension: str
    ) -> None:
        """Each image type passes with its type, size and a WebP thumbnail of longest side 320."""
        source = upload(image_bytes(two_colour(800, 600), pillow_format), "whatever.txt")
        checked = check_upload(source, workdir=workdir)
        assert (checked.media_type, checked.extension) == (media_type, extension)
        assert (checked.width, checked.height) == (800, 600)
        assert checked.path.parent == workdir
        assert checked.path.suffix == extension
        stored = reopen(checked)
        assert stored.format == pillow_format
        assert stored.size == (800, 600)
        assert thumbnail_size(checked) == (THUMBNAIL_SIZE, 240)
        assert source.read_bytes() == image_bytes(two_colour(800, 600), pillow_format)

    def test_a_small_image_keeps_its_size_in_the_thumbnail(
        self, upload: Any, workdir: Path
    ) -> None:
        checked = check_upload(upload(image_bytes(two_colour(40, 30), "PNG")), workdir=workdir)
        assert thumbnail_size(checked) == (40, 30)

    def test_transparency_is_kept(self, upload: Any, workdir: Path) -> None:
        """A transparent PNG stays transparent, and so does its thumbnail."""
        image = Image.new("RGBA", (50, 50), (0, 0, 0, 0))
        image.paste((255, 0, 0, 255), (0, 0, 25, 50))
        checked = check_upload(upload(image_bytes(image, "PNG")), workdir=workdir)
        assert reopen(checked).getpixel((40, 10)) == (0, 0, 0, 0)
        assert checked.thumbnail is not None
        thumbnail = Image.open(io.BytesIO(checked.thumbnail)).convert("RGBA")
        assert thumbnail.getpixel((40, 10))[3] == 0  # type: ignore[index]

    def test_pdf_is_stored_as_sent(self, upload: Any, workdir: Path) -> None:
        pdf = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
        source = upload(pdf, "report.exe")
        checked = check_upload(source, workdir=workdir)
        assert checked == Checked("application/pdf", ".pdf", None, None, source, None)
        assert list(workdir.iterdir()) == []

    def test_cmyk_jpeg_is_stored_as_rgb(self, upload: Any, workdir: Path) -> None:
        cmyk = Image.new("CMYK", (60, 40), (0, 255, 255, 0))  # red in ink
        checked = check_upload(upload(image_bytes(cmyk, "JPEG")), workdir=workdir)
        stored = reopen(checked)
        assert (stored.format, stored.mode) == ("JPEG", "RGB")
        red, green, blue = stored.getpixel((30, 20))  # type: ignore[misc]
        assert red > 200
        assert max(green, blue) < 60

    def test_a_multi_picture_jpeg_keeps_its_first_picture(self, upload: Any, workdir: Path) -> None:
        """An MPO (a phone photo with a second picture inside) is stored as its photo only."""
        photo, extra = two_colour(120, 80), Image.new("RGB", (60, 40), (0, 255, 0))
        data = image_bytes(photo, "MPO", save_all=True, append_images=[extra])
        checked = check_upload(upload(data), workdir=workdir)
        assert (checked.media_type, checked.width, checked.height) == ("image/jpeg", 120, 80)
        stored = Image.open(io.BytesIO(checked.path.read_bytes()))
        assert stored.format == "JPEG"
        assert getattr(stored, "n_frames", 1) == 1

    def test_lossless_webp_stays_lossless(self, upload: Any, workdir: Path) -> None:
        image = two_colour(64, 64)
        image.putpixel((3, 3), (1, 2, 3))
        checked = check_upload(upload(image_bytes(image, "WEBP", lossless=True)), workdir=workdir)
        assert reopen(checked).getpixel((3, 3)) == (1, 2, 3)


class TestAnimations:
    @staticmethod
    def frames(count: int, size: tuple[int, int] = (40, 30)) -> list[Image.Image]:
        colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)]
        return [Image.new("RGB", size, colours[i % len(colours)]) for i in range(count)]

    @pytest.mark.parametrize("pillow_format", ["GIF", "WEBP", "PNG"])
    def test_frames_and_timing_are_kept(
        self, upload: Any, workdir: Path, pillow_format: str
    ) -> None:
        """Animated GIF, WebP and APNG keep every frame, their durations and their loop."""
        first, *rest = self.frames(3)
        data = image_bytes(
            first,
            pillow_format,
            save_all=True,
            append_images=rest,
            duration=[100, 200, 300],
            loop=0,
        )
        checked = check_upload(upload(data), workdir=workdir)
        stored = Image.open(io.BytesIO(checked.path.read_bytes()))
        assert getattr(stored, "n_frames", 1) == 3
        durations = []
        for index in range(3):
            stored.seek(index)
            stored.load()  # WebP sets a frame's duration when it is decoded
            durations.append(stored.info["duration"])
        assert durations == [100, 200, 300]
        assert stored.info["loop"] == 0
        assert thumbnail_size(checked) == (40, 30)

    def test_too_many_frames_is_refused(self, upload: Any, workdir: Path) -> None:
        first, *rest = self.frames(4)
        data = image_bytes(first, "GIF", save_all=True, append_images=rest)
        with pytest.raises(PayloadTooLarge, match="4 frames"):
            check_upload(upload(data), workdir=workdir, max_frames=3)

    def test_all_frames_count_against_the_pixel_limit(self, upload: Any, workdir: Path) -> None:
        """Four frames of 40 x 30 are 4,800 pixels: over a limit that one frame is under."""
        first, *rest = self.frames(4)
        for pillow_format in ("GIF", "WEBP"):
            data = image_bytes(first, pillow_format, save_all=True, append_images=rest)
            with pytest.raises(PayloadTooLarge, match="over all its frames"):
                check_upload(upload(data), workdir=workdir, max_pixels=4000)

    def test_a_gif_frame_far_outside_its_screen_is_refused_undecoded(
        self, upload: Any, workdir: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A 10 x 10 GIF whose frame sits at (60000, 60000): Pillow would grow it to 3.6 G px.

        Refused by reading the frame descriptors, before Pillow opens the file at all.
        """
        gif = (
            b"GIF89a"
            + struct.pack("<HHBBB", 10, 10, 0x80, 0, 0)
            + bytes(6)  # two-colour global table
            + b","
            + struct.pack("<HHHHB", 60000, 60000, 10, 10, 0)
            + b"\x02\x02\x4c\x01\x00;"
        )
        monkeypatch.setattr(Image, "open", pytest.fail)
        with pytest.raises(PayloadTooLarge, match="60010 x 60010"):
            check_upload(upload(gif), workdir=workdir)


class TestMetadataIsDropped:
    def test_exif_and_gps_are_dropped_and_orientation_applied(
        self, upload: Any, workdir: Path
    ) -> None:
        """A photo stored sideways with "rotate 90 clockwise" comes out upright, EXIF-free."""
        exif = Image.Exif()
        exif[ORIENTATION] = 6
        exif[0x010F] = "SpyCam Inc."  # make
        exif.get_ifd(GPS_IFD).update({1: "S", 2: (23.0, 33.0, 1.0), 3: "W", 4: (46.0, 38.0, 1.0)})
        source = upload(image_bytes(two_colour(400, 200), "JPEG", exif=exif.tobytes()))
        assert (
            Image.open(io.BytesIO(source.read_bytes())).getexif().get_ifd(GPS_IFD)
        )  # the GPS really is in there
        checked = check_upload(source, workdir=workdir)
        assert (checked.width, checked.height) == (200, 400)
        stored = reopen(checked)
        assert stored.size == (200, 400)
        assert "exif" not in stored.info
        assert not stored.getexif()
        raw = checked.path.read_bytes()
        assert b"Exif" not in raw
        assert b"SpyCam" not in raw
        red_top = stored.getpixel((100, 20))
        blue_bottom = stored.getpixel((100, 380))
        assert isinstance(red_top, tuple)
        assert isinstance(blue_bottom, tuple)
        assert red_top[0] > 200
        assert red_top[2] < 60
        assert blue_bottom[2] > 200
        assert blue_bottom[0] < 60
        assert thumbnail_size(checked) == (160, THUMBNAIL_SIZE)

    def test_png_text_exif_and_icc_are_dropped(self, upload: Any, workdir: Path) -> None:
        from PIL.PngImagePlugin import PngInfo

        info = PngInfo()
        info.add_text("Comment", "secret-marker")
        exif = Image.Exif()
        exif[0x010F] = "SpyCam Inc."
        icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
        data = image_bytes(
            two_colour(50, 50), "PNG", pnginfo=info, exif=exif.tobytes(), icc_profile=icc
        )
        checked = check_upload(upload(data), workdir=workdir)
        raw = checked.path.read_bytes()
        for marker in (b"secret-marker", b"SpyCam", b"tEXt", b"eXIf", b"iCCP"):
            assert marker not in raw
        assert reopen(checked).info == {}

    def test_jpeg_icc_profile_is_applied_and_dropped(self, upload: Any, workdir: Path) -> None:
        icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
        data = image_bytes(two_colour(50, 50), "JPEG", icc_profile=icc)
        checked = check_upload(upload(data), workdir=workdir)
        assert "icc_profile" not in reopen(checked).info

    def test_gif_zip_polyglot_loses_its_zip(self, upload: Any, workdir: Path) -> None:
        """GIF bytes with a ZIP after them: a GIF to every sniffer, a ZIP to unzip."""
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as zipped:
            zipped.writestr("payload.html", "<script>alert(1)</script>")
        gif = image_bytes(two_colour(30, 30), "GIF", comment=b"PK\x03\x04 in a comment")
        source = upload(gif + archive.getvalue(), "innocent.gif")
        assert zipfile.is_zipfile(source)
        checked = check_upload(source, workdir=workdir)
        assert checked.media_type == "image/gif"
        raw = checked.path.read_bytes()
        assert b"PK\x03\x04" not in raw
        assert b"payload.html" not in raw
        assert not zipfile.is_zipfile(checked.path)


def refused(path: Path, workdir: Path, **limits: int) -> UnsupportedMediaType:
    with pytest.raises(UnsupportedMediaType) as caught:
        check_upload(path, workdir=workdir, **limits)
    assert list(workdir.iterdir()) == []  # nothing left behind
    return caught.value


class TestRefused:
    def test_html_named_png(self, upload: Any, workdir: Path) -> None:
        error = refused(upload(b"<!doctype html><script>alert(1)</script>", "cat.png"), workdir)
        assert "file type not accepted" in str(error)
        assert isinstance(error.args[0], Text)  # translatable

    def test_svg(self, upload: Any, workdir: Path) -> None:
        svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'
        refused(upload(svg, "logo.svg"), workdir)

    def test_empty_file(self, upload: Any, workdir: Path) -> None:
        assert "empty" in str(refused(upload(b"", "empty.png"), workdir))

    def test_other_sniffed_types(self, upload: Any, workdir: Path) -> None:
        """Types filetype knows but we do not take: a ZIP, a BMP, a TIFF."""
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as zipped:
            zipped.writestr("a.txt", "a")
        for data in (
            archive.getvalue(),
            image_bytes(two_colour(10, 10), "BMP"),
            image_bytes(two_colour(10, 10), "TIFF"),
        ):
            refused(upload(data), workdir)

    def test_truncated_png(self, upload: Any, workdir: Path) -> None:
        """Sniffed as a PNG, opened as one (the header is intact), but fails to decode."""
        data = image_bytes(Image.effect_noise((200, 200), 64).convert("RGB"), "PNG")
        error = refused(upload(data[: len(data) // 2]), workdir)
        assert "damaged or incomplete" in str(error)

    def test_truncated_jpeg(self, upload: Any, workdir: Path) -> None:
        data = image_bytes(Image.effect_noise((200, 200), 64).convert("RGB"), "JPEG")
        refused(upload(data[: len(data) // 2]), workdir)

    def test_a_png_header_on_a_gif(self, upload: Any, workdir: Path) -> None:
        """Sniffed as PNG, decoded only as PNG: another format behind the magic fails."""
        gif = image_bytes(two_colour(10, 10), "GIF")
        refused(upload(b"\x89PNG\r\n\x1a\n" + gif), workdir)

    def test_pdf_after_junk(self, upload: Any, workdir: Path) -> None:
        pdf = b"%PDF-1.7\n%%EOF\n"
        refused(upload(b"x" * 40 + pdf, "a.pdf"), workdir)
        refused(upload(b"\xef\xbb\xbf" + pdf, "b.pdf"), workdir)  # filetype forgives a BOM


class TestDecompressionBombs:
    def test_20000_square_png_is_refused_fast(self, upload: Any, workdir: Path) -> None:
        """48 KB of PNG that decodes to 400 million pixels: refused in well under a second."""
        source = upload(blank_png(20_000, 20_000))
        assert source.stat().st_size < 100_000
        started = time.perf_counter()
        with pytest.raises(PayloadTooLarge):
            check_upload(source, workdir=workdir)
        assert time.perf_counter() - started < 0.5
        assert list(workdir.iterdir()) == []

    def test_size_is_checked_before_decoding(
        self, upload: Any, workdir: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """With decoding made to fail, an image over the limit still gets 413, not 415."""

        def load(self: ImageFile.ImageFile) -> None:
            raise OSError("decoding is off in this test")

        monkeypatch.setattr(ImageFile.ImageFile, "load", load)
        source = upload(image_bytes(two_colour(100, 100), "PNG"))
        with pytest.raises(PayloadTooLarge, match=r"100 x 100 pixels; the limit is 5000"):
            check_upload(source, workdir=workdir, max_pixels=5000)
        # the control: under the limit, the patched decoder is reached (and fails)
        refused(source, workdir, max_pixels=10_000)

    def test_pillows_warning_zone_is_refused_whatever_the_warning_filters(
        self, upload: Any, workdir: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Between 1x and 2x MAX_IMAGE_PIXELS Pillow only warns: we refuse, even when asked
        for a higher limit, and whether that warning is an error or ignored."""
        assert Image.MAX_IMAGE_PIXELS is not None
        side = int((1.5 * Image.MAX_IMAGE_PIXELS) ** 0.5)
        source = upload(blank_png(side, side))
        monkeypatch.setattr(ImageFile.ImageFile, "load", pytest.fail)
        for action in ("error", "ignore"):
            with warnings.catch_warnings():
                warnings.simplefilter(action, Image.DecompressionBombWarning)
                with pytest.raises(PayloadTooLarge):
                    check_upload(source, workdir=workdir, max_pixels=10 * DEFAULT_MAX_PIXELS)


def test_allowed_media_types() -> None:
    expected = {"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"}
    assert expected == ALLOWED_MEDIA_TYPES


def _valid_samples() -> list[bytes]:
    image = two_colour(16, 12)
    return [
        image_bytes(image, "PNG"),
        image_bytes(image, "JPEG"),
        image_bytes(image, "GIF", save_all=True, append_images=[image.rotate(90)]),
        image_bytes(image, "WEBP"),
        image_bytes(image, "WEBP", save_all=True, append_images=[image.rotate(90)]),
    ]


_SAMPLES = _valid_samples()
_MAGICS = [
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"GIF89a",
    b"RIFF\x00\x00\x00\x00WEBPVP8 ",
    b"%PDF-",
]


@st.composite
def hostile_files(draw: st.DrawFn) -> bytes:
    """Random bytes, random bytes behind a magic number, or a valid image with bytes changed."""
    shape = draw(st.sampled_from(["noise", "magic", "mutated"]))
    if shape == "noise":
        return draw(st.binary(max_size=512))
    if shape == "magic":
        return draw(st.sampled_from(_MAGICS)) + draw(st.binary(max_size=512))
    data = bytearray(draw(st.sampled_from(_SAMPLES)))
    for _ in range(draw(st.integers(1, 8))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data[: draw(st.integers(1, len(data)))])


class TestNeverCrashes:
    @settings(
        max_examples=200,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(data=hostile_files())
    def test_only_the_two_errors_escape(self, data: bytes, tmp_path: Path) -> None:
        source = tmp_path / "upload"
        source.write_bytes(data)
        workdir = tmp_path / "work"
        workdir.mkdir(exist_ok=True)
        try:
            checked = check_upload(source, workdir=workdir, max_pixels=1_000_000)
        except (UnsupportedMediaType, PayloadTooLarge):
            assert list(workdir.iterdir()) == []
        else:
            if checked.path != source:
                checked.path.unlink()


class TestSafeDownloadName:
    @pytest.mark.parametrize(
        ("name", "extension", "expected"),
        [
            ("photo.JPG", ".jpg", "photo.jpg"),
            ("page.html", ".png", "page.png"),
            ("archive.tar.gz", ".pdf", "archive.tar.pdf"),
            ("no extension", ".gif", "no extension.gif"),
            ("Report v1.2 final", ".pdf", "Report v1.2 final.pdf"),
            ("../../etc/passwd", ".png", "passwd.png"),
            ("C:\\Users\\me\\secret.docx", ".pdf", "secret.pdf"),
            ("evil\r\nSet-Cookie: a=b.png", ".png", "evilSet-Cookie a=b.png"),
            ('say "hi".gif', ".gif", "say hi.gif"),
            ("tab\there.png", ".png", "tabhere.png"),
            ("invoice\u202egpj.exe", ".pdf", "invoicegpj.pdf"),  # right-to-left override
            ("cafe\u0301.png", ".png", "caf\u00e9.png"),  # NFC
            ("  ...hidden.  ", ".png", "hidden.png"),
            ("", ".png", "file.png"),
            ("....", ".pdf", "file.pdf"),
            ('/\\"', ".webp", "file.webp"),
            ("a\u2028b.png", ".png", "a b.png"),
        ],
    )
    def test_cases(self, name: str, extension: str, expected: str) -> None:
        assert safe_download_name(name, extension) == expected

    @pytest.mark.parametrize("letter", ["a", "\u00e9", "\u6f22", "\U0001f600", "e\u0301\u0301"])
    def test_long_names_are_cut_whole(self, letter: str) -> None:
        """At most 150 UTF-8 bytes, never half a character or a letter without its accents."""
        name = safe_download_name(letter * 400 + ".png", ".jpg")
        assert name.endswith(".jpg")
        assert len(name.encode()) <= 150
        stem, whole = name.removesuffix(".jpg"), unicodedata.normalize("NFC", letter)
        assert stem
        assert stem == whole * (len(stem) // len(whole))

    @given(name=st.text(max_size=300), extension=st.sampled_from([".jpg", ".pdf"]))
    def test_any_name_is_safe(self, name: str, extension: str) -> None:
        safe = safe_download_name(name, extension)
        assert safe.endswith(extension)
        assert len(safe) > len(extension)
        assert len(safe.encode()) <= 150
        assert not set(safe) & set('"\\/\r\n\t\x00')
        assert safe == safe.strip()


class TestDeclaredPixels:
    """What the pixel budget reserves before decoding: the header's size, never a decode."""

    def test_an_image_declares_its_pixels_and_a_pdf_none(self, tmp_path: Path) -> None:
        picture = tmp_path / "p"
        Image.new("RGB", (300, 200), "teal").save(picture, format="PNG")
        assert declared_pixels(picture) == 60_000
        pdf = tmp_path / "d"
        pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
        assert declared_pixels(pdf) == 0

    def test_a_large_image_declares_its_size_without_being_decoded(self, tmp_path: Path) -> None:
        """A header saying 6,000 x 6,000 with no pixel data behind it: 36 million."""
        header = struct.pack(">IIBBBBB", 6_000, 6_000, 8, 0, 0, 0, 0)

        def chunk(kind: bytes, data: bytes) -> bytes:
            crc = struct.pack(">I", zlib.crc32(kind + data))
            return struct.pack(">I", len(data)) + kind + data + crc

        bomb = tmp_path / "b"
        bomb.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b""))
        assert declared_pixels(bomb) == 36_000_000

    def test_garbage_declares_nothing(self, tmp_path: Path) -> None:
        junk = tmp_path / "j"
        junk.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 30)
        assert declared_pixels(junk) == 0
