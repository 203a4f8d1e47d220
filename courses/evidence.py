"""Checks on uploaded evidence: PDF, PNG or JPEG only, judged by content, not by name."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage

# Certificates are personal data: readable by the service's own account only.
FILE_MODE = 0o600
FOLDER_MODE = 0o700


class EvidenceStorage(FileSystemStorage):
    """Evidence files written 0600 in folders 0700, whatever the process umask."""

    def __init__(self, **kwargs):
        kwargs.setdefault("file_permissions_mode", FILE_MODE)
        kwargs.setdefault("directory_permissions_mode", FOLDER_MODE)
        super().__init__(**kwargs)


# content type -> (what to call it, extensions that may carry it, leading bytes)
ALLOWED = {
    "application/pdf": ("a PDF", (".pdf",), (b"%PDF-",)),
    "image/png": ("a PNG image", (".png",), (b"\x89PNG\r\n\x1a\n",)),
    "image/jpeg": ("a JPEG image", (".jpg", ".jpeg"), (b"\xff\xd8\xff",)),
}

# Recognised only to say clearly what a refused file looks like.
LOOKS_LIKE = [
    (b"MZ", "a Windows executable"),
    (b"\x7fELF", "a Linux executable"),
    (b"\xcf\xfa\xed\xfe", "a macOS executable"),
    (b"\xca\xfe\xba\xbe", "a macOS or Java executable"),
    (b"#!", "a script"),
    (b"PK\x03\x04", "a zip archive or Office document"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"GIF8", "a GIF image"),
    (b"RIFF", "a WebP image or media file"),
    (b"{\\rtf", "an RTF document"),
]

HEAD_BYTES = 16


def _read_head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return head


def _detect(head: bytes) -> str | None:
    for content_type, (_label, _exts, magics) in ALLOWED.items():
        if any(head.startswith(magic) for magic in magics):
            return content_type
    return None


def _describe(head: bytes) -> str:
    for magic, label in LOOKS_LIKE:
        if head.startswith(magic):
            return label
    stripped = head.lstrip().lower()
    if stripped.startswith((b"<!doctype", b"<html", b"<svg", b"<?xml", b"<script")):
        return "a web page or script"
    if not head:
        return "empty"
    return "something else"


def validate_evidence_file(upload) -> str:
    """Returns the detected content type of an uploaded certificate, or raises
    ValidationError saying what is wrong with it."""
    name = (getattr(upload, "name", "") or "evidence").rsplit("/", 1)[-1]
    ext = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    size = getattr(upload, "size", None)
    limit = settings.EVIDENCE_MAX_BYTES
    if size is not None and size > limit:
        raise ValidationError(
            f"{name} is too big: evidence files must be smaller than {_megabytes(limit)}"
        )
    head = _read_head(upload)
    if not head:
        raise ValidationError(f"{name} is empty")
    detected = _detect(head)
    expected = next((ct for ct, (_label, exts, _magic) in ALLOWED.items() if ext in exts), None)
    if expected is None:
        raise ValidationError(f"{name} is not a PDF, PNG or JPEG file")
    label = ALLOWED[expected][0]
    if detected is None:
        kind = _describe(head)
        if kind in {"something else", "empty"}:
            raise ValidationError(f"{name} is not {label}: it is not a PDF, PNG or JPEG file")
        raise ValidationError(f"{name} is not {label}: its content looks like {kind}")
    if detected != expected:
        raise ValidationError(
            f"{name} is not {label}: its content is {ALLOWED[detected][0]}. "
            f"Rename it to {ALLOWED[detected][1][0]} and upload it again"
        )
    return detected


def _megabytes(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):g} MB"
    return f"{count // 1024} KB"
