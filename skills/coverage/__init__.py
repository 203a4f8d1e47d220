"""The coverage engine: for a unit (or any set of people) and an as-of date, every figure of
DESIGN.md "What each figure means", as plain frozen data.

    from skills.coverage import build_unit_report, WhatIf, report_to_dict, person_requirements
"""

from skills.coverage.data import *  # noqa: F403
from skills.coverage.data import PlannedCompletion, UnitReport, WhatIf
from skills.coverage.engine import (
    MAX_HORIZON,
    build_unit_report,
    person_holdings,
    person_requirements,
)
from skills.coverage.serialize import report_to_dict

__all__ = [  # noqa: F405
    "MAX_HORIZON",
    "PlannedCompletion",
    "UnitReport",
    "WhatIf",
    "build_unit_report",
    "person_holdings",
    "person_requirements",
    "report_to_dict",
]
