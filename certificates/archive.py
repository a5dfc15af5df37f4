"""A ZIP of stored PDFs, streamed as it is built: memory holds one chunk, whatever the count."""

import zipfile

CHUNK = 64 * 1024


class _Pipe:
    """A write-only file for zipfile that hands what was written back to the generator."""

    def __init__(self):
        self.parts, self.position = [], 0

    def write(self, data):
        self.parts.append(bytes(data))
        self.position += len(data)
        return len(data)

    def tell(self):
        return self.position

    def flush(self):
        pass

    def take(self):
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def zip_stream(certificates, on_finished):
    """Yield the bytes of a ZIP of these certificates' PDFs, named by serial (neutral names);
    `on_finished(count)` runs once the last byte is sent."""
    pipe = _Pipe()
    count = 0
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_STORED) as archive:
        for certificate in certificates.iterator(chunk_size=500):
            info = zipfile.ZipInfo(f"{certificate.serial_slug}.pdf", date_time=certificate.issued_on.timetuple()[:6])
            with certificate.pdf.open("rb") as source, archive.open(info, "w") as target:
                while chunk := source.read(CHUNK):
                    target.write(chunk)
                    yield pipe.take()
            yield pipe.take()
            count += 1
    yield pipe.take()
    on_finished(count)
