from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models

from hotel_vouchers.core.errors import ValidationError
from hotel_vouchers.documents.layouts import layout_boxes_validate
from hotel_vouchers.properties.models import Organisation


class PageSize(models.TextChoices):
    A4 = "A4", "A4 (210 x 297 mm)"
    A5 = "A5", "A5 (148 x 210 mm)"
    DL = "DL", "DL (99 x 210 mm)"


class Orientation(models.TextChoices):
    PORTRAIT = "portrait", "Portrait"
    LANDSCAPE = "landscape", "Landscape"


class Motif(models.Model):
    """A picture the buyer picks for the voucher (Motiv)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="motifs")
    name = models.CharField(max_length=200)
    image = models.ImageField(
        upload_to="motifs/", help_text="JPEG or PNG; printed up to the whole page, so ~2000 px."
    )

    class Meta:
        ordering = ["organisation_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="motif_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Layout(models.Model):
    """How a voucher PDF looks (Gutscheingestaltung): a page and its boxes.

    `boxes` is described in documents/layouts.py."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="layouts")
    name = models.CharField(max_length=200)
    page_size = models.CharField(max_length=2, choices=PageSize.choices, default=PageSize.A4)
    orientation = models.CharField(
        max_length=10, choices=Orientation.choices, default=Orientation.PORTRAIT
    )
    background = models.ForeignKey(
        Motif,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="layouts",
        help_text="Motif used when the voucher has none of its own.",
    )
    boxes = models.JSONField(
        default=list,
        help_text="Boxes: text, qr, barcode, positions, motif, panel.",
    )

    class Meta:
        ordering = ["organisation_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="layout_name_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            layout_boxes_validate(
                boxes=self.boxes, page_size=self.page_size, orientation=self.orientation
            )
        except ValidationError as error:
            raise DjangoValidationError({error.field or "boxes": error.detail}) from None
        if (
            self.background_id is not None
            and self.organisation_id is not None
            and self.background.organisation_id != self.organisation_id
        ):
            raise DjangoValidationError(
                {"background": "The motif belongs to another organisation."}
            )
