"""Validates responses against openapi.yaml: the operation is found by path template and method,
the response by status code, and the body by its media type's schema with every $ref resolved.
A response the contract does not describe fails the test."""
import json
import re

import jsonschema
import yaml


class Contract:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            self.spec = yaml.safe_load(f)
        self.resolver = jsonschema.RefResolver.from_schema(self.spec)
        self.routes = []
        for template, item in self.spec["paths"].items():
            pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", re.escape(template).replace(r"\{", "{").replace(r"\}", "}")) + "$"
            self.routes.append((re.compile(pattern), template, item))

    def deref(self, node):
        while isinstance(node, dict) and "$ref" in node:
            _, node = self.resolver.resolve(node["$ref"])
        return node

    def operation(self, method, path):
        for pattern, template, item in self.routes:
            if pattern.match(path):
                op = item.get(method.lower())
                return template, op
        return None, None

    def validator(self, schema):
        return jsonschema.Draft202012Validator(schema, resolver=self.resolver,
                                               format_checker=jsonschema.FormatChecker())

    def check(self, method, path, response):
        """Raises AssertionError when the response is not what the contract says."""
        path = path.split("?", 1)[0]
        status = str(response.status_code)
        template, op = self.operation(method, path)
        if op is None:
            # paths we do not have, and methods a path lacks, answer with a problem document
            assert response.status_code in (404, 405), f"{method} {path}: undocumented {status}"
            definition = self.deref(self.spec["components"]["responses"]["NotFound" if response.status_code == 404 else "MethodNotAllowed"])
        else:
            responses = op.get("responses", {})
            assert status in responses, f"{method} {template}: status {status} not in the contract ({sorted(responses)}): {response.text[:300]}"
            definition = self.deref(responses[status])
        content = definition.get("content")
        if not content:
            assert response.content == b"", f"{method} {path} {status}: body where the contract has none"
            return
        ctype = response.headers.get("Content-Type", "").split(";")[0].strip()
        assert ctype in content, f"{method} {path} {status}: Content-Type {ctype!r} not in {list(content)}"
        schema = content[ctype].get("schema")
        if ctype.endswith("json"):
            body = json.loads(response.content.decode("utf-8"))
            if schema:
                errors = sorted(self.validator(schema).iter_errors(body), key=lambda e: list(e.path))
                assert not errors, f"{method} {path} {status}: body does not match the contract: " + "; ".join(
                    f"{list(e.path)}: {e.message[:200]}" for e in errors[:5])
        for name, header in (definition.get("headers") or {}).items():
            header = self.deref(header)
            if name in response.headers and "schema" in header and header["schema"].get("pattern"):
                assert re.match(header["schema"]["pattern"], response.headers[name]), f"header {name}"
