"""A coach's photo: only real JPEG, PNG or WebP images, re-encoded square and small.

Re-encoding is the point: the stored file is one Pillow wrote, without the upload's metadata
(EXIF with GPS positions, comments) or anything appended after the image data, and with a
size that pages can show as they are.
"""

import io
import secrets
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
PHOTO_SIZE = 512  # pixels, each side
# Larger images are refused before they are decoded (a small file can claim a huge canvas).
MAX_PIXELS = 40_000_000
FORMATS = frozenset({"JPEG", "PNG", "WEBP"})

PHOTO_TOO_BIG = _("The photo is larger than 5 MB.")
PHOTO_NOT_IMAGE = _("Choose a photo in JPEG, PNG or WebP format.")
PHOTO_TOO_MANY_PIXELS = _("The photo has too many pixels; use one under 40 megapixels.")


def _open(upload: UploadedFile) -> Image.Image:
    if upload.size is None or upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(PHOTO_TOO_BIG, code="photo_too_big")
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(PHOTO_TOO_BIG, code="photo_too_big")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=sorted(FORMATS))
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(PHOTO_TOO_MANY_PIXELS, code="photo_too_many_pixels")
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(PHOTO_TOO_MANY_PIXELS, code="photo_too_many_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        # A text file named .jpg, a truncated or corrupt image, another format.
        raise ValidationError(PHOTO_NOT_IMAGE, code="photo_not_image") from None
    return image


def process_photo(upload: UploadedFile) -> ContentFile:
    """The upload as a new square image file (JPEG, or PNG when it has transparency).

    Raises ValidationError with a message for the coach when it is no usable image.
    """
    image = _open(upload)
    # Turn it the way the camera said, before that information is dropped.
    image = ImageOps.exif_transpose(image)
    side = min(PHOTO_SIZE, image.width, image.height)
    transparent = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info)
    image = image.convert("RGBA" if transparent else "RGB")
    image = ImageOps.fit(image, (side, side), method=Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if transparent:
        image.save(out, "PNG", optimize=True)
        extension = "png"
    else:
        image.save(out, "JPEG", quality=85, optimize=True)
        extension = "jpg"
    return ContentFile(out.getvalue(), name=f"{secrets.token_hex(8)}.{extension}")
