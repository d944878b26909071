"""Renders the .docx and .pdf files of the corpus (and of ``holdout/``) from the real texts in
``sources/``.

Where no original .docx or PDF of a document was found, the text as published is laid out
here: python-docx writes one paragraph per line; WeasyPrint lays the lines out on A4 in Noto
Serif CJK (16 pt, the body size of GB/T 9704) so that the PDF has a text layer, which pypdf
reads back with the line breaks of the layout (long paragraphs wrap, as in real PDFs).

    .venv/bin/python tests/documents/corpus/render.py
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import docx
from weasyprint import HTML

HERE = Path(__file__).parent


def make_docx(text: str, out: Path) -> None:
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    document.save(str(out))


def make_pdf(text: str, out: Path) -> None:
    body = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines())
    page = (
        "<html><head><meta charset='utf-8'><style>"
        "@page{size:A4;margin:37mm 26mm 35mm 28mm}"
        "body{font-family:'Noto Serif CJK SC','Noto Serif CJK';font-size:16pt;line-height:1.6}"
        "p{margin:0;text-indent:2em}</style></head><body>" + body + "</body></html>"
    )
    HTML(string=page).write_pdf(str(out))


def main() -> None:
    for folder in (HERE, HERE / "holdout"):
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        for entry in manifest["documents"]:
            rendered = entry.get("rendered_from")
            if not rendered:
                continue
            text = (folder / rendered).read_text(encoding="utf-8")
            out = folder / entry["file"]
            (make_docx if out.suffix == ".docx" else make_pdf)(text, out)


if __name__ == "__main__":
    main()
