"""Issue 15, finding 3: a DICOM file without its image or without the identifying elements (the first
few hundred bytes of a real file) is refused with a clear message, on screens and API, also inside the
ZIP of a CD; nothing is stored."""

from __future__ import annotations

import io

import pydicom
import pytest

from clinic.core.errors import InvalidInput
from clinic.services import uploads
from tests.api.test_errors import multipart
from tests.conftest import Browser
from tests.factories import build_clinic, make_ready_referral

from .test_uploads import LIMITS, dicom_bytes, patient, store, stored_state, study, user, zip_bytes  # noqa: F401


def _without(data: bytes, *keywords: str) -> bytes:
    ds = pydicom.dcmread(io.BytesIO(data))
    for keyword in keywords:
        delattr(ds, keyword)
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def _header_only() -> bytes:
    """What the first few hundred bytes of a real file hold: the header, cut at an element, no pixels."""
    return _without(dicom_bytes(), "PixelData")


CASES = {
    "no pixels": (_header_only, "no image (pixel data)"),
    "no patient": (lambda: _without(dicom_bytes(), "PatientName", "PatientID"), "no patient name or ID"),
    "cut at 400 bytes": (lambda: dicom_bytes()[:400], "DICOM file"),
}


@pytest.mark.parametrize("case", CASES)
def test_an_incomplete_dicom_is_refused_and_nothing_stored(session, user, store, study, case):  # noqa: F811
    make, message = CASES[case]
    before = stored_state(session, store)
    with pytest.raises(InvalidInput) as refused:
        uploads.add_files(session, user, store, LIMITS, study=study, files=[("slice.dcm", make())])
    assert message in refused.value.message and "slice.dcm" in refused.value.message
    with pytest.raises(InvalidInput) as in_zip:
        cd = zip_bytes({"DICOM/IM1": dicom_bytes(), "DICOM/IM2": make()})
        uploads.add_files(session, user, store, LIMITS, study=study, files=[("cd.zip", cd)])
    assert "IM2" in in_zip.value.message
    assert stored_state(session, store) == before


def test_screens_and_api_refuse_a_header_without_pixels(session, app):
    clinic = build_clinic(session, radiologists=1)
    referral = make_ready_referral(session, clinic)
    from clinic.services import accounts

    token = accounts.issue_token(session, clinic.staff["frontdesk"], "test")
    session.commit()
    api = app.test_client().post(
        f"/api/v1/referrals/{referral.id}/imaging",
        headers={"Authorization": f"Bearer {token}"},
        **multipart({"files": (_header_only(), "slice.dcm")}),
    )
    assert api.status_code in (400, 422) and "incomplete DICOM" in api.get_json()["error"]["message"]
    browser = Browser(app.test_client())
    browser.login("frontdesk")
    page = f"/desk/referrals/{referral.id}"
    screen = browser.post(
        f"/desk/referrals/{referral.id}/imaging",
        {"files": (io.BytesIO(_header_only()), "slice.dcm")},
        form_page=page,
        content_type="multipart/form-data",
    )
    text = screen.get_data(as_text=True)
    assert (
        screen.status_code in (400, 422)
        and "incomplete DICOM" in text
        and "file stored" not in text
        and "files stored" not in text
    )
