"""Files that are too big, of the wrong type, badly encoded, oddly shaped or zip bombs are
refused with a clear message; formula-looking cells are kept as text."""

import io
import zipfile

import pytest

from courses.exports import neutralise
from courses.imports.services import MAX_CELL_CHARS, ImportFileError, apply_import, preview_import
from courses.models import Completion
from tests.courses.importing import catalogue, csv_file, xlsx_file


@pytest.fixture
def acts(db):
    return catalogue()


def _preview(cast, fileobj, filename="file.csv", kind="completions"):
    return preview_import(kind, fileobj, filename=filename, user=cast.coordinator)


def test_a_file_over_the_size_limit_is_refused(cast, acts, settings):
    settings.IMPORT_MAX_BYTES = 100
    with pytest.raises(ImportFileError, match="too big: import files must be"):
        _preview(cast, csv_file("email,activity_code,completed_on\n" + "x" * 200))


def test_invalid_utf8_is_refused_with_a_message(cast, acts):
    data = "email,activity_code,completed_on\nofficer@norfolk.police.uk,ROCU-NET-INV,2025-01-20\n"
    fileobj = io.BytesIO(data.encode() + b"caf\xe9@norfolk.police.uk,ROCU-NET-INV,2025-01-20\n")
    expected = r"is not UTF-8 text \(the first problem is on row 3.*Save as → “CSV UTF-8”"
    with pytest.raises(ImportFileError, match=expected):
        _preview(cast, fileobj)


def test_a_file_is_judged_by_its_content_not_its_name(cast, acts):
    with pytest.raises(ImportFileError, match="not a CSV or XLSX file: it looks like a Windows"):
        _preview(cast, io.BytesIO(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64))
    with pytest.raises(ImportFileError, match="is not an XLSX file"):
        _preview(cast, csv_file("email,lab,completed_on\n"), filename="people.xlsx")
    xlsx = xlsx_file([["email", "activity_code", "completed_on"]])
    with pytest.raises(ImportFileError, match="not a CSV file: its content looks like an XLSX"):
        _preview(cast, xlsx, filename="people.csv")


def test_too_many_columns_and_overlong_cells_are_refused(cast, acts):
    wide = ",".join(f"c{n}" for n in range(60))
    with pytest.raises(ImportFileError, match="row 1 has 60 columns: at most 50"):
        _preview(cast, csv_file(wide + "\n"))
    long_cell = (
        "email,activity_code,completed_on\n" + "a" * (MAX_CELL_CHARS + 1) + ",X,2025-01-01\n"
    )
    with pytest.raises(ImportFileError, match="row 2 has a cell of 1,001 characters"):
        _preview(cast, csv_file(long_cell))
    huge_field = 'email,activity_code,completed_on\n"' + "a" * 200_000 + '",X,2025-01-01\n'
    with pytest.raises(ImportFileError, match="row 2 has a cell over 1,000 characters"):
        _preview(cast, csv_file(huge_field))


def test_a_zip_bomb_xlsx_is_refused_before_it_is_opened(cast, acts):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (50 * 1024 * 1024))
    out.seek(0)
    assert len(out.getvalue()) < 200_000
    with pytest.raises(ImportFileError, match="may be a zip bomb"):
        _preview(cast, out, filename="bomb.xlsx")


def test_a_broken_xlsx_is_refused(cast, acts):
    with pytest.raises(ImportFileError, match="not a valid XLSX file"):
        _preview(cast, io.BytesIO(b"PK\x03\x04garbage"), filename="broken.xlsx")


@pytest.mark.parametrize("formula", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"])
def test_formula_looking_cells_are_stored_as_text_and_neutralised_on_export(cast, acts, formula):
    quoted = '"' + formula.replace('"', '""') + '"'
    text = (
        "email,activity_code,completed_on,certificate_number\n"
        f"officer@norfolk.police.uk,GIAC-GCFE,2025-02-11,{quoted}\n"
    )
    apply_import("completions", csv_file(text), filename="c.csv", user=cast.coordinator)
    stored = Completion.objects.get().certificate_number
    assert stored == formula
    assert neutralise(stored) == "'" + formula


def test_xlsx_formulas_are_kept_as_their_text_never_evaluated(cast, acts):
    rows = [
        ["email", "activity_code", "completed_on", "certificate_number"],
        ["officer@norfolk.police.uk", "GIAC-GCFE", "2025-02-11", "=1+1"],
    ]
    apply_import("completions", xlsx_file(rows), filename="c.xlsx", user=cast.coordinator)
    assert Completion.objects.get().certificate_number == "=1+1"
