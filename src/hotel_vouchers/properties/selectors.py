from hotel_vouchers.core.errors import ValidationError
from hotel_vouchers.properties.models import Hotel, Location, Organisation


def organisation_get(*, slug: str) -> Organisation:
    try:
        return Organisation.objects.get(slug=slug)
    except Organisation.DoesNotExist:
        raise ValidationError(f"Unknown organisation {slug!r}.", field="organization") from None


def hotel_get(*, organisation: Organisation, slug: str) -> Hotel:
    try:
        return Hotel.objects.get(organisation=organisation, slug=slug)
    except Hotel.DoesNotExist:
        raise ValidationError(f"Unknown hotel {slug!r}.", field="hotel") from None


def location_get(*, organisation: Organisation, slug: str, hotel: Hotel | None = None) -> Location:
    """A location by slug; without a hotel the slug must name one location only."""
    locations = Location.objects.select_related("hotel").filter(
        hotel__organisation=organisation, slug=slug
    )
    if hotel is not None:
        locations = locations.filter(hotel=hotel)
    found = list(locations[:2])
    if not found:
        raise ValidationError(f"Unknown location {slug!r}.", field="location")
    if len(found) > 1:
        raise ValidationError(
            f"Location {slug!r} exists in several hotels; name it as hotel/location.",
            field="location",
        )
    return found[0]
