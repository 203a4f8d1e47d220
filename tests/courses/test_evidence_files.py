"""Evidence uploads are PDF, PNG or JPEG, judged by content, and size-limited."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from courses.evidence import validate_evidence_file

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"


def _upload(name, data):
    return SimpleUploadedFile(name, data)


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("certificate.pdf", PDF, "application/pdf"),
        ("scan.PNG", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("photo.jpeg", JPEG, "image/jpeg"),
    ],
)
def test_pdf_png_and_jpeg_are_accepted(name, data, content_type):
    upload = _upload(name, data)
    assert validate_evidence_file(upload) == content_type
    assert upload.read(3) == data[:3]  # left ready to be stored


def test_a_pdf_name_with_executable_content_is_refused():
    with pytest.raises(ValidationError) as raised:
        validate_evidence_file(_upload("evidence.pdf", EXE))
    assert raised.value.messages == [
        "evidence.pdf is not a PDF: its content looks like a Windows executable"
    ]


def test_other_kinds_of_file_are_refused():
    with pytest.raises(ValidationError, match="evidence.exe is not a PDF, PNG or JPEG file"):
        validate_evidence_file(_upload("evidence.exe", EXE))
    with pytest.raises(ValidationError, match="is not a PDF: it is not a PDF, PNG or JPEG"):
        validate_evidence_file(_upload("notes.pdf", b"just some text"))
    with pytest.raises(ValidationError, match="looks like a web page or script"):
        validate_evidence_file(_upload("scan.png", b"<svg onload=alert(1)>"))


def test_the_extension_must_agree_with_the_content():
    with pytest.raises(ValidationError, match="scan.pdf is not a PDF: its content is a PNG"):
        validate_evidence_file(_upload("scan.pdf", PNG))


def test_files_over_the_size_limit_are_refused(settings):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    with pytest.raises(ValidationError, match="too big: evidence files must be smaller than 1 MB"):
        validate_evidence_file(_upload("big.pdf", PDF + b"0" * (1024 * 1024)))


def test_stored_evidence_is_readable_by_the_service_only(cast, settings):
    """Certificates are written 0600 in folders 0700, whatever the process umask."""
    import os
    import stat
    from datetime import date

    from courses.services import submit_completion
    from tests.factories import ActivityFactory

    old_umask = os.umask(0o022)
    try:
        completion = submit_completion(
            person=cast.officer,
            activity=ActivityFactory(code="CERT-A", title="Certificate A"),
            completed_on=date(2025, 2, 10),
            submitted_by=cast.officer_user,
            evidence_file=_upload("certificate.pdf", PDF),
        )
    finally:
        os.umask(old_umask)
    path = completion.evidence_file.path
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    folder = os.path.dirname(path)
    while folder != str(settings.EVIDENCE_ROOT):
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700, folder
        folder = os.path.dirname(folder)
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
