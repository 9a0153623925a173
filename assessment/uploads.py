"""The upload handler of the evidence view: files stream to temporary files on disk, never whole into
memory, and an upload past a limit stops while it streams.

Django's default handlers keep small files in memory and write the rest to a temporary file whatever
its size; this one writes every file to disk and counts as it goes. A file past the per-file limit,
too many files, or a request body larger than the most a form may carry stop the upload at once:
the partial temporary file is closed (and so deleted) by the parser, the rest of the body is read
and thrown away so the browser gets the answer, and `refusal` tells the view what to say.
"""

from django.conf import settings
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from django.http import QueryDict
from django.http.multipartparser import exhaust
from django.utils.datastructures import MultiValueDict

from .filetypes import clean_name, file_size


def too_large(name: str) -> str:
    limit = settings.EVIDENCE_MAX_FILE_SIZE
    return f"“{clean_name(name)}” is larger than {file_size(limit)}; files can be at most {file_size(limit)} each."


def too_many() -> str:
    return f"Add at most {settings.EVIDENCE_MAX_FILES_PER_CONTROL} files at a time."


class EvidenceUploadHandler(TemporaryFileUploadHandler):
    FIELDS_ALLOWANCE = 1024 * 1024  # the description, the CSRF token and the multipart framing

    def __init__(self, request=None):
        super().__init__(request)
        self.max_file = settings.EVIDENCE_MAX_FILE_SIZE
        self.max_files = settings.EVIDENCE_MAX_FILES_PER_CONTROL
        self.refusal: str | None = None  # set when the upload was stopped; the view shows it (413)
        self.files = 0
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # A body larger than every allowed file together can't succeed: say so without storing any of it.
        if content_length and content_length > self.max_files * self.max_file + self.FIELDS_ALLOWANCE:
            self.refusal = (
                f"This upload is too large: add at most {self.max_files} files of up to "
                f"{file_size(self.max_file)} each."
            )
            exhaust(input_data)
            return QueryDict(encoding=encoding), MultiValueDict()
        return None

    def new_file(self, field_name, file_name, *args, **kwargs):
        self.files += 1
        self.received = 0
        if self.files > self.max_files:
            self.refusal = too_many()
            raise StopUpload(connection_reset=False)
        super().new_file(field_name, file_name, *args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.max_file:
            self.refusal = too_large(self.file_name)
            raise StopUpload(connection_reset=False)
        return super().receive_data_chunk(raw_data, start)
