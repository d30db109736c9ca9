"""佐证材料: the checks a piece of evidence passes before it is stored beside a submission and offered to a reviewer.

Evidence is whatever a department attaches (a photo of a plaque, a scanned contract), and a reviewer downloads and
opens it on an office machine, so the door is narrow and every check decodes rather than trusts:

- at most MAX_EVIDENCE_FILES files per submission, each at most MAX_EVIDENCE_BYTES;
- the content is a PNG, a JPEG or a PDF by its first bytes, and the file name ends as that type does (a PDF named
  .png is refused: the reviewer's machine opens a file by its ending);
- an image is opened with Pillow (that format's decoder only), its size read from the header and held to
  MAX_IMAGE_PIXELS before a single pixel is decoded (a small file can unpack to gigabytes: a decompression bomb), its
  structure verified, then decoded in full, which finds a truncated or corrupt file;
- a PDF is parsed with pypdf and refused when it is encrypted (nothing inside could be checked), longer than
  MAX_PDF_PAGES, or holds active content anywhere reachable from its catalog: JavaScript (/JS, the /JavaScript name
  tree), automatic actions (/OpenAction that is an action, /AA), actions that launch programs or send data, XFA forms.

check_evidence returns the mime type to store, or a Refusal in the catalog's words (submit.evidence-*), as every
other check of pipelines.workflow does.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from pipelines.workflow.accounts import Refusal, refusal

MAX_EVIDENCE_FILES = 10  # per submission: a few photos or scans per indicator, not an archive
MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
# 40 megapixels: more than any phone camera or an A4 scan at 600 dpi (35 MP), a small fraction of Pillow's own
# warning threshold (about 89 MP), and at most 160 MB once decoded as RGBA.
MAX_IMAGE_PIXELS = 40_000_000
MAX_PDF_PAGES = 500
# Bound on the PDF objects (dictionaries, arrays, values) the active-content walk visits: a 5 MB file of ordinary
# pages has a few thousand; one built to make the walk slow is refused instead of walked.
MAX_PDF_ITEMS = 200_000
# Keys that hold or start active content, wherever they appear: JavaScript (an action's /JS, the name tree of
# document-level scripts), additional actions run on events (/AA: opening a page, focusing a field, closing), and XFA
# forms (XML that may carry its own scripts).
ACTIVE_KEYS = frozenset({"/JS", "/JavaScript", "/AA", "/XFA"})
# Action types that run code, start another program or send data (ISO 32000 12.6.4), wherever an action sits: an
# annotation's /A, an outline item, the document's /OpenAction.
ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/RichMediaExecute"})


@dataclass(frozen=True)
class Kind:
    """A type of evidence: how its content starts, what it is stored as, the file-name endings it may have."""

    label: str  # as the messages name it
    magic: bytes
    mime: str
    endings: tuple[str, ...]
    pillow: tuple[str, ...] = ()  # Pillow's format names for an image (the only decoders tried on it)


PNG = Kind("PNG", b"\x89PNG\r\n\x1a\n", "image/png", (".png",), ("PNG",))
JPEG = Kind("JPEG", b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg"), ("JPEG", "MPO"))  # MPO: a phone's JPEG
PDF = Kind("PDF", b"%PDF-", "application/pdf", (".pdf",))
KINDS = (PNG, JPEG, PDF)


def check_evidence_count(count: int) -> Refusal | None:
    """At most MAX_EVIDENCE_FILES pieces of evidence with one submission (all its indicators together)."""
    if count > MAX_EVIDENCE_FILES:
        return refusal("evidence-too-many-files", count=count, limit=MAX_EVIDENCE_FILES)
    return None


def check_evidence(file_name: str, data: bytes, *, max_bytes: int = MAX_EVIDENCE_BYTES) -> str | Refusal:
    """The mime type to store the evidence as when it is a real, whole PNG, JPEG or PDF of an allowed size, named as
    what it is and without active content; the refusal to show the department otherwise."""
    if len(data) > max_bytes:
        return refusal("evidence-too-large", file=file_name, limit_mb=f"{max_bytes / 2**20:g}")
    kind = next((k for k in KINDS if data.startswith(k.magic)), None)
    if kind is None:
        return refusal("evidence-bad-type", file=file_name)
    if not file_name.lower().endswith(kind.endings):
        return refusal("evidence-wrong-ending", file=file_name, kind=kind.label, endings="、".join(kind.endings))
    problem = _check_pdf(file_name, data) if kind is PDF else _check_image(file_name, data, kind)
    return problem or kind.mime


# ---- images --------------------------------------------------------------------------------------------------

def _check_image(file_name: str, data: bytes, kind: Kind) -> Refusal | None:
    """Pillow's decoder for the kind only; the pixel count from the header before any decoding; then verify (chunk
    checksums, for a PNG) and a full decode, which a truncated or corrupt file fails.

    A file beyond twice Pillow's own threshold raises DecompressionBombError in Image.open, and is refused like one
    beyond ours. Between the two thresholds Pillow only warns (a DecompressionBombWarning in the log); our cap lies
    below both, so such a file is refused all the same. (Turning that warning into an error with
    warnings.catch_warnings would change the process's warning filters under every other session's thread.)"""
    too_big = refusal("evidence-too-many-pixels", file=file_name, limit=f"{MAX_IMAGE_PIXELS / 1e6:g}")
    try:
        with Image.open(io.BytesIO(data), formats=kind.pillow) as image:
            width, height = image.size  # read from the header: nothing is decoded yet
            if width * height > MAX_IMAGE_PIXELS:
                return too_big
            image.verify()
        with Image.open(io.BytesIO(data), formats=kind.pillow) as image:  # verify() leaves the image unusable
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):  # the warning when warnings are errors
        return too_big
    except Exception:  # a hostile or broken file may fail in any of Pillow's decoders: not a whole image
        return refusal("evidence-unreadable", file=file_name)
    return None


# ---- PDF -----------------------------------------------------------------------------------------------------

class _TooComplex(Exception):
    """The active-content walk reached MAX_PDF_ITEMS."""


def _check_pdf(file_name: str, data: bytes) -> Refusal | None:
    """Parsed by pypdf (which bounds what a stream may inflate to); not encrypted; at most MAX_PDF_PAGES pages; no
    active content reachable from the document catalog."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            return refusal("evidence-pdf-encrypted", file=file_name)
        pages = len(reader.pages)
        if pages > MAX_PDF_PAGES:
            return refusal("evidence-pdf-too-many-pages", file=file_name, pages=pages, limit=MAX_PDF_PAGES)
        active = _has_active_content(reader.trailer["/Root"])
    except _TooComplex:
        return refusal("evidence-pdf-too-complex", file=file_name)
    except Exception:  # pypdf's PdfReadError and whatever a broken cross-reference table or object raises
        return refusal("evidence-unreadable", file=file_name)
    return refusal("evidence-pdf-active", file=file_name) if active else None


def _has_active_content(root: object) -> bool:
    """Walk every object reachable from the catalog (pages, annotations, the name trees, outlines, forms), each
    indirect object once, without decoding any stream's content: True at the first key or action type of active
    content, or at an /OpenAction that is an action rather than a page to open at."""
    seen: set[tuple[int, int]] = set()
    todo: list[object] = [root]
    visited = 0
    while todo:
        item = todo.pop()
        if isinstance(item, IndirectObject):
            reference = (item.idnum, item.generation)
            if reference in seen:
                continue
            seen.add(reference)
            item = item.get_object()
        visited += 1
        if visited > MAX_PDF_ITEMS:
            raise _TooComplex
        if isinstance(item, DictionaryObject):  # a stream's dictionary too; its data stays encoded
            for key, value in item.items():  # the raw values: indirect references are resolved when walked
                if key in ACTIVE_KEYS:
                    return True
                if key == "/OpenAction" and isinstance(_resolved(value), DictionaryObject):
                    return True  # an action run when the document opens; an array is only where to open it
                todo.append(value)
        elif isinstance(item, ArrayObject):
            todo.extend(item)
        elif isinstance(item, NameObject) and item in ACTIVE_ACTIONS:  # an action's /S
            return True
    return False


def _resolved(value: object) -> object:
    return value.get_object() if isinstance(value, IndirectObject) else value


__all__ = ["MAX_EVIDENCE_BYTES", "MAX_EVIDENCE_FILES", "MAX_IMAGE_PIXELS", "MAX_PDF_PAGES", "check_evidence",
           "check_evidence_count"]
