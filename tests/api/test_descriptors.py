"""Each resource descriptor (api/*.c) and its schemas in openapi.yaml agree field by field
(issue 9), so the two cannot drift: the row's schema (<Noun>) has exactly the fields written out,
<Noun>Create exactly the fields a create takes with the same required ones, <Noun>Patch exactly
those a patch takes; and each writable field's limits, choices and nullability are the same."""
import json
import os
import subprocess

import pytest
import yaml

from conftest import BINARY, ROOT

SPEC = yaml.safe_load(open(os.path.join(ROOT, "openapi.yaml"), encoding="utf-8"))
SCHEMAS = SPEC["components"]["schemas"]
DESCRIPTORS = json.loads(subprocess.run([BINARY, "descriptors"], check=True, capture_output=True, text=True).stdout)


def resolve(schema):
    while "$ref" in schema:
        schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def props(name):
    return {k: resolve(v) for k, v in SCHEMAS[name]["properties"].items()}


def types(schema):
    """its types, with those of its oneOf/anyOf alternatives"""
    t = schema.get("type", [])
    out = set(t if isinstance(t, list) else [t])
    for alt in schema.get("oneOf", []) + schema.get("anyOf", []):
        out |= types(resolve(alt))
    return out


def agree(field, schema, where):
    """a field's input rules against its property schema (of a oneOf with null: the other one)"""
    t, name = field["type"], f"{where}.{field['name']}"
    nullable = "null" in types(schema)
    for alt in schema.get("oneOf", []) + schema.get("anyOf", []):
        if "null" not in types(resolve(alt)):
            schema = resolve(alt)
    if t in ("string", "text") and field["max"] and "pattern" not in schema:  # a pattern bounds the length
        assert schema.get("maxLength") == field["max"], name
        if t == "string" and field["min"]:
            assert schema.get("minLength") == field["min"], name
    if t == "enum":  # a hook may narrow the choices (only base indicators are created)
        assert set(schema.get("enum", [])) - {None} <= set(field["choices"]) and schema.get("enum"), name
    if t == "integer":
        assert (schema.get("minimum"), schema.get("maximum")) == (field["min"], field["max"]), name
    if t in ("array", "string_list", "id_list") and field["max"]:
        assert schema.get("maxItems") == field["max"], name
    assert nullable == field["nullable"], f"{name}: nullable"


@pytest.mark.parametrize("d", DESCRIPTORS, ids=[d["name"] for d in DESCRIPTORS])
def test_descriptor_and_schemas_agree(d):
    noun = d["noun"].title().replace(" ", "")
    fields = {f["name"]: f for f in d["fields"]}
    row = props(noun)
    assert set(row) == {n for n, f in fields.items() if f["written_out"]}, noun
    if d["create"]:
        create = SCHEMAS[noun + "Create"]
        writable = {n for n, f in fields.items() if not f["readonly"]}
        assert set(create["properties"]) == writable, noun + "Create"
        assert set(create.get("required", [])) == {n for n in writable if fields[n]["required"]}, noun + "Create"
        for n, schema in props(noun + "Create").items():
            agree(fields[n], schema, noun + "Create")
    if d["patch"]:
        patch = props(noun + "Patch")
        assert set(patch) == {n for n, f in fields.items() if f["patchable"]}, noun + "Patch"
        for n, schema in patch.items():
            agree(fields[n], schema, noun + "Patch")
