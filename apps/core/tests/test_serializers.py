from unittest import mock

from django.contrib.auth.models import Group
from rest_framework import serializers

from apps.core.serializers import ModelSerializer


def _group_serializers():
    # New classes per test: the fields a class keeps must not come from another test.
    class GroupSerializer(ModelSerializer):
        class Meta:
            model = Group
            fields = ["id", "name"]

    class GroupWithNoteSerializer(GroupSerializer):
        note = serializers.CharField(default="")

        class Meta(GroupSerializer.Meta):
            fields = [*GroupSerializer.Meta.fields, "note"]

    return GroupSerializer, GroupWithNoteSerializer


def test_fields_are_worked_out_once_per_class_and_each_instance_gets_its_own():
    group_serializer, _ = _group_serializers()
    build = mock.patch.object(
        serializers.ModelSerializer,
        "get_fields",
        autospec=True,
        side_effect=serializers.ModelSerializer.get_fields,
    )
    with build as built:
        first, second = group_serializer(), group_serializer()
        first_fields, second_fields = first.fields, second.fields

    assert built.call_count == 1
    assert list(first_fields) == list(second_fields) == ["id", "name"]
    assert first_fields["name"] is not second_fields["name"]
    assert first_fields["name"].parent is first
    assert second_fields["name"].parent is second
    assert first_fields["name"].max_length == Group._meta.get_field("name").max_length


def test_a_subclass_keeps_its_own_fields_and_changing_one_instance_changes_no_other():
    group_serializer, with_note = _group_serializers()

    changed = group_serializer()
    changed.fields.pop("name")
    changed.fields["id"].label = "changed"

    assert list(group_serializer().fields) == ["id", "name"]
    assert group_serializer().fields["id"].label != "changed"
    assert list(with_note().fields) == ["id", "name", "note"]
    assert group_serializer(Group(id=3, name="Editors")).data == {"id": 3, "name": "Editors"}
