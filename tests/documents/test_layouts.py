"""Layout validation: every mistake is a ValidationError that names its field,
in the service, in the model's clean and as a form error in the admin."""

import copy

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse

from hotel_vouchers.core.errors import ValidationError
from hotel_vouchers.documents.layouts import builtin_boxes, layout_boxes_validate
from hotel_vouchers.documents.models import Layout, Motif
from hotel_vouchers.documents.services import layout_create
from tests import factories

TEXT = {
    "kind": "text",
    "x": 10,
    "y": 10,
    "w": 100,
    "h": 10,
    "template": "Für #recipient#",
    "font": "DejaVu Sans",
    "size": 12,
    "colour": "#112233",
    "align": "left",
}


def with_box(**changes):
    box = {**TEXT, **changes}
    return [box]


BAD = [
    (with_box(template="Hallo #name#"), "unknown placeholder"),
    (with_box(x=150, w=100), "outside the page"),
    (with_box(y=290), "outside the page"),
    (with_box(colour="red"), "#rrggbb"),
    (with_box(colour="#12345g"), "#rrggbb"),
    (with_box(font="Comic Sans"), "unknown font"),
    (with_box(size=200), "size"),
    (with_box(align="justify"), "align"),
    (with_box(template=""), "template"),
    (with_box(x="10"), "number"),
    (with_box(w=0), "positive"),
    ([{"kind": "qr", "x": 0, "y": 0, "w": 5, "h": 5}], "QR code"),
    ([{"kind": "barcode", "x": 0, "y": 0, "w": 20, "h": 5}], "barcode"),
    ([{"kind": "circle", "x": 0, "y": 0, "w": 5, "h": 5}], "unknown kind"),
    ([{**TEXT, "bold": True}], "unexpected"),
    ({"kind": "text"}, "list"),
    (["text"], "not an object"),
]


@pytest.mark.parametrize(("boxes", "message"), BAD)
def test_the_validator_names_the_field_and_the_mistake(boxes, message):
    with pytest.raises(ValidationError) as error:
        layout_boxes_validate(boxes=boxes, page_size="A4", orientation="portrait")
    assert error.value.field == "boxes"
    assert message in error.value.detail


def test_landscape_swaps_the_page():
    boxes = with_box(x=200, w=90)  # 290 mm wide: only fits on A4 landscape
    layout_boxes_validate(boxes=boxes, page_size="A4", orientation="landscape")
    with pytest.raises(ValidationError):
        layout_boxes_validate(boxes=boxes, page_size="A4", orientation="portrait")


def test_the_builtin_layouts_are_valid():
    for language in ("de", "en", "it", "fr"):
        layout_boxes_validate(boxes=builtin_boxes(language), page_size="A4", orientation="portrait")


def test_unknown_page_size_names_its_field():
    with pytest.raises(ValidationError) as error:
        layout_boxes_validate(boxes=[], page_size="A3", orientation="portrait")
    assert error.value.field == "page_size"


def test_the_service_refuses_and_saves_nothing(org):
    with pytest.raises(ValidationError) as error:
        layout_create(organisation=org, name="Broken", boxes=with_box(template="#nope#"))
    assert error.value.field == "boxes"
    assert not Layout.objects.exists()
    layout = layout_create(organisation=org, name="Fine", boxes=with_box())
    assert layout.boxes == with_box()


def test_the_service_refuses_another_organisations_motif(org, tmp_path):
    other = factories.organisation()
    motif = Motif.objects.create(organisation=other, name="M", image="motifs/x.jpg")
    with pytest.raises(ValidationError) as error:
        layout_create(organisation=org, name="L", boxes=[], background=motif)
    assert error.value.field == "background"


@pytest.mark.parametrize(("boxes", "message"), BAD[:6])
def test_the_model_clean_raises_a_field_error(org, boxes, message):
    layout = Layout(organisation=org, name="L", boxes=boxes)
    with pytest.raises(DjangoValidationError) as error:
        layout.full_clean()
    assert message in " ".join(error.value.message_dict["boxes"])


@pytest.fixture
def staff(client, django_user_model, db):
    user = django_user_model.objects.create_superuser("boss", "boss@example.com", "pw-12345678")
    client.force_login(user)
    return client


def test_the_admin_shows_a_bad_layout_as_a_form_error_not_a_500(staff, org):
    import json

    form = {
        "organisation": org.pk,
        "name": "Broken",
        "page_size": "A4",
        "orientation": "portrait",
        "background": "",
        "boxes": json.dumps(with_box(template="#unknown_thing#")),
    }
    response = staff.post(reverse("admin:documents_layout_add"), form)
    assert response.status_code == 200
    assert "unknown placeholder" in response.content.decode()
    assert not Layout.objects.exists()
    # and not JSON at all is a form error too
    response = staff.post(reverse("admin:documents_layout_add"), {**form, "boxes": "[{"})
    assert response.status_code == 200
    assert not Layout.objects.exists()
    # a good one saves
    good = copy.deepcopy(form) | {"boxes": json.dumps(with_box())}
    response = staff.post(reverse("admin:documents_layout_add"), good)
    assert response.status_code == 302
    assert Layout.objects.get().boxes == with_box()
