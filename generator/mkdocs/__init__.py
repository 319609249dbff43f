"""The MkDocs plugin: the only subpackage that imports MkDocs."""
