"""Walk 23: the discharge sheet printed the out-of-hours number as "116" at a line's end and "117" on the
next, which a patient may read as two numbers. The clinic's numbers are never broken across lines."""

from __future__ import annotations

from reportlab.platypus import Paragraph

from clinic.documents.markup import inline, placeholder_values
from clinic.documents.styles import styles


def _lines(text: str, width: float) -> list[str]:
    paragraph = Paragraph(text, styles()["body"])
    paragraph.wrap(width, 1000)
    return [" ".join(words) for _, words in paragraph.blPara.lines]


def test_a_phone_number_is_never_split_across_lines():
    values = placeholder_values({"out_of_hours_number": "116 117", "clinic_phone": "+49 40 555 0100"})
    text = inline(
        "Rufen Sie den ärztlichen Bereitschaftsdienst {out_of_hours_number} oder uns unter {clinic_phone} an.", values
    )
    for width in range(110, 400, 5):  # every width the longest number fits in, where a break could fall inside it
        for line in _lines(text, width):
            assert not line.rstrip().endswith("116"), (width, line)
    assert "116 117" not in text and "116\u00a0117" in text  # spaces that do not break
