#!/usr/bin/python3
"""Checks the API's OpenAPI document (openapi_spec.lua), with Debian's
python3-jsonschema only.

  openapi_check.py DOC --document   the document's structure, and each of
                                    its schemas as JSON Schema 2020-12
  openapi_check.py DOC RECORDS [--partial]
                                    each recorded response ({method, path,
                                    status, content_type, headers, body}, one
                                    JSON a line, see H.record_to): its
                                    operation and status are documented, its
                                    body fits the schema, required headers are
                                    there, a request body the server took
                                    fits the documented one; and (unless
                                    --partial) every operation answered once
                                    with neither 404 nor 405.

The OpenAPI 3.1 meta-schema is in no Debian package: the structure is
checked here by hand, the schemas by jsonschema's own meta-schema.
Prints every problem; exits 1 when there is one."""
import json
import re
import sys
import warnings

import jsonschema

warnings.simplefilter("ignore", DeprecationWarning)  # RefResolver, kept by 4.10 and later
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
problems = []


def problem(text):
    problems.append(text)


def operations(doc):
    for path, item in doc.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def walk_schemas(node, where):
    """Every schema of the document (components' and inline ones), with where it is."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "schema" and isinstance(value, dict):
                yield value, where + "/schema"
            elif key == "schemas" and where == "#/components":
                for name, s in value.items():
                    yield s, where + "/schemas/" + name
            else:
                yield from walk_schemas(value, where + "/" + str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk_schemas(value, where + "/" + str(i))


def refs(node):
    """Every $ref of the document."""
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def deref(doc, node):
    seen = 0
    while isinstance(node, dict) and "$ref" in node and seen < 10:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            problem("external reference %s" % ref)
            return {}
        target = doc
        for part in ref[2:].split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~"), None) \
                if isinstance(target, dict) else None
            if target is None:
                problem("reference %s names nothing" % ref)
                return {}
        node, seen = target, seen + 1
    return node


def check_document(doc):
    if doc.get("openapi") != "3.1.0":
        problem("openapi is %r, not 3.1.0" % doc.get("openapi"))
    info = doc.get("info", {})
    for key in ("title", "version"):
        if not isinstance(info.get(key), str) or not info.get(key):
            problem("info.%s missing" % key)
    if doc.get("jsonSchemaDialect", "https://spec.openapis.org/oas/3.1/dialect/base") not in (
            "https://spec.openapis.org/oas/3.1/dialect/base",
            "https://json-schema.org/draft/2020-12/schema"):
        problem("jsonSchemaDialect %r" % doc.get("jsonSchemaDialect"))
    schemes = doc.get("components", {}).get("securitySchemes", {})
    ids = set()
    for path, item in doc.get("paths", {}).items():
        if not path.startswith("/"):
            problem("path %s does not start with /" % path)
        extra = set(item) - set(METHODS) - {"parameters", "summary", "description"}
        if extra:
            problem("%s: unknown keys %s" % (path, sorted(extra)))
    for path, method, op in operations(doc):
        where = "%s %s" % (method.upper(), path)
        oid = op.get("operationId")
        if not oid or oid in ids:
            problem("%s: operationId missing or not unique: %r" % (where, oid))
        ids.add(oid)
        if not op.get("summary"):
            problem("%s: no summary" % where)
        responses = op.get("responses")
        if not isinstance(responses, dict) or not responses:
            problem("%s: no responses" % where)
            continue
        for status, response in responses.items():
            if not re.fullmatch(r"[1-5](\d\d|XX)|default", status):
                problem("%s: response key %s" % (where, status))
            response = deref(doc, response)
            if "description" not in response:
                problem("%s %s: response without description" % (where, status))
        params = [deref(doc, p) for p in doc["paths"][path].get("parameters", []) +
                  op.get("parameters", [])]
        declared = {p.get("name") for p in params if p.get("in") == "path"}
        for p in params:
            if p.get("in") not in ("path", "query", "header", "cookie"):
                problem("%s: parameter %r in %r" % (where, p.get("name"), p.get("in")))
            if p.get("in") == "path" and p.get("required") is not True:
                problem("%s: path parameter %s not required" % (where, p.get("name")))
        named = set(re.findall(r"{([^}]+)}", path))
        if named != declared:
            problem("%s: path parameters %s, declared %s" % (where, sorted(named), sorted(declared)))
        body = op.get("requestBody")
        if body is not None and "content" not in deref(doc, body):
            problem("%s: requestBody without content" % where)
        for requirement in op.get("security", doc.get("security", [])):
            for name in requirement:
                if name not in schemes:
                    problem("%s: security scheme %s undeclared" % (where, name))
    for ref in refs(doc):
        deref(doc, {"$ref": ref})
    for schema, where in walk_schemas(doc, "#"):
        try:
            jsonschema.Draft202012Validator.check_schema(schema)
        except jsonschema.exceptions.SchemaError as e:
            problem("%s: not a JSON Schema 2020-12: %s" % (where, e.message))


def template_matcher(doc):
    """(regex, path) pairs, literal segments before parameters: /rulesets/diff
    before /rulesets/{hash}, as OpenAPI says concrete paths match first."""
    pairs = []
    for path in doc.get("paths", {}):
        pattern = "[^/]+".join(re.escape(part) for part in re.split(r"{[^}]+}", path))
        pairs.append((path.count("{"), re.compile(pattern + "$"), path))
    pairs.sort(key=lambda p: p[0])
    return [(regex, path) for _, regex, path in pairs]


def validate(schema, resolver, instance, where, what):
    validator = jsonschema.Draft202012Validator(schema, resolver=resolver)
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))[:3]:
        at = "$" + "".join("[%d]" % p if isinstance(p, int) else "." + str(p)
                           for p in error.absolute_path)
        problem("%s: %s at %s: %s" % (where, what, at, error.message[:300]))


def check_request(doc, resolver, op, rec, where):
    """A JSON body the server took (2xx) fits the documented request body."""
    if rec.get("request") is None or not 200 <= rec["status"] < 300:
        return
    body = op.get("requestBody")
    if body is None:
        return  # a route that takes none ignores what it is sent
    schema = deref(doc, body).get("content", {}).get("application/json", {}).get("schema")
    if schema is not None:
        validate(schema, resolver, json.loads(rec["request"]), where, "request body")


def check_records(doc, records_path, every_operation):
    base = doc["servers"][0]["url"]
    matchers = template_matcher(doc)
    resolver = jsonschema.RefResolver.from_schema(doc)
    answered, counted = {}, 0
    with open(records_path, encoding="utf-8") as f:
        lines = [line for line in f if line.strip()]
    for number, line in enumerate(lines, 1):
        rec = json.loads(line)
        method, status = rec["method"].lower(), rec["status"]
        path = rec["path"].split("?", 1)[0]
        where = "%s %s -> %s (record %d)" % (rec["method"], rec["path"], status, number)
        if not path.startswith(base + "/"):
            continue  # not the API (a static page)
        path = path[len(base):]
        template = next((t for regex, t in matchers if regex.match(path)), None)
        if template is None:
            if status != 404:
                problem("%s: no documented path" % where)
            continue
        op = doc["paths"][template].get(method)
        if op is None:
            if status != 405:
                problem("%s: %s takes no %s" % (where, template, method.upper()))
            continue
        counted += 1
        check_request(doc, resolver, op, rec, where)
        if status not in (404, 405):
            answered[(template, method)] = status
        responses = op["responses"]
        response = responses.get(str(status)) or responses.get(str(status)[0] + "XX")
        if response is None:
            problem("%s: status %s undocumented for %s %s" % (where, status, method.upper(), template))
            continue
        response = deref(doc, response)
        headers = rec.get("headers") or {}
        if isinstance(headers, dict) and headers:
            for name, h in response.get("headers", {}).items():
                if deref(doc, h).get("required") and not headers.get(name.lower()):
                    problem("%s: no %s header" % (where, name))
        content = response.get("content", {})
        body = rec.get("body")
        if body is None:
            continue
        ctype = (rec.get("content_type") or "application/json").split(";")[0].strip()
        media = content.get(ctype)
        if media is None:
            problem("%s: content type %s undocumented" % (where, ctype))
            continue
        if "schema" not in media:
            continue
        try:
            instance = json.loads(body)
        except ValueError as e:
            problem("%s: body is no JSON: %s" % (where, e))
            continue
        validate(media["schema"], resolver, instance, where, "body")
    for path, method, _ in operations(doc):
        if every_operation and (path, method) not in answered:
            problem("%s %s: no recorded answer but 404 or 405" % (method.upper(), path))
    print("%d responses checked, %d of %d operations answered" % (
        counted, len(answered), sum(1 for _ in operations(doc))))


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        doc = json.load(f)
    if sys.argv[2] == "--document":
        check_document(doc)
        print("%d operations, %d schemas" % (sum(1 for _ in operations(doc)),
                                             len(doc.get("components", {}).get("schemas", {}))))
    else:
        check_records(doc, sys.argv[2], sys.argv[3:] != ["--partial"])
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
