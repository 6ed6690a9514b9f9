"""Real image files for upload tests, made by Pillow in memory."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

# EXIF tags: 0x010F Make, 0x8825 the GPS block's pointer; Orientation 0x0112.
GPS_MARKER = "Exif GPS marker 48.8566N"


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (1200, 800), *,
                mode: str = "RGB", exif: bool = False, orientation: int | None = None) -> bytes:
    colour = (200, 40, 40, 128) if mode == "RGBA" else (200, 40, 40)
    image = Image.new(mode, size, colour[: len(mode)])
    # A visible mark in the top-left corner, to tell a rotation apart.
    for x in range(min(size[0], 50)):
        for y in range(min(size[1], 20)):
            image.putpixel((x, y), (0, 0, 255, 255)[: len(mode)])
    options = {}
    if exif or orientation:
        data = Image.Exif()
        if exif:
            data[0x010F] = GPS_MARKER
        if orientation:
            data[0x0112] = orientation
        options["exif"] = data.tobytes()
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def upload(name: str = "me.jpg", content: bytes | None = None,
           content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes() if content is None else content,
                              content_type=content_type)


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
