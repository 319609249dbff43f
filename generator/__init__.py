"""mlfolio: specs for ML projects, validated, analysed and published as a MkDocs portfolio."""

from __future__ import annotations

__version__ = "0.1.0"
