"""Prior imaging and referral letters: checking uploaded files, storing them once, reading DICOM headers.

What a file is comes from its content, never its name: PDF, JPEG and PNG by their signatures (and a
proper end, so a file cut off in transfer is caught), DICOM by the "DICM" marker at byte 128 and a
header that pydicom can read. A ZIP is taken as the copy of a DICOM CD: its DICOM files become the
study's files, everything else on the CD (DICOMDIR, viewers, autorun.inf, READMEs) is skipped.

One request is all or nothing (invariant 9). Every file is checked first, ZIPs included; only then are
rows flushed and blobs written. If anything fails after that, the blobs this call created are removed
before the error goes on, and the request boundary rolls the rows back.

Why rows before blobs: ``stored_files.sha256`` is unique, so once our new row is flushed, a second
request storing the same new content waits on that row until we commit or roll back. Any blob we
remove on failure can therefore never be one that another request's row points to. An error after
this module has returned (when the boundary rolls back later) can leave a blob without a row: that
wastes a little disk, where the opposite order could leave a row without its file.

Patient identity: the DICOM header names a patient and a birth date; both are compared with the
patient the study belongs to, and a mismatch is flagged on the file (see ``check_identity``).
"""

from .content import Inspected, inspect
from .identity import check_identity
from .incoming import Incoming, Received, receive_all
from .limits import ACCEPTED_DOCUMENT, ACCEPTED_IMAGING, UploadLimits, limits_from_config
from .names import display_name, safe_filename
from .service import (
    AddedFiles,
    add_files,
    add_referral_document,
    create_study,
    download_referral_document,
    download_study_file,
    set_aside_file,
)

__all__ = [
    "ACCEPTED_DOCUMENT",
    "ACCEPTED_IMAGING",
    "AddedFiles",
    "Incoming",
    "Inspected",
    "Received",
    "UploadLimits",
    "add_files",
    "add_referral_document",
    "check_identity",
    "create_study",
    "display_name",
    "download_referral_document",
    "download_study_file",
    "inspect",
    "limits_from_config",
    "receive_all",
    "safe_filename",
    "set_aside_file",
]
