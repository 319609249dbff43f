"""Pages from analysed data: page contexts, Jinja templates, free-text rendering, labels. No MkDocs import."""
