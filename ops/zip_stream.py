"""A ZIP written as a stream: zipfile writes into a `ZipPipe`, and the generator around it hands what
was written on to the response, so memory holds one chunk whatever the size (certificates.archive's
PDFs, reports.xlsx's workbooks)."""


class ZipPipe:
    """A write-only file for zipfile (not seekable: zipfile then writes each entry's sizes after
    its data) whose bytes are taken as they come."""

    def __init__(self):
        self.parts, self.position, self.waiting = [], 0, 0

    def write(self, data):
        self.parts.append(bytes(data))
        self.position += len(data)
        self.waiting += len(data)
        return len(data)

    def tell(self):
        return self.position

    def flush(self):
        pass

    def take(self):
        """What was written since the last take."""
        data = b"".join(self.parts)
        self.parts.clear()
        self.waiting = 0
        return data
