"""The hostile-input corpus (docs/security.md): values a careless user or an attacker sends.
Every entry point of the register must answer each with a clear message, never a 500, and
write nothing it should not."""

from __future__ import annotations

# Dates that have the right shape but no sane meaning, and strings that are not dates.
EXTREME_DATES = ["9999-12-31", "0001-01-01", "2100-01-01"]
MALFORMED_DATES = [
    "2025-02-30",
    "31/03/2025",
    "+2025-03-31",
    "x",
    " ",
    "2025-03-31\x00",
    "２０２５-０３-３１",
    "9" * 400,
]
EXTREME_MONTHS = ["0000-01", "9999-12", "0001-01"]
MALFORMED_MONTHS = ["2025-13", "2025-00", "2025-1", "March", "2025-03-01", "x" * 300, ""]

# Markup that must reach every page, PDF, CSV, XLSX and email as text, never as markup.
HTML = '<script>alert("x")</script><b>bold</b>'
IMG = '<img src="https://attacker.example/pixel.png" onerror="alert(1)">'
HOSTILE_TEXT = f"Note {HTML} {IMG} ' \" & end"
# Markup fragments that must never appear unescaped in HTML output.
MARKUP = ("<script>", "<img src=", "<b>bold</b>")

# Names with line breaks, tabs and other control characters: refused wherever a name is typed.
CONTROL_NAMES = [
    "Jane\nBcc: everyone@example.com",
    "Jane\r\nSubject: spoofed",
    "Jane\tSmith",
    "Jane\x00",
    "Jane\x1b[2J",
    "Jane\u2028Smith",
    "Jane\x85Smith",
]
