"""Checks the examples of openapi.yaml (scripts/contract.sh): every operation shows one for each
request body and for each successful response with a body, and every example in the document — of
a media type, a schema, a parameter or a header — validates against its schema, resolved and checked
as the API suite checks real responses (tests/api/contract.py: JSON Schema 2020-12 with formats).
Usage: examples.py [openapi.yaml]"""
import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "api"))
from contract import Contract  # noqa: E402

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
# files: bytes, with no example to show (a dossier's documents: PDF, DOCX, XLSX, JPEG, PNG)
BINARY = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
          "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
          "application/pdf", "image/jpeg", "image/png")


def values(contract, node):
    """The example values a media type, parameter or header object gives."""
    if "example" in node:
        yield "example", node["example"]
    for name, example in (node.get("examples") or {}).items():
        example = contract.deref(example)
        if "value" in example:
            yield f"examples/{name}", example["value"]


def walk(node, where):
    if isinstance(node, dict):
        yield node, where
        for key, child in node.items():
            yield from walk(child, f"{where}/{key}")
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from walk(child, f"{where}/{i}")


def main():
    contract = Contract(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "openapi.yaml"))
    problems, checked = [], 0

    # every operation shows its request and its successful answers
    for path, item in contract.spec["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            where = f"{method.upper()} {path}"
            body = contract.deref(op.get("requestBody") or {})
            for media, content in (body.get("content") or {}).items():
                if media not in BINARY and not list(values(contract, content)):
                    problems.append(f"{where}: no example of the {media} request body")
            for status, response in op["responses"].items():
                response = contract.deref(response)
                for media, content in (response.get("content") or {}).items():
                    if status.startswith("2") and media not in BINARY and not list(values(contract, content)):
                        problems.append(f"{where} {status}: no example of the {media} body")

    # and every example holds
    for node, where in walk(contract.spec, "#"):
        if "schema" in node and ("example" in node or "examples" in node):
            schema = node["schema"]
            examples = list(values(contract, node))
        elif "/schemas/" in where and ("example" in node or isinstance(node.get("examples"), list)):
            schema = node   # a schema's own example (3.0 `example`, 3.1 `examples: [...]`)
            examples = ([("example", node["example"])] if "example" in node else []) + \
                [(f"examples/{i}", v) for i, v in enumerate(node.get("examples") or [])]
        else:
            continue
        for name, value in examples:
            checked += 1
            for error in contract.validator(schema).iter_errors(value):
                problems.append(f"{where}/{name}: {'/'.join(map(str, error.path))}: {error.message[:200]}")

    for p in problems:
        print(f"examples: {p}", file=sys.stderr)
    if problems:
        sys.exit(f"examples: {len(problems)} problems")
    print(f"examples: {checked} examples valid")


if __name__ == "__main__":
    main()
