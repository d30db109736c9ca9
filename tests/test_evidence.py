"""佐证材料 checks (pipelines.workflow.evidence) on real files made here: small PNG, JPEG and PDF files pass; a
decompression bomb is refused from its header, fast; truncated images, PDFs with JavaScript or automatic actions,
encrypted or over-long PDFs, a content that does not match its file name, and an eleventh file are refused, each with
a message in Chinese and English."""
from __future__ import annotations

import io
import math
import struct
import time
import zlib
from collections.abc import Callable

import pytest
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from pipelines.workflow.accounts import Refusal
from pipelines.workflow.evidence import (
    MAX_EVIDENCE_BYTES,
    MAX_EVIDENCE_FILES,
    MAX_IMAGE_PIXELS,
    MAX_PDF_PAGES,
    check_evidence,
    check_evidence_count,
)

QUICK_S = 2.0  # a bomb is refused from its header: decoding 400 megapixels would take far longer (and 400 MB)


# ---- files -------------------------------------------------------------------------------------------------------

def image_bytes(fmt: str, size: tuple[int, int] = (64, 48)) -> bytes:
    """A small picture with some detail (a gradient), so that its compressed data is not trivially short."""
    image = Image.new("RGB", size)
    image.putdata([(x * 4 % 256, y * 5 % 256, (x + y) % 256) for y in range(size[1]) for x in range(size[0])])
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def blank_png(width: int, height: int) -> bytes:
    """A valid 1-bit greyscale PNG, all black, written chunk by chunk: a few dozen kB on disk whatever its pixel
    count, the shape of a decompression bomb (20000 × 20000 unpacks to 400 megapixels)."""
    row = b"\x00" * (1 + math.ceil(width / 8))  # filter byte "none" and the row's packed bits
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def pdf_bytes(pages: int = 1, change: Callable[[PdfWriter], None] | None = None) -> bytes:
    """A PDF of blank A4 pages made with pypdf; `change(writer)` adds something to it before it is written (an
    indirect object through pypdf's _add_object, which has no public name)."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if change is not None:
        change(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def js_action(script: str = "app.alert('hi')") -> DictionaryObject:
    return DictionaryObject({NameObject("/Type"): NameObject("/Action"), NameObject("/S"): NameObject("/JavaScript"),
                             NameObject("/JS"): TextStringObject(script)})


def refused(result: str | Refusal | None) -> Refusal:
    """The refusal (its catalog key is submit.<check>), after its texts are seen to fill in in both languages."""
    assert isinstance(result, Refusal), f"accepted as {result!r}"
    assert result.message("zh") and result.message("en")
    return result


# ---- accepted ----------------------------------------------------------------------------------------------------

def test_a_real_png_is_accepted() -> None:
    assert check_evidence("现场照片.png", image_bytes("PNG")) == "image/png"


@pytest.mark.parametrize("name", ["scan.jpg", "SCAN.JPEG"])
def test_a_real_jpeg_is_accepted(name: str) -> None:
    assert check_evidence(name, image_bytes("JPEG")) == "image/jpeg"


def test_a_real_pdf_is_accepted() -> None:
    assert check_evidence("合同.pdf", pdf_bytes(3)) == "application/pdf"


def test_a_pdf_opening_at_a_page_is_accepted() -> None:
    """An /OpenAction that is a destination (open at page 1, fit to window), as many PDF makers write, runs nothing."""
    def open_at_first_page(writer: PdfWriter) -> None:
        writer.root_object[NameObject("/OpenAction")] = ArrayObject([writer.pages[0].indirect_reference,
                                                                     NameObject("/Fit")])

    assert check_evidence("a.pdf", pdf_bytes(2, open_at_first_page)) == "application/pdf"


# ---- images --------------------------------------------------------------------------------------------------

def test_a_decompression_bomb_png_is_refused_quickly_without_decoding_it() -> None:
    bomb = blank_png(20_000, 20_000)
    assert len(bomb) < 200_000  # small on disk

    started = time.perf_counter()
    result = check_evidence("bomb.png", bomb)
    elapsed = time.perf_counter() - started

    assert refused(result).check == "evidence-too-many-pixels"
    assert elapsed < QUICK_S


def test_an_image_over_the_cap_but_under_pillows_own_threshold_is_refused_from_its_header() -> None:
    """48 megapixels: Pillow itself would decode it (its warning starts near 89); the app's cap refuses it first."""
    large = blank_png(8_000, 6_000)
    assert MAX_IMAGE_PIXELS < 8_000 * 6_000

    started = time.perf_counter()
    result = check_evidence("large.png", large)
    elapsed = time.perf_counter() - started

    assert refused(result).check == "evidence-too-many-pixels"
    assert elapsed < QUICK_S


def test_an_image_just_under_the_cap_is_accepted() -> None:
    assert check_evidence("ok.png", blank_png(200, 100)) == "image/png"


@pytest.mark.parametrize(("name", "fmt"), [("cut.png", "PNG"), ("cut.jpg", "JPEG")])
def test_a_truncated_image_is_refused(name: str, fmt: str) -> None:
    whole = image_bytes(fmt, (200, 150))

    assert refused(check_evidence(name, whole[: len(whole) // 2])).check == "evidence-unreadable"


def test_an_image_with_a_broken_checksum_is_refused() -> None:
    whole = bytearray(image_bytes("PNG"))
    whole[50] ^= 0xFF  # inside the first IDAT chunk's data (it starts at byte 41): its CRC no longer matches

    assert refused(check_evidence("bad.png", bytes(whole))).check == "evidence-unreadable"


# ---- PDFs ----------------------------------------------------------------------------------------------------

def test_a_pdf_with_an_openaction_javascript_is_refused() -> None:
    def on_open(writer: PdfWriter) -> None:
        writer.root_object[NameObject("/OpenAction")] = writer._add_object(js_action())

    assert refused(check_evidence("open.pdf", pdf_bytes(1, on_open))).check == "evidence-pdf-active"


def test_a_pdf_with_a_js_annotation_action_is_refused() -> None:
    def link_with_script(writer: PdfWriter) -> None:
        link = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(50), NumberObject(50), NumberObject(200), NumberObject(80)]),
            NameObject("/A"): js_action()})
        writer.add_annotation(0, link)

    assert refused(check_evidence("link.pdf", pdf_bytes(2, link_with_script))).check == "evidence-pdf-active"


def test_a_pdf_with_document_javascript_in_its_names_tree_is_refused() -> None:
    def document_script(writer: PdfWriter) -> None:
        scripts = DictionaryObject({NameObject("/Names"): ArrayObject(
            [TextStringObject("init"), writer._add_object(js_action())])})
        writer.root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): scripts})

    assert refused(check_evidence("names.pdf", pdf_bytes(1, document_script))).check == "evidence-pdf-active"


def test_a_pdf_with_additional_actions_on_a_page_is_refused() -> None:
    def on_page_open(writer: PdfWriter) -> None:
        writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): js_action()})

    assert refused(check_evidence("aa.pdf", pdf_bytes(1, on_page_open))).check == "evidence-pdf-active"


def test_a_pdf_launching_a_program_is_refused() -> None:
    def launch(writer: PdfWriter) -> None:
        action = DictionaryObject({NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("x.exe")})
        writer.root_object[NameObject("/OpenAction")] = action

    assert refused(check_evidence("launch.pdf", pdf_bytes(1, launch))).check == "evidence-pdf-active"


def test_an_encrypted_pdf_is_refused() -> None:
    def protect(writer: PdfWriter) -> None:
        writer.encrypt(user_password="", owner_password="secret", algorithm="RC4-128")  # opens without a password

    assert refused(check_evidence("locked.pdf", pdf_bytes(1, protect))).check == "evidence-pdf-encrypted"


def test_a_pdf_of_too_many_pages_is_refused() -> None:
    result = refused(check_evidence("long.pdf", pdf_bytes(MAX_PDF_PAGES + 1)))

    assert result.check == "evidence-pdf-too-many-pages"
    assert str(MAX_PDF_PAGES + 1) in result.message("zh")


def test_a_broken_pdf_is_refused() -> None:
    assert refused(check_evidence("broken.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 200)).check == "evidence-unreadable"


# ---- type, name, size, count ---------------------------------------------------------------------------------

def test_a_file_named_png_containing_a_pdf_is_refused() -> None:
    result = refused(check_evidence("photo.png", pdf_bytes()))

    assert result.check == "evidence-wrong-ending"
    assert "photo.png" in result.message("zh") and ".pdf" in result.message("zh")


def test_a_file_named_pdf_containing_a_png_is_refused() -> None:
    assert refused(check_evidence("scan.pdf", image_bytes("PNG"))).check == "evidence-wrong-ending"


@pytest.mark.parametrize(("name", "data"), [("page.png", b"<html><script>alert(1)</script></html>"),
                                            ("tool.pdf", b"MZ\x90\x00" + b"\x00" * 100), ("empty.jpg", b"")])
def test_neither_image_nor_pdf_is_refused(name: str, data: bytes) -> None:
    assert refused(check_evidence(name, data)).check == "evidence-bad-type"


def test_a_file_over_the_size_limit_is_refused_before_it_is_decoded() -> None:
    result = refused(check_evidence("big.pdf", b"%PDF-" + b"0" * MAX_EVIDENCE_BYTES))

    assert result.check == "evidence-too-large"
    assert "5MB" in result.message("zh")


def test_an_eleventh_file_is_refused() -> None:
    assert check_evidence_count(MAX_EVIDENCE_FILES) is None
    result = refused(check_evidence_count(MAX_EVIDENCE_FILES + 1))

    assert result.check == "evidence-too-many-files"
    assert "10" in result.message("zh") and "11" in result.message("en")
