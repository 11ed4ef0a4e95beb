"""The README promises the export's columns; this keeps the promise true to the code."""

import re
from pathlib import Path

from referrals.services.export import HEADERS

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_lists_the_export_columns_in_order():
    section = README.read_text(encoding="utf-8").split("### CSV export columns", 1)[1].split("Times are", 1)[0]
    assert re.findall(r"`([A-Za-z]+)`", section)[-len(HEADERS):] == HEADERS
