"""Channels and their categories (seed 001, 5.1)."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from hotel_vouchers.properties.models import Channel, ChannelCategory


def test_a_hotel_has_channels_with_categories_unique_by_slug(hotel_a, hotel_b):
    # given a web shop with a category
    shop = Channel.objects.create(hotel=hotel_a, slug="shop", name="Web-Shop")
    ChannelCategory.objects.create(channel=shop, slug="wellness", name="Wellness")
    # when the same slugs are used again in the same hotel or channel, then they are refused
    with pytest.raises(IntegrityError), transaction.atomic():
        Channel.objects.create(hotel=hotel_a, slug="shop", name="Again")
    with pytest.raises(IntegrityError), transaction.atomic():
        ChannelCategory.objects.create(channel=shop, slug="wellness", name="Again")
    # and another hotel may use them
    other = Channel.objects.create(hotel=hotel_b, slug="shop", name="Shop B", kind="portal")
    ChannelCategory.objects.create(channel=other, slug="wellness", name="Wellness")
    assert [c.slug for c in shop.categories.all()] == ["wellness"]
    assert Channel.objects.count() == 2


def test_the_channel_admin_renders(client, django_user_model, hotel_a):
    shop = Channel.objects.create(hotel=hotel_a, slug="shop", name="Web-Shop")
    ChannelCategory.objects.create(channel=shop, slug="wellness", name="Wellness")
    client.force_login(django_user_model.objects.create_superuser("boss", "b@example.com", "pw"))
    assert client.get(reverse("admin:properties_channel_changelist")).status_code == 200
    page = client.get(reverse("admin:properties_channel_change", args=[shop.pk]))
    assert page.status_code == 200 and b"Wellness" in page.content
