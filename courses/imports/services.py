"""Imports of people and postings, completions, and cyber-range platform exports (DESIGN.md,
Interfaces; docs/imports.md column by column).

A file is read as a stream (csv over a text wrapper, openpyxl ``read_only``), validated in
chunks with bounded lookups, and written with ``bulk_create`` in one transaction: all rows or
none. ``preview_import`` writes nothing; ``apply_import`` re-validates and refuses on any error.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from courses.models import Activity, ActivityKind, Completion, Source, Status
from courses.services import is_own_record
from people.models import Force, Fund, Grant, Person, PersonType, Posting, Role, Unit
from skills.models import RoleProfile

KINDS = ("people", "completions", "labs")

# Limits on a file's shape; the byte limit is settings.IMPORT_MAX_BYTES.
MAX_COLUMNS = 50
MAX_CELL_CHARS = 1000
MAX_ROWS = getattr(settings, "IMPORT_MAX_ROWS", 250_000)
# XLSX is a zip: refuse before openpyxl inflates it (zip bombs).
MAX_UNCOMPRESSED_BYTES = getattr(settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", 500 * 1024 * 1024)
MAX_COMPRESSION_RATIO = 100
MAX_ZIP_MEMBERS = 500
# Shared strings are read whole by openpyxl before the first row: bound them first, streamed.
MAX_SHARED_STRINGS_BYTES = getattr(settings, "IMPORT_MAX_SHARED_STRINGS_BYTES", 100 * 1024 * 1024)
MAX_SHARED_STRINGS = getattr(settings, "IMPORT_MAX_SHARED_STRINGS", 600_000)
CHUNK_ROWS = 2000
SAMPLE_LIMIT = 200

SNIFF = [
    (b"%PDF-", "a PDF"),
    (b"MZ", "a Windows executable"),
    (b"\x7fELF", "a Linux executable"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) file: save it as .xlsx or CSV"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
]


# --- results -------------------------------------------------------------------------------


class ImportFileError(ValidationError):
    """The whole file is refused (size, type, encoding, shape, missing columns)."""


class ImportHasErrors(ValidationError):
    """``apply_import`` found bad rows; nothing was written. ``preview`` lists them."""

    def __init__(self, preview: ImportPreview):
        self.preview = preview
        super().__init__(
            f"Nothing was imported: {len(preview.errors)} problem"
            f"{'' if len(preview.errors) == 1 else 's'} in {preview.filename}"
        )


@dataclass(frozen=True)
class RowError:
    """A bad cell: ``row`` as numbered in a spreadsheet (header = row 1)."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"Row {self.row}, {self.column}: {self.message}"


@dataclass
class ImportPreview:
    """What a file would do. Counts are of data rows; the lists show up to SAMPLE_LIMIT
    examples each, the errors list is complete."""

    kind: str
    filename: str
    rows: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    to_create: list[str] = field(default_factory=list)
    to_change: list[str] = field(default_factory=list)
    left_alone: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})

    def _note(self, bucket: list[str], text: str) -> None:
        if len(bucket) < SAMPLE_LIMIT:
            bucket.append(text)

    def create(self, row: int, text: str) -> None:
        self.created += 1
        self._note(self.to_create, f"Row {row}: {text}")

    def change(self, row: int, text: str) -> None:
        self.changed += 1
        self._note(self.to_change, f"Row {row}: {text}")

    def leave(self, row: int, text: str) -> None:
        self.unchanged += 1
        self._note(self.left_alone, f"Row {row}: {text}")

    def to_json(self) -> str:
        """The whole preview, errors included, as kept between preview pages."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["errors"] = [[e.row, e.column, e.message] for e in self.errors]
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ImportPreview:
        data = json.loads(text)
        data["errors"] = [RowError(*error) for error in data["errors"]]
        return cls(**data)


@dataclass(frozen=True)
class ImportResult:
    """What an applied import did."""

    kind: str
    filename: str
    rows: int
    created: int
    changed: int
    unchanged: int


def preview_import(kind: str, fileobj, *, filename: str, user, progress=None) -> ImportPreview:
    """Reads and checks the whole file; writes nothing. Raises ImportFileError if the file
    itself is refused. ``progress(rows_read)`` is called as the rows are read."""
    return _run(kind, fileobj, filename=filename, user=user, write=False, progress=progress)


def apply_import(kind: str, fileobj, *, filename: str, user, progress=None) -> ImportResult:
    """Re-validates and writes every row in one transaction, or nothing: raises
    ImportFileError for a refused file, ImportHasErrors if any row is bad."""
    with transaction.atomic():
        preview = _run(kind, fileobj, filename=filename, user=user, write=True, progress=progress)
        if preview.errors:
            raise ImportHasErrors(preview)
    return ImportResult(
        kind=kind,
        filename=filename,
        rows=preview.rows,
        created=preview.created,
        changed=preview.changed,
        unchanged=preview.unchanged,
    )


def _run(kind, fileobj, *, filename, user, write, progress=None) -> ImportPreview:
    if kind not in HANDLERS:
        raise ImportFileError(f"Unknown kind of import {kind!r}: use one of {', '.join(KINDS)}")
    if not _coordinates(user):
        raise ImportFileError("Only a training coordinator can import files")
    table = open_table(fileobj, filename)
    try:
        preview = ImportPreview(kind=kind, filename=filename)
        handler = HANDLERS[kind](user=user, preview=preview, write=write, filename=filename)
        handler.bind(table.header)
        preview.ignored_columns = handler.ignored
        chunk: list[tuple[int, dict]] = []
        for number, values in table.rows():
            preview.rows += 1
            if preview.rows > MAX_ROWS:
                raise ImportFileError(
                    f"{filename} has more than {MAX_ROWS:,} rows: split it into smaller files"
                )
            chunk.append((number, handler.cells(values)))
            if len(chunk) >= CHUNK_ROWS:
                if progress is not None:
                    progress(preview.rows - len(chunk))
                handler.process(chunk)
                chunk = []
        if chunk:
            handler.process(chunk)
        if preview.rows == 0:
            raise ImportFileError(f"{filename} has a header row but no rows to import")
        # Stable: a row's errors keep their column order.
        preview.errors.sort(key=lambda error: error.row)
        return preview
    finally:
        table.close()


def _coordinates(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or bool(Grant.objects.scope_for(user, roles=[Role.COORDINATOR]).roles)


# --- reading files -------------------------------------------------------------------------


class Table:
    """A header row and a stream of (spreadsheet row number, cell values) pairs."""

    def __init__(self, filename: str, header: list[str], rows, closer=None):
        self.filename = filename
        self.header = header
        self._rows = rows
        self._closer = closer

    def rows(self) -> Iterator[tuple[int, list]]:
        return self._rows

    def close(self) -> None:
        if self._closer:
            self._closer()


def _file_size(fileobj) -> int:
    size = getattr(fileobj, "size", None)
    if size is None:
        fileobj.seek(0, io.SEEK_END)
        size = fileobj.tell()
    fileobj.seek(0)
    return size


def _megabytes(count: int) -> str:
    return f"{count / (1024 * 1024):g} MB"


def open_table(fileobj, filename: str) -> Table:
    """Checks size and type (by content) and opens the file as a Table."""
    name = (filename or "file").rsplit("/", 1)[-1]
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    limit = settings.IMPORT_MAX_BYTES
    size = _file_size(fileobj)
    if size > limit:
        raise ImportFileError(
            f"{name} is too big: import files must be {_megabytes(limit)} or less"
        )
    if size == 0:
        raise ImportFileError(f"{name} is empty")
    raw = getattr(fileobj, "file", fileobj)
    raw.seek(0)
    head = raw.read(8)
    raw.seek(0)
    if head.startswith(b"PK\x03\x04"):
        if ext != "xlsx":
            raise ImportFileError(
                f"{name} is not a CSV file: its content looks like an XLSX or zip file"
            )
        return _open_xlsx(raw, name)
    for magic, label in SNIFF:
        if head.startswith(magic):
            raise ImportFileError(f"{name} is not a CSV or XLSX file: it looks like {label}")
    if ext == "xlsx":
        raise ImportFileError(f"{name} is not an XLSX file: save it from Excel as .xlsx")
    if ext not in {"csv", "txt"}:
        raise ImportFileError(f"{name} is not a CSV or XLSX file")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw.read(64 * 1024):
        raw.seek(0)
        raise ImportFileError(
            f"{name} is not UTF-8 text: it looks like UTF-16 (“Unicode text”) or a binary "
            "file. In Excel choose Save as → “CSV UTF-8”, then upload it again"
        )
    raw.seek(0)
    return _open_csv(raw, name)


def _check_row_shape(values: list, number: int, name: str) -> list:
    while values and (values[-1] is None or values[-1] == ""):
        values.pop()
    if len(values) > MAX_COLUMNS:
        raise ImportFileError(
            f"{name}, row {number} has {len(values)} columns: at most {MAX_COLUMNS} are allowed"
        )
    for value in values:
        if isinstance(value, str) and "\x00" in value:
            raise ImportFileError(f"{name}, row {number} holds a NUL character: it is not text")
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            raise ImportFileError(
                f"{name}, row {number} has a cell of {len(value):,} characters: "
                f"cells may hold at most {MAX_CELL_CHARS:,}"
            )
    return values


def _open_csv(raw, name: str) -> Table:
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline="")
    reader = csv.reader(text)
    state = {"number": 1}

    def records() -> Iterator[list]:
        try:
            for record in reader:
                yield record
                state["number"] += 1
        except UnicodeDecodeError as exc:
            row = _row_of_first_bad_byte(raw) or state["number"]
            raise ImportFileError(
                f"{name} is not UTF-8 text (the first problem is on row {row}; Latin-1 or "
                "Windows text, perhaps): in Excel choose Save as → “CSV UTF-8”, then upload "
                "it again"
            ) from exc
        except csv.Error as exc:
            message = str(exc)
            if "field larger than field limit" in message:
                raise ImportFileError(
                    f"{name}, row {state['number']} has a cell over {MAX_CELL_CHARS:,} characters"
                ) from exc
            if "NUL" in message:
                raise ImportFileError(f"{name} is not a CSV text file") from exc
            raise ImportFileError(f"{name}, row {state['number']}: {message}") from exc

    stream = records()
    header = next(stream, None)
    if not header or not any(cell.strip() for cell in header):
        _detach(text)
        raise ImportFileError(f"{name}: row 1 must be the header row naming the columns")
    header = _check_row_shape(list(header), 1, name)

    def rows() -> Iterator[tuple[int, list]]:
        for number, record in enumerate(stream, start=2):
            yield number, _check_row_shape(record, number, name)

    return Table(name, header, rows(), closer=lambda: _detach(text))


def _row_of_first_bad_byte(raw) -> int | None:
    """The spreadsheet row (header = 1) holding the first byte that is not UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    raw.seek(0)
    lines = 0
    while block := raw.read(1024 * 1024):
        try:
            decoder.decode(block)
        except UnicodeDecodeError as exc:
            return lines + block.count(b"\n", 0, max(exc.start, 0)) + 1
        lines += block.count(b"\n")
    return None


def _detach(text: io.TextIOWrapper) -> None:
    # Leave the caller's file open: closing the wrapper would close it too.
    with contextlib.suppress(ValueError):
        text.detach()


def _open_xlsx(raw, name: str) -> Table:
    try:
        archive = zipfile.ZipFile(raw)
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportFileError(f"{name} is not a valid XLSX file") from exc
    if len(members) > MAX_ZIP_MEMBERS:
        raise ImportFileError(f"{name} is not a plain spreadsheet: it holds too many parts")
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise ImportFileError(
            f"{name} would expand to {_megabytes(total)}, over the limit of "
            f"{_megabytes(MAX_UNCOMPRESSED_BYTES)}: it may be a zip bomb"
        )
    for member in members:
        if member.file_size > 1024 * 1024 and (
            member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1)
        ):
            raise ImportFileError(
                f"{name} is compressed suspiciously tightly "
                f"({member.file_size // max(member.compress_size, 1):,} to 1): "
                "it may be a zip bomb, so it was not opened"
            )
    _check_xml_parts(archive, members, name)
    raw.seek(0)
    import openpyxl  # heavy; only XLSX imports need it

    try:
        workbook = openpyxl.load_workbook(raw, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportFileError(f"{name} could not be read as an XLSX spreadsheet") from exc
    sheet = workbook.worksheets[0]
    # The stored dimensions may be forged to pad every row; size rows by their cells instead.
    sheet.reset_dimensions()
    stream = sheet.iter_rows(values_only=True)
    try:
        header = next(stream, None)
    except Exception as exc:
        workbook.close()
        raise ImportFileError(f"{name} could not be read as an XLSX spreadsheet") from exc
    header = [_xlsx_value(v) for v in (header or ())]
    if not any(isinstance(v, str) and v.strip() for v in header):
        workbook.close()
        raise ImportFileError(f"{name}: row 1 must be the header row naming the columns")
    header = _check_row_shape(header, 1, name)

    def rows() -> Iterator[tuple[int, list]]:
        try:
            for number, values in enumerate(stream, start=2):
                yield number, _check_row_shape([_xlsx_value(v) for v in values], number, name)
        except ImportFileError:
            raise
        except Exception as exc:
            raise ImportFileError(f"{name} could not be read as an XLSX spreadsheet") from exc

    return Table(name, header, rows(), closer=workbook.close)


def _check_xml_parts(archive: zipfile.ZipFile, members, name: str) -> None:
    """Refuses entity declarations in any part (XML entity bombs), and shared strings beyond
    the limits (their inflated size, then their number, counted as ``xl/sharedStrings.xml``
    streams past and stopping at the limit): a bomb is refused in well under a second, in
    little memory (docs/benchmarks.md), before openpyxl would read every string into a list."""
    for member in members:
        if member.filename.endswith((".xml", ".rels")):
            with archive.open(member) as part:
                if b"<!DOCTYPE" in part.read(4096).upper():
                    raise ImportFileError(
                        f"{name} is not a plain spreadsheet: it declares XML entities"
                    )
    shared = next((m for m in members if m.filename.lower() == "xl/sharedstrings.xml"), None)
    if shared is None:
        return
    too_many = ImportFileError(
        f"{name} holds more text than an import file can (over {MAX_SHARED_STRINGS:,} "
        f"different cell texts, or {_megabytes(MAX_SHARED_STRINGS_BYTES)} of them): split it "
        "into smaller files, or save it as CSV"
    )
    if shared.file_size > MAX_SHARED_STRINGS_BYTES:
        raise too_many
    # Counting tags in the raw bytes runs at C speed, where an XML parser would spend
    # seconds in Python on a million tiny strings. "si>" ends both <si> and </si> (with any
    # namespace prefix), so a string counts twice. Blocks are cut after a ">", so no tag is
    # split between two of them.
    count = 0
    tail = b""
    try:
        with archive.open(shared) as part:
            while block := part.read(1024 * 1024):
                buffer = tail + block
                cut = buffer.rfind(b">") + 1
                head = buffer[:cut]
                count += head.count(b"si>") + 2 * head.count(b"si/>")
                tail = buffer[cut:]
                if count > 2 * MAX_SHARED_STRINGS:
                    raise too_many
                if len(tail) > 2 * MAX_CELL_CHARS * 1024:
                    raise ImportFileError(
                        f"{name} has a cell far over {MAX_CELL_CHARS:,} characters"
                    )
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ImportFileError(f"{name} could not be read as an XLSX spreadsheet") from exc


def _xlsx_value(value):
    """Cells as text or dates; formulas stay text (never evaluated)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- parsing cells -------------------------------------------------------------------------


def normalise_header(name) -> str:
    """``" Staff Number* "`` → ``"staff_number"``."""
    text = str(name or "").strip().lower()
    text = re.sub(r"[\s\-./]+", "_", text)
    return re.sub(r"[^a-z0-9_]", "", text).strip("_")


class CellError(Exception):
    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column = column
        self.message = message


DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y")


def parse_date(value, column: str, *, required: bool = True) -> date | None:
    """A calendar date: ISO (2025-03-14, or a timestamp), 14/03/2025, 14 March 2025, or an
    Excel date cell."""
    if isinstance(value, date):
        return value
    text = (value or "").strip()
    if not text:
        if required:
            raise CellError(column, "is blank: give a date such as 2025-03-14")
        return None
    iso = re.match(r"^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}", text)
    if iso:
        text = iso.group(1)
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CellError(column, f"“{text}” is not a date: use 2025-03-14 or 14/03/2025")


def _text(value) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return (value or "").strip()


class Handler:
    """Reads one kind of file: maps header names to fields, validates chunks, writes."""

    # field -> aliases (normalised header names)
    columns: dict[str, tuple[str, ...]] = {}
    required: tuple[str, ...] = ()

    def __init__(self, *, user, preview: ImportPreview, write: bool, filename: str):
        self.user = user
        self.preview = preview
        self.write = write
        self.filename = filename
        self.today = timezone.localdate()
        self.reason = f"imported from {filename}"[:100]
        self.index: dict[str, int] = {}
        self.ignored: list[str] = []

    def bind(self, header: list) -> None:
        lookup = {}
        for name, aliases in self.columns.items():
            for alias in (name, *aliases):
                lookup[alias] = name
        for position, raw in enumerate(header):
            key = normalise_header(raw)
            name = lookup.get(key)
            if name is None:
                if key:
                    self.ignored.append(str(raw).strip())
                continue
            if name in self.index:
                raise ImportFileError(
                    f"{self.filename}: the column {name} appears twice in the header row"
                )
            self.index[name] = position
        self.check_header()

    def check_header(self) -> None:
        missing = [name for name in self.required if name not in self.index]
        if missing:
            raise ImportFileError(
                f"{self.filename} has no {', '.join(missing)} column"
                f"{'' if len(missing) == 1 else 's'}. {self.header_hint()}"
            )

    # The header row of a good file of this kind, shown when a file lacks columns.
    example_header = ""

    def header_hint(self) -> str:
        return (
            "Row 1 must name the columns, in any order and any case, for example: "
            f"{self.example_header}"
        )

    def has(self, name: str) -> bool:
        return name in self.index

    def cells(self, values: list) -> dict:
        return {name: values[pos] if pos < len(values) else "" for name, pos in self.index.items()}

    def error(self, row: int, column: str, message: str) -> None:
        self.preview.errors.append(RowError(row, column, message))

    def writing(self) -> bool:
        """Writes stop at the first error; the transaction is rolled back anyway."""
        return self.write and not self.preview.errors

    def process(self, chunk: list[tuple[int, dict]]) -> None:
        raise NotImplementedError


def _coordinator_scope(user):
    """(force ids, unit ids, units reached through unit grants) the user coordinates; None
    for everything."""
    if user.is_superuser:
        return None
    scope = Grant.objects.scope_for(user, roles=[Role.COORDINATOR])
    if scope.everything:
        return None
    force_ids = set(scope.force_ids)
    if scope.region_ids:
        force_ids |= set(
            Force.objects.filter(region_id__in=scope.region_ids).values_list("pk", flat=True)
        )
    granted_units = Unit.objects.descendant_ids(scope.unit_ids) if scope.unit_ids else set()
    unit_ids = set(granted_units)
    q = Q(pk__in=[])
    if force_ids:
        q |= Q(forces__in=force_ids)
    if scope.region_ids:
        q |= Q(region_id__in=scope.region_ids)
    unit_ids |= set(Unit.objects.filter(q).values_list("pk", flat=True))
    return force_ids, unit_ids, granted_units


def forces_by_name() -> dict[str, Force]:
    forces = {}
    for force in Force.objects.all():
        forces[force.code.lower()] = force
        forces[force.name.lower()] = force
    return forces


# --- completions and labs ------------------------------------------------------------------


# Said of a row about the importer themselves (four eyes).
OWN_PENDING = " (your own record: left pending for another coordinator to verify)"


class CompletionHandler(Handler):
    """Rows of completions: person by email or force + staff number; activity by code, or
    provider + title."""

    columns = {
        "email": ("email_address", "e_mail", "e_mail_address", "person_email", "user_email"),
        "force": ("force_code", "force_name"),
        "staff_number": ("staff_no", "collar_number", "collar_no", "warrant_number"),
        "activity_code": ("activity", "code", "course_code", "activity_id"),
        "provider": ("activity_provider", "course_provider"),
        "title": ("activity_title", "course", "course_title"),
        "completed_on": ("date", "completion_date", "date_completed", "completed"),
        "expires_on": ("expiry", "expiry_date", "expires", "valid_until"),
        "certificate_number": ("certificate", "certificate_no", "cert_number", "cert_no"),
    }
    source = Source.IMPORTED
    example_header = (
        "email, activity_code, completed_on, expires_on, certificate_number (force and "
        "staff_number may stand for email, provider and title for activity_code; the last two "
        "may be left out)"
    )

    def check_header(self) -> None:
        problems = []
        if not (self.has("email") or (self.has("force") and self.has("staff_number"))):
            problems.append("an email column, or force and staff_number columns")
        if not (self.has("activity_code") or (self.has("provider") and self.has("title"))):
            problems.append("an activity_code column, or provider and title columns")
        if not self.has("completed_on"):
            problems.append("a completed_on column")
        if problems:
            raise ImportFileError(
                f"{self.filename} needs {'; and '.join(problems)}. {self.header_hint()}"
            )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.forces = forces_by_name()
        self._load_people()
        self._load_activities()
        # Four eyes (docs/four-eyes.md): the importer's own record is written pending, for a
        # second coordinator to verify, by the rule the services use.
        self.own_people = {
            p.pk
            for p in Person.objects.filter(user_id=getattr(self.user, "pk", None))
            if is_own_record(p, self.user)
        }
        # (person, activity, date) -> first row, to treat repeats in one file as one record.
        self.seen: dict[tuple[int, int, date], int] = {}

    def _load_people(self) -> None:
        """The people this user coordinates, once, as small tuples."""
        self.by_email: dict[str, tuple[int, str]] = {}
        self.by_number: dict[tuple[int, str], tuple[int, str]] = {}
        rows = Person.objects.coordinated_by(self.user).values_list(
            "pk", "force_id", "staff_number", "email", "first_name", "last_name"
        )
        for pk, force_id, number, email, first, last in rows.iterator(chunk_size=5000):
            entry = (pk, f"{first} {last}")
            if email:
                self.by_email[email.lower()] = entry
            self.by_number[(force_id, number.strip().lower())] = entry

    def _load_activities(self) -> None:
        self.by_code: dict[str, Activity] = {}
        self.by_title: dict[tuple[str, str], Activity] = {}
        self.labs_by_title: dict[str, list[Activity]] = {}
        for act in Activity.objects.only("pk", "code", "kind", "provider", "title"):
            self.by_code[act.code.lower()] = act
            self.by_title[(act.provider.strip().lower(), act.title.strip().lower())] = act
            if act.kind == ActivityKind.LAB:
                self.labs_by_title.setdefault(act.title.strip().lower(), []).append(act)

    # -- per row

    def person_for(self, row: int, cells: dict, misses: list):
        email = _text(cells.get("email", "")).lower()
        if email:
            found = self.by_email.get(email)
            if found:
                return found
            misses.append((row, "email", email))
            return None
        force_text = _text(cells.get("force", ""))
        number = _text(cells.get("staff_number", ""))
        if not force_text and not number:
            column = "email" if self.has("email") else "staff_number"
            raise CellError(
                column, "is blank: say who completed it (email, or force and staff number)"
            )
        if not force_text:
            raise CellError("force", "is blank: give the force with the staff number")
        if not number:
            raise CellError("staff_number", "is blank")
        force = self.forces.get(force_text.lower())
        if force is None:
            raise CellError("force", f"no force called “{force_text}”")
        found = self.by_number.get((force.pk, number.lower()))
        if found:
            return found
        misses.append((row, "staff_number", (force_text, number)))
        return None

    def activity_for(self, cells: dict) -> Activity:
        code = _text(cells.get("activity_code", ""))
        if code:
            act = self.by_code.get(code.lower())
            if act is None:
                raise CellError("activity_code", f"no activity with code “{code}”")
        else:
            provider = _text(cells.get("provider", ""))
            title = _text(cells.get("title", ""))
            if not (provider and title):
                column = "activity_code" if self.has("activity_code") else "title"
                raise CellError(column, "is blank: give the activity code, or provider and title")
            act = self.by_title.get((provider.lower(), title.lower()))
            if act is None:
                raise CellError("title", f"no activity “{title}” from {provider}")
        if act.kind == ActivityKind.COLLECTION:
            raise CellError(
                "activity_code" if code else "title",
                f"{act.title} is a lab collection: import the labs it groups instead",
            )
        return act

    def details(self, cells: dict, completed_on: date) -> dict:
        expires_on = parse_date(cells.get("expires_on", ""), "expires_on", required=False)
        if expires_on is not None and expires_on <= completed_on:
            raise CellError("expires_on", "must be after the date it was completed")
        certificate = _text(cells.get("certificate_number", ""))
        if len(certificate) > 80:
            raise CellError("certificate_number", "is longer than 80 characters")
        if _not_a_name(certificate).startswith("contains"):
            raise CellError(
                "certificate_number", "contains a line break, tab or other control character"
            )
        return {"expires_on": expires_on, "certificate_number": certificate}

    def completed_on_for(self, cells: dict) -> date:
        completed_on = parse_date(cells.get("completed_on", ""), "completed_on")
        if completed_on > self.today:
            raise CellError("completed_on", f"{completed_on:%d/%m/%Y} is in the future")
        if completed_on.year < 1950:
            raise CellError("completed_on", f"{completed_on:%d/%m/%Y} is too long ago")
        return completed_on

    def parse_row(self, row: int, cells: dict, misses: list):
        """Returns (person entry or None if looked up later, activity, date, details)."""
        errors = []
        person = activity = completed_on = details = None
        try:
            person = self.person_for(row, cells, misses)
        except CellError as exc:
            errors.append(exc)
        try:
            activity = self.activity_for(cells)
        except CellError as exc:
            errors.append(exc)
        try:
            completed_on = self.completed_on_for(cells)
            details = self.details(cells, completed_on)
        except CellError as exc:
            errors.append(exc)
        return person, activity, completed_on, details, errors

    def process(self, chunk: list[tuple[int, dict]]) -> None:
        misses: list = []
        parsed = []
        for row, cells in chunk:
            if not any(_text(v) for v in cells.values()):
                self.preview.rows -= 1  # blank rows are not rows to import
                continue
            person, activity, completed_on, details, errors = self.parse_row(row, cells, misses)
            for exc in errors:
                self.error(row, exc.column, exc.message)
            parsed.append((row, person, activity, completed_on, details, bool(errors)))
        missed_rows = self._explain_misses(misses)
        good = [p for p in parsed if not p[5] and p[0] not in missed_rows]
        existing = self._existing(good)
        new, changed = [], []
        now = timezone.now()
        for row, (person_id, name), activity, completed_on, details in (
            (p[0], p[1], p[2], p[3], p[4]) for p in good
        ):
            key = (person_id, activity.pk, completed_on)
            what = f"{name}, {activity.title} on {completed_on:%d %B %Y}"
            if key in self.seen:
                self.preview.leave(row, f"{what} (repeats row {self.seen[key]})")
                continue
            self.seen[key] = row
            current = existing.get(key)
            own = person_id in self.own_people
            if current is None:
                self.preview.create(row, f"{what}{OWN_PENDING if own else ''}")
                new.append(
                    Completion(
                        person_id=person_id,
                        activity_id=activity.pk,
                        completed_on=completed_on,
                        source=self.source,
                        status=Status.PENDING if own else Status.VERIFIED,
                        recorded_by=self.user,
                        verified_by=None if own else self.user,
                        verified_at=None if own else now,
                        **details,
                    )
                )
                continue
            updates = self._updates(current, details)
            if current.status == Status.REJECTED:
                self.preview.leave(row, f"{what} (rejected earlier; left as it is)")
            elif current.status == Status.PENDING and own:
                if updates:
                    self._change(current, updates, changed)
                    self.preview.change(row, f"{what}{OWN_PENDING}")
                else:
                    self.preview.leave(row, f"{what}{OWN_PENDING}")
            elif current.status == Status.PENDING:
                updates["status"] = Status.VERIFIED
                updates["verified_by"] = self.user
                updates["verified_at"] = now
                self._change(current, updates, changed)
                self.preview.change(row, f"{what}: pending record verified")
            elif updates:
                self._change(current, updates, changed)
                self.preview.change(
                    row, f"{what}: {', '.join(k.replace('_', ' ') for k in updates)} updated"
                )
            else:
                self.preview.leave(row, f"{what} (already recorded)")
        if self.writing():
            self._save(new, changed)

    def _updates(self, current: Completion, details: dict) -> dict:
        # Blank cells mean "not given", never "clear what is recorded".
        return {
            name: value
            for name, value in details.items()
            if value not in (None, "") and getattr(current, name) != value
        }

    @staticmethod
    def _change(current: Completion, updates: dict, changed: list) -> None:
        for name, value in updates.items():
            setattr(current, name, value)
        changed.append(current)

    def _save(self, new: list, changed: list) -> None:
        if new:
            bulk_create_with_history(
                new,
                Completion,
                batch_size=500,
                default_user=self.user,
                default_change_reason=self.reason,
            )
        if changed:
            fields = sorted({"status", "verified_by", "verified_at", *self.update_fields})
            bulk_update_with_history(
                changed,
                Completion,
                fields,
                batch_size=500,
                default_user=self.user,
                default_change_reason=self.reason,
            )

    update_fields = ("expires_on", "certificate_number")

    def _existing(self, good: list) -> dict:
        """Live records for this chunk's rows, in one query."""
        if not good:
            return {}
        person_ids = {p[1][0] for p in good}
        activity_ids = {p[2].pk for p in good}
        dates = {p[3] for p in good}
        found = Completion.objects.filter(
            person_id__in=person_ids, activity_id__in=activity_ids, completed_on__in=dates
        ).exclude(status=Status.WITHDRAWN)
        return {(c.person_id, c.activity_id, c.completed_on): c for c in found}

    def _explain_misses(self, misses: list) -> set[int]:
        """Errors for people not found among those the user coordinates. Someone outside
        the user's scope reads exactly like someone who is not on the register at all: the
        message echoes only what the file says, and no query looks further (issue 13)."""
        rows = set()
        for row, column, value in misses:
            rows.add(row)
            if column == "email":
                self.error(row, column, f"no one you coordinate has the email “{value}”")
            else:
                force_text, number = value
                self.error(
                    row,
                    column,
                    f"no one you coordinate has staff number “{number}” in “{force_text}”",
                )
        return rows


class LabHandler(CompletionHandler):
    """A cyber-range platform export: one row per lab completed."""

    columns = {
        "email": (
            "email_address",
            "e_mail",
            "e_mail_address",
            "user_email",
            "user",
            "username",
            "learner_email",
        ),
        "lab": ("lab_id", "lab_code", "activity_code", "activity", "id", "code"),
        "lab_name": ("lab_title", "name", "title"),
        "completed_on": ("completion_date", "completed_at", "date_completed", "completed", "date"),
        "points": ("score", "points_earned"),
    }
    required = ("email", "completed_on")
    source = Source.PLATFORM
    update_fields = ("points",)
    example_header = "email, lab, completed_on, points (points may be left out)"

    def check_header(self) -> None:
        Handler.check_header(self)
        if not (self.has("lab") or self.has("lab_name")):
            raise ImportFileError(
                f"{self.filename} has no lab column: give the lab's id (lab) or its name "
                f"(lab_name). {self.header_hint()}"
            )

    def activity_for(self, cells: dict) -> Activity:
        code = _text(cells.get("lab", ""))
        name = _text(cells.get("lab_name", ""))
        column = "lab" if code else "lab_name"
        if code:
            act = self.by_code.get(code.lower())
            if act is None:
                raise CellError("lab", f"no lab with id “{code}”")
        elif name:
            # A platform's "lab name" column sometimes carries the id; accept either.
            act = self.by_code.get(name.lower())
            if act is None:
                labs = self.labs_by_title.get(name.lower(), [])
                if len(labs) > 1:
                    raise CellError(column, f"“{name}” matches {len(labs)} labs: give its id")
                if not labs:
                    raise CellError(column, f"no lab called “{name}”")
                act = labs[0]
        else:
            raise CellError(
                "lab" if self.has("lab") else "lab_name", "is blank: give the lab's id or name"
            )
        if act.kind != ActivityKind.LAB:
            raise CellError(
                column,
                f"{act.code} is a {act.get_kind_display().lower()}, not a lab: use a "
                "completions import for it",
            )
        return act

    def details(self, cells: dict, completed_on: date) -> dict:
        text = _text(cells.get("points", ""))
        if not text:
            return {"points": None}
        try:
            points = int(text.replace(",", ""))
        except ValueError:
            points = -1
        if points < 0 or points > 10_000_000:
            raise CellError("points", f"“{text}” is not a whole number of points")
        return {"points": points}


# --- people and postings -------------------------------------------------------------------

PERSON_TYPES = {}
for _value, _label in PersonType.choices:
    PERSON_TYPES[_value] = _value
    PERSON_TYPES[_label.lower()] = _value
PERSON_TYPES.update(
    {
        "police staff": "staff",
        "special": "special",
        "pc": "officer",
        "special constable": "special",
        "police volunteer": "volunteer",
    }
)

PERSON_FIELDS = ("first_name", "last_name", "email", "person_type", "rank")

# A name reaches pages, PDFs, spreadsheets and email headers: no line breaks or other
# control characters, and nothing a spreadsheet would run as a formula.
NAME_FORMULA_STARTS = ("=", "+", "@", "\uff1d", "\uff0b", "\uff20")
# Direction overrides can make a name display as another; joiners (used in Persian names) stay.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _not_a_name(text: str) -> str:
    """Why ``text`` cannot be a name or rank, or "" if it can."""
    if any(
        unicodedata.category(char) in {"Cc", "Zl", "Zp"} or char in BIDI_CONTROLS for char in text
    ):
        return "contains a line break, tab or other control character: type the name alone"
    if text.startswith(NAME_FORMULA_STARTS):
        return f"“{text[:40]}” looks like a spreadsheet formula, not a name"
    return ""


class PeopleHandler(Handler):
    """People (matched by force + staff number) and their postings (matched by person, unit
    and start date)."""

    columns = {
        "force": ("force_code", "force_name"),
        "staff_number": ("staff_no", "collar_number", "collar_no", "warrant_number"),
        "first_name": ("forename", "given_name", "first_names"),
        "last_name": ("surname", "family_name"),
        "email": ("email_address", "e_mail", "e_mail_address"),
        "person_type": ("type", "person_kind"),
        "rank": (),
        "unit": ("unit_code",),
        "role_profile": ("role", "role_code", "role_profile_code"),
        "start": ("start_date", "posted_on", "posting_start"),
        "end": ("end_date", "posting_end", "last_day"),
        "funding": ("fund", "fund_code", "funding_source"),
    }
    example_header = (
        "force, staff_number, first_name, last_name, email, person_type, rank, unit, "
        "role_profile, start, end, funding (email, rank, end and funding may be left out)"
    )
    required = (
        "force",
        "staff_number",
        "first_name",
        "last_name",
        "person_type",
        "unit",
        "role_profile",
        "start",
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.forces = forces_by_name()
        self.units = {u.code.lower(): u for u in Unit.objects.all()}
        self.roles = {}
        for role in RoleProfile.objects.all():
            self.roles[role.code.lower()] = role
            self.roles[role.name.lower()] = role
        self.funds = {}
        for fund in Fund.objects.all():
            self.funds[fund.code.lower()] = fund
            self.funds[fund.name.lower()] = fund
        self.scope = _coordinator_scope(self.user)
        self.unit_forces = self._member_forces()
        # (force id, staff number) -> (first row, details, Person or None when new)
        self.people: dict[tuple[int, str], tuple[int, dict, Person]] = {}
        self.emails: dict[str, tuple[int, str]] = {}
        self.postings: set[tuple] = set()

    def parse(self, cells: dict) -> tuple[dict, list[CellError]]:
        errors, data = [], {}

        def need(name):
            text = _text(cells.get(name, ""))
            if not text:
                errors.append(CellError(name, "is blank"))
            return text

        force_text = need("force")
        data["force_text"] = force_text
        if force_text:
            data["force"] = self.forces.get(force_text.lower())
            if data["force"] is None:
                errors.append(CellError("force", self.force_refused(force_text)))
        data["staff_number"] = need("staff_number")
        if len(data["staff_number"]) > 20:
            errors.append(CellError("staff_number", "is longer than 20 characters"))
        data["first_name"] = need("first_name")[:80]
        data["last_name"] = need("last_name")[:80]
        for name in ("first_name", "last_name", "rank"):
            problem = _not_a_name(_text(cells.get(name, "")))
            if problem:
                errors.append(CellError(name, problem))
        email = _text(cells.get("email", "")).lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors.append(CellError("email", f"“{email}” is not an email address"))
        data["email"] = email
        type_text = need("person_type")
        if type_text:
            data["person_type"] = PERSON_TYPES.get(type_text.lower())
            if data["person_type"] is None:
                errors.append(
                    CellError(
                        "person_type",
                        f"“{type_text}” is not a person type: use officer, staff, special or "
                        "volunteer",
                    )
                )
        data["rank"] = _text(cells.get("rank", ""))[:40]
        unit_text = need("unit")
        data["unit_text"] = unit_text
        if unit_text:
            data["unit"] = self.units.get(unit_text.lower())
            if data["unit"] is None:
                errors.append(CellError("unit", self.unit_refused(unit_text)))
        role_text = need("role_profile")
        if role_text:
            data["role_profile"] = self.roles.get(role_text.lower())
            if data["role_profile"] is None:
                errors.append(CellError("role_profile", f"no role profile “{role_text}”"))
        for name, required in (("start", True), ("end", False)):
            try:
                data[name] = parse_date(cells.get(name, ""), name, required=required)
            except CellError as exc:
                errors.append(exc)
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            errors.append(CellError("end", "is before the start date"))
        fund_text = _text(cells.get("funding", ""))
        data["fund"] = None
        if fund_text and fund_text.lower() not in {"core", "core budget", "none"}:
            data["fund"] = self.funds.get(fund_text.lower())
            if data["fund"] is None:
                errors.append(
                    CellError(
                        "funding",
                        f"no fund with code “{fund_text}”: leave it "
                        "blank or write core for the core budget",
                    )
                )
        return data, errors

    # A unit or force outside the user's scope reads exactly like one that does not exist.
    @staticmethod
    def unit_refused(text: str) -> str:
        return f"no unit you coordinate has the code “{text}”"

    @staticmethod
    def force_refused(text: str) -> str:
        return f"“{text}” is not a force you coordinate"

    def in_scope_unit(self, unit: Unit) -> bool:
        return self.scope is None or unit.pk in self.scope[1]

    def may_add(self, force: Force, unit: Unit) -> bool:
        """A new person may join if the user coordinates their force, or coordinates the unit
        they are posted to and their force is a member of that unit (never any force)."""
        if self.scope is None or force.pk in self.scope[0]:
            return True
        return unit.pk in self.scope[2] and force.pk in self.unit_forces

    def _member_forces(self) -> set[int]:
        """Member forces of the units granted to the user (and the units inside them)."""
        if self.scope is None or not self.scope[2]:
            return set()
        return set(
            Unit.forces.through.objects.filter(unit_id__in=self.scope[2]).values_list(
                "force_id", flat=True
            )
        )

    def process(self, chunk: list[tuple[int, dict]]) -> None:
        parsed = []
        for row, cells in chunk:
            if not any(_text(v) for v in cells.values()):
                self.preview.rows -= 1
                continue
            data, errors = self.parse(cells)
            for exc in errors:
                self.error(row, exc.column, exc.message)
            if not errors:
                parsed.append((row, data))
        if not parsed:
            return
        existing = self._existing_people(parsed)
        coordinated = set(
            Person.objects.coordinated_by(self.user)
            .filter(pk__in=[p.pk for p in existing.values()])
            .values_list("pk", flat=True)
        )
        emails = self._emails_in_use(parsed)
        postings = self._existing_postings(existing.values())
        new_people, changed_people, new_postings, changed_postings = [], [], [], []
        for row, data in parsed:
            key = (data["force"].pk, data["staff_number"].lower())
            details = {name: data[name] for name in PERSON_FIELDS}
            label = (
                f"{data['first_name']} {data['last_name']} ({data['staff_number']}, "
                f"{data['force'].name})"
            )
            if not self.in_scope_unit(data["unit"]):
                self.error(row, "unit", self.unit_refused(data["unit_text"]))
                continue
            person = existing.get(key)
            if person is not None and person.pk not in coordinated:
                # Someone the user does not coordinate is never named. Where they could not
                # add such a person anyway, the row reads like any other outside their scope.
                if not self.may_add(data["force"], data["unit"]):
                    self.error(row, "force", self.force_refused(data["force_text"]))
                else:
                    self.error(
                        row,
                        "staff_number",
                        f"staff number “{data['staff_number']}” in “{data['force_text']}” is "
                        "already on the register: their own coordinator posts them to a unit",
                    )
                continue
            if (
                person is None
                and key not in self.people
                and not self.may_add(data["force"], data["unit"])
            ):
                self.error(row, "force", self.force_refused(data["force_text"]))
                continue
            email_owner = emails.get(details["email"]) if details["email"] else None
            if email_owner and (person is None or email_owner != person.pk):
                # The same words whoever holds it: the owner is never named.
                self.error(
                    row,
                    "email",
                    f"“{details['email']}” is already another person's email on the register: "
                    "leave it blank or give this person's own address",
                )
                continue
            seen_email = self.emails.get(details["email"]) if details["email"] else None
            if seen_email and seen_email[1] != key:
                self.error(
                    row,
                    "email",
                    f"{details['email']} is also given on row {seen_email[0]} for someone else",
                )
                continue
            notes = []
            if key in self.people:
                first_row, first_details, person_obj = self.people[key]
                if first_details != details:
                    self.error(
                        row,
                        "staff_number",
                        f"details differ from row {first_row} for "
                        "the same person: give them the same way on every row",
                    )
                    continue
            else:
                person_obj = person
                if person_obj is None:
                    person_obj = Person(
                        force=data["force"], staff_number=data["staff_number"], **details
                    )
                    new_people.append(person_obj)
                    notes.append("new person")
                else:
                    updates = {
                        name: value
                        for name, value in details.items()
                        if value and getattr(person_obj, name) != value
                    }
                    if updates:
                        for name, value in updates.items():
                            setattr(person_obj, name, value)
                        changed_people.append(person_obj)
                        notes.append(", ".join(n.replace("_", " ") for n in updates) + " updated")
                self.people[key] = (row, details, person_obj)
                if details["email"]:
                    self.emails[details["email"]] = (row, key)
            posting_key = (key, data["unit"].pk, data["start"])
            posting_what = f"{data['unit'].code} from {data['start']:%d %B %Y}"
            if posting_key in self.postings:
                self.preview.leave(
                    row, f"{label}: posting to {posting_what} (repeats an earlier row)"
                )
                continue
            self.postings.add(posting_key)
            wanted = {
                "role_profile_id": data["role_profile"].pk,
                "end": data["end"],
                "fund_id": data["fund"].pk if data["fund"] else None,
            }
            current = postings.get((person.pk, data["unit"].pk, data["start"])) if person else None
            if current is None:
                new_postings.append(
                    Posting(person=person_obj, unit=data["unit"], start=data["start"], **wanted)
                )
                notes.append(f"posting to {posting_what}")
            else:
                updates = {k: v for k, v in wanted.items() if getattr(current, k) != v}
                if updates:
                    for name, value in updates.items():
                        setattr(current, name, value)
                    changed_postings.append(current)
                    notes.append(f"posting to {posting_what} updated")
            if "new person" in notes or (current is None):
                self.preview.create(row, f"{label}: {'; '.join(notes)}")
            elif notes:
                self.preview.change(row, f"{label}: {'; '.join(notes)}")
            else:
                self.preview.leave(row, f"{label}: already as in the file")
        if self.writing():
            if new_people:
                bulk_create_with_history(
                    new_people, Person, default_user=self.user, default_change_reason=self.reason
                )
            if changed_people:
                bulk_update_with_history(
                    changed_people,
                    Person,
                    list(PERSON_FIELDS),
                    default_user=self.user,
                    default_change_reason=self.reason,
                )
            if new_postings:
                for posting in new_postings:
                    posting.person_id = posting.person.pk
                bulk_create_with_history(
                    new_postings, Posting, default_user=self.user, default_change_reason=self.reason
                )
            if changed_postings:
                bulk_update_with_history(
                    changed_postings,
                    Posting,
                    ["role_profile", "end", "fund"],
                    default_user=self.user,
                    default_change_reason=self.reason,
                )

    def _existing_people(self, parsed) -> dict:
        force_ids = {d["force"].pk for _r, d in parsed}
        numbers = {d["staff_number"] for _r, d in parsed}
        found = Person.objects.filter(force_id__in=force_ids, staff_number__in=numbers)
        return {(p.force_id, p.staff_number.lower()): p for p in found}

    def _emails_in_use(self, parsed) -> dict[str, int]:
        emails = {d["email"] for _r, d in parsed if d["email"]}
        if not emails:
            return {}
        return dict(
            Person.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=emails)
            .values_list("email_lower", "pk")
        )

    @staticmethod
    def _existing_postings(people) -> dict:
        ids = [p.pk for p in people]
        if not ids:
            return {}
        return {
            (p.person_id, p.unit_id, p.start): p for p in Posting.objects.filter(person_id__in=ids)
        }


HANDLERS: dict[str, type[Handler]] = {
    "people": PeopleHandler,
    "completions": CompletionHandler,
    "labs": LabHandler,
}
