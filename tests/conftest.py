import pytest

from tests import factories


@pytest.fixture
def org(db):
    return factories.organisation()


@pytest.fixture
def hotel_a(org):
    return factories.hotel(org, "hotel-a")


@pytest.fixture
def hotel_b(org):
    return factories.hotel(org, "hotel-b")


@pytest.fixture
def bar(hotel_a):
    return factories.location(hotel_a, "bar")


@pytest.fixture
def restaurant(hotel_a):
    return factories.location(hotel_a, "restaurant")


@pytest.fixture
def spa(hotel_a):
    return factories.location(hotel_a, "spa")


@pytest.fixture
def dinner_spa(org, hotel_a, bar, restaurant, spa):
    """The demo's Dinner & Spa: a 12.00 (bar), m 89.00 (restaurant), s 45.00 (spa, partial)."""
    return factories.product_with_positions(
        org,
        hotel_a,
        [
            ("a", "Aperitif", 1200, [bar], False),
            ("m", "Menü", 8900, [restaurant], False),
            ("s", "Spa-Guthaben", 4500, [spa], True),
        ],
    )


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    # Pages render without `collectstatic`; the hashed manifest is for `serve`.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
