"""The spec: YAML bytes in, data with positions and diagnostics out (loader, schema, validation, rules)."""
