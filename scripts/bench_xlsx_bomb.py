# ruff: noqa: E501 (the XML parts of a workbook are kept whole, as Excel writes them)
"""Benchmark: XLSX shared-strings bombs are refused quickly and in little memory (issue 13,
point 3; docs/benchmarks.md, "Refusing XLSX shared-strings bombs").

Builds, streamed to disk, workbooks whose ``xl/sharedStrings.xml`` inflates far beyond what a
real import needs, then times ``courses.imports.services.open_table`` refusing each in a fresh process
and prints seconds and that process's peak RSS:

- ``issue``: the probe's bomb, a ~14 MB upload holding a ~126 MB sharedStrings.xml;
- ``under-size``: just under the 100 MB byte limit, refused by the count of strings;
- ``within-limits``: 30 MB of strings (about 550,000), under both limits: what openpyxl then
  costs in time and memory.

    .venv/bin/python scripts/bench_xlsx_bomb.py [--keep DIR]

Not a test: tests/hostile/test_imports_bombs.py checks the same refusals at small scale.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
SHEET = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    "</sheetData></worksheet>"
)


def build(path: Path, *, target_bytes: int, text) -> dict:
    """A workbook whose shared strings total about ``target_bytes`` of XML; ``text(n)`` is
    the n-th string. Written in blocks, so building it costs little memory."""
    head = '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", SHEET)
        written = 0
        count = 0
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(head.encode())
            while written < target_bytes:
                block = "".join(f"<si><t>{text(count + i)}</t></si>" for i in range(5000))
                data = block.encode()
                part.write(data)
                written += len(data)
                count += 5000
            part.write(b"</sst>")
    return {"strings": count, "xml_bytes": written, "file_bytes": path.stat().st_size}


MEASURE = """
import json, resource, sys, time
import django
django.setup()
from courses.imports.services import ImportFileError, open_table
started = time.monotonic()
with open(sys.argv[1], "rb") as fileobj:
    try:
        table = open_table(fileobj, "bomb.xlsx")
        rows = sum(1 for _ in table.rows())
        table.close()
        answer = f"accepted (header and {rows} rows read)"
    except ImportFileError as error:
        answer = error.messages[0]
print(json.dumps({"seconds": time.monotonic() - started,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "answer": answer}))
"""


def measure(path: Path) -> dict:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings_test")
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, help="Write the bombs here and keep them.")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="xlsx-bombs-"))
    folder.mkdir(parents=True, exist_ok=True)
    chance = random.Random(13)
    # Some randomness in every string keeps deflate under the 100-to-1 ratio check.
    cases = {
        "issue": {
            "target_bytes": 126 * 1024 * 1024,
            "text": lambda n: f"officer.{n:07d}.{chance.getrandbits(14):05d}@norfolk.police.uk",
        },
        "under-size": {
            "target_bytes": 95 * 1024 * 1024,
            "text": lambda n: f"{chance.getrandbits(10):04d}",
        },
        "within-limits": {
            "target_bytes": 30 * 1024 * 1024,
            "text": lambda n: f"{chance.getrandbits(60):020d} certificate text {n % 977}",
        },
    }
    print(
        f"{'case':<14}{'upload':>10}{'sharedStrings.xml':>20}{'strings':>12}"
        f"{'seconds':>10}{'peak RSS':>11}  answer"
    )
    for name, recipe in cases.items():
        path = folder / f"{name}.xlsx"
        shape = build(path, **recipe)
        result = measure(path)
        print(
            f"{name:<14}{shape['file_bytes'] / 2**20:>8.1f}MB{shape['xml_bytes'] / 2**20:>18.1f}MB"
            f"{shape['strings']:>12,}{result['seconds']:>10.2f}{result['peak_rss_mb']:>9.0f}MB"
            f"  {result['answer'][:90]}"
        )
        if not args.keep:
            path.unlink()
    if not args.keep:
        folder.rmdir()


if __name__ == "__main__":
    main()
