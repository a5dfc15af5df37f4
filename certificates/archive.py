"""A ZIP of stored PDFs, streamed as it is built: memory holds one chunk, whatever the count."""

import zipfile

from ops.zip_stream import ZipPipe

CHUNK = 64 * 1024


def zip_stream(certificates, on_finished):
    """Yield the bytes of a ZIP of these certificates' PDFs, named by serial (neutral names);
    `on_finished(count)` runs once the last byte is sent."""
    pipe = ZipPipe()
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
